"""What the moderation pages share: read-only lists of what learners wrote, decided through actions."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

EXCERPT_CHARS = 90
LINK_CHARS = 40


def excerpt(text: str) -> str:
    return Truncator(text).chars(EXCERPT_CHARS)


def admin_link(model, pk, text):
    """A link to an object's page in the admin."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])
    return format_html('<a href="{}">{}</a>', url, text)


def day(moment) -> str:
    return f"{moment:%d %b %Y}" if moment else ""


def report_state(report) -> str:
    """A report's state in a list: "open since 2 Dec 2026" or "resolved 3 Dec 2026"."""
    if report.resolved_at:
        return f"resolved {day(report.resolved_at)}"
    return f"open since {day(report.created_at)}"


class ModerationAdmin(admin.ModelAdmin):
    """Records learners wrote: viewed, never edited or added here, and decided through the actions, which
    need every permission in `moderate_permissions`."""

    moderate_permissions: tuple[str, ...] = ()
    list_title = ""  # the list page's heading, instead of "Select … to view"
    list_per_page = 50

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": self.list_title, **(extra_context or {})})

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perms(self.moderate_permissions)

    @admin.display(description="learner", ordering="user__username")
    def learner(self, obj):
        return obj.user.username
