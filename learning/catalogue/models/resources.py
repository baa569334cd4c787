"""The resources that teach topics, their curated order within each topic (TopicResource, "Start here"),
and the ranking that blends that order with learners' ratings."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, NullIf
from taggit.managers import TaggableManager

from learning.catalogue.links import UnsupportedURL, normalize_url
from learning.catalogue.models.tracks import CuratedText, PublishedQuerySet, Stack, Topic, stack_field
from learning.catalogue.positions import PARKING_OFFSET, position_validators
from plumbing.subqueries import count_of, sum_of
from plumbing.token_querysets import CuratedQuerySet
from plumbing.urls import reversed_url


class Kind(models.TextChoices):
    DOCS = "docs", "Official docs"
    COURSE = "course", "Course"
    INTERACTIVE = "interactive", "Interactive"
    BOOK = "book", "Book"
    VIDEO = "video", "Video"
    ARTICLE = "article", "Article"
    TOOL = "tool", "Tool"
    REPO = "repo", "Open-source repo"
    PODCAST = "podcast", "Podcast"
    # Last, so the tie-breaking order of the kinds above (kind_rank) stays as it was.
    TUTORIAL = "tutorial", "Tutorial"
    # A learning platform: courses or exercises by many authors (Udemy, Coursera, LeetCode); its home page is
    # the resource.
    PLATFORM = "platform", "Learning platform"


# Kinds in which the learner does the work: they count as hands-on.
HANDS_ON = frozenset({Kind.INTERACTIVE, Kind.COURSE, Kind.TUTORIAL})


class Cost(models.TextChoices):
    FREE = "free", "Free"
    FREEMIUM = "freemium", "Freemium"
    PAID = "paid", "Paid"


class Level(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


def _choice_order(field: str, choices) -> models.Case:
    """A choice field's value as its index in the declared choices, for ordering by that declaration."""
    return models.Case(
        *(models.When(**{field: value}, then=index) for index, value in enumerate(choices.values)),
        output_field=models.IntegerField(),
    )


# How many ratings' worth of weight the curator's order carries in a resource's score: with few ratings the
# score stays near the curated prior, so a handful of 5-star votes does not overturn the curator's order.
RATING_PRIOR_WEIGHT = 10
# A Start here stays first until at least this many ratings average below CLEARLY_WORSE stars.
START_HERE_RATINGS = 5
CLEARLY_WORSE = 3.0


def curated_prior(position):
    """What a resource is worth before anyone rated it, from its place in the curator's order (0 first):
    4 stars for the first, 3.6 for the second, 3 for the fifth, tending to 2 far down the list.
    `position` is an expression (prior_of: the same in Python)."""
    return models.ExpressionWrapper(
        2.0 + 8.0 / (position + 4.0),
        output_field=models.FloatField(),
    )


def prior_of(position: int) -> float:
    """curated_prior of one position, in Python."""
    return 2.0 + 8.0 / (position + 4.0)


def blended_score(*, prior, rating_sum, rating_count):
    """(W × prior + sum of stars) ÷ (W + number of ratings): the curator's order while ratings are few, the
    ratings' own average as they accumulate."""
    weight = models.Value(float(RATING_PRIOR_WEIGHT), output_field=models.FloatField())
    return models.ExpressionWrapper(
        (weight * prior + rating_sum) / (weight + rating_count), output_field=models.FloatField()
    )


def start_here_pinned(stack_context: str = "", stack: str = "stack"):
    """1 for a Start here (`is_start_here`) whose ratings are not clearly worse (at least START_HERE_RATINGS
    of them, `rating_count`, averaging below CLEARLY_WORSE stars, `rating_average`), else 0. On a stack's
    page (`stack_context`), a Start here of another stack (the field `stack`) is not pinned: it goes with
    the other stacks' resources (stack_group)."""
    clearly_worse = Q(rating_count__gte=START_HERE_RATINGS, rating_average__lt=CLEARLY_WORSE)
    fits = Q(**{f"{stack}__in": [stack_context, Stack.INDEPENDENT]}) if stack_context else Q()
    return models.Case(
        models.When(Q(is_start_here=True) & ~clearly_worse & fits, then=1),
        default=0,
        output_field=models.IntegerField(),
    )


def stack_group(stack_context: str, stack: str = "stack"):
    """Which group of a topic page a resource is listed in, first 0: with a stack context (the track the
    topic is walked in teaches `stack_context`), that stack's resources, then the stack-independent ones,
    then other stacks'; without one, the stack-independent ones, then the stack-specific ones. `stack` is
    the resource's field."""
    if stack_context:
        groups = [
            models.When(**{stack: stack_context}, then=0),
            models.When(**{stack: Stack.INDEPENDENT}, then=1),
        ]
    else:
        groups = [models.When(**{stack: Stack.INDEPENDENT}, then=0)]
    return models.Case(*groups, default=len(groups), output_field=models.IntegerField())


# After every curated place: resources that no topic lists (ordering only; never stored).
UNPLACED = PARKING_OFFSET


def rank_in_topic(resources, *, stack_context: str = "", prior_mean: float) -> list:
    """One topic's resources (with `curated_position`, `is_start_here`, `rating_count`, `rating_sum`,
    `rating_average`: learning.catalogue.topic_sql) best first, as ResourceQuerySet.ranked orders them for
    that topic and stack context, in Python: the same blend (blended_score of curated_prior), the same
    pinning (start_here_pinned) and grouping (stack_group), the same keys (BEST_FIRST). A topic's resources
    each have their own place in it, so the keys after the place never decide."""
    kinds, levels = Kind.values, Level.values
    stack_fits = {stack_context, Stack.INDEPENDENT} if stack_context else None

    def key(resource):
        position = resource.curated_position
        prior = prior_mean if position == UNPLACED else prior_of(position)
        score = (RATING_PRIOR_WEIGHT * prior + resource.rating_sum) / (
            RATING_PRIOR_WEIGHT + resource.rating_count
        )
        worse = resource.rating_count >= START_HERE_RATINGS and resource.rating_average < CLEARLY_WORSE
        pinned = resource.is_start_here and not worse and (stack_fits is None or resource.stack in stack_fits)
        if stack_context:
            group = 0 if resource.stack == stack_context else 1 if resource.stack == Stack.INDEPENDENT else 2
        else:
            group = 0 if resource.stack == Stack.INDEPENDENT else 1
        return (
            -pinned,
            group,
            -score,
            -resource.is_start_here,
            position,
            kinds.index(resource.kind) if resource.kind in kinds else len(kinds),
            levels.index(resource.level) if resource.level in levels else len(levels),
            resource.title,
            resource.pk,
        )

    return sorted(resources, key=key)


class ResourceQuerySet(PublishedQuerySet["Resource"]):
    def with_stats(self):
        """rating_count, rating_sum, rating_average (None when unrated) and bookmark_count, as subqueries, so
        they neither multiply each other's rows nor need a GROUP BY, and filters on them stay simple. Ratings
        a moderator hid don't count."""
        # The community's and progress's models, by relation: related_model is typed only as type[Model].
        rating = self.model.ratings.rel.related_model.objects.counted()  # type: ignore[attr-defined]
        bookmark = self.model.bookmarks.rel.related_model.objects  # type: ignore[attr-defined]
        return self.annotate(
            rating_count=count_of(rating, "resource"),
            rating_sum=sum_of(rating, "resource", "stars"),
            bookmark_count=count_of(bookmark, "resource"),
        ).annotate(
            rating_average=models.ExpressionWrapper(
                models.F("rating_sum") * 1.0 / NullIf(models.F("rating_count"), 0),
                output_field=models.FloatField(),
            )
        )

    def ranked(self, *, prior_mean: float, topic_slug: str | None = None, stack_context: str = ""):
        """Best first (BEST_FIRST): see with_score."""
        return self.with_score(
            prior_mean=prior_mean, topic_slug=topic_slug, stack_context=stack_context
        ).order_by(*BEST_FIRST)

    def with_score(self, *, prior_mean: float, topic_slug: str | None = None, stack_context: str = ""):
        """`score`: the curator's order blended with the ratings (blended_score), and BEST_FIRST's other keys.

        Within one topic (`topic_slug`), the prior comes from the resource's position in that topic, its
        Start here is `pinned` first, and `stack_group` puts the resources of the page's stack
        (`stack_context`, "" for none) before the others (see stack_group and start_here_pinned).
        Elsewhere (/resources/, a tag's page) the prior comes from the resource's best position across its
        topics, nothing is pinned or grouped, and being some topic's Start here breaks ties. A resource no
        topic lists starts from the site mean (`prior_mean`), as before."""
        links = TopicResource.objects.filter(resource=models.OuterRef("pk"))
        if topic_slug is not None:
            links = links.filter(topic__slug=topic_slug)
        best_position = links.order_by().values("resource").annotate(best=models.Min("position"))
        queryset = self.with_stats().annotate(
            curated_position=Coalesce(models.Subquery(best_position.values("best")), models.Value(UNPLACED)),
            is_start_here=models.Exists(links.filter(is_start_here=True)),
            kind_rank=_choice_order("kind", Kind),
            level_rank=_choice_order("level", Level),
        )
        prior = models.Case(
            models.When(curated_position=UNPLACED, then=models.Value(float(prior_mean))),
            default=curated_prior(models.F("curated_position")),
            output_field=models.FloatField(),
        )
        on_topic = topic_slug is not None
        return queryset.annotate(
            score=blended_score(
                prior=prior, rating_sum=models.F("rating_sum"), rating_count=models.F("rating_count")
            ),
            pinned=start_here_pinned(stack_context) if on_topic else models.Value(0),
            stack_group=stack_group(stack_context) if on_topic else models.Value(0),
        )


# Pinned Start here, then the page's stack group, then the blended score; ties: Start here, the curated
# place, official docs first, beginner up, title.
BEST_FIRST = (
    "-pinned",
    "stack_group",
    "-score",
    "-is_start_here",
    "curated_position",
    "kind_rank",
    "level_rank",
    "title",
    "pk",
)


class Resource(CuratedText):
    """A link stored once (unique normalised http/https URL), attached to the topics it teaches."""

    text_fields = ("description",)

    Kind = Kind
    Cost = Cost
    Level = Level

    url = models.URLField("URL", max_length=500, unique=True, help_text="Stored normalised; http or https.")
    title = models.CharField(max_length=200)
    author = models.CharField(max_length=120, blank=True, help_text="Person or organisation behind it.")
    description = models.TextField(blank=True, help_text="Why it is worth a learner's time. Plain text.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    cost = models.CharField(max_length=10, choices=Cost.choices, default=Cost.FREE)
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.BEGINNER)
    stack = stack_field(
        "The stack it is specific to (Django's docs: Python); blank when every stack can use it (HTTP, SQL)."
    )
    estimated_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Roughly how long it takes to work through, in minutes."
    )
    replaces = models.JSONField(
        default=list, blank=True, editable=False, help_text="Old URLs this resource took over (`replaces`)."
    )
    is_published = models.BooleanField("published", default=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="resources", through="TopicResource")
    tags = TaggableManager(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Link health, written by `manage.py check_links`, never by a form.
    link_checked_at = models.DateTimeField("link checked", null=True, blank=True, editable=False)
    link_status = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False, help_text="HTTP status of the last check, after redirects."
    )
    link_error = models.CharField(
        max_length=200, blank=True, editable=False, help_text="Why the last check failed without a status."
    )
    link_final_url = models.URLField(
        "final URL", max_length=2000, blank=True, editable=False, help_text="Where the redirects ended."
    )
    link_failures = models.PositiveIntegerField(
        default=0, editable=False, help_text="Consecutive failed checks; 0 when the last one succeeded."
    )

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="resource_url_http_or_https",
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="resource_kind_valid"),
            models.CheckConstraint(condition=Q(cost__in=Cost.values), name="resource_cost_valid"),
            models.CheckConstraint(condition=Q(level__in=Level.values), name="resource_level_valid"),
            models.CheckConstraint(condition=Q(stack__in=Stack.values), name="resource_stack_valid"),
            models.CheckConstraint(
                condition=Q(estimated_minutes__isnull=True) | Q(estimated_minutes__gt=0),
                name="resource_estimated_minutes_positive",
            ),
            models.CheckConstraint(
                condition=Q(link_status__isnull=True) | Q(link_status__gte=100, link_status__lte=599),
                name="resource_link_status_http",
            ),
        ]
        indexes = [models.Index(fields=["link_failures"], name="resource_link_failures")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.url = normalize_url(self.url)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reversed_url("learning:resource_detail", pk=self.pk)

    def clean_fields(self, exclude=None):
        if not exclude or "url" not in exclude:
            try:
                self.url = normalize_url(self.url)
            except UnsupportedURL as error:
                raise ValidationError({"url": str(error)}) from error
        super().clean_fields(exclude=exclude)

    @property
    def is_hands_on(self) -> bool:
        return self.kind in HANDS_ON

    @property
    def link_is_broken(self) -> bool:
        return self.link_failures > 0

    @property
    def host(self):
        return self.url.split("/")[2]


class TopicResourceQuerySet(CuratedQuerySet):
    def ranked(self, *, stack_context: str = ""):
        """Each topic's links in the order of its page (ResourceQuerySet.ranked with that topic) opened with
        the stack context `stack_context` (a track's stack): the same blend of the link's curated place and
        its resource's counted ratings, Start here pinned, the context's stack first."""
        rating = Resource.ratings.rel.related_model.objects.counted()  # type: ignore[attr-defined]
        per_link = "resource__topic_links"  # a link's resource's ratings, by the link's pk
        return (
            self.annotate(
                rating_count=count_of(rating, per_link),
                rating_sum=sum_of(rating, per_link, "stars"),
            )
            .annotate(
                rating_average=models.ExpressionWrapper(
                    models.F("rating_sum") * 1.0 / NullIf(models.F("rating_count"), 0),
                    output_field=models.FloatField(),
                )
            )
            .annotate(
                score=blended_score(
                    prior=curated_prior(models.F("position")),
                    rating_sum=models.F("rating_sum"),
                    rating_count=models.F("rating_count"),
                ),
                pinned=start_here_pinned(stack_context, stack="resource__stack"),
                stack_group=stack_group(stack_context, stack="resource__stack"),
            )
            .order_by("topic", "-pinned", "stack_group", "-score", "position")
        )

    def bulk_create(self, objs, *args, **kwargs):
        """Rows without a position (`resource.topics.add(topic)` makes them) go at the end of their topic."""
        objs = list(objs)
        place_last([obj for obj in objs if obj.position is None])
        return super().bulk_create(objs, *args, **kwargs)


def place_last(links: list) -> None:
    """Gives each link without a position the next free one at the end of its topic: one query."""
    if not links:
        return
    topic_ids = {link.topic_id for link in links}
    following = dict(
        TopicResource.objects.filter(topic_id__in=topic_ids, position__lt=PARKING_OFFSET)
        .order_by()
        .values("topic_id")
        .annotate(top=models.Max("position") + 1)
        .values_list("topic_id", "top")
    )
    for link in links:
        link.position = following.get(link.topic_id, 0)
        following[link.topic_id] = link.position + 1


class TopicResource(models.Model):
    """A resource teaching a topic: its place in the curator's order of the topic, and whether it is the
    topic's Start here (at most one per topic)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="resource_links")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="topic_links")
    position = models.PositiveIntegerField(
        validators=position_validators,
        blank=True,
        help_text="The curator's order within the topic, 0 first. Left blank, the resource goes last.",
    )
    is_start_here = models.BooleanField(
        "start here", default=False, help_text="The first resource to open on this topic; one per topic."
    )

    objects = TopicResourceQuerySet.as_manager()

    class Meta:
        # The table Django made for the plain many-to-many before positions existed; its rows are these.
        db_table = "learning_resource_topics"
        ordering = ["topic", "position"]
        verbose_name = "resource of a topic"
        verbose_name_plural = "resources of topics"
        constraints = [
            models.UniqueConstraint(fields=["topic", "resource"], name="topicresource_once_per_topic"),
            models.UniqueConstraint(fields=["topic", "position"], name="topicresource_unique_position"),
            models.UniqueConstraint(
                fields=["topic"], condition=Q(is_start_here=True), name="topicresource_one_start_here"
            ),
        ]

    def __str__(self):
        return f"{self.resource} in {self.topic}" if self.topic_id and self.resource_id else "New resource"

    def save(self, *args, **kwargs):
        if self.position is None:
            place_last([self])
        super().save(*args, **kwargs)
