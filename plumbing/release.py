"""Which release this process runs: a hash of the site's code and templates and Django's version.

During a deploy two releases run side by side on one shared cache; what one rendered (cached pages, shared
memo parts) carries its release in the key, so the other never serves it."""

import functools
import hashlib
import os

import django
from django.conf import settings

# What makes a release: the site's code and templates (not its tests, docs or content).
RELEASE_SUFFIXES = (".py", ".html", ".txt", ".svg", ".xml")
RELEASE_SKIPPED = frozenset({"node_modules", "tests", "docs", "content", "static", "__pycache__"})


@functools.cache
def release() -> str:
    """The release's hash, read once per process (tens of milliseconds): the WSGI module reads it as it
    loads, before gunicorn forks its workers."""
    digest = hashlib.sha256(django.__version__.encode())
    for root, folders, files in os.walk(settings.BASE_DIR):
        folders[:] = sorted(
            name for name in folders if not name.startswith(".") and name not in RELEASE_SKIPPED
        )
        for name in sorted(files):
            if name.endswith(RELEASE_SUFFIXES):
                path = os.path.join(root, name)
                digest.update(os.path.relpath(path, settings.BASE_DIR).encode())
                with open(path, "rb") as source:
                    digest.update(source.read())
    return digest.hexdigest()[:16]
