"""The benchmark's Django side, run by bench/run.py in the server's environment: `python -m bench.prepare`.

Logs the heavy demo learner in by creating a session in the session store the server uses, picks the topic
of the largest track with the most resources, and prints what the runner needs as one JSON object.
"""

import json
from importlib import import_module

import django


def main():
    django.setup()

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.db.models import Count, Q

    from bench.demo import HEAVY_LEARNER_EMAIL, LARGEST_TRACK_SLUG
    from learning.models import Topic

    learner = get_user_model().objects.get(email=HEAVY_LEARNER_EMAIL)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = learner._meta.pk.value_to_string(learner)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = learner.get_session_auth_hash()
    session.create()

    topic = (
        Topic.objects.published()
        .filter(steps__track__slug=LARGEST_TRACK_SLUG)
        .annotate(resource_count=Count("resources", filter=Q(resources__is_published=True), distinct=True))
        .order_by("-resource_count", "slug")
        .first()
    )
    if topic is None:
        raise SystemExit(f"The largest demo track {LARGEST_TRACK_SLUG!r} has no published topic")
    facts = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session_key": session.session_key,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "learner_email": HEAVY_LEARNER_EMAIL,
        "track_slug": LARGEST_TRACK_SLUG,
        "topic_slug": topic.slug,
        "topic_resources": topic.resource_count,
    }
    print(json.dumps(facts))


if __name__ == "__main__":
    main()
