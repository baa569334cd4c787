"""Curation in the Django admin. Each module registers its models:

- catalogue: tracks → stages → steps and milestones; topics; resources
- link_health: the broken-link filter and actions on resources (check_links writes the data)
- ordering, history: move buttons on ordered inlines; change history in words
- health: the content-health page, /admin/learning/health/
- moderation: learners' resource suggestions (accept, reject with a reason); reviews and their reports
  (hide, restore)
"""

from learning.admin import catalogue, health, history, link_health, moderation, ordering

__all__ = ["catalogue", "health", "history", "link_health", "moderation", "ordering"]
