"""The benchmark's Django side, run by bench/run.py in the server's environment:

    python -m bench.prepare             # the heavy learner's session and the page targets' facts
    python -m bench.prepare mix OUT     # sessions for many learners and the mix scenario's data, into OUT
    python -m bench.prepare count       # how many rows the learners' check-offs have stored

Each prints what the runner needs as one JSON object on its last line. Learners are logged in by creating a
session in the session store the server uses (sessions cached in Redis in front of the database).
"""

import json
import random
import secrets
import string
import sys
from importlib import import_module
from pathlib import Path
from urllib.parse import urlencode

import django

CSRF_ALPHABET = string.ascii_letters + string.digits
SHUFFLE_SEED = 20260102  # which topics and resources are the hot ones: the same every run


def main(argv: list[str]):
    django.setup()
    match argv:
        case []:
            facts = heavy_learner()
        case ["mix", out, *rest]:
            learners = int(rest[0]) if rest else None
            facts = mix_data(Path(out), learners)
        case ["count"]:
            facts = counts()
        case _:
            raise SystemExit(__doc__)
    print(json.dumps(facts))


def login(user) -> str:
    """A new session of `user` in the server's session store; its key."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def heavy_learner() -> dict:
    """Logs the heavy demo learner in and picks the topic of the largest track with the most resources."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q

    from bench.demo import HEAVY_LEARNER_EMAIL, LARGEST_TRACK_SLUG
    from learning.models import Topic

    learner = get_user_model().objects.get(email=HEAVY_LEARNER_EMAIL)
    session_key = login(learner)
    topic = (
        Topic.objects.published()
        .filter(steps__track__slug=LARGEST_TRACK_SLUG)
        .annotate(resource_count=Count("resources", filter=Q(resources__is_published=True), distinct=True))
        .order_by("-resource_count", "slug")
        .first()
    )
    if topic is None:
        raise SystemExit(f"The largest demo track {LARGEST_TRACK_SLUG!r} has no published topic")
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session_key": session_key,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "learner_email": HEAVY_LEARNER_EMAIL,
        "track_slug": LARGEST_TRACK_SLUG,
        "topic_slug": topic.slug,
        "topic_resources": topic.resource_count,
    }


def mix_data(out: Path, learner_count: int | None) -> dict:
    """Logs in up to `learner_count` demo learners, spread evenly over all of them (the busiest first), and
    writes the mix scenario's data (bench.mix.MixData) as JSON into `out`; returns its sizes."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    from bench.demo import demo_users
    from bench.mix import DEFAULT_LEARNERS, MixData, MixLearner
    from learning.models import Resource, Step, Topic, TopicProgress, TrackFollow

    tracks = list(_published_tracks())
    track_index = {track.pk: index for index, track in enumerate(tracks)}
    topics = list(Topic.objects.published().order_by("slug").values_list("pk", "slug"))
    random.Random(SHUFFLE_SEED).shuffle(topics)  # noqa: S311 - the hot head: any topics, not the first slugs
    topic_index = {pk: index for index, (pk, _) in enumerate(topics)}
    track_topics: list[list[int]] = [[] for _ in tracks]
    steps = Step.objects.filter(track__in=tracks, topic_id__in=topic_index)
    for track_id, topic_id in steps.order_by("stage__position", "position").values_list("track", "topic"):
        track_topics[track_index[track_id]].append(topic_index[topic_id])
    resources = list(Resource.objects.published().order_by("pk").values_list("pk", flat=True))
    random.Random(SHUFFLE_SEED).shuffle(resources)  # noqa: S311 - not a secret

    users = list(demo_users().order_by("pk").values_list("pk", flat=True))
    count = min(len(users), learner_count or DEFAULT_LEARNERS)
    chosen = [users[number * len(users) // count] for number in range(count)]
    follows: dict[int, list[int]] = {}
    followed = TrackFollow.objects.filter(user__in=chosen, track__in=tracks).order_by("started_at", "pk")
    for user_id, track_id in followed.values_list("user", "track"):
        follows.setdefault(user_id, []).append(track_index[track_id])
    started: dict[int, set[int]] = {}
    for user_id, topic_id in TopicProgress.objects.filter(user__in=chosen).values_list("user", "topic"):
        started.setdefault(user_id, set()).add(topic_id)

    User = demo_users().model
    learners = []
    for user in User.objects.filter(pk__in=chosen).order_by("pk"):
        own = follows.get(user.pk) or [0]
        learners.append(
            MixLearner(
                session_key=login(user),
                csrf_token="".join(secrets.choice(CSRF_ALPHABET) for _ in range(32)),
                track=own[0],
                checkoffs=_not_started(
                    own, track_topics, {topic_index.get(t) for t in started.get(user.pk, ())}
                ),
            )
        )
    data = MixData(
        session_cookie=settings.SESSION_COOKIE_NAME,
        csrf_cookie=settings.CSRF_COOKIE_NAME,
        # The cookie the configured storage's first (cookie) storage sets: __Host-messages in production.
        messages_cookie=import_string(settings.MESSAGE_STORAGE).storage_classes[0].cookie_name,
        done_label=TopicProgress.Status.DONE.label,
        tracks=tuple(track.slug for track in tracks),
        track_topics=tuple(tuple(topics) for topics in track_topics),
        topics=tuple(slug for _, slug in topics),
        resources=tuple(resources),
        resource_lists=tuple(_resource_lists()),
        searches=tuple(f"/search/?{urlencode({'q': word})}" for word in _search_words()),
        learners=tuple(learners),
    )
    if problems := data.problems():
        raise SystemExit("The mix scenario cannot run on this data: " + "; ".join(problems))
    out.write_text(json.dumps(data.to_json()))
    return {
        "learners": len(data.learners),
        "tracks": len(data.tracks),
        "topics": len(data.topics),
        "resources": len(data.resources),
        "resource_lists": len(data.resource_lists),
        "searches": len(data.searches),
        "learners_checking_off": sum(1 for learner in data.learners if learner.checkoffs),
        "checkoffs_possible": sum(len(learner.checkoffs) for learner in data.learners),
    }


def _published_tracks():
    from learning.models import Track

    return Track.objects.published().order_by("position", "pk")


def _not_started(own: list[int], track_topics: list[list[int]], started: set) -> tuple[tuple[int, int], ...]:
    """(track, topic) pairs a learner may check off: the topics they haven't started, their own tracks' first,
    in step order, then the other tracks'; each topic once, at most CHECKOFFS_PER_LEARNER."""
    from bench.mix import CHECKOFFS_PER_LEARNER

    order = [*own, *(track for track in range(len(track_topics)) if track not in own)]
    pairs: dict[int, int] = {}
    for track in order:
        for topic in track_topics[track]:
            if topic not in started and topic not in pairs:
                pairs[topic] = track
    return tuple((track, topic) for topic, track in list(pairs.items())[:CHECKOFFS_PER_LEARNER])


def _resource_lists() -> list[str]:
    """Lists of resources as learners and visitors filter them: the plain list first, then by kind, by kind
    and level, by tag, sorted otherwise, further pages."""
    from bench.demo.words import TAG_NAMES
    from learning.models import Kind, Level

    queries: list[dict] = [{}]
    queries += [{"kind": kind} for kind in Kind.values]
    queries += [{"sort": "newest"}, {"sort": "bookmarked"}, {"page": 2}]
    queries += [{"tag": tag} for tag in TAG_NAMES[:10]]
    queries += [{"kind": kind, "level": level} for kind in Kind.values for level in Level.values]
    queries += [{"page": page} for page in (3, 4, 5)]
    return [f"/resources/?{urlencode(query)}" if query else "/resources/" for query in queries]


def _search_words() -> list[str]:
    from bench.demo.words import TAG_NAMES, TOPIC_AREAS

    return [*TAG_NAMES, *(area.lower() for area in TOPIC_AREAS)]


def counts() -> dict:
    from learning.models import TopicProgress, TrackFollow

    return {"progress_rows": TopicProgress.objects.count(), "follow_rows": TrackFollow.objects.count()}


if __name__ == "__main__":
    main(sys.argv[1:])
