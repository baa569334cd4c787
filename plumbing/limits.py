"""Per-learner limits on what learners write (ratings and reviews, notes, reports, suggestions), on top of
allauth's limits on accounts. Counted in the cache, so with REDIS_URL every app server shares them.

Over the limit, the action answers the designed 429 page with Retry-After and stores nothing.
"""

from functools import wraps

from django.conf import settings
from django_ratelimit.core import get_usage

from plumbing.errors import too_many_requests


def limit_per_learner(group: str):
    """Counts the learner's POSTs to the view in `group`; settings.LEARNER_RATE_LIMITS[group] is the rate."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            usage = get_usage(
                request,
                group=f"learning.{group}",
                key="user",
                rate=settings.LEARNER_RATE_LIMITS[group],
                method="POST",
                increment=True,
            )
            if usage is not None and usage["should_limit"]:
                return too_many_requests(request, retry_after=usage["time_left"])
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
