from django.utils.functional import SimpleLazyObject

from learning import versions


def catalogue_version(request):
    """`catalogue_version` for `{% cache %}` fragments of curated content: read once per request, and only
    when a template uses it (the page cache has usually read it already)."""
    return {"catalogue_version": SimpleLazyObject(lambda: versions.current(request, versions.CATALOGUE))}
