"""Running the project in a fresh Python process, with an environment the test decides.

The variables that configure the site are removed from the inherited environment first, so a developer's
or CI's settings (or DJANGO_ALLOW_ASYNC_UNSAFE) never leak into the child.
"""

import os
import subprocess
import sys

from django.conf import settings

CONFIGURING = (
    "DJANGO_ENV",
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "DATABASE_STATEMENT_TIMEOUT",  # web processes default it themselves (roadmap_site/web_process.py)
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # the browser tests set it while Playwright runs; check --deploy rejects it
)


def environment(**env) -> dict:
    inherited = {name: value for name, value in os.environ.items() if name not in CONFIGURING}
    return {**inherited, "DJANGO_SETTINGS_MODULE": "roadmap_site.settings", **env}


def run_python(args, **env) -> subprocess.CompletedProcess:
    """`python *args` in the project folder; its output captured as text, its exit status not checked."""
    return subprocess.run(
        [sys.executable, *args],
        env=environment(**env),
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
