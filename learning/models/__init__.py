from learning.models.catalogue import Cost, Kind, Level, Milestone, Resource, Stage, Step, Topic, Track

__all__ = ["Cost", "Kind", "Level", "Milestone", "Resource", "Stage", "Step", "Topic", "Track"]
