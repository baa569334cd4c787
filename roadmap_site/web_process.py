"""What a web process sets before Django reads the settings: roadmap_site/wsgi.py and asgi.py call
configure(), so gunicorn (gunicorn.conf.py, `make serve`, the Dockerfile) and any other WSGI or ASGI server
get it.

Web processes limit each PostgreSQL statement to STATEMENT_TIMEOUT_SECONDS unless DATABASE_STATEMENT_TIMEOUT
says otherwise: a request waiting on a locked or overloaded database then answers the designed 503 long
before gunicorn's 30 s timeout. Management commands (`migrate`, `backup_db`, a long data migration), the
development server and the tests don't come through here: they get no statement timeout unless
DATABASE_STATEMENT_TIMEOUT is set for them.
"""

import os

from django.conf import settings

STATEMENT_TIMEOUT_SECONDS = 5


def configure() -> None:
    # The development server imports wsgi.py after it has read the settings: nothing to set then.
    if not settings.configured:
        os.environ.setdefault("DATABASE_STATEMENT_TIMEOUT", str(STATEMENT_TIMEOUT_SECONDS))
