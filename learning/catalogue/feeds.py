"""Atom feeds of new resources: site-wide and per track. Visitors' view: published rows only.

Each feed runs a fixed number of queries (the resources, their tags, and for a track the track itself).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks

from learning.catalogue.models import Resource, Track

FEED_SIZE = 30


def newest_resources(track=None):
    """The newest published resources, with their tags; for a track, those its published topics teach."""
    queryset = Resource.objects.published()
    if track is not None:
        queryset = queryset.filter(topics__is_published=True, topics__steps__track=track).distinct()
    return queryset.order_by("-created_at", "-pk").prefetch_related("tags")[:FEED_SIZE]


class NewResourcesFeed(Feed):
    """What both feeds share: the format and each resource's entry. Each feed names its own title, links
    and items (a track's take the track, so neither feed overrides the other's)."""

    feed_type = Atom1Feed
    author_name = settings.SITE_NAME

    def item_title(self, item):
        # Atom titles are plain text: the XML writer escapes them, so no HTML escaping here.
        return item.title

    def item_description(self, item):
        # Atom's <summary> is written as type="html": the curator's plain text is escaped into paragraphs.
        text = item.description or f"{item.get_kind_display()} on {item.host}"
        return linebreaks(text, autoescape=True)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author or None

    def item_categories(self, item):
        return sorted(tag.name for tag in item.tags.all())


class ResourcesFeed(NewResourcesFeed):
    """New resources on the whole site, newest first."""

    def title(self):
        return f"New resources · {settings.SITE_NAME}"

    def subtitle(self):
        return "The latest documentation, courses, videos and books added by curators."

    def link(self):
        return reverse("learning:resource_list")

    def feed_url(self):
        return reverse("learning:resources_feed")

    def items(self):
        return newest_resources()


class TrackResourcesFeed(NewResourcesFeed):
    """New resources attached to the topics of one published track, newest first."""

    def get_object(self, request, slug):
        return get_object_or_404(Track.objects.published(), slug=slug)

    def title(self, track):
        return f"New resources for {track.title} · {settings.SITE_NAME}"

    def subtitle(self, track):
        return f"The latest resources for the topics of the {track.title} roadmap."

    def link(self, track):
        return track.get_absolute_url()

    def feed_url(self, track):
        return reverse("learning:track_feed", kwargs={"slug": track.slug})

    def items(self, track):
        return newest_resources(track)
