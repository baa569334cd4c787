from django.urls import path

from learning import views

app_name = "learning"

urlpatterns = [
    path("", views.home, name="home"),
    path("tracks/", views.track_list, name="track_list"),
    path("tracks/<slug:slug>/", views.track_detail, name="track_detail"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("tags/", views.tag_list, name="tag_list"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag_detail"),
]
