"""Settings for the Roadmap site: one module, configured from the environment.

Every variable read here is documented in the README's "Configuration" table.
"""

from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from plumbing.env import env_bool, env_int, env_list, env_seconds, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# DJANGO_ENV=production turns on every protection below and refuses an insecure configuration.
DJANGO_ENV = env_str("DJANGO_ENV", "development").strip().lower()
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be development or production, not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY") or "insecure-development-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not env_str(name).strip()]
    if missing:
        raise ImproperlyConfigured(f"DJANGO_ENV=production needs {' and '.join(missing)} set")
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_ENV=production refuses DEBUG=true")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",  # search lookups (trigram); harmless on SQLite
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "django_htmx",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "plumbing",
    "accounts",
    "learning",
]

MIDDLEWARE = [
    "plumbing.request_log.RequestLogMiddleware",
    "plumbing.db_deadline.QueryDeadlineMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "plumbing.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "roadmap_site.urls"
WSGI_APPLICATION = "roadmap_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "plumbing.context_processors.site",
                "plumbing.context_processors.catalogue_version",
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise. Time limits, so that a database
# that hangs or stays locked answers the designed 503 (plumbing.errors) long before gunicorn's 30 s timeout:
# a new connection gives up after DATABASE_CONNECT_TIMEOUT; a statement (lock waits included) after
# DATABASE_STATEMENT_TIMEOUT (SQLite: its busy timeout, waiting for the write lock); a request whose
# database stops answering altogether is cut off DATABASE_QUERY_DEADLINE after it began
# (plumbing.db_deadline). The statement timeout is for web processes: they default it to 5 s
# (roadmap_site/web_process.py, before the settings are read); management commands, migrations and the
# tests run without one unless DATABASE_STATEMENT_TIMEOUT is set.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 5)
DATABASE_STATEMENT_TIMEOUT = env_seconds("DATABASE_STATEMENT_TIMEOUT", 0, allow_zero=True)  # 0: no limit
DATABASE_QUERY_DEADLINE = DATABASE_STATEMENT_TIMEOUT + 2 if DATABASE_STATEMENT_TIMEOUT else 0
# PostgreSQL: the hand-written statements of the hottest pages run as prepared statements, parsed and planned
# once per connection (plumbing.prepared). Off for a pooler in transaction mode, such as PgBouncer's default.
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", default=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write lock at BEGIN so
        # concurrent writers queue instead of failing with "database is locked" halfway through.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": DATABASE_STATEMENT_TIMEOUT or 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # plumbing.postgresql is Django's backend that opens no new connection for a request that gave up on
    # the database (plumbing.db_deadline), so its 503 goes out at once.
    DATABASES["default"]["ENGINE"] = "plumbing.postgresql"
    # PostgreSQL compiles a query to machine code once its estimated cost passes jit_above_cost: worth it for
    # long reports, never for a page's queries, where compiling took seconds (ranking every resource of
    # /resources/: 0.7 s to run, 4.6 s to compile) and saved nothing.
    server_options = "-c jit=off"
    if DATABASE_PREPARED_STATEMENTS:
        # Only plumbing.prepared's statements are prepared (Django's own queries never are), all of them
        # lookups by a learner, a topic or a resource: one generic plan serves every value, where the
        # default (custom plans unless the generic one's estimate is as cheap) planned the dashboard's reads
        # again on every run.
        server_options += " -c plan_cache_mode=force_generic_plan"
    if DATABASE_STATEMENT_TIMEOUT:
        server_options += f" -c statement_timeout={round(DATABASE_STATEMENT_TIMEOUT * 1000)}"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "options": server_options,
            "connect_timeout": DATABASE_CONNECT_TIMEOUT,
            # A server or network that vanishes: sent data unacknowledged for 10 s, or an idle connection
            # unanswered for 5 + 3 × 2 s, ends the connection (Linux).
            "tcp_user_timeout": 10_000,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 3,
        }
    )

# Cache: this process's memory by default; Redis when REDIS_URL is set, which several app servers then
# share (allauth's and the site's rate limits count across all of them), with sessions cached in front of
# the database. Redis may fail (plumbing/redis_cache.py): pages then render uncached, sessions and users come
# from the database, and the rate limits' counters (allauth's "allauth:rl:", django-ratelimit's "rl:") live
# in each process's memory until Redis answers again. REDIS_TIMEOUT bounds each connect and each reply.
REDIS_URL = env_str("REDIS_URL")
REDIS_TIMEOUT = env_seconds("REDIS_TIMEOUT", 0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "plumbing.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "roadmap",
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT,
                "LOCAL_FALLBACK_PREFIXES": ("allauth:rl:", "rl:"),
                "RETRY_SECONDS": 1.0,
            },
        }
    }
    # Django's cached_db sessions, read in one round trip with the user they log in (accounts/sessions.py).
    SESSION_ENGINE = "accounts.sessions"

# Whole catalogue pages are cached under version tokens that any change moves (learning/page_cache.py).
# PAGE_CACHE=false renders every page each time; PAGE_CACHE_SECONDS bounds how long an unused copy stays.
PAGE_CACHE = env_bool("PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)
# Fragments of curated content (rendered Markdown) are keyed on the catalogue's version as well.
FRAGMENT_CACHE_SECONDS = 24 * 3600

# Logs: JSON lines on stdout, one per request from plumbing.request_log, plus Django's warnings/errors.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "plumbing.request_log.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
    },
    "root": {"handlers": ["stdout"], "level": "WARNING"},
    "loggers": {
        "roadmap": {"handlers": ["stdout"], "level": LOG_LEVEL, "propagate": False},
        "django": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, reading the logged-in user from the cache (accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AllauthBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "learning:dashboard"

# Accounts (django-allauth 65): email and password, a verified address before the first login.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Roadmap] "
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION or env_bool("HTTPS", default=False) else "http"
# allauth's rate limits (login failures, sign-ups, password resets, ...) stay at their defaults: on.
# They count per client address. Behind a proxy every request comes from the proxy's address, so one
# client's failures would lock everyone out: TRUSTED_PROXY_COUNT names how many proxies in front append to
# X-Forwarded-For (1 behind the shipped deploy/nginx.conf), and the client is the address the outermost of
# them saw. 0 (the default) ignores the header, which a client can forge, and counts REMOTE_ADDR.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# GitHub login appears once a GitHub OAuth app is configured.
GITHUB_CLIENT_ID = env_str("GITHUB_CLIENT_ID")
GITHUB_CLIENT_SECRET = env_str("GITHUB_CLIENT_SECRET")
SOCIALACCOUNT_PROVIDERS = {}
if GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET:
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APP": {"client_id": GITHUB_CLIENT_ID, "secret": GITHUB_CLIENT_SECRET, "key": ""},
        "SCOPE": ["user:email"],
    }
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"

# Email: printed on the console unless EMAIL_URL names an SMTP server, e.g.
# submission://user:password@smtp.example.com (STARTTLS on 587) or smtp://host:25/?ssl=true.
EMAIL_URL = env_str("EMAIL_URL") or "console://"
_email = dj_email_url.parse(EMAIL_URL)
if "EMAIL_BACKEND" not in _email:
    raise ImproperlyConfigured("EMAIL_URL must start with console://, smtp://, submission:// or memory://")
# Every mail is queued in the database (in the sender's transaction) and sent by the worker,
# `manage.py db_worker`, through the backend EMAIL_URL names (plumbing/mail.py). A failed attempt is tried
# again after each of MAIL_RETRY_DELAYS (seconds) in turn; after the last one the mail is given up.
EMAIL_BACKEND = "plumbing.mail.QueuedEmailBackend"
MAIL_DELIVERY_BACKEND = _email["EMAIL_BACKEND"]
MAIL_RETRY_DELAYS = [30, 120, 600, 1800, 3600]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _email["EMAIL_TIMEOUT"] or 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL") or "Roadmap <noreply@localhost>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (Django's tasks API through the django-tasks backport): tasks are rows in the database,
# which `manage.py db_worker` runs. The same queue carries mail and the scheduled jobs.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
# The site is written in English only. With translation off, Django's and allauth's strings stay in their
# English originals and every {% url %} and lookup skips the active-language machinery (a reverse() costs
# a fifth of what it did: measured with timeit, README "Performance").
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

TAGGIT_CASE_INSENSITIVE = True

SITE_NAME = "Roadmap"
# The site's address as mail links it (the weekly digest is sent by a command, with no request to ask):
# scheme and host, no trailing slash, e.g. https://roadmap.example.com. By default the first ALLOWED_HOSTS.
SITE_URL = (env_str("SITE_URL") or f"{ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{ALLOWED_HOSTS[0]}").rstrip("/")
# The shipped roadmap that `manage.py load_roadmap` loads when given no folder.
ROADMAP_CONTENT_DIR = BASE_DIR / "content"
# The site's own per-learner limits (learning/limits.py), as "count/period" (s, m, h, d).
LEARNER_RATE_LIMITS = {
    "rating": "30/h",  # rating, reviewing, and removing a rating
    "note": "120/h",  # bookmark notes
    "goal": "60/h",  # setting, changing and removing weekly goals
    "report": "20/h",  # reporting reviews, projects and feedback
    "suggestion": "10/h",  # bursts; the daily cap is SUGGESTIONS_PER_DAY
    "project": "20/h",  # submitting, editing and deleting one's projects
    "feedback": "30/h",  # feedback on others' projects
    "helpful": "60/h",  # marking projects as helpful, and taking it back
}
RATELIMIT_VIEW = "plumbing.errors.too_many_requests"

# Names and networks (e.g. "127.0.0.1/32", "localhost") that resource links may point to and check_links may
# connect to although they aren't public (plumbing.addresses). Only the tests' local servers need it: empty.
ALLOWED_PRIVATE_LINK_TARGETS: list[str] = []

# How many resources one learner may suggest in any 24 hours (learning.community.services.suggest_resource).
SUGGESTIONS_PER_DAY = 5

# Content-Security-Policy (django-csp 4): nothing loads or runs unless it comes from this site; no inline
# script or style anywhere (htmx is configured not to need either). GitHub's login page is a form target.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF, *(["https://github.com"] if SOCIALACCOUNT_PROVIDERS else [])],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "same-origin"  # other sites learn nothing of which page a learner came from

# Production: HTTPS only behind a proxy that sets X-Forwarded-Proto, HSTS for a year (subdomains, preload),
# cookies that only the exact host over HTTPS receives. `manage.py check --deploy` passes with these.
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    MESSAGE_STORAGE = "plumbing.message_storage.HostCookieFallbackStorage"  # the cookie: __Host-messages
