from django.urls import path

from learning.feeds import ResourcesFeed, TrackResourcesFeed
from learning.views import catalogue, exports, learner, profiles, search

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
    path("milestones/<int:pk>/done/", learner.milestone_done, name="milestone_done"),
    path("feeds/resources/", ResourcesFeed(), name="resources_feed"),
    path("resources/", catalogue.resource_list, name="resource_list"),
    path("resources/<int:pk>/", catalogue.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/bookmark/", learner.bookmark, name="bookmark"),
    path("resources/<int:pk>/rating/", learner.rate, name="rate"),
    path("resources/<int:pk>/rating/delete/", learner.delete_rating, name="rating_delete"),
    path("search/", search.search, name="search"),
    path("tags/", catalogue.tag_list, name="tag_list"),
    path("tags/<slug:slug>/", catalogue.tag_detail, name="tag_detail"),
    path("me/", learner.dashboard, name="dashboard"),
    path("me/bookmarks/", learner.bookmarks, name="bookmarks"),
    path("me/bookmarks/<int:pk>/note/", learner.bookmark_note, name="bookmark_note"),
    path("u/<str:username>/", profiles.profile, name="profile"),
    path("u/<str:username>/<slug:slug>.svg", profiles.progress_card, name="progress_card"),
]
