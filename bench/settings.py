"""The site's settings plus the benchmark app, whose `seed_demo` command fills a database with demo data:

    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python manage.py seed_demo --scale 1

Only the commands that need the app run with these settings (bench/run.py seeds with them); the server the
benchmark measures, like every production process, runs with roadmap_site.settings, which leave it out.
"""

from roadmap_site.settings import *  # noqa: F403 - everything as the site has it, plus one app

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
