"""What the content loader tells the other rooms when curated rows take over old ones (`replaces`).

The catalogue knows nothing of learners' rows; the rooms that keep them (progress, community) listen to
these signals (connected in learning.signals) and move their rows over, inside the load's transaction.
Each receiver gets `old` (the row being replaced) and `new` (the row, or for a topic the list of rows,
taking over); the loader deletes `old` afterwards when nothing else holds on to it.
"""

from django.dispatch import Signal

# old: Topic, new: list[Topic] (a split names the old topic in several). Progress is carried to each.
topic_replaced = Signal()
# old: Resource, new: Resource, both stored: bookmarks and ratings move to `new`.
resource_replaced = Signal()
# old: Milestone, new: Milestone of the same track, both stored: "built" marks move to `new`.
milestone_replaced = Signal()
