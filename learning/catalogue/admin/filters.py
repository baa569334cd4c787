"""List filters of the catalogue's admin that the content-health page links to: topics with too few
published resources, resources never rated."""

from django.contrib import admin
from django.db.models import Exists, OuterRef

from learning.catalogue.models import Resource, TopicResource
from plumbing.subqueries import count_of

# A published topic needs at least this many published resources to give learners a choice.
THIN_TOPIC_MINIMUM = 3


def published_resource_count():
    """Per topic: how many published resources teach it (a subquery, so it combines with any queryset)."""
    return count_of(TopicResource.objects.filter(resource__is_published=True), "topic")


def has_counted_rating():
    """Per resource: whether a rating that counts (not hidden by a moderator) exists."""
    # The community's rows, by relation (related_model is typed only as type[Model]).
    ratings = Resource.ratings.rel.related_model.objects.counted()  # type: ignore[attr-defined]
    return Exists(ratings.filter(resource=OuterRef("pk")))


class PublishedResourcesFilter(admin.SimpleListFilter):
    title = "published resources"
    parameter_name = "coverage"

    def lookups(self, request, model_admin):
        return [("thin", f"Fewer than {THIN_TOPIC_MINIMUM}"), ("enough", f"{THIN_TOPIC_MINIMUM} or more")]

    def queryset(self, request, queryset):
        if self.value() not in ("thin", "enough"):
            return queryset
        queryset = queryset.alias(published_resources=published_resource_count())
        if self.value() == "thin":
            return queryset.filter(published_resources__lt=THIN_TOPIC_MINIMUM)
        return queryset.filter(published_resources__gte=THIN_TOPIC_MINIMUM)


class RatedFilter(admin.SimpleListFilter):
    title = "ratings"
    parameter_name = "rated"

    def lookups(self, request, model_admin):
        return [("never", "Never rated"), ("rated", "Rated")]

    def queryset(self, request, queryset):
        if self.value() == "never":
            return queryset.filter(~has_counted_rating())
        if self.value() == "rated":
            return queryset.filter(has_counted_rating())
        return queryset
