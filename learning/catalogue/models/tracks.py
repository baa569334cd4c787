"""The curated path: tracks, their stages, the shared topics, the steps that place topics in a track, and
milestones."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from taggit.managers import TaggableManager

from learning.catalogue.positions import position_validators
from plumbing.text import unix_newlines
from plumbing.token_querysets import CuratedQuerySet
from plumbing.urls import reversed_url


class Stack(models.TextChoices):
    """The technology stack a track teaches, or a resource is specific to; "" for none (stack-independent:
    HTTP, SQL, Git, design...). A topic opened from a stack's track lists that stack's resources first."""

    INDEPENDENT = "", "Stack-independent"
    PYTHON = "python", "Python"
    NODE = "node", "Node.js"
    JAVA = "java", "Java"
    GO = "go", "Go"
    DOTNET = "dotnet", ".NET"
    RUBY = "ruby", "Ruby"
    PHP = "php", "PHP"


def stack_field(help_text: str) -> models.CharField:
    """A track's or resource's `stack`: one of Stack, blank for none."""
    return models.CharField(max_length=10, choices=Stack.choices, blank=True, default="", help_text=help_text)


class CuratedText(models.Model):
    """Stores curated text with Unix line endings (browsers send CRLF), so exported files stay clean."""

    text_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        for name in self.text_fields:
            setattr(self, name, unix_newlines(getattr(self, name)))
        super().save(*args, **kwargs)


def sees_drafts(user) -> bool:
    """Staff see unpublished rows too (with a banner); everyone else sees published rows only. What is
    rendered once and shared between people is kept apart on this (plumbing.overlay memo keys)."""
    return user is not None and user.is_active and user.is_staff


class PublishedQuerySet(CuratedQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """What a person may see: everything for staff, published rows for everyone else."""
        if sees_drafts(user):
            return self.all()
        return self.published()


class TrackQuerySet(PublishedQuerySet):
    def with_counts(self):
        return self.annotate(
            topic_count=models.Count("steps", distinct=True, filter=Q(steps__topic__is_published=True)),
            stage_count=models.Count("stages", distinct=True),
        )


class Track(CuratedText):
    """A path to a goal, e.g. "Python & Django"."""

    text_fields = ("summary", "body")

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences; also the page's description.")
    body = models.TextField(blank=True, help_text="Markdown.")
    position = models.PositiveIntegerField(
        default=0, validators=position_validators, help_text="Order in the track list."
    )
    stack = stack_field(
        "The stack this track teaches: its topics list that stack's resources first. Blank: a general track."
    )
    is_published = models.BooleanField("published", default=True)
    tags = TaggableManager(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        constraints = [models.CheckConstraint(condition=Q(stack__in=Stack.values), name="track_stack_valid")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reversed_url("learning:track_detail", slug=self.slug)


# Hours of a topic or milestone: whole hours, at least one, at most a few months of full-time work.
MAX_HOURS = 2000
hours_validators = [MinValueValidator(1), MaxValueValidator(MAX_HOURS)]


def hours_field(help_text: str) -> models.PositiveSmallIntegerField:
    """A topic's or milestone's honest estimate in whole hours; blank while nobody has estimated it."""
    return models.PositiveSmallIntegerField(
        null=True, blank=True, validators=hours_validators, help_text=help_text
    )


def hours_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(hours__isnull=True) | Q(hours__gte=1, hours__lte=MAX_HOURS), name=name
    )


def replaces_field(help_text: str) -> models.JSONField:
    """What a row took over (old slugs or URLs), kept as the content file's list so the export round-trips."""
    return models.JSONField(default=list, blank=True, editable=False, help_text=help_text)


class TrackChange(models.Model):
    """One line of a track's public "What changed" list, newest first (position 0)."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="changes")
    date = models.DateField()
    change = models.CharField(max_length=300, help_text="One sentence.")
    position = models.PositiveIntegerField(default=0, validators=position_validators)

    objects = CuratedQuerySet.as_manager()

    class Meta:
        ordering = ["track", "position"]
        verbose_name = "change"
        constraints = [
            models.UniqueConstraint(fields=["track", "position"], name="trackchange_unique_position"),
        ]

    def __str__(self):
        return f"{self.date}: {self.change}"


class Stage(models.Model):
    """An ordered phase of a track, e.g. "Basics", months 1–3."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="stages")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=120)
    duration = models.CharField(max_length=60, blank=True, help_text='A hint such as "months 1–3".')
    summary = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0, validators=position_validators)

    objects = CuratedQuerySet.as_manager()

    class Meta:
        ordering = ["track", "position"]
        constraints = [
            models.UniqueConstraint(fields=["track", "slug"], name="stage_unique_slug_per_track"),
            models.UniqueConstraint(fields=["track", "position"], name="stage_unique_position_per_track"),
        ]

    def __str__(self):
        return f"{self.track.title} · {self.title}" if self.track_id else self.title

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # Steps carry their track so the database can refuse a topic twice in one track; keep it in step
        # when a stage moves to another track.
        self.steps.exclude(track_id=self.track_id).update(track_id=self.track_id)


class TopicQuerySet(PublishedQuerySet):
    pass


class Topic(CuratedText):
    """One unit of knowledge, stored once and shared by every track that teaches it."""

    text_fields = ("summary", "body")

    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences; also the page's description.")
    body = models.TextField(blank=True, help_text="Markdown.")
    hours = hours_field(
        "Estimate in whole hours to learn the topic to its “ready when” (guide, Start here, practice)."
    )
    replaces = replaces_field("Old topic slugs this topic took over (content files' `replaces`).")
    is_published = models.BooleanField("published", default=True)
    tags = TaggableManager(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [hours_constraint("topic_hours_range")]
        # The published topics' ids, for the learner's reads that keep only those (reviews due, recently
        # done): read from this small index alone instead of every topic's row with its guide.
        indexes = [models.Index(fields=["id"], condition=Q(is_published=True), name="topic_published_ids")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reversed_url("learning:topic_detail", slug=self.slug)


class OrderedLine(models.Model):
    """A short plain-text line in its owner's order: a milestone's checklist item, a topic's ready check."""

    position = models.PositiveIntegerField(default=0, validators=position_validators)
    text = models.CharField(max_length=300)

    objects = CuratedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.text


class ReadyCheck(OrderedLine):
    """One "You're ready when" self-check of a topic, in order: a short plain-text statement a learner ticks
    when it is true of them (ChecklistItem's counterpart for topics)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="ready_checks")

    class Meta:
        ordering = ["topic", "position"]
        verbose_name = "ready check"
        constraints = [
            models.UniqueConstraint(fields=["topic", "position"], name="readycheck_unique_position"),
        ]


class Step(models.Model):
    """The placement of a topic in a stage. A topic appears at most once per track."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="steps", editable=False)
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="steps")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveIntegerField(default=0, validators=position_validators)
    is_optional = models.BooleanField("optional", default=False)

    objects = CuratedQuerySet.as_manager()

    class Meta:
        ordering = ["stage__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["track", "topic"], name="step_topic_once_per_track"),
            models.UniqueConstraint(fields=["stage", "position"], name="step_unique_position_per_stage"),
        ]

    def __str__(self):
        return f"{self.stage} → {self.topic}" if self.stage_id and self.topic_id else "New step"

    def save(self, *args, **kwargs):
        self.track_id = self.stage.track_id
        super().save(*args, **kwargs)

    def clean(self):
        stage = self.stage if "stage" in self._state.fields_cache or self.stage_id else None
        if stage is None or stage.track_id is None or self.topic_id is None:
            return
        self.track_id = stage.track_id
        clash = Step.objects.filter(track_id=self.track_id, topic_id=self.topic_id).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError({"topic": f"“{self.topic}” is already a step of this track."})


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Milestone(CuratedText):
    """A checkpoint that closes a stage: a project to build, specified by its brief (`description`), an
    acceptance checklist (ChecklistItem) and optional stretch goals. Its slug is unique within its track."""

    text_fields = ("description",)

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="milestones", editable=False)
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="milestones")
    slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=160)
    difficulty = models.CharField(max_length=20, choices=Difficulty.choices, blank=True, default="")
    hours = hours_field("Honest estimate, in whole hours, to build it to its checklist.")
    replaces = replaces_field('Old milestone slugs of this track whose "built" marks moved here.')
    description = models.TextField(
        blank=True, help_text="Markdown: the brief — what to build, for whom, the features or endpoints."
    )
    stretch = models.JSONField(
        "stretch goals", default=list, blank=True, help_text="A list of short plain-text goals."
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="milestones")
    position = models.PositiveIntegerField(default=0, validators=position_validators)

    objects = CuratedQuerySet.as_manager()

    class Meta:
        ordering = ["stage__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["track", "slug"], name="milestone_unique_slug_per_track"),
            models.UniqueConstraint(fields=["stage", "position"], name="milestone_unique_position_per_stage"),
            models.CheckConstraint(
                condition=Q(difficulty__in=["", *Difficulty.values]), name="milestone_difficulty_valid"
            ),
            hours_constraint("milestone_hours_range"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.track_id = self.stage.track_id
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reversed_url("learning:milestone_detail", pk=self.pk)

    def clean(self):
        if not isinstance(self.stretch, list) or not all(isinstance(goal, str) for goal in self.stretch):
            raise ValidationError({"stretch": "Give the stretch goals as a list of texts."})
        stage = self.stage if "stage" in self._state.fields_cache or self.stage_id else None
        if stage is None or stage.track_id is None or not self.slug:
            return
        self.track_id = stage.track_id
        clash = Milestone.objects.filter(track_id=self.track_id, slug=self.slug).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError({"slug": f"“{self.slug}” is already a milestone of this track."})


class ChecklistItem(OrderedLine):
    """One verifiable acceptance item of a milestone, in order. Kept as rows (not text) so a learner may
    later tick them one by one."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="checklist")

    class Meta:
        ordering = ["milestone", "position"]
        verbose_name = "checklist item"
        constraints = [
            models.UniqueConstraint(fields=["milestone", "position"], name="checklistitem_unique_position"),
        ]
