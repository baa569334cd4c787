from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/profile/", views.profile_settings, name="profile_settings"),
    path("me/profile/time-zone/", views.time_zone, name="time_zone"),
    path("me/profile/digest/", views.digest, name="digest"),
    path("me/profile/calendar/", views.calendar, name="calendar"),
    path("me/profile/calendar/time/", views.study_time, name="study_time"),
    path("digest/unsubscribe/<str:token>/", views.unsubscribe, name="digest_unsubscribe"),
    path("me/export/", views.export_data, name="export_data"),
    path("me/delete/", views.delete_account, name="delete_account"),
]
