"""What the generator takes from the site: the models through `learning.models` and the cache version tokens
through `learning.versions`. The only module of the generator that imports the learning app."""

from learning import versions
from learning.models import (
    Bookmark,
    Cost,
    Kind,
    Level,
    Milestone,
    MilestoneCompletion,
    Rating,
    Resource,
    ResourceSuggestion,
    ReviewFlag,
    Stage,
    Step,
    Topic,
    TopicProgress,
    Track,
    TrackFollow,
)

__all__ = [
    "Bookmark",
    "Cost",
    "Kind",
    "Level",
    "Milestone",
    "MilestoneCompletion",
    "Rating",
    "Resource",
    "ResourceSuggestion",
    "ReviewFlag",
    "Stage",
    "Step",
    "Topic",
    "TopicProgress",
    "Track",
    "TrackFollow",
    "versions",
]
