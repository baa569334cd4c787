from learning.models.catalogue import Cost, Kind, Level, Milestone, Resource, Stage, Step, Topic, Track
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
    "Stage",
    "Step",
    "Topic",
    "TopicProgress",
    "Track",
    "TrackFollow",
]
