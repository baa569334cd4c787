"""gunicorn settings for Roadmap; every value can be overridden from the environment.

gunicorn -c gunicorn.conf.py        (make serve does this in production mode)
"""

import multiprocessing
import os

wsgi_app = "roadmap_site.wsgi:application"
bind = os.environ.get("BIND", f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}")  # noqa: S104

# Sync workers: (2 × cores) + 1 is gunicorn's own advice for I/O-bound Django views.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# A request that takes longer than this is killed (and logged); the proxy should time out a little later.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can't grow forever; jitter keeps them from restarting together.
# A worker's memos (plumbing.overlay: the shared parts of pages, about 100 MB at scale 1) go with it, so its
# first minute after a restart is slower: a small number here costs speed and p99 again and again. Cached
# pages and static files are served at hundreds of requests a second per worker: with 50,000 the five workers
# of `make bench` restarted together two minutes into the mix (a dip from 0.14 to 0.12 of static, p99 140 ms).
# The app is loaded once in the master, so a restart is a cheap fork.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000000"))
max_requests_jitter = max_requests // 10
preload_app = True

# Access log on stdout (Django logs one structured line per request as well, with the user and request id).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Trust X-Forwarded-* only from the proxy in front (comma-separated addresses).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Garbage collection between requests rather than in them (roadmap_site/collector.py says why and how). The
# hooks run once the app is loaded (preload_app), with the project on the import path.
_pacer = None


def pre_fork(server, worker):
    from roadmap_site import collector

    collector.before_fork()


def post_fork(server, worker):
    from roadmap_site import collector

    global _pacer
    _pacer = collector.worker_started()


def pre_request(worker, req):
    if _pacer is not None:
        _pacer.before_request()


def post_request(worker, req, environ, resp):
    if _pacer is not None:
        _pacer.after_request()
