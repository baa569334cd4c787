"""The catalogue in the admin: tracks → stages → steps and milestones; topics; resources."""

import io
from typing import cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count
from django.http import FileResponse, Http404
from django.urls import path

from learning.catalogue.admin.filters import PublishedResourcesFilter, RatedFilter
from learning.catalogue.admin.history import ReadableHistoryMixin, log_changes
from learning.catalogue.admin.link_health import BrokenLinkFilter, unpublish_broken
from learning.catalogue.admin.ordering import OrderedRowsFormSet, ReorderableInline, ReorderChildrenMixin
from learning.catalogue.content.exporter import export_track
from learning.catalogue.models import (
    ChecklistItem,
    Milestone,
    ReadyCheck,
    Resource,
    ResourceQuerySet,
    Stage,
    Step,
    Topic,
    TopicResource,
    Track,
    TrackChange,
)
from learning.catalogue.positions import MAX_POSITION, park
from plumbing.admin_labels import LabelledFieldsAdmin, LabelledFieldsInline
from plumbing.subqueries import count_of


def _set_published(request, queryset, value: bool) -> int:
    """Sets `is_published` on the selected rows; logs a history line on each row it actually changed."""
    changing = list(queryset.exclude(is_published=value))
    count = queryset.update(is_published=value)
    before, after = ("no", "yes") if value else ("yes", "no")
    log_changes(request, changing, f"Changed published: {before} → {after} (bulk action).")
    return count


@admin.action(description="Publish selected")
def publish(modeladmin, request, queryset):
    count = _set_published(request, queryset, True)
    modeladmin.message_user(request, f"Published {count}.", messages.SUCCESS)


@admin.action(description="Unpublish selected")
def unpublish(modeladmin, request, queryset):
    count = _set_published(request, queryset, False)
    modeladmin.message_user(request, f"Unpublished {count}.", messages.SUCCESS)


def annotated_column(annotation: str, description: str):
    """A changelist column showing, and sorting by, an annotation of the admin's queryset. Name the column
    after the annotation, never after a relation ("ratings"): the changelist would sort by the relation."""

    @admin.display(description=description, ordering=annotation)
    def column(self, obj):
        return getattr(obj, annotation)

    return column


class PositionedForm(forms.ModelForm):
    """Leaves the unique-position check to the formset, so rows can swap places in one save."""

    # Bounded here because the model-level check of `position` is excluded below. Left blank (as on a new
    # row), the formset puts the row at the end.
    position = forms.IntegerField(
        min_value=0,
        max_value=MAX_POSITION,
        required=False,
        widget=widgets.AdminIntegerFieldWidget,
        help_text="Use the Move buttons to reorder. Left blank, a new row goes at the end.",
    )

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | {"position"}  # type: ignore[misc]  # private, not in stubs


class PositionedFormSet(OrderedRowsFormSet):
    """Refuses two rows with the same value of a unique field with a message on the row, not a 500."""

    distinct_fields = {"position": "Another row already has position {value}."}

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            # _should_delete_form is Django's own (private, so not in django-stubs).
            if getattr(form, "cleaned_data", None) and not self._should_delete_form(form)  # type: ignore[attr-defined]
        ]
        self._place_blank_positions_last(kept)
        for field, message in self.distinct_fields.items():
            seen = set()
            for form in kept:
                value = form.cleaned_data.get(field)
                if value is not None and value in seen:
                    form.add_error(field, message.format(value=value))
                seen.add(value)

    @staticmethod
    def _place_blank_positions_last(forms):
        taken = [
            form.cleaned_data["position"] for form in forms if form.cleaned_data.get("position") is not None
        ]
        following = max(taken, default=-1) + 1
        for form in forms:
            if form.cleaned_data.get("position") is None:
                form.cleaned_data["position"] = form.instance.position = following
                following += 1


class StepFormSet(PositionedFormSet):
    """A topic at most once per track, also among the rows of one save."""

    distinct_fields = {
        **PositionedFormSet.distinct_fields,
        "topic": "“{value}” is already a step of this track.",
    }


class PositionedInline(LabelledFieldsInline, ReorderableInline):
    form = PositionedForm
    formset = PositionedFormSet
    extra = 0


class CatalogueAdmin(LabelledFieldsAdmin, ReadableHistoryMixin, admin.ModelAdmin):
    """Every catalogue admin: history lines a curator can read."""


class PositionedChildrenAdmin(ReorderChildrenMixin, CatalogueAdmin):
    """Saves ordered inlines in two steps (park the moving rows, then place them) to allow swaps, and moves
    single rows with buttons (learning.catalogue.admin.ordering)."""

    def save_formset(self, request, form, formset, change):
        if not issubclass(formset.form, PositionedForm):
            return super().save_formset(request, form, formset, change)
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                obj.delete()
            park(formset.model.objects.filter(pk__in=[obj.pk for obj in instances if obj.pk]))
            # A Start here handed from one row to another: the row giving it up saves first, so the
            # one-per-topic constraint holds at every statement.
            for obj in sorted(instances, key=lambda obj: bool(getattr(obj, "is_start_here", False))):
                obj.save()
            formset.save_m2m()


class StageInline(PositionedInline):
    model = Stage
    fields = ("position", "title", "slug", "duration", "summary")
    prepopulated_fields = {"slug": ("title",)}
    show_change_link = True


class StepInline(PositionedInline):
    model = Step
    formset = StepFormSet
    fields = ("position", "topic", "is_optional")
    autocomplete_fields = ("topic",)


class MilestoneInline(PositionedInline):
    model = Milestone
    fields = ("position", "title", "slug", "difficulty", "hours", "description", "topics")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("topics",)
    show_change_link = True  # its checklist and stretch goals are edited on its own page
    view_on_site = False  # its own page has "View on site"; in a row, a second bare link beside the first


class ChecklistItemInline(PositionedInline):
    model = ChecklistItem
    fields = ("position", "text")
    verbose_name = "acceptance checklist item"
    verbose_name_plural = "acceptance checklist (5–10 verifiable items, in order)"


class ReadyCheckInline(PositionedInline):
    """A topic's "You're ready when" self-checks, in order (its content file's `ready_when`)."""

    model = ReadyCheck
    fields = ("position", "text")
    verbose_name = "“You're ready when” check"
    verbose_name_plural = "“You're ready when” checks (2–6 short statements a learner ticks, in order)"


class TrackChangeInline(PositionedInline):
    """The track's public "What changed" list, newest first (as its content file's `changes`)."""

    model = TrackChange
    fields = ("position", "date", "change")
    verbose_name_plural = "what changed (newest first: position 0)"


class StretchField(forms.CharField):
    """Stretch goals as one per line in a textarea, stored as a list of texts."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class MilestoneForm(forms.ModelForm):
    stretch = StretchField(
        label="Stretch goals", required=False, help_text="One per line, plain text (no Markdown)."
    )

    class Meta:
        model = Milestone
        fields = (
            "stage",
            "title",
            "slug",
            "difficulty",
            "hours",
            "description",
            "stretch",
            "topics",
            "position",
        )


@admin.register(Milestone)
class MilestoneAdmin(PositionedChildrenAdmin):
    """A milestone's specification: its brief, difficulty, hours, acceptance checklist and stretch goals."""

    form = MilestoneForm
    list_display = ("title", "track", "stage", "difficulty", "hours", "checklist_count")
    list_filter = ("track", "difficulty")
    list_select_related = ("track", "stage")
    search_fields = ("title", "slug", "track__title")
    fields = ("stage", "title", "slug", "difficulty", "hours", "description", "stretch", "topics", "position")
    autocomplete_fields = ("topics",)
    inlines = (ChecklistItemInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(checklist_total=count_of(ChecklistItem.objects, "milestone"))
        )

    checklist_count = annotated_column("checklist_total", "checklist items")

    def get_model_perms(self, request):
        # Milestones are reached from their stage; keep the index uncluttered.
        return {}


@admin.register(Track)
class TrackAdmin(PositionedChildrenAdmin):
    list_display = (
        "title",
        "slug",
        "position",
        "stage_count",
        "topic_count",
        "milestone_count",
        "stack",
        "is_published",
        "updated_at",
    )
    list_editable = ("position",)
    list_filter = ("is_published", "stack")
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "summary", "body", "tags", "position", "stack", "is_published")
    inlines = (StageInline, TrackChangeInline)
    actions = (publish, unpublish)

    change_form_template = "admin/learning/track/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                stage_total=count_of(Stage.objects, "track"),
                step_total=count_of(Step.objects, "track"),
                milestone_total=count_of(Milestone.objects, "stage__track"),
            )
        )

    stage_count = annotated_column("stage_total", "stages")
    topic_count = annotated_column("step_total", "topics")
    milestone_count = annotated_column("milestone_total", "milestones")

    def get_urls(self):
        export = path(
            "<path:object_id>/export/",
            self.admin_site.admin_view(self.export_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request, object_id):
        """Downloads the track's content file, exactly as `manage.py export_roadmap` writes it."""
        track = self.get_object(request, unquote(object_id))
        if track is None:
            raise Http404("No such track.")
        if not self.has_view_or_change_permission(request, track):
            raise PermissionDenied
        name, text = export_track(track.pk)
        return FileResponse(
            io.BytesIO(text.encode()), as_attachment=True, filename=name, content_type="application/yaml"
        )


@admin.register(Stage)
class StageAdmin(PositionedChildrenAdmin):
    list_display = ("title", "track", "position", "duration")
    list_filter = ("track",)
    list_select_related = ("track",)
    search_fields = ("title", "track__title")
    fields = ("track", "title", "slug", "duration", "summary", "position")
    prepopulated_fields = {"slug": ("title",)}
    inlines = (StepInline, MilestoneInline)

    def get_model_perms(self, request):
        # Stages are reached from their track; keep the index uncluttered.
        return {}


class TopicResourceFormSet(PositionedFormSet):
    """A resource once per topic, and one Start here, also among the rows of one save."""

    distinct_fields = {
        **PositionedFormSet.distinct_fields,
        "resource": "“{value}” already teaches this topic.",
    }

    def clean(self):
        super().clean()
        starts = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not self._should_delete_form(form)  # type: ignore[attr-defined]  # Django's own, private
            and form.cleaned_data.get("is_start_here")
        ]
        for form in starts[1:]:
            form.add_error("is_start_here", "Only one resource can be this topic's Start here.")


class TopicResourceInline(PositionedInline):
    """The topic's resources in the curator's order, with Move buttons and its Start here."""

    model = TopicResource
    formset = TopicResourceFormSet
    fields = ("position", "resource", "is_start_here")
    autocomplete_fields = ("resource",)
    verbose_name = "resource"
    verbose_name_plural = "resources teaching this topic, in the order learners see them"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("resource").order_by("position", "pk")


@admin.register(Topic)
class TopicAdmin(PositionedChildrenAdmin):
    list_display = ("title", "slug", "hours", "resource_count", "track_count", "is_published", "updated_at")
    list_filter = ("is_published", PublishedResourcesFilter, "tags")
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "summary", "hours", "body", "tags", "is_published")
    inlines = (ReadyCheckInline, TopicResourceInline)
    actions = (publish, unpublish)
    show_full_result_count = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                resource_total=Count("resources", distinct=True),
                track_total=Count("steps__track", distinct=True),
            )
            .order_by("title")
        )

    resource_count = annotated_column("resource_total", "resources")
    track_count = annotated_column("track_total", "tracks")


RESOURCE_FIELDS = (
    "url",
    "title",
    "author",
    "description",
    ("kind", "cost", "level"),
    ("stack", "estimated_minutes"),
    "topics",
    "tags",
    "is_published",
    ("link_checked_at", "link_status", "link_failures"),
    ("link_final_url", "link_error"),
)


class ResourceAdminForm(forms.ModelForm):
    """Picks the topics a resource teaches. The relation goes through TopicResource, which the admin won't
    offer as a field itself; saving calls `resource.topics.set()`, which keeps the links that stay (their
    place and Start here) and puts a new one at the end of its topic (topic admins set the order)."""

    topics = forms.ModelMultipleChoiceField(
        Topic.objects.all(),
        required=False,
        widget=widgets.AutocompleteSelectMultiple(Resource._meta.get_field("topics"), admin.site),
        help_text="Its place in each topic's order is set on the topic's page.",
    )

    class Meta:
        model = Resource
        fields = ("topics",)  # the admin adds the others (RESOURCE_FIELDS), with its own widgets


@admin.register(Resource)
class ResourceAdmin(CatalogueAdmin):
    form = ResourceAdminForm
    # Cost and the last change are on the change page (and cost in the filters), leaving room for the counts.
    list_display = (
        "title",
        "kind",
        "level",
        "stack",
        "host",
        "topic_count",
        "rating_count",
        "rating_average",
        "bookmark_count",
        "link_health",
        "is_published",
    )
    list_filter = ("kind", "cost", "level", "stack", "is_published", BrokenLinkFilter, RatedFilter, "tags")
    search_fields = ("title", "url", "author", "description")
    readonly_fields = ("link_checked_at", "link_status", "link_failures", "link_final_url", "link_error")
    actions = (publish, unpublish, unpublish_broken)
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        # Given here rather than as `fields`: the admin's checks refuse naming a many-to-many that goes
        # through a model of its own, which ResourceAdminForm declares as a plain field.
        return RESOURCE_FIELDS

    def get_queryset(self, request):
        return (
            # The model's manager gives a ResourceQuerySet; ModelAdmin's stub only knows QuerySet.
            cast(ResourceQuerySet, super().get_queryset(request))
            .with_stats()
            .annotate(topic_total=count_of(TopicResource.objects, "resource"))
        )

    topic_count = annotated_column("topic_total", "topics")
    rating_count = annotated_column("rating_count", "ratings")

    @admin.display(description="average", ordering=models.F("rating_average").asc(nulls_last=True))
    def rating_average(self, obj):
        return "–" if obj.rating_average is None else f"{obj.rating_average:.1f}"

    bookmark_count = annotated_column("bookmark_count", "bookmarks")

    @admin.display(description="link")
    def link_health(self, obj):
        if obj.link_checked_at is None:
            return "not checked"
        if obj.link_is_broken:
            return f"broken ×{obj.link_failures} ({obj.link_status or obj.link_error})"
        return f"ok ({obj.link_status})"
