"""What learners write for each other and for curators: ratings and reviews of resources, resources they
suggest for a topic, and reports of reviews. Moderation decides what of it shows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from learning.catalogue.links import normalize_url
from learning.catalogue.models import Kind, Resource, Topic
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
