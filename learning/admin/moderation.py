"""Moderation in the admin: learners' resource suggestions, and reviews with the reports on them.

Suggestions, reviews and reports are read-only here: they change only through the actions (accept,
reject with a reason; hide, restore or keep), which go through learning.services and are logged. Lists show
learners by their public handle, never their email.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Subquery, Value, When
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from learning import services
from learning.models import Rating, Resource, ResourceSuggestion, ReviewFlag
from learning.models.curation import SuggestionStatus
from learning.models.subqueries import count_of

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


# ---------- Suggestions ----------


class RejectionForm(forms.Form):
    rejection_reason = forms.CharField(
        label="Reason, shown to the learner",
        max_length=services.REJECTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Be kind and specific: “We already list the official tutorial, which covers the same.”",
        error_messages={"required": "Give a reason: the learner sees it on their dashboard."},
    )


@admin.register(ResourceSuggestion)
class ResourceSuggestionAdmin(ModerationAdmin):
    moderate_permissions = ("learning.change_resourcesuggestion",)
    list_title = "Suggested resources"
    list_display = ("title", "link", "topic", "learner", "why", "state")
    list_filter = ("status", ("topic", admin.RelatedOnlyFieldListFilter), "kind")
    list_select_related = ("topic", "user", "resource", "reviewed_by")
    search_fields = ("title", "url", "reason", "topic__title", "user__username")
    fields = (
        "title",
        "link",
        "kind",
        "topic",
        "learner",
        "reason",
        "created_at",
        "existing",
        "status",
        "decision",
    )
    readonly_fields = fields
    actions = ("accept", "reject")

    def get_queryset(self, request):
        same_url = Resource.objects.filter(url=OuterRef("url"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                existing_pk=Subquery(same_url.values("pk")[:1]),
                existing_title=Subquery(same_url.values("title")[:1]),
            )
        )

    def get_ordering(self, request):
        # The queue first, oldest waiting first; then the decisions, latest first.
        pending_first = Case(When(status=SuggestionStatus.PENDING, then=Value(0)), default=Value(1))
        return (pending_first.asc(), F("reviewed_at").desc(nulls_first=True), "created_at", "pk")

    @admin.display(description="link", ordering="url")
    def link(self, obj):
        shown = Truncator(obj.url.split("://", 1)[1]).chars(LINK_CHARS)
        link = format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', obj.url, shown)
        if obj.existing_pk is None or obj.status != SuggestionStatus.PENDING:
            return link
        return format_html("{}<br>already a resource: {}", link, self.existing(obj))

    @admin.display(description="why")
    def why(self, obj):
        return excerpt(obj.reason)

    @admin.display(description="already a resource")
    def existing(self, obj):
        if obj.existing_pk is None:
            return "—"
        return admin_link(Resource, obj.existing_pk, obj.existing_title)

    @admin.display(description="state", ordering="status")
    def state(self, obj):
        if obj.status == SuggestionStatus.PENDING:
            return f"{obj.get_status_display()} · sent {day(obj.created_at)}"
        return f"{obj.get_status_display()} {day(obj.reviewed_at)}"

    @admin.display(description="decision")
    def decision(self, obj):
        by = f" by {obj.reviewed_by.username}" if obj.reviewed_by else ""
        if obj.status == SuggestionStatus.ACCEPTED:
            resource = (
                admin_link(Resource, obj.resource_id, obj.resource)
                if obj.resource
                else "a resource since deleted"
            )
            return format_html("Added {}{} on {}", resource, by, day(obj.reviewed_at))
        if obj.status == SuggestionStatus.REJECTED:
            return format_html("Rejected{} on {}: {}", by, day(obj.reviewed_at), obj.rejection_reason)
        return "waiting"

    @admin.action(
        description="Accept: add the link to its topic (a new resource if needed)", permissions=["moderate"]
    )
    def accept(self, request, queryset):
        created, attached, decided, denied = [], [], [], []
        with transaction.atomic():
            for suggestion in queryset:
                try:
                    suggestion, new = services.accept_suggestion(suggestion=suggestion, curator=request.user)
                except services.AlreadyDecided:
                    decided.append(suggestion)
                    continue
                except PermissionDenied:
                    denied.append(suggestion)
                    continue
                if new:
                    self.log_addition(
                        request, suggestion.resource, f"Created from suggestion #{suggestion.pk}."
                    )
                (created if new else attached).append(suggestion)
                outcome = "created" if new else "attached"
                self.log_change(
                    request, suggestion, f"Accepted: {outcome} resource #{suggestion.resource.pk}."
                )
        if created or attached:
            self.message_user(
                request,
                f"Accepted {len(created) + len(attached)}: {len(created)} new resource(s) published, "
                f"{len(attached)} existing resource(s) attached to the topic.",
                messages.SUCCESS,
            )
        self._report_skipped(request, decided)
        if denied:
            self.message_user(
                request,
                f"Skipped {len(denied)}: creating a resource needs the “add resource” permission, attaching "
                "an existing one the “change resource” permission.",
                messages.ERROR,
            )

    @admin.action(description="Reject with a reason…", permissions=["moderate"])
    def reject(self, request, queryset):
        selected = list(queryset.select_related("topic", "user"))
        pending = [s for s in selected if s.status == SuggestionStatus.PENDING]
        if not pending:
            self._report_skipped(request, selected)
            return None
        form = RejectionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason, rejected, decided = form.cleaned_data["rejection_reason"], 0, []
            with transaction.atomic():
                for suggestion in pending:
                    try:
                        services.reject_suggestion(suggestion=suggestion, curator=request.user, reason=reason)
                    except services.AlreadyDecided:
                        decided.append(suggestion)
                        continue
                    rejected += 1
                    self.log_change(request, suggestion, f"Rejected: {reason}")
            self.message_user(request, f"Rejected {rejected} suggestion(s).", messages.SUCCESS)
            self._report_skipped(request, decided + [s for s in selected if s not in pending])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Reject suggestions",
            "opts": self.model._meta,
            "form": form,
            "pending": pending,
            "decided": [s for s in selected if s not in pending],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/learning/resourcesuggestion/reject.html", context)

    def _report_skipped(self, request, decided):
        if decided:
            titles = ", ".join(f"“{s.title}”" for s in decided[:5]) + (" …" if len(decided) > 5 else "")
            self.message_user(
                request,
                f"Skipped {len(decided)} already decided: {titles}. Nothing changed them.",
                messages.WARNING,
            )


# ---------- Reviews and reports ----------


def open_flags():
    return ReviewFlag.objects.filter(resolved_at__isnull=True)


def open_flag_count():
    """How many open reports a review has, as a subquery (no GROUP BY over the list's joins)."""
    return count_of(open_flags(), "rating")


def moderate_reviews(modeladmin, request, ratings, *, hide: bool):
    """Hides or restores the reviews, resolves their open reports, logs each review and says what changed."""
    result = (services.hide_reviews if hide else services.restore_reviews)(ratings=ratings)
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
        has_open = Exists(open_flags().filter(rating=OuterRef("pk")))
        return {"open": lambda: queryset.filter(has_open), "none": lambda: queryset.exclude(has_open)}.get(
            self.value(), lambda: queryset
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
            .prefetch_related(Prefetch("flags", queryset=open_flags(), to_attr="open_flag_list"))
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
        if obj.resolved_at:
            return f"resolved {day(obj.resolved_at)}"
        return f"open since {day(obj.created_at)}"

    def _ratings(self, queryset):
        return Rating.objects.filter(pk__in=queryset.values("rating_id"))

    @admin.action(description="Hide the reviews (and resolve their reports)", permissions=["moderate"])
    def hide(self, request, queryset):
        moderate_reviews(self, request, self._ratings(queryset), hide=True)

    @admin.action(description="Keep the reviews (resolve their reports, show them)", permissions=["moderate"])
    def keep(self, request, queryset):
        moderate_reviews(self, request, self._ratings(queryset), hide=False)
