"""The catalogue in the admin: tracks → stages → steps and milestones; topics; resources."""

from django import forms
from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

from learning.admin.link_health import BrokenLinkFilter, unpublish_broken
from learning.models import Milestone, Resource, Stage, Step, Topic, Track
from learning.positions import MAX_POSITION, park


@admin.action(description="Publish selected")
def publish(modeladmin, request, queryset):
    count = queryset.update(is_published=True)
    modeladmin.message_user(request, f"Published {count}.", messages.SUCCESS)


@admin.action(description="Unpublish selected")
def unpublish(modeladmin, request, queryset):
    count = queryset.update(is_published=False)
    modeladmin.message_user(request, f"Unpublished {count}.", messages.SUCCESS)


class PositionedForm(forms.ModelForm):
    """Leaves the unique-position check to the formset, so rows can swap places in one save."""

    # Bounded here because the model-level check of `position` is excluded below.
    position = forms.IntegerField(min_value=0, max_value=MAX_POSITION)

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | {"position"}


class PositionedFormSet(BaseInlineFormSet):
    """Refuses two rows with the same value of a unique field with a message on the row, not a 500."""

    distinct_fields = {"position": "Another row already has position {value}."}

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not self._should_delete_form(form)
        ]
        for field, message in self.distinct_fields.items():
            seen = set()
            for form in kept:
                value = form.cleaned_data.get(field)
                if value is not None and value in seen:
                    form.add_error(field, message.format(value=value))
                seen.add(value)


class StepFormSet(PositionedFormSet):
    """A topic at most once per track, also among the rows of one save."""

    distinct_fields = {
        **PositionedFormSet.distinct_fields,
        "topic": "“{value}” is already a step of this track.",
    }


class PositionedInline(admin.TabularInline):
    form = PositionedForm
    formset = PositionedFormSet
    extra = 0


class PositionedChildrenAdmin(admin.ModelAdmin):
    """Saves ordered inlines in two steps (park the moving rows, then place them) to allow swaps."""

    def save_formset(self, request, form, formset, change):
        if not issubclass(formset.form, PositionedForm):
            return super().save_formset(request, form, formset, change)
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                obj.delete()
            park(formset.model.objects.filter(pk__in=[obj.pk for obj in instances if obj.pk]))
            for obj in instances:
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
    fields = ("position", "title", "slug", "description", "topics")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("topics",)


@admin.register(Track)
class TrackAdmin(PositionedChildrenAdmin):
    list_display = ("title", "slug", "position", "stage_count", "is_published", "updated_at")
    list_editable = ("position",)
    list_filter = ("is_published",)
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "summary", "body", "tags", "position", "is_published")
    inlines = (StageInline,)
    actions = (publish, unpublish)

    def get_queryset(self, request):
        # An aggregate groups rows, and grouped rows lose the model's default order: restate it.
        return (
            super().get_queryset(request).annotate(stage_total=Count("stages")).order_by("position", "title")
        )

    @admin.display(description="stages", ordering="stage_total")
    def stage_count(self, obj):
        return obj.stage_total


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


class TopicResourceInline(admin.TabularInline):
    model = Resource.topics.through
    autocomplete_fields = ("resource",)
    extra = 0
    verbose_name = "resource"
    verbose_name_plural = "resources teaching this topic"


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "resource_count", "track_count", "is_published", "updated_at")
    list_filter = ("is_published", "tags")
    search_fields = ("title", "slug", "summary")
    prepopulated_fields = {"slug": ("title",)}
    fields = ("title", "slug", "summary", "body", "tags", "is_published")
    inlines = (TopicResourceInline,)
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

    @admin.display(description="resources", ordering="resource_total")
    def resource_count(self, obj):
        return obj.resource_total

    @admin.display(description="tracks", ordering="track_total")
    def track_count(self, obj):
        return obj.track_total


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "cost", "level", "host", "link_health", "is_published", "updated_at")
    list_filter = ("kind", "cost", "level", "is_published", BrokenLinkFilter, "tags")
    search_fields = ("title", "url", "author", "description")
    fields = (
        "url",
        "title",
        "author",
        "description",
        ("kind", "cost", "level"),
        "estimated_minutes",
        "topics",
        "tags",
        "is_published",
        ("link_checked_at", "link_status", "link_failures"),
        ("link_final_url", "link_error"),
    )
    readonly_fields = ("link_checked_at", "link_status", "link_failures", "link_final_url", "link_error")
    autocomplete_fields = ("topics",)
    actions = (publish, unpublish, unpublish_broken)
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    show_full_result_count = False

    @admin.display(description="link")
    def link_health(self, obj):
        if obj.link_checked_at is None:
            return "not checked"
        if obj.link_is_broken:
            return f"broken ×{obj.link_failures} ({obj.link_status or obj.link_error})"
        return f"ok ({obj.link_status})"
