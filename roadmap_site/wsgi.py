import os

from django.core.wsgi import get_wsgi_application

from roadmap_site import web_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")
web_process.configure()
application = get_wsgi_application()

from plumbing.release import release  # noqa: E402 - once Django is set up

# The hash of the release that cached pages and shared memo keys carry, read once here: gunicorn loads the
# app before it forks its workers, so none of them reads the code on its first request.
release()
