"""Downloads: a track as a Markdown checklist, with the learner's ticks when logged in."""

from django.http import HttpResponse
from django.views.decorators.cache import cache_control

from learning import exports
from learning.progress import learner_state


@cache_control(private=True)
def track_markdown(request, slug):
    track = exports.track_for_export(request.user, slug)
    document = exports.track_markdown(
        track,
        state=learner_state(request.user),
        absolute=request.build_absolute_uri,
        with_progress=request.user.is_authenticated,
    )
    response = HttpResponse(document, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{track.slug}.md"'
    return response
