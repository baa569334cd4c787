"""Curation in the Django admin. Each module registers its models:

- catalogue: tracks → stages → steps and milestones; topics; resources
- link_health: the broken-link filter and actions on resources (check_links writes the data)
"""

from learning.admin import catalogue, link_health

__all__ = ["catalogue", "link_health"]
