from datetime import UTC, datetime, time

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from learning.community.models import (
    ProjectFeedback,
    ProjectSubmission,
    ProjectVote,
    ResourceSuggestion,
    ReviewFlag,
)
from learning.models import (
    Activity,
    Bookmark,
    Milestone,
    Rating,
    Resource,
    Stage,
    Step,
    Topic,
    TopicNote,
    TopicProgress,
    Track,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class StaffFactory(UserFactory):
    """Staff status only: it opens the admin, but grants no permission. Not a superuser."""

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True


class CuratorFactory(StaffFactory):
    """Staff in the Curator group that data migration learning/0007_curator_group made, with exactly the
    permissions the migration gave it (tests/learning/test_roles.py checks which)."""

    username = factory.Sequence(lambda n: f"curator{n}")

    @factory.post_generation
    def curator_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name="Curator"))


class SuperuserFactory(StaffFactory):
    """Every permission: only for what a superuser alone may do (users, groups, permissions)."""

    username = factory.Sequence(lambda n: f"admin{n}")
    is_superuser = True


class TaggedFactory(factory.django.DjangoModelFactory):
    """Accepts `tags=[...]` like the model's admin form does."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


class TrackFactory(TaggedFactory):
    class Meta:
        model = Track

    title = factory.Sequence(lambda n: f"Track {n}")
    slug = factory.Sequence(lambda n: f"track-{n}")
    summary = "A path to a goal."
    position = factory.Sequence(int)


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    track = factory.SubFactory(TrackFactory)
    title = factory.Sequence(lambda n: f"Stage {n}")
    slug = factory.Sequence(lambda n: f"stage-{n}")
    position = factory.Sequence(int)


class TopicFactory(TaggedFactory):
    class Meta:
        model = Topic

    title = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    summary = "One unit of knowledge."
    body = "### What to learn\n\n- one thing\n"


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    stage = factory.SubFactory(StageFactory)
    topic = factory.SubFactory(TopicFactory)
    position = factory.Sequence(int)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    stage = factory.SubFactory(StageFactory)
    title = factory.Sequence(lambda n: f"Build project {n}")
    slug = factory.Sequence(lambda n: f"milestone-{n}")
    position = factory.Sequence(int)


class ResourceFactory(TaggedFactory):
    class Meta:
        model = Resource

    url = factory.Sequence(lambda n: f"https://example.com/resource/{n}")
    title = factory.Sequence(lambda n: f"Resource {n}")
    kind = Resource.Kind.ARTICLE

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class TopicProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicProgress

    user = factory.SubFactory(UserFactory)
    topic = factory.SubFactory(TopicFactory)
    status = TopicProgress.Status.DONE
    completed_at = factory.LazyFunction(timezone.now)


class BookmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bookmark

    user = factory.SubFactory(UserFactory)
    resource = factory.SubFactory(ResourceFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    """One action on a day of the learner's (pass `day`; `at` is that day's noon in UTC)."""

    class Meta:
        model = Activity

    user = factory.SubFactory(UserFactory)
    kind = Activity.Kind.DONE
    subject = factory.Sequence(lambda n: f"topic:{n}")
    day = factory.LazyFunction(lambda: timezone.now().date())
    at = factory.LazyAttribute(lambda a: datetime.combine(a.day, time(12), tzinfo=UTC))


class TopicNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicNote

    user = factory.SubFactory(UserFactory)
    topic = factory.SubFactory(TopicFactory)
    text = factory.Sequence(lambda n: f"Note {n}: remember the **important** part.")


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    user = factory.SubFactory(UserFactory)
    resource = factory.SubFactory(ResourceFactory)
    stars = 4


class ResourceSuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceSuggestion

    user = factory.SubFactory(UserFactory)
    topic = factory.SubFactory(TopicFactory)
    url = factory.Sequence(lambda n: f"https://example.org/suggested/{n}")
    title = factory.Sequence(lambda n: f"Suggested resource {n}")
    kind = Resource.Kind.ARTICLE
    reason = "It explains the topic clearly, with exercises."


class ReviewFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewFlag

    user = factory.SubFactory(UserFactory)
    rating = factory.SubFactory(RatingFactory, review="A written review.")
    reason = ReviewFlag.Reason.SPAM


class ProjectSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectSubmission

    user = factory.SubFactory(UserFactory)
    milestone = factory.SubFactory(MilestoneFactory)
    repository_url = factory.Sequence(lambda n: f"https://github.com/learner/project-{n}")
    write_up = "It works."


class ProjectVoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectVote

    user = factory.SubFactory(UserFactory)
    submission = factory.SubFactory(ProjectSubmissionFactory)


class ProjectFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectFeedback

    user = factory.SubFactory(UserFactory)
    submission = factory.SubFactory(ProjectSubmissionFactory)
    text = "Nice tests."
