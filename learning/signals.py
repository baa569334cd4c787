"""Moves the cache version tokens (plumbing.cache_tokens) whenever a row that pages show changes.

Saves and deletes arrive here as signals, whether they come from the admin, the content loader, services
or a cascade. Bulk writes (`update()`, `bulk_create()`, `bulk_update()`) send no signal: the models'
querysets (plumbing.token_querysets) move the tokens for those themselves.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag, TaggedItem

from learning.catalogue.content import replacements
from learning.community import services as community_services
from learning.models import (  # the app's wiring sits above every room
    Activity,
    Bookmark,
    ChecklistItem,
    DigestSent,
    Milestone,
    MilestoneCompletion,
    ProjectFeedback,
    ProjectFlag,
    ProjectSubmission,
    ProjectVote,
    Rating,
    ReadyCheck,
    ReadyCheckTick,
    Resource,
    ResourceSuggestion,
    ReviewFlag,
    Stage,
    Step,
    Topic,
    TopicNote,
    TopicProgress,
    TopicResource,
    TopicReview,
    Track,
    TrackChange,
    TrackFollow,
    TrackGoal,
)
from learning.progress import services as progress_services
from plumbing import cache_tokens

CATALOGUE_MODELS = (
    Track,
    TrackChange,
    Stage,
    Step,
    Milestone,
    ChecklistItem,
    Topic,
    ReadyCheck,
    Resource,
    TopicResource,
    Tag,
    TaggedItem,
)
# Rating and Bookmark rows also show to visitors (averages, rankings, reviews, bookmark counts).
LEARNER_MODELS = (
    Rating,
    Bookmark,
    TopicProgress,
    TopicNote,
    TopicReview,
    ReadyCheckTick,
    Activity,
    MilestoneCompletion,
    TrackFollow,
    TrackGoal,
    DigestSent,
    ResourceSuggestion,
    ReviewFlag,
    ProjectSubmission,
    ProjectVote,
    ProjectFeedback,
    ProjectFlag,
)


def catalogue_changed(sender, **kwargs):
    cache_tokens.bump(cache_tokens.CATALOGUE)


def learner_row_changed(sender, instance, created=True, **kwargs):
    names = [cache_tokens.learner(instance.user_id)]
    # A bookmark counts for visitors when it comes or goes; its note is private. A rating shows whole.
    # Learners' projects, their votes and feedback show on milestone pages (to visitors: how many there are).
    if sender in (Rating, ProjectSubmission, ProjectVote, ProjectFeedback) or (
        sender is Bookmark and created
    ):
        names.append(cache_tokens.STATS)
    if sender is ProjectFeedback:  # it shows on the dashboard of the project's author
        author = ProjectSubmission.objects.filter(pk=instance.submission_id).values_list("user_id", flat=True)
        names.extend(cache_tokens.learner(user_id) for user_id in author)
    cache_tokens.bump(*names)


def user_changed(sender, instance, update_fields=None, **kwargs):
    names = [cache_tokens.learner(instance.pk)]
    # The handle shows next to the learner's reviews on public pages; a login only saves last_login.
    if update_fields is None or "username" in update_fields:
        names.append(cache_tokens.STATS)
    cache_tokens.bump(*names)


def topic_replaced(sender, old, new, **kwargs):
    progress_services.carry_topic_progress(old=old, new=new)
    progress_services.carry_topic_notes(old=old, new=new)
    community_services.move_topic_suggestions(old=old, new=new)


def resource_replaced(sender, old, new, **kwargs):
    progress_services.move_bookmarks(old=old, new=new)
    community_services.move_ratings(old=old, new=new)


def milestone_replaced(sender, old, new, **kwargs):
    progress_services.move_completions(old=old, new=new)


def _on_save_and_delete(receiver, model, label: str) -> None:
    post_save.connect(receiver, sender=model, dispatch_uid=f"{label}-save-{model.__name__}")
    post_delete.connect(receiver, sender=model, dispatch_uid=f"{label}-delete-{model.__name__}")


def connect():
    for model in CATALOGUE_MODELS:
        _on_save_and_delete(catalogue_changed, model, "catalogue")
    # Resource.topics goes through TopicResource, whose saves and deletes are above; add(), set() and
    # remove() on the relation still send only m2m_changed.
    for through in (Milestone.topics.through, TopicResource):
        m2m_changed.connect(catalogue_changed, sender=through, dispatch_uid=f"m2m-{through.__name__}")
    for model in LEARNER_MODELS:
        _on_save_and_delete(learner_row_changed, model, "learner")
    post_save.connect(user_changed, sender=get_user_model(), dispatch_uid="learner-user-save")
    # The content loader's `replaces`: learners' rows follow the curated rows that take over.
    replacements.topic_replaced.connect(topic_replaced, dispatch_uid="replaced-topic")
    replacements.resource_replaced.connect(resource_replaced, dispatch_uid="replaced-resource")
    replacements.milestone_replaced.connect(milestone_replaced, dispatch_uid="replaced-milestone")
