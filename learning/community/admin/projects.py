"""Learners' projects, the feedback on them and the reports on both in the admin: read-only, featured,
hidden, restored or kept through the actions, which go through learning.community.moderation and are logged.
Lists show learners by their public handle, never their email."""

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db.models import Exists, F, OuterRef

from learning.community import moderation
from learning.community.admin.base import ModerationAdmin, admin_link, excerpt, report_state
from learning.community.models import ProjectFeedback, ProjectFlag, ProjectSubmission
from learning.community.project_queries import helpful_count
from plumbing.subqueries import count_of

MODERATE = (
    "learning.change_projectsubmission",
    "learning.change_projectfeedback",
    "learning.change_projectflag",
)


def _log(request, rows, message: str) -> None:
    LogEntry.objects.log_actions(
        user_id=request.user.pk, queryset=list(rows), action_flag=CHANGE, change_message=message
    )


def moderate(modeladmin, request, rows, *, hide: bool, feedback: bool = False) -> None:
    """Hides or shows projects (or feedback), resolves their open reports, logs each and says what changed."""
    model = ProjectFeedback if feedback else ProjectSubmission
    rows = model.objects.filter(pk__in=rows.values("pk"))
    if feedback:
        result = moderation.moderate_feedback(feedback=rows, hide=hide)
    else:
        result = moderation.moderate_projects(submissions=rows, hide=hide)
    verb = "Hid" if hide else "Kept"
    what = "feedback" if feedback else "project(s)"
    _log(request, rows.select_related("user"), f"{verb} the {what} (moderation); open reports resolved.")
    changed = f"{result.changed} {'hidden' if hide else 'shown again'}, " if result.changed else ""
    modeladmin.message_user(
        request, f"{verb} {result.reviews} {what}: {changed}{result.flags_resolved} open report(s) resolved."
    )


class ReportedFilter(admin.SimpleListFilter):
    """Projects or feedback with open reports (on themselves, not on what belongs to them)."""

    title = "reports"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("open", "Has open reports"), ("none", "No open reports")]

    def queryset(self, request, queryset):
        if queryset.model is ProjectFeedback:
            flags = ProjectFlag.objects.open().filter(feedback=OuterRef("pk"))
        else:
            flags = ProjectFlag.objects.open().filter(submission=OuterRef("pk"), feedback__isnull=True)
        if self.value() == "open":
            return queryset.filter(Exists(flags))
        if self.value() == "none":
            return queryset.exclude(Exists(flags))
        return queryset


@admin.register(ProjectSubmission)
class ProjectSubmissionAdmin(ModerationAdmin):
    """Projects: feature the good ones (shown first), hide what breaks the rules."""

    moderate_permissions = MODERATE
    list_title = "Learners' projects"
    list_display = (
        "project",
        "milestone",
        "visibility",
        "is_featured",
        "is_hidden",
        "open_reports",
        "helpful",
    )
    list_filter = ("milestone", "is_featured", "is_hidden", ReportedFilter, "visibility")
    list_select_related = ("user", "milestone")
    search_fields = ("repository_url", "write_up", "user__username", "milestone__title")
    fields = (
        "milestone",
        "learner",
        "repository_url",
        "live_url",
        "write_up",
        "visibility",
        "is_featured",
        "is_hidden",
        "created_at",
        "updated_at",
        "moderated_at",
    )
    readonly_fields = fields
    actions = ("feature", "unfeature", "hide", "restore")

    def get_queryset(self, request):
        open_flags = ProjectFlag.objects.open().filter(feedback__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(open_flag_total=count_of(open_flags, "submission"), helpful_total=helpful_count())
        )

    def get_ordering(self, request):
        return (F("open_flag_total").desc(), "-created_at", "-pk")

    @admin.display(description="project", ordering="user__username")
    def project(self, obj):
        return f"{obj.user.username}: {excerpt(obj.repository_url)}"

    @admin.display(description="open reports", ordering="open_flag_total")
    def open_reports(self, obj):
        return obj.open_flag_total

    @admin.display(description="helpful", ordering="helpful_total")
    def helpful(self, obj):
        return obj.helpful_total

    def _feature(self, request, queryset, featured: bool):
        count = moderation.feature_projects(submissions=queryset, featured=featured)
        verb = "Featured" if featured else "Unfeatured"
        _log(request, queryset.select_related("user"), f"{verb} the project.")
        self.message_user(request, f"{verb} {count} project(s).", messages.SUCCESS)

    @admin.action(description="Feature the selected projects (shown first)", permissions=["moderate"])
    def feature(self, request, queryset):
        self._feature(request, queryset, True)

    @admin.action(description="Stop featuring the selected projects", permissions=["moderate"])
    def unfeature(self, request, queryset):
        self._feature(request, queryset, False)

    @admin.action(
        description="Hide the selected projects (and resolve their reports)", permissions=["moderate"]
    )
    def hide(self, request, queryset):
        moderate(self, request, queryset, hide=True)

    @admin.action(
        description="Restore the selected projects (and resolve their reports)", permissions=["moderate"]
    )
    def restore(self, request, queryset):
        moderate(self, request, queryset, hide=False)


@admin.register(ProjectFeedback)
class ProjectFeedbackAdmin(ModerationAdmin):
    moderate_permissions = MODERATE
    list_title = "Feedback on projects"
    list_display = ("feedback", "on_project", "is_hidden", "open_reports", "created_at")
    list_filter = ("is_hidden", ReportedFilter)
    list_select_related = ("user", "submission__user", "submission__milestone")
    search_fields = ("text", "user__username")
    fields = ("on_project", "learner", "text", "is_hidden", "created_at", "moderated_at")
    readonly_fields = fields
    actions = ("hide", "restore")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(open_flag_total=count_of(ProjectFlag.objects.open(), "feedback"))
        )

    def get_ordering(self, request):
        return (F("open_flag_total").desc(), "-created_at", "-pk")

    @admin.display(description="feedback", ordering="text")
    def feedback(self, obj):
        return f"{obj.user.username}: {excerpt(obj.text)}"

    @admin.display(description="on the project")
    def on_project(self, obj):
        project = obj.submission
        return admin_link(
            ProjectSubmission, project.pk, f"{project.user.username} · {project.milestone.title}"
        )

    @admin.display(description="open reports", ordering="open_flag_total")
    def open_reports(self, obj):
        return obj.open_flag_total

    @admin.action(
        description="Hide the selected feedback (and resolve its reports)", permissions=["moderate"]
    )
    def hide(self, request, queryset):
        moderate(self, request, queryset, hide=True, feedback=True)

    @admin.action(
        description="Restore the selected feedback (and resolve its reports)", permissions=["moderate"]
    )
    def restore(self, request, queryset):
        moderate(self, request, queryset, hide=False, feedback=True)


@admin.register(ProjectFlag)
class ProjectFlagAdmin(ModerationAdmin):
    """Reports on projects and feedback, open ones first; hiding or keeping what they report resolves them."""

    moderate_permissions = MODERATE
    list_title = "Reports on projects and feedback"
    list_display = ("reason", "state", "note", "reported", "learner")
    list_filter = ("reason",)
    list_select_related = ("user", "submission__user", "submission__milestone", "feedback__user")
    search_fields = ("note", "feedback__text", "submission__repository_url", "user__username")
    fields = ("reported", "reason", "note", "learner", "created_at", "state")
    readonly_fields = fields
    actions = ("hide", "keep")

    def get_ordering(self, request):
        return (F("resolved_at").desc(nulls_first=True), "created_at", "pk")

    @admin.display(description="reported")
    def reported(self, obj):
        if obj.feedback_id:
            feedback = obj.feedback
            hidden = " (hidden)" if feedback.is_hidden else ""
            return admin_link(ProjectFeedback, feedback.pk, f"Feedback by {feedback.user.username}{hidden}")
        project = obj.submission
        hidden = " (hidden)" if project.is_hidden else ""
        label = f"Project by {project.user.username} · {project.milestone.title}{hidden}"
        return admin_link(ProjectSubmission, project.pk, label)

    @admin.display(description="state", ordering="resolved_at")
    def state(self, obj):
        return report_state(obj)

    def _decide(self, request, queryset, *, hide: bool):
        feedback = ProjectFeedback.objects.filter(
            pk__in=queryset.filter(feedback__isnull=False).values("feedback")
        )
        projects = ProjectSubmission.objects.filter(
            pk__in=queryset.filter(feedback__isnull=True).values("submission")
        )
        if projects.exists():
            moderate(self, request, projects, hide=hide)
        if feedback.exists():
            moderate(self, request, feedback, hide=hide, feedback=True)

    @admin.action(description="Hide what they report (and resolve the reports)", permissions=["moderate"])
    def hide(self, request, queryset):
        self._decide(request, queryset, hide=True)

    @admin.action(
        description="Keep what they report (resolve the reports, show it)", permissions=["moderate"]
    )
    def keep(self, request, queryset):
        self._decide(request, queryset, hide=False)
