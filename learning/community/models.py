"""What learners write for each other and for curators: ratings and reviews of resources, resources they
suggest for a topic, and reports of reviews. Moderation decides what of it shows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from learning.catalogue.links import normalize_url
from learning.catalogue.models import ChecklistItem, Kind, Milestone, Resource, Topic
from plumbing import cache_tokens
from plumbing.token_querysets import OwnedQuerySet

REVIEW_MAX_LENGTH = 2000
SUGGESTION_REASON_MAX_LENGTH = 1000
FLAG_NOTE_MAX_LENGTH = 500


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Pending review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class FlagReason(models.TextChoices):
    SPAM = "spam", "Spam or advertising"
    ABUSE = "abuse", "Abusive, hateful or personal"
    OFF_TOPIC = "off_topic", "Not about this resource"
    OTHER = "other", "Something else"


class RatingQuerySet(OwnedQuerySet):
    def counted(self):
        """The ratings that count: shown, and in averages and rankings (a moderator hid the others)."""
        return self.filter(is_hidden=False)


class Rating(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField()
    review = models.TextField(blank=True, max_length=REVIEW_MAX_LENGTH)
    is_hidden = models.BooleanField(
        "hidden", default=False, help_text="Hidden by a moderator: not shown, and not counted in averages."
    )
    moderated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RatingQuerySet.as_manager()
    shows_to_visitors = True  # averages, rankings and reviews show to everyone

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="rating_once_per_user_resource"),
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("review"), REVIEW_MAX_LENGTH), name="rating_review_length"
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "-created_at"], name="rating_resource_recent"),
            # Every ranking counts and sums the counted stars per resource: this answers both from the
            # index alone (and the site mean too), without visiting the table.
            models.Index(
                fields=["resource", "stars"], condition=Q(is_hidden=False), name="rating_counted_stars"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.resource}: {self.stars}★"


class ResourceSuggestion(models.Model):
    """A learner's proposal of a link for a topic, waiting in the curators' moderation queue."""

    Status = SuggestionStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resource_suggestions"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="suggestions")
    url = models.URLField("URL", max_length=500, help_text="Stored normalised; http or https.")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField(
        "why", max_length=SUGGESTION_REASON_MAX_LENGTH, help_text="Why it is worth a learner's time."
    )
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    rejection_reason = models.CharField(max_length=300, blank=True, help_text="Shown to the learner.")
    resource = models.ForeignKey(
        Resource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        help_text="The resource created or attached on acceptance.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "topic", "url"], name="suggestion_once_per_user_topic_url"
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="suggestion_url_http_or_https",
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="suggestion_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=SuggestionStatus.values), name="suggestion_status_valid"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("reason"), SUGGESTION_REASON_MAX_LENGTH),
                name="suggestion_reason_length",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="suggestion_rejected_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="suggestion_queue")]

    def __str__(self):
        return f"{self.title} for {self.topic}"

    def save(self, *args, **kwargs):
        self.url = normalize_url(self.url)
        super().save(*args, **kwargs)


class ReviewFlagQuerySet(OwnedQuerySet):
    def open(self):
        """Reports no moderator has decided yet: the moderation queue."""
        return self.filter(resolved_at__isnull=True)


class ReviewFlag(models.Model):
    """A learner's report that a review breaks the rules; open until a moderator hides or keeps the review."""

    Reason = FlagReason

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_flags")
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    note = models.CharField(max_length=FLAG_NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="When a moderator hid or restored the review."
    )

    objects = ReviewFlagQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "rating"], name="flag_once_per_user_review"),
            models.CheckConstraint(condition=Q(reason__in=FlagReason.values), name="flag_reason_valid"),
        ]
        indexes = [models.Index(fields=["resolved_at"], name="flag_open")]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.rating}"


# ---------- Learners' projects: a milestone built, shown to other learners ----------

PROJECT_WRITE_UP_MAX_LENGTH = 5000
FEEDBACK_MAX_LENGTH = 1000


class Visibility(models.TextChoices):
    PRIVATE = "private", "Private: only you"
    SHARED = "shared", "Shared with other learners"


class ProjectSubmissionQuerySet(OwnedQuerySet):
    def shown(self):
        """What other learners see in a milestone's "Learner projects": shared, not hidden by a moderator."""
        return self.filter(visibility=Visibility.SHARED, is_hidden=False)


class ProjectSubmission(models.Model):
    """A learner's project for a milestone they built: one per learner and milestone (edited, not redone)."""

    Visibility = Visibility

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_submissions"
    )
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="submissions")
    repository_url = models.URLField("repository", max_length=500, help_text="A public http(s) address.")
    live_url = models.URLField("live site", max_length=500, blank=True)
    write_up = models.TextField(blank=True, max_length=PROJECT_WRITE_UP_MAX_LENGTH)
    checklist_met = models.ManyToManyField(ChecklistItem, blank=True, related_name="+")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.SHARED)
    is_featured = models.BooleanField("featured", default=False, help_text="A curator's pick: shown first.")
    is_hidden = models.BooleanField(
        "hidden", default=False, help_text="Hidden by a moderator: shown to no one but its author."
    )
    moderated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectSubmissionQuerySet.as_manager()
    shows_to_visitors = True  # visitors see how many a milestone has

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "milestone"], name="project_once_per_user_milestone"),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="project_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(repository_url__startswith="http://") | Q(repository_url__startswith="https://"),
                name="project_repository_http_or_https",
            ),
            models.CheckConstraint(
                condition=Q(live_url="")
                | Q(live_url__startswith="http://")
                | Q(live_url__startswith="https://"),
                name="project_live_url_http_or_https",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("write_up"), PROJECT_WRITE_UP_MAX_LENGTH),
                name="project_write_up_length",
            ),
        ]
        indexes = [
            models.Index(
                fields=["milestone", "-is_featured", "-created_at"],
                condition=Q(visibility="shared", is_hidden=False),
                name="project_gallery",
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.milestone}"


class ProjectVote(models.Model):
    """A learner found another's project helpful: once per learner and project, never their own."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_votes")
    submission = models.ForeignKey(ProjectSubmission, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()
    shows_to_visitors = True  # the helpful counts and the gallery's order

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "submission"], name="project_vote_once_per_user"),
        ]

    def __str__(self):
        return f"{self.user} found {self.submission} helpful"


class ProjectFeedbackQuerySet(OwnedQuerySet):
    """Feedback shows on its project's author's dashboard: bulk writes move the authors' tokens as well."""

    def shown(self):
        return self.filter(is_hidden=False)

    def update(self, **kwargs):
        authors = list(self.order_by().values_list("submission__user_id", flat=True).distinct())
        count = super().update(**kwargs)
        if count:
            cache_tokens.bump(*(cache_tokens.learner(pk) for pk in authors))
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        submissions = {obj.submission_id for obj in created}
        authors = ProjectSubmission.objects.filter(pk__in=submissions).values_list("user_id", flat=True)
        cache_tokens.bump(*(cache_tokens.learner(pk) for pk in set(authors)))
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        count = super().bulk_update(objs, fields, *args, **kwargs)
        authors = ProjectSubmission.objects.filter(pk__in={obj.submission_id for obj in objs})
        cache_tokens.bump(
            *(cache_tokens.learner(pk) for pk in set(authors.values_list("user_id", flat=True)))
        )
        return count


class ProjectFeedback(models.Model):
    """Short feedback (plain text) a learner leaves on another learner's shared project."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_feedback"
    )
    submission = models.ForeignKey(ProjectSubmission, on_delete=models.CASCADE, related_name="feedback")
    text = models.TextField(max_length=FEEDBACK_MAX_LENGTH)
    is_hidden = models.BooleanField("hidden", default=False, help_text="Hidden by a moderator.")
    moderated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectFeedbackQuerySet.as_manager()
    shows_to_visitors = True  # shown to every learner on the milestone's page

    class Meta:
        verbose_name_plural = "project feedback"
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), FEEDBACK_MAX_LENGTH), name="project_feedback_length"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="project_feedback_not_empty"),
        ]
        indexes = [models.Index(fields=["submission", "created_at"], name="project_feedback_order")]

    def __str__(self):
        return f"{self.user} on {self.submission}"


class ProjectFlag(models.Model):
    """A learner's report of a shared project, or (with `feedback`) of feedback on it; open until a moderator
    hides or keeps what it reports. The reasons are those of a review's report."""

    Reason = FlagReason

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_flags")
    submission = models.ForeignKey(ProjectSubmission, on_delete=models.CASCADE, related_name="flags")
    feedback = models.ForeignKey(
        ProjectFeedback, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    reason = models.CharField(max_length=20, choices=FlagReason.choices)
    note = models.CharField(max_length=FLAG_NOTE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewFlagQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "submission"],
                condition=Q(feedback__isnull=True),
                name="project_flag_once_per_user_project",
            ),
            models.UniqueConstraint(
                fields=["user", "feedback"],
                condition=Q(feedback__isnull=False),
                name="project_flag_once_per_user_feedback",
            ),
            models.CheckConstraint(
                condition=Q(reason__in=FlagReason.values), name="project_flag_reason_valid"
            ),
        ]
        indexes = [models.Index(fields=["resolved_at"], name="project_flag_open")]

    def __str__(self):
        what = "feedback" if self.feedback_id else "project"
        return f"{self.get_reason_display()}: {what} {self.feedback_id or self.submission_id}"
