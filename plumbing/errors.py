"""Error pages that need neither the database nor a session.

An exception that says the database is down or unreachable answers 503 with Retry-After, not a 500: the
connection is reopened on the next request (CONN_HEALTH_CHECKS), so the site recovers by itself.
"""

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

RETRY_AFTER_SECONDS = 30
# psycopg and sqlite3 both raise these (through Django's wrappers) when the database can't be reached.
DATABASE_DOWN = (OperationalError, InterfaceError)


def database_unavailable(request=None):
    html = loader.render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponseServerError(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def is_database_down(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_DOWN) or (
        isinstance(error, DatabaseError) and isinstance(error.__cause__, DATABASE_DOWN)
    )


@requires_csrf_token
def server_error(request):
    """handler500: Django calls it while handling the exception, so sys.exc_info() names it."""
    if is_database_down(sys.exc_info()[1]):
        return database_unavailable(request)
    return HttpResponseServerError(loader.render_to_string("500.html"))


DEFAULT_RETRY_AFTER_SECONDS = 60


def too_many_requests(request, retry_after: int = DEFAULT_RETRY_AFTER_SECONDS):
    """The designed 429 page, for the site's own limits and allauth's (it calls urls.handler429)."""
    retry_after = max(1, int(retry_after))
    minutes = (retry_after + 59) // 60
    response = render(request, "429.html", {"retry_after": retry_after, "minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response
