"""Which resources' links to check, and storing what the checker (linkcheck) found on them.

The network is used outside any database transaction; the results are written at the end in a few bulk
updates, which move the catalogue's cache token (the resources' queryset does it).
"""

from django.db.models import F

from learning.catalogue.linkcheck import LinkResult
from learning.catalogue.models import Resource

LINK_FIELDS = ("link_checked_at", "link_status", "link_error", "link_final_url", "link_failures")
BATCH_SIZE = 500


class UnknownResources(ValueError):
    """Resources named by id that don't exist."""


def resources_to_check(*, ids, only_broken):
    """Published resources, or exactly the ones named by id (published or not); by id for a stable order."""
    queryset = Resource.objects.only("pk", "url", "title", "link_failures").order_by("pk")
    queryset = queryset.filter(pk__in=ids) if ids else queryset.published()
    if only_broken:
        queryset = queryset.filter(link_failures__gt=0)
    resources = list(queryset)
    missing = set(ids or ()) - {resource.pk for resource in resources}
    if missing and not only_broken:
        raise UnknownResources(f"No resource with id {', '.join(map(str, sorted(missing)))}.")
    return resources


def record(resources, results: dict[str, LinkResult], *, checked_at):
    """Stores each result on its resource in bulk; returns the (resource, result) pairs stored.

    A resource whose URL changed (or that was deleted) while its link was being checked is left alone.
    Failures count up in the database (F + 1), so a concurrent run cannot lose one.
    """
    current = dict(Resource.objects.filter(pk__in=[r.pk for r in resources]).values_list("pk", "url"))
    stored = [
        (resource, results[resource.url])
        for resource in resources
        if current.get(resource.pk) == resource.url
    ]
    rows = [
        Resource(
            pk=resource.pk,
            link_checked_at=checked_at,
            link_status=result.status,
            link_error=result.error,
            link_final_url=result.final_url,
            link_failures=0 if result.ok else F("link_failures") + 1,
        )
        for resource, result in stored
    ]
    Resource.objects.bulk_update(rows, LINK_FIELDS, batch_size=BATCH_SIZE)
    return stored
