"""Public profiles (opt-in), their settings page and the embeddable SVG progress cards, through real URLs."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from learning.models import Milestone
from learning.progress import services
from tests.batches import read_together
from tests.factories import (
    ActivityFactory,
    BookmarkFactory,
    ProjectSubmissionFactory,
    RatingFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
    UserFactory,
)
from tests.learning.conftest import build_track

pytestmark = pytest.mark.django_db

User = get_user_model()
SETTINGS_URL = "/me/profile/"
SVG = "{http://www.w3.org/2000/svg}"
SECRET_EMAIL = "ada.secret@example.org"


def profile_url(handle):
    return f"/u/{handle}/"


def card_url(handle, slug):
    return f"/u/{handle}/{slug}.svg"


@pytest.fixture
def ada(db):
    return UserFactory(username="ada_l", email=SECRET_EMAIL, profile_is_public=True)


@pytest.fixture
def ada_client(ada):
    client = Client()
    client.force_login(ada)
    return client


def check_off(user, track, *, done=(), skipped=(), milestones=()):
    """Marks the track's steps at these indexes done or skipped, and its milestones at these indexes built."""
    steps = list(track.steps.select_related("topic").order_by("stage__position", "position"))
    built = list(
        Milestone.objects.filter(stage__track=track)
        .select_related("stage__track")
        .order_by("stage__position", "position")
    )
    for index in done:
        services.set_topic_status(user=user, topic=steps[index].topic, status="done")
    for index in skipped:
        services.set_topic_status(user=user, topic=steps[index].topic, status="skipped")
    for index in milestones:
        services.set_milestone_done(user=user, milestone=built[index], done=True)


# ---------- Opt-in ----------


def test_profile_is_private_by_default_for_a_new_user(client, curator_client):
    newcomer = UserFactory(username="newcomer")
    assert newcomer.profile_is_public is False
    other = Client()
    other.force_login(UserFactory())
    for viewer in (client, other, curator_client):
        assert viewer.get(profile_url("newcomer")).status_code == 404


def test_private_inactive_and_unknown_profiles_answer_the_same_404(client):
    UserFactory(username="private-one")
    UserFactory(username="gone-one", profile_is_public=True, is_active=False)
    handles = ("private-one", "gone-one", "nobody-here")
    responses = [client.get(profile_url(handle)) for handle in handles]
    assert [response.status_code for response in responses] == [404, 404, 404]
    # The same page but for the address itself (the log-in link carries it as ?next=).
    pages = {
        response.content.decode().replace(handle, "HANDLE")
        for response, handle in zip(responses, handles, strict=True)
    }
    assert len(pages) == 1


def test_turning_the_profile_on_in_settings_shows_it_to_visitors(client, learner):
    learner_client = Client()
    learner_client.force_login(learner)
    response = learner_client.post(SETTINGS_URL, {"username": "grace-h", "profile_is_public": "on"})
    assert response.status_code == 302
    assert response.url == SETTINGS_URL
    learner.refresh_from_db()
    assert (learner.username, learner.profile_is_public) == ("grace-h", True)
    assert "Your profile is public at /u/grace-h/" in learner_client.get(SETTINGS_URL).content.decode()
    page = client.get(profile_url("grace-h"))
    assert page.status_code == 200
    assert '<h1 class="profile-head__handle">grace-h</h1>' in page.content.decode()
    assert '<meta name="robots" content="noindex">' in page.content.decode()


def test_turning_the_profile_off_hides_it_and_its_cards_again(client, ada, ada_client):
    track = build_track(2)
    assert client.get(profile_url("ada_l")).status_code == 200
    response = ada_client.post(SETTINGS_URL, {"username": "ada_l"})  # an unticked box is not sent
    assert response.status_code == 302
    assert client.get(profile_url("ada_l")).status_code == 404
    assert client.get(card_url("ada_l", track.slug)).status_code == 404


def test_owner_sees_their_private_profile_with_a_banner(client, learner):
    client.force_login(learner)
    response = client.get(profile_url(learner.username))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only you can see this" in html
    assert f'href="{SETTINGS_URL}"' in html
    client.logout()
    assert client.get(profile_url(learner.username)).status_code == 404


def test_a_public_profile_has_no_private_banner(client, ada):
    assert "Only you can see this" not in client.get(profile_url("ada_l")).content.decode()


def test_handles_are_found_ignoring_case_and_redirect_to_their_spelling(client, ada):
    response = client.get(profile_url("ADA_L"))
    assert response.status_code == 301
    assert response.url == profile_url("ada_l")
    UserFactory(username="Quiet-One")
    assert client.get(profile_url("quiet-one")).status_code == 404


# ---------- What the profile shows ----------


def test_profile_shows_followed_and_progressing_tracks_counts_and_recent_topics(client, ada):
    followed = build_track(4, slug="followed")
    services.follow_track(user=ada, track=followed)
    check_off(ada, followed, done=[0, 1], skipped=[2], milestones=[0])
    shared = TrackFactory(title="Shared only", slug="shared-only")
    StepFactory(stage__track=shared, topic=followed.steps.order_by("stage__position", "position")[0].topic)
    StepFactory(stage__track=shared, topic=TopicFactory())
    TrackFactory(title="Untouched track", slug="untouched")
    hidden = TopicFactory(title="Unpublished topic", is_published=False)
    services.set_topic_status(user=ada, topic=hidden, status="done")

    response = client.get(profile_url("ada_l"))
    html = response.content.decode()
    following = [
        (track.slug, progress.done, progress.total, progress.percent)
        for track, progress, _ in response.context["following"]
    ]
    also = [
        (track.slug, progress.done, progress.total)
        for track, progress in response.context["also_progressing"]
    ]
    # Followed: 4 steps - 1 skipped + 2 milestones = 5; done: 2 topics + 1 milestone.
    assert following == [("followed", 3, 5, 60)]
    assert also == [("shared-only", 1, 2)]
    assert "Shared only" in html
    assert "Untouched track" not in html
    assert "2 of 3 topics · 1 of 2 milestones · 1 skipped" in html
    assert "60%" in html
    # Topics done counts every done topic, as on the dashboard; only published ones are listed.
    stats = {"Tracks followed": 1, "Topics done": 3, "Milestones built": 1}
    for label, value in stats.items():
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html
    steps = list(followed.steps.select_related("topic").order_by("stage__position", "position"))
    recent = {item.topic.title for item in response.context["recently_done"]}
    assert recent == {steps[0].topic.title, steps[1].topic.title}
    assert "Unpublished topic" not in html
    assert ada.date_joined.strftime("%B %Y") in html


def test_profile_and_card_never_show_email_bookmarks_notes_or_reviews(client, ada):
    track = build_track(2)
    services.follow_track(user=ada, track=track)
    topic = track.steps.first().topic
    services.set_topic_status(user=ada, topic=topic, status="done")
    bookmarked = topic.resources.first()
    BookmarkFactory(user=ada, resource=bookmarked, note=f"Private note, mail me at {SECRET_EMAIL}")
    RatingFactory(user=ada, resource=topic.resources.last(), stars=2, review=f"Review by {SECRET_EMAIL}")

    for url in (profile_url("ada_l"), card_url("ada_l", track.slug)):
        body = client.get(url).content.decode()
        assert "ada_l" in body
        assert SECRET_EMAIL not in body
        assert "ada.secret" not in body
        assert "Private note" not in body
        assert "Review by" not in body
        assert bookmarked.title not in body


# ---------- Settings ----------


def test_settings_page_shows_the_form_and_what_becomes_public(client, learner):
    client.force_login(learner)
    response = client.get(SETTINGS_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{learner.username}"' in html
    assert 'name="profile_is_public"' in html
    assert "checked" not in html.split('name="profile_is_public"')[1].split(">")[0]
    assert "What a public profile shows" in html
    assert "Never shown:" in html
    assert "your email address" in html
    assert f"http://testserver/u/{learner.username}/" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_dashboard_links_to_profile_settings(client, learner):
    client.force_login(learner)
    html = client.get(reverse("learning:dashboard")).content.decode()
    assert f'href="{SETTINGS_URL}"' in html
    assert f'href="{profile_url(learner.username)}"' not in html
    learner.profile_is_public = True
    learner.save()
    assert (
        f'href="{profile_url(learner.username)}"'
        in client.get(reverse("learning:dashboard")).content.decode()
    )


@pytest.mark.parametrize("method", ["get", "post"])
def test_visitors_are_sent_to_log_in_and_nothing_is_stored(client, learner, method):
    before = list(User.objects.values_list("username", "profile_is_public"))
    response = getattr(client, method)(
        SETTINGS_URL, {"username": "visitor-made", "profile_is_public": "on", "pk": learner.pk}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert list(User.objects.values_list("username", "profile_is_public")) == before


def test_settings_only_ever_edit_the_logged_in_user(client, learner):
    other = UserFactory(username="other-one")
    client.force_login(learner)
    response = client.post(
        SETTINGS_URL,
        {"username": "mine-now", "profile_is_public": "on", "user": other.pk, "pk": other.pk, "id": other.pk},
    )
    assert response.status_code == 302
    other.refresh_from_db()
    learner.refresh_from_db()
    assert (other.username, other.profile_is_public) == ("other-one", False)
    assert (learner.username, learner.profile_is_public) == ("mine-now", True)


def test_a_learner_may_change_the_case_of_their_own_handle(client):
    user = UserFactory(username="ada")
    client.force_login(user)
    assert client.post(SETTINGS_URL, {"username": "Ada"}).status_code == 302
    user.refresh_from_db()
    assert user.username == "Ada"


BAD_HANDLES = {
    "taken": ("grace", "That handle is taken"),
    "taken in another case": ("GRACE", "That handle is taken"),
    "too short": ("ab", "at least 3 characters"),
    "spaces": ("ada lovelace", "no spaces"),
    "markup": ("<script>", "Use only letters"),
    "ten kilobytes": ("a" * 10_000, "at most 30 characters"),
    "empty": ("", "Choose a handle"),
    "dots": ("ada.l", "Use only letters"),
}


@pytest.mark.parametrize("case", BAD_HANDLES)
def test_a_bad_handle_re_renders_the_form_with_400_and_stores_nothing(client, learner, case):
    handle, message = BAD_HANDLES[case]
    UserFactory(username="grace")
    before = (learner.username, learner.profile_is_public)
    client.force_login(learner)
    response = client.post(SETTINGS_URL, {"username": handle, "profile_is_public": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="field__errors"' in html
    assert 'aria-invalid="true"' in html
    assert "<script>" not in html.replace('<script src="', "")
    learner.refresh_from_db()
    assert (learner.username, learner.profile_is_public) == before


def test_the_database_refuses_two_handles_that_differ_only_in_case():
    UserFactory(username="Linus")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="linus")


def test_a_handle_taken_between_the_check_and_the_save_is_refused_cleanly(learner, monkeypatch):
    UserFactory(username="Taken-Late")
    monkeypatch.setattr(account_services, "check_handle", lambda handle, *, user: None)
    with pytest.raises(ValidationError, match="That handle is taken"):
        account_services.update_public_profile(
            user=learner, handle="taken-late", is_public=True, streak_is_public=True
        )
    learner.refresh_from_db()
    assert learner.username != "taken-late"


# ---------- Streaks, if the learner chooses ----------


def active_on(user, *days):
    for day in days:
        ActivityFactory(user=user, day=day, subject="topic:0")


def past_days(count, *, before=0):
    today = timezone.now().date()
    return [today - timedelta(days=before + 1 + back) for back in range(count)]


def test_the_streak_is_off_by_default_and_shows_nowhere_public(client, ada):
    assert ada.streak_is_public is False
    today = timezone.now().date()
    active_on(ada, today, today - timedelta(days=1))
    track = build_track(2)
    html = client.get(profile_url("ada_l")).content.decode()
    assert "streak" not in html.lower()
    card = client.get(card_url("ada_l", track.slug)).content.decode()
    assert "streak" not in card.lower()


def test_opting_in_shows_current_and_longest_streak_on_profile_and_card(client, ada, ada_client):
    today = timezone.now().date()  # ada's days are UTC's, and so is the test's clock
    active_on(ada, today, today - timedelta(days=1), today - timedelta(days=10), today - timedelta(days=11))
    active_on(ada, today - timedelta(days=12))
    response = ada_client.post(
        SETTINGS_URL, {"username": "ada_l", "profile_is_public": "on", "streak_is_public": "on"}
    )
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.streak_is_public is True
    html = client.get(profile_url("ada_l")).content.decode()
    assert "<dt>Current streak</dt><dd>2 days</dd>" in html
    assert "<dt>Longest streak</dt><dd>3 days</dd>" in html
    track = build_track(2)
    root = parse_card(client.get(card_url("ada_l", track.slug)))
    text = " ".join("".join(element.itertext()) for element in root.iter(f"{SVG}text"))
    assert "ada_l · 2-day streak" in text
    assert "current streak 2 days" in root.find(f"{SVG}title").text


def test_a_private_profile_keeps_its_streak_from_visitors(client, ada, ada_client):
    active_on(ada, timezone.now().date())
    ada_client.post(SETTINGS_URL, {"username": "ada_l", "streak_is_public": "on"})
    ada.refresh_from_db()
    assert (ada.profile_is_public, ada.streak_is_public) == (False, True)
    assert client.get(profile_url("ada_l")).status_code == 404
    assert "<dt>Current streak</dt><dd>1 day</dd>" in ada_client.get(profile_url("ada_l")).content.decode()


def test_the_settings_page_offers_the_streak_switch_unticked(learner):
    client = Client()
    client.force_login(learner)
    html = client.get(SETTINGS_URL).content.decode()
    field = html.split('name="streak_is_public"')[1].split(">")[0]
    assert "checked" not in field


# ---------- Progress cards ----------


def parse_card(response):
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 (our own response, in a test)


def test_card_shows_title_handle_counts_and_percent_as_an_svg_image(client, ada):
    track = build_track(4)
    check_off(ada, track, done=[0], skipped=[1], milestones=[1])
    response = client.get(card_url("ada_l", track.slug))
    root = parse_card(response)
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == ("400", "120")
    text = " ".join("".join(element.itertext()) for element in root.iter(f"{SVG}text"))
    # 4 steps - 1 skipped + 2 milestones = 5; done: 1 topic + 1 milestone.
    assert "Backend developer" in text
    assert "ada_l" in text
    assert "1 of 3 topics · 1 of 2 milestones · 1 skipped" in text
    assert "40%" in text
    assert "Roadmap" in text
    bar = [rect for rect in root.iter(f"{SVG}rect") if rect.get("y") == "71"]
    assert [rect.get("width") for rect in bar] == ["352", str(round(352 * 2 / 5))]
    assert not list(root.iter(f"{SVG}script"))


def test_card_escapes_the_track_title(client, ada):
    title = "C<b> & \"quotes\" 'single'"
    TrackFactory(title=title, slug="tricky")
    response = client.get(card_url("ada_l", "tricky"))
    root = parse_card(response)
    assert b"<b>" not in response.content
    assert root.find(f"{SVG}title").text.startswith(f"ada_l on {title}: 0 of 0 topics (0%)")
    assert title in "".join(root.find(f".//{SVG}text").itertext())


@pytest.mark.parametrize(
    ("handle", "slug"),
    [
        ("private-one", "backend"),
        ("nobody-here", "backend"),
        ("gone-one", "backend"),
        ("ada_l", "no-such-track"),
        ("ada_l", "draft"),
    ],
    ids=["private profile", "unknown user", "inactive user", "unknown track", "unpublished track"],
)
def test_card_is_404_unless_profile_and_track_are_public(client, ada, handle, slug):
    build_track(2)
    TrackFactory(slug="draft", is_published=False)
    UserFactory(username="private-one")
    UserFactory(username="gone-one", profile_is_public=True, is_active=False)
    assert client.get(card_url(handle, slug)).status_code == 404


def test_a_private_owner_cannot_load_their_own_card(learner):
    track = build_track(2)
    client = Client()
    client.force_login(learner)
    assert client.get(card_url(learner.username, track.slug)).status_code == 404


def test_profile_offers_each_card_with_copyable_snippets(client, ada):
    track = build_track(2)
    track.title = "Rust [fast] & safe"
    track.save()
    services.follow_track(user=ada, track=track)
    html = client.get(profile_url("ada_l")).content.decode()
    card = f"http://testserver/u/ada_l/{track.slug}.svg"
    profile = "http://testserver/u/ada_l/"
    assert f'<img class="embed__preview" src="{card}"' in html
    markdown = f"[![Progress of ada\\_l on Rust \\[fast\\] &amp; safe]({card})]({profile})"
    assert markdown in html
    image = f"&lt;img src=&quot;{card}&quot; alt=&quot;Progress of ada_l on Rust [fast] &amp;amp; safe&quot;"
    assert f"&lt;a href=&quot;{profile}&quot;&gt;{image}" in html
    assert html.count("readonly") == 2


def test_a_private_profile_shows_no_embed_snippets_to_its_owner(learner):
    track = build_track(2)
    services.follow_track(user=learner, track=track)
    client = Client()
    client.force_login(learner)
    html = client.get(profile_url(learner.username)).content.decode()
    assert track.title in html
    assert "embed__preview" not in html
    assert "once your profile is public" in html


# ---------- Query counts ----------


def grow(user):
    """More tracks, topics, check-offs and milestones for `user`."""
    for index in range(3):
        track = build_track(12, slug=f"more-{index}", resources_per_topic=1)
        services.follow_track(user=user, track=track)
        check_off(user, track, done=range(0, 12, 2), skipped=[1], milestones=[0, 1])


# The queries of a profile or progress card rendered cold (no cached user, page or figure), by (page, viewer);
# the same for one followed track with one check-off and for four with many.
PROFILE_QUERIES = {
    # A learner's statuses, milestones and followed tracks in one query (learner_record); +1: their latest done
    # topics (the two read together: one query on PostgreSQL); +1: their shared projects (portfolio).
    ("profile", "visitor"): 6 + read_together(2),
    ("profile", "owner"): 8 + read_together(2),
    ("card", "visitor"): 5,
    ("card", "owner"): 5,
}


@pytest.mark.parametrize("streak", [False, True], ids=["no-streak", "streak-shown"])
@pytest.mark.parametrize("viewer", ["visitor", "owner"])
@pytest.mark.parametrize("page", ["profile", "card"])
def test_profile_and_card_queries_do_not_grow_with_the_data(client, ada, cold_get, viewer, page, streak):
    if viewer == "owner":
        client.force_login(ada)
    if streak:
        User.objects.filter(pk=ada.pk).update(streak_is_public=True)
        active_on(ada, *past_days(3))
    queries = PROFILE_QUERIES[page, viewer] + (1 if streak else 0)  # the learner's active days
    small = build_track(2, slug="small", resources_per_topic=1)
    services.follow_track(user=ada, track=small)
    check_off(ada, small, done=[0])
    cold_get(client, profile_url("ada_l") if page == "profile" else card_url("ada_l", "small"), queries)
    grow(ada)
    if streak:
        active_on(ada, *past_days(30, before=5))
    for milestone in Milestone.objects.all()[:4]:
        ProjectSubmissionFactory(user=ada, milestone=milestone)
    large_url = profile_url("ada_l") if page == "profile" else card_url("ada_l", "more-2")
    response = cold_get(client, large_url, queries)
    if page == "profile":
        assert len(response.context["following"]) == 4
