"""Reordering rows whose position is unique within their parent.

A unique (parent, position) constraint refuses a swap done one row at a time. Rows that are about to
move are first parked far above any real position, then saved at their new place.
"""

from django.core.validators import MaxValueValidator
from django.db.models import F

PARKING_OFFSET = 1_000_000
# Real positions stay below the parking area, so a parked row never collides with a placed one.
MAX_POSITION = PARKING_OFFSET - 1
position_validators = [MaxValueValidator(MAX_POSITION)]


def park(queryset) -> None:
    """Moves the rows' positions out of the way of every real position."""
    queryset.filter(position__lt=PARKING_OFFSET).update(position=F("position") + PARKING_OFFSET)
