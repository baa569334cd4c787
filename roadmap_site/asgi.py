import os

from django.core.asgi import get_asgi_application

from roadmap_site import web_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")
web_process.configure()
application = get_asgi_application()
