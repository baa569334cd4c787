from django.urls import path, register_converter

from learning.catalogue.feeds import ResourcesFeed, TrackResourcesFeed
from learning.catalogue.views import browse, search
from learning.community import project_views as projects
from learning.community import views as community
from learning.pages import dashboard, profile
from learning.pages import views as pages
from learning.progress import profiles
from learning.progress import views as progress


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
    path("", pages.home, name="home"),
    path("tracks/", browse.track_list, name="track_list"),
    path("tracks/<slug:slug>/", pages.track_detail, name="track_detail"),
    path("tracks/<slug:slug>/reset/", progress.reset_track, name="track_reset"),
    path("tracks/<slug:slug>/follow/", progress.follow, name="track_follow"),
    path("tracks/<slug:slug>/goal/", progress.track_goal, name="track_goal"),
    path("tracks/<slug:slug>/feed/", TrackResourcesFeed(), name="track_feed"),
    path("tracks/<slug:slug>/export.md", progress.track_markdown, name="track_export"),
    path("topics/<slug:slug>/", pages.topic_detail, name="topic_detail"),
    path("topics/<slug:slug>/status/", progress.topic_status, name="topic_status"),
    path("topics/<slug:slug>/done-next/", progress.topic_done_next, name="topic_done_next"),
    path("topics/<slug:slug>/note/", progress.topic_note, name="topic_note"),
    path("topics/<slug:slug>/ready/", progress.topic_ready, name="topic_ready"),
    path("topics/<slug:slug>/suggest/", community.suggest_resource, name="suggest_resource"),
    path("milestones/<int:pk>/", pages.milestone_detail, name="milestone_detail"),
    path("milestones/<int:pk>/done/", progress.milestone_done, name="milestone_done"),
    path("milestones/<int:pk>/project/", projects.project_form, name="project_form"),
    path("milestones/<int:pk>/project/delete/", projects.delete_project, name="project_delete"),
    path("projects/<int:pk>/helpful/", projects.mark_helpful, name="project_helpful"),
    path("projects/<int:pk>/feedback/", projects.leave_feedback, name="project_feedback"),
    path("projects/<int:pk>/report/", projects.report_project, name="project_report"),
    path("projects/feedback/<int:pk>/report/", projects.report_feedback, name="feedback_report"),
    path("feeds/resources/", ResourcesFeed(), name="resources_feed"),
    path("resources/", pages.resource_list, name="resource_list"),
    path("resources/<int:pk>/", community.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/bookmark/", progress.bookmark, name="bookmark"),
    path("resources/<int:pk>/rating/", community.rate, name="rate"),
    path("resources/<int:pk>/rating/delete/", community.delete_rating, name="rating_delete"),
    path("reviews/<int:pk>/flag/", community.flag_review, name="flag_review"),
    path("reviews/<slug:slug>/", progress.topic_review, name="topic_review"),
    path("search/", search.search, name="search"),
    path("tags/", browse.tag_list, name="tag_list"),
    path("tags/<slug:slug>/", browse.tag_detail, name="tag_detail"),
    path("me/", dashboard.dashboard, name="dashboard"),
    path("me/bookmarks/", progress.bookmarks, name="bookmarks"),
    path("me/notes/", progress.notes, name="notes"),
    path("me/bookmarks/<int:pk>/note/", progress.bookmark_note, name="bookmark_note"),
    path("calendar/<str:token>.ics", progress.calendar_feed, name="calendar_feed"),
    path("u/<handle:username>/", profile.profile, name="profile"),
    path("u/<handle:username>/<slug:slug>.svg", profiles.progress_card, name="progress_card"),
]
