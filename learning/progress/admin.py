"""The admin's view of what the weekly digest sent: read-only (the rows are the once-a-week guarantee)."""

from django.contrib import admin

from learning.progress.models import DigestSent


@admin.register(DigestSent)
class DigestSentAdmin(admin.ModelAdmin):
    list_display = ("user", "week", "sent_at")
    list_filter = ("week",)
    search_fields = ("user__username",)
    date_hierarchy = "week"
    list_select_related = ("user",)
    ordering = ("-week", "-pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
