"""Every model of the app, for Django (which imports `learning.models` to find them) and for tests.

Code inside `learning` imports a model from its own room (`learning.catalogue.models`,
`learning.progress.models`, `learning.community.models`), never from here: this module sits above all rooms.
"""

from learning.catalogue.models import (
    ChecklistItem,
    Cost,
    Difficulty,
    Kind,
    Level,
    Milestone,
    ReadyCheck,
    Resource,
    Stack,
    Stage,
    Step,
    Topic,
    TopicResource,
    Track,
    TrackChange,
)
from learning.community.models import Rating, ResourceSuggestion, ReviewFlag
from learning.progress.models import (
    Activity,
    Bookmark,
    DigestSent,
    MilestoneCompletion,
    ReadyCheckTick,
    TopicNote,
    TopicProgress,
    TopicReview,
    TrackFollow,
    TrackGoal,
)

__all__ = [
    "Activity",
    "Bookmark",
    "ChecklistItem",
    "Cost",
    "Difficulty",
    "DigestSent",
    "Kind",
    "Level",
    "Milestone",
    "MilestoneCompletion",
    "Rating",
    "ReadyCheck",
    "ReadyCheckTick",
    "Resource",
    "ResourceSuggestion",
    "ReviewFlag",
    "Stack",
    "Stage",
    "Step",
    "Topic",
    "TopicNote",
    "TopicProgress",
    "TopicResource",
    "TopicReview",
    "Track",
    "TrackChange",
    "TrackFollow",
    "TrackGoal",
]
