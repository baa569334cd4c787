"""Reviews and the reports on them in the admin: read-only, hidden, restored or kept through the actions,
which go through learning.community.moderation and are logged. Lists show learners by their public handle,
never their email."""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db.models import Exists, F, OuterRef, Prefetch
from django.utils.html import format_html

from learning.community import moderation
from learning.community.admin.base import ModerationAdmin, admin_link, excerpt, report_state
from learning.community.models import Rating, ReviewFlag
from plumbing.subqueries import count_of


def open_flag_count():
    """How many open reports a review has, as a subquery (no GROUP BY over the list's joins)."""
    return count_of(ReviewFlag.objects.open(), "rating")


def moderate_reviews(modeladmin, request, ratings, *, hide: bool):
    """Hides or restores the reviews, resolves their open reports, logs each review and says what changed."""
    result = (moderation.hide_reviews if hide else moderation.restore_reviews)(ratings=ratings)
    verb = "Hid" if hide else "Kept"
    LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=list(Rating.objects.filter(pk__in=ratings.values("pk")).select_related("user", "resource")),
        action_flag=CHANGE,
        change_message=f"{verb} the review (moderation); its open reports resolved.",
    )
    changed = f"{result.changed} {'hidden' if hide else 'shown again'}, " if result.changed else ""
    modeladmin.message_user(
        request,
        f"{verb} {result.reviews} review(s): {changed}{result.flags_resolved} open report(s) resolved.",
        messages.SUCCESS,
    )


class OpenReportsFilter(admin.SimpleListFilter):
    title = "reports"
    parameter_name = "reports"

    def lookups(self, request, model_admin):
        return [("open", "Has open reports"), ("none", "No open reports")]

    def queryset(self, request, queryset):
        has_open = Exists(ReviewFlag.objects.open().filter(rating=OuterRef("pk")))
        return {"open": lambda: queryset.filter(has_open), "none": lambda: queryset.exclude(has_open)}.get(
            self.value() or "", lambda: queryset
        )()


class ReviewFlagInline(admin.TabularInline):
    model = ReviewFlag
    fields = ("reason", "note", "reporter", "created_at", "resolved_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "report"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="reported by")
    def reporter(self, obj):
        return obj.user.username

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Rating)
class RatingAdmin(ModerationAdmin):
    """Reviews: reported ones first, with how many open reports and why; hide or restore them."""

    moderate_permissions = ("learning.change_rating", "learning.change_reviewflag")
    list_title = "Reviews"
    list_display = ("review_excerpt", "open_reports", "is_hidden", "stars", "learner", "resource")
    list_filter = ("is_hidden", OpenReportsFilter)
    list_select_related = ("user", "resource")
    search_fields = ("review", "resource__title", "user__username")
    fields = (
        "resource",
        "learner",
        "stars",
        "review",
        "created_at",
        "updated_at",
        "is_hidden",
        "moderated_at",
    )
    readonly_fields = fields
    inlines = (ReviewFlagInline,)
    actions = ("hide", "restore")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(open_flag_total=open_flag_count())
            .prefetch_related(Prefetch("flags", queryset=ReviewFlag.objects.open(), to_attr="open_flag_list"))
        )

    def get_ordering(self, request):
        return (open_flag_count().desc(), "-created_at", "-pk")

    @admin.display(description="review", ordering="review")
    def review_excerpt(self, obj):
        return excerpt(obj.review) or "(stars only)"

    @admin.display(description="open reports", ordering="open_flag_total")
    def open_reports(self, obj):
        """How many, and why: "2: Abusive, hateful or personal; Spam or advertising"."""
        if not obj.open_flag_total:
            return "0"
        labels = sorted({flag.get_reason_display() for flag in obj.open_flag_list})
        return f"{obj.open_flag_total}: {'; '.join(labels)}"

    @admin.action(
        description="Hide the selected reviews (and resolve their reports)", permissions=["moderate"]
    )
    def hide(self, request, queryset):
        moderate_reviews(self, request, queryset, hide=True)

    @admin.action(
        description="Restore the selected reviews (and resolve their reports)", permissions=["moderate"]
    )
    def restore(self, request, queryset):
        moderate_reviews(self, request, queryset, hide=False)


class FlagStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() in ("open", "resolved"):
            return queryset.filter(resolved_at__isnull=self.value() == "open")
        return queryset


@admin.register(ReviewFlag)
class ReviewFlagAdmin(ModerationAdmin):
    """Reports on reviews, open ones first (oldest first); hiding or keeping the review resolves them."""

    moderate_permissions = RatingAdmin.moderate_permissions
    list_title = "Reports on reviews"
    list_display = ("reason", "state", "note", "review", "learner", "resource")
    list_filter = (FlagStateFilter, "reason")
    list_select_related = ("user", "rating__user", "rating__resource")
    search_fields = ("note", "rating__review", "rating__resource__title", "user__username")
    fields = ("review", "resource", "reason", "note", "learner", "created_at", "state")
    readonly_fields = fields
    actions = ("hide", "keep")

    def get_ordering(self, request):
        return (F("resolved_at").desc(nulls_first=True), "created_at", "pk")

    @admin.display(description="review")
    def review(self, obj):
        rating = obj.rating
        hidden = " (hidden)" if rating.is_hidden else ""
        return admin_link(Rating, rating.pk, f"{rating.user.username}: {excerpt(rating.review)}{hidden}")

    @admin.display(description="resource", ordering="rating__resource__title")
    def resource(self, obj):
        return format_html('<a href="{}">{}</a>', obj.rating.resource.get_absolute_url(), obj.rating.resource)

    @admin.display(description="state", ordering="resolved_at")
    def state(self, obj):
        return report_state(obj)

    def _ratings(self, queryset):
        return Rating.objects.filter(pk__in=queryset.values("rating_id"))

    @admin.action(description="Hide the reviews (and resolve their reports)", permissions=["moderate"])
    def hide(self, request, queryset):
        moderate_reviews(self, request, self._ratings(queryset), hide=True)

    @admin.action(description="Keep the reviews (resolve their reports, show them)", permissions=["moderate"])
    def keep(self, request, queryset):
        moderate_reviews(self, request, self._ratings(queryset), hide=False)
