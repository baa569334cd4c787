"""Probes for a load balancer or orchestrator.

/healthz: the process answers (no database touched). /readyz: the database answers and every migration
is applied; 503 otherwise, so a server is only sent traffic once it can serve it. With Redis as the cache,
/readyz names it too: while it is away the site still serves (uncached), so the answer stays 200 and says
"degraded" with "cache": "unavailable".
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from plumbing.errors import RETRY_AFTER_SECONDS, is_database_down
from plumbing.redis_cache import cache_health


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        if not is_database_down(error):
            raise
        return _not_ready({"database": "unreachable"})
    if pending:
        return _not_ready({"database": "ok", "migrations": f"{len(pending)} not applied"})
    checks = {"database": "ok", "migrations": "applied"}
    cache = cache_health()
    if cache is not None:
        checks["cache"] = cache
    return JsonResponse({"status": "ok" if cache in (None, "ok") else "degraded", **checks})


def _not_ready(checks: dict):
    response = JsonResponse({"status": "unavailable", **checks}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
