"""The Django admin of the app: each room registers its own models when imported here.

- catalogue: tracks → stages → steps and milestones; topics; resources (move buttons, readable history,
  link health, content files)
- community: suggestions (accept, reject with a reason), reviews and their reports (hide, restore, keep),
  learners' projects, their feedback and the reports on both (feature, hide, restore, keep), and the
  content-health page, /admin/learning/health/
- progress: the weekly digests sent (read-only)
"""

from learning.catalogue.admin import catalogue
from learning.community.admin import health, projects, reviews, suggestions
from learning.progress import admin as progress

__all__ = ["catalogue", "health", "progress", "projects", "reviews", "suggestions"]
