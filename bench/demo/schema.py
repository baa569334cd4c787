"""What the generator takes from the site: the models through `learning.models` and the cache tokens
through `plumbing.cache_tokens`. The only module of the generator that imports the learning app."""

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
from plumbing import cache_tokens

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
    "cache_tokens",
]
