from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/profile/", views.profile_settings, name="profile_settings"),
]
