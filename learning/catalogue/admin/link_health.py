"""Link health in the resource admin: links the last `check_links` run found broken, and acting on them."""

from django.contrib import admin, messages


class BrokenLinkFilter(admin.SimpleListFilter):
    title = "link health"
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [("broken", "Broken"), ("ok", "Working"), ("unchecked", "Never checked")]

    def queryset(self, request, queryset):
        return {
            "broken": lambda: queryset.filter(link_failures__gt=0),
            "ok": lambda: queryset.filter(link_failures=0, link_checked_at__isnull=False),
            "unchecked": lambda: queryset.filter(link_checked_at__isnull=True),
        }.get(self.value() or "", lambda: queryset)()


@admin.action(description="Unpublish selected resources whose link is broken")
def unpublish_broken(modeladmin, request, queryset):
    count = queryset.filter(link_failures__gt=0, is_published=True).update(is_published=False)
    modeladmin.message_user(request, f"Unpublished {count} resource(s) with a broken link.", messages.SUCCESS)
