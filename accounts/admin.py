from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import User


@admin.register(User)
class LearnerAdmin(UserAdmin):
    list_display = (*UserAdmin.list_display, "profile_is_public")
    list_filter = (*UserAdmin.list_filter, "profile_is_public")
    fieldsets = (*UserAdmin.fieldsets, ("Public profile", {"fields": ("profile_is_public",)}))
