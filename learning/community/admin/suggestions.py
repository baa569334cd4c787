"""Learners' resource suggestions in the admin: read-only, accepted or rejected (with a reason the learner
reads) through the actions, which go through learning.community.moderation and are logged."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.text import Truncator

from learning.catalogue.models import Resource
from learning.community import moderation
from learning.community.admin.base import LINK_CHARS, ModerationAdmin, admin_link, day, excerpt
from learning.community.models import ResourceSuggestion, SuggestionStatus
from learning.community.services import REJECTION_MAX_LENGTH


class RejectionForm(forms.Form):
    rejection_reason = forms.CharField(
        label="Reason, shown to the learner",
        max_length=REJECTION_MAX_LENGTH,
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
        created: list[ResourceSuggestion] = []
        attached: list[ResourceSuggestion] = []
        decided, denied = [], []
        with transaction.atomic():
            for suggestion in queryset:
                try:
                    suggestion, new = moderation.accept_suggestion(
                        suggestion=suggestion, curator=request.user
                    )
                except moderation.AlreadyDecided:
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
                    request, suggestion, f"Accepted: {outcome} resource #{suggestion.resource_id}."
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
                        moderation.reject_suggestion(
                            suggestion=suggestion, curator=request.user, reason=reason
                        )
                    except moderation.AlreadyDecided:
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
