from learning.models.catalogue import Cost, Kind, Level, Milestone, Resource, Stage, Step, Topic, Track
from learning.models.curation import ResourceSuggestion, ReviewFlag
from learning.models.learner import Bookmark, MilestoneCompletion, Rating, TopicProgress, TrackFollow

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
]
