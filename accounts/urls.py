from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/profile/", views.profile_settings, name="profile_settings"),
    path("me/profile/time-zone/", views.time_zone, name="time_zone"),
    path("me/export/", views.export_data, name="export_data"),
    path("me/delete/", views.delete_account, name="delete_account"),
]
