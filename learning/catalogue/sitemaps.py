"""The sitemap's sections: what a visitor can read, published rows only. Each section runs fixed queries."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from learning.catalogue.models import Milestone, Resource, Topic, Track
from learning.catalogue.queries import tags_in_use


class StaticPagesSitemap(Sitemap):
    def items(self):
        return ["learning:home", "learning:track_list", "learning:resource_list", "learning:tag_list"]

    def location(self, item):
        return reverse(item)


class CatalogueSitemap(Sitemap):
    """Published rows of one catalogue model, dated by their last change."""

    model: type[Track] | type[Topic] | type[Resource]  # set by each section
    fields: tuple[str, ...] = ("pk", "slug", "updated_at")  # what get_absolute_url() and lastmod() read

    def items(self):
        return self.model.objects.published().only(*self.fields).order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class TrackSitemap(CatalogueSitemap):
    model = Track


class TopicSitemap(CatalogueSitemap):
    model = Topic


class ResourceSitemap(CatalogueSitemap):
    model = Resource
    fields = ("pk", "updated_at")


class MilestoneSitemap(Sitemap):
    """Milestones of published tracks (a milestone has no date of its own)."""

    def items(self):
        return Milestone.objects.filter(track__is_published=True).only("pk").order_by("pk")


class TagSitemap(Sitemap):
    """Tags carried by at least one published track, topic or resource (the tag pages that exist)."""

    def items(self):
        return tags_in_use()

    def location(self, item):
        return reverse("learning:tag_detail", kwargs={"slug": item.slug})


SITEMAPS = {
    "pages": StaticPagesSitemap,
    "tracks": TrackSitemap,
    "topics": TopicSitemap,
    "resources": ResourceSitemap,
    "milestones": MilestoneSitemap,
    "tags": TagSitemap,
}
