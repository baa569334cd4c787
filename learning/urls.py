from django.urls import path, register_converter

from learning.feeds import ResourcesFeed, TrackResourcesFeed
from learning.views import catalogue, contributions, exports, learner, profiles, search


class HandleConverter:
    """A username as Django's validator allows it (letters, digits, . @ + - _): never a NUL or a slash."""

    regex = r"[\w.@+-]{1,150}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(HandleConverter, "handle")

app_name = "learning"

urlpatterns = [
    path("", catalogue.home, name="home"),
    path("tracks/", catalogue.track_list, name="track_list"),
    path("tracks/<slug:slug>/", catalogue.track_detail, name="track_detail"),
    path("tracks/<slug:slug>/reset/", learner.reset_track, name="track_reset"),
    path("tracks/<slug:slug>/follow/", learner.follow, name="track_follow"),
    path("tracks/<slug:slug>/feed/", TrackResourcesFeed(), name="track_feed"),
    path("tracks/<slug:slug>/export.md", exports.track_markdown, name="track_export"),
    path("topics/<slug:slug>/", catalogue.topic_detail, name="topic_detail"),
    path("topics/<slug:slug>/status/", learner.topic_status, name="topic_status"),
    path("topics/<slug:slug>/suggest/", contributions.suggest_resource, name="suggest_resource"),
    path("milestones/<int:pk>/done/", learner.milestone_done, name="milestone_done"),
    path("feeds/resources/", ResourcesFeed(), name="resources_feed"),
    path("resources/", catalogue.resource_list, name="resource_list"),
    path("resources/<int:pk>/", catalogue.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/bookmark/", learner.bookmark, name="bookmark"),
    path("resources/<int:pk>/rating/", learner.rate, name="rate"),
    path("resources/<int:pk>/rating/delete/", learner.delete_rating, name="rating_delete"),
    path("reviews/<int:pk>/flag/", contributions.flag_review, name="flag_review"),
    path("search/", search.search, name="search"),
    path("tags/", catalogue.tag_list, name="tag_list"),
    path("tags/<slug:slug>/", catalogue.tag_detail, name="tag_detail"),
    path("me/", learner.dashboard, name="dashboard"),
    path("me/bookmarks/", learner.bookmarks, name="bookmarks"),
    path("me/bookmarks/<int:pk>/note/", learner.bookmark_note, name="bookmark_note"),
    path("u/<handle:username>/", profiles.profile, name="profile"),
    path("u/<handle:username>/<slug:slug>.svg", profiles.progress_card, name="progress_card"),
]
