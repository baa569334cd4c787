from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class LearnerAdmin(UserAdmin):
    # django-stubs types list_display per instance (generic in the model); UserAdmin sets it on the class.
    list_display = (*UserAdmin.list_display, "profile_is_public")  # type: ignore[misc]
    list_filter = (*UserAdmin.list_filter, "profile_is_public")
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Public profile", {"fields": ("profile_is_public",)}))
