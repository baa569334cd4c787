"""A topic's "You're ready when" checks: curated rows (admin inline, content files), shown on the topic page,
ticked by a learner in one form; ticks are private, count as the day's activity, and leave with the account."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from learning.models import Activity, ReadyCheck, ReadyCheckTick
from learning.progress import services
from tests.factories import TopicFactory, TopicProgressFactory, UserFactory
from tests.learning.test_admin import inline

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic():
    topic = TopicFactory(title="Git", slug="git")
    for position, text in enumerate(
        ["You can `git rebase` a branch", "You can resolve a conflict", "You can bisect"]
    ):
        ReadyCheck.objects.create(topic=topic, position=position, text=text)
    return topic


def ready_url(topic):
    return reverse("learning:topic_ready", args=[topic.slug])


def ids(topic, *positions):
    return [topic.ready_checks.get(position=position).pk for position in positions]


def ticked(user, topic=None):
    ticks = ReadyCheckTick.objects.filter(user=user)
    if topic is not None:
        ticks = ticks.filter(ready_check__topic=topic)
    return sorted(ticks.values_list("ready_check__position", flat=True))


def ready_section(html):
    found = re.search(r'<section class="section ready-checks" id="ready".*?</section>', html, re.S)
    assert found, "no ready section"
    return found.group(0)


def checked_values(section):
    return sorted(int(value) for value in re.findall(r'value="(\d+)" checked', section))


def test_a_visitor_reads_the_checks_after_the_guide_and_is_asked_to_log_in(client, topic):
    html = client.get(topic.get_absolute_url()).content.decode()
    section = ready_section(html)
    assert html.index('aria-label="Guide"') < html.index('id="ready"')
    assert "<li>You can <code>git rebase</code> a branch</li>" in section  # inline code, as in the guide
    assert 'type="checkbox"' not in section
    assert "Log in to tick them off" in section
    assert f"?next=/topics/{topic.slug}/%23ready" in section


def test_a_topic_without_checks_shows_no_section(client):
    assert 'id="ready"' not in client.get(TopicFactory().get_absolute_url()).content.decode()


def test_a_learner_ticks_checks_in_one_form_and_sees_them_ticked(client, learner, topic):
    client.force_login(learner)
    section = ready_section(client.get(topic.get_absolute_url()).content.decode())
    assert section.count('type="checkbox" name="check"') == 3
    assert checked_values(section) == []
    assert "0 of 3 ticked." in section

    response = client.post(ready_url(topic), {"check": ids(topic, 0, 2)})
    assert response.status_code == 302
    assert response["Location"] == f"{topic.get_absolute_url()}#ready"
    assert ticked(learner) == [0, 2]

    section = ready_section(client.get(response["Location"]).content.decode())
    assert checked_values(section) == ids(topic, 0, 2)
    assert "2 of 3 ticked." in section
    assert "Saved: 2 of 3 ticked." in section  # said inside the section the redirect returns to
    assert "mark the topic done" not in section


def test_saving_replaces_the_ticks_and_an_empty_form_clears_them(client, learner, topic):
    client.force_login(learner)
    client.post(ready_url(topic), {"check": ids(topic, 0, 1)})
    client.post(ready_url(topic), {"check": ids(topic, 1, 2)})
    assert ticked(learner) == [1, 2]
    client.post(ready_url(topic), {})
    assert ticked(learner) == []


def test_all_ticked_and_not_done_suggests_marking_the_topic_done(client, learner, topic):
    client.force_login(learner)
    client.post(ready_url(topic), {"check": ids(topic, 0, 1, 2)})
    section = ready_section(client.get(topic.get_absolute_url()).content.decode())
    assert "3 of 3 ticked." in section
    assert '<a href="#topic-status">mark the topic done</a>' in section
    TopicProgressFactory(user=learner, topic=topic, status="done", completed_at=datetime.now(UTC))
    section = ready_section(client.get(topic.get_absolute_url()).content.decode())
    assert "3 of 3 ticked." in section
    assert "mark the topic done" not in section


def test_ticks_are_private_to_the_learner(client, learner, topic):
    services.set_ready_ticks(user=learner, topic=topic, check_ids=set(ids(topic, 0, 1, 2)))
    client.force_login(UserFactory())
    section = ready_section(client.get(topic.get_absolute_url()).content.decode())
    assert checked_values(section) == []
    assert "0 of 3 ticked." in section
    client.logout()
    assert "checked" not in ready_section(client.get(topic.get_absolute_url()).content.decode())


@pytest.mark.parametrize(
    ("given", "said"),
    [
        (["999999"], "999999 is not one of this topic"),
        (["nope"], "“nope” is not a check."),
    ],
)
def test_unknown_ids_are_refused_with_a_message_and_nothing_stored(client, learner, topic, given, said):
    client.force_login(learner)
    services.set_ready_ticks(user=learner, topic=topic, check_ids=set(ids(topic, 0)))
    response = client.post(ready_url(topic), {"check": [*ids(topic, 1), *given]})
    assert response.status_code == 400
    assert said in response.content.decode()
    assert ticked(learner) == [0]  # as it was


def test_a_check_of_another_topic_is_refused_and_nothing_stored(client, learner, topic):
    other = TopicFactory()
    foreign = ReadyCheck.objects.create(topic=other, position=0, text="Elsewhere")
    client.force_login(learner)
    response = client.post(ready_url(topic), {"check": [*ids(topic, 0), foreign.pk]})
    assert response.status_code == 400
    assert "is not one of this topic" in response.content.decode()
    assert not ReadyCheckTick.objects.exists()
    assert not Activity.objects.exists()


def test_a_visitor_is_sent_to_log_in_and_nothing_is_stored(client, topic):
    response = client.post(ready_url(topic), {"check": ids(topic, 0)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not ReadyCheckTick.objects.exists()


def test_get_is_not_allowed(client, learner, topic):
    client.force_login(learner)
    assert client.get(ready_url(topic)).status_code == 405


def test_an_unpublished_or_unknown_topic_is_not_found(client, learner, topic):
    client.force_login(learner)
    topic.is_published = False
    topic.save()
    assert client.post(ready_url(topic), {"check": ids(topic, 0)}).status_code == 404
    assert client.post(reverse("learning:topic_ready", args=["nothing"]), {}).status_code == 404
    assert not ReadyCheckTick.objects.exists()


def test_ticking_counts_as_the_days_self_check_and_unticking_the_same_day_takes_it_back(learner, topic):
    services.set_topic_status(user=learner, topic=topic, status="learning")
    services.set_ready_ticks(user=learner, topic=topic, check_ids=set(ids(topic, 0)))
    services.set_ready_ticks(user=learner, topic=topic, check_ids=set(ids(topic, 0, 1)))  # once a day
    assert sorted(Activity.objects.values_list("kind", flat=True)) == ["learning", "self_check"]
    services.set_ready_ticks(user=learner, topic=topic, check_ids=set(ids(topic, 0)))
    assert Activity.objects.filter(kind="self_check").exists()  # one of today's ticks is still there
    services.set_ready_ticks(user=learner, topic=topic, check_ids=set())
    # The self-check is taken back; the topic's status change of the day stands.
    assert list(Activity.objects.values_list("kind", flat=True)) == ["learning"]


def test_unticking_a_check_of_an_earlier_day_leaves_that_day_and_counts_nothing_today(learner, topic):
    with time_machine.travel(datetime(2026, 11, 30, 12, tzinfo=UTC), tick=False):
        services.set_ready_ticks(user=learner, topic=topic, check_ids=set(ids(topic, 0)))
    with time_machine.travel(datetime(2026, 12, 2, 12, tzinfo=UTC), tick=False):
        services.set_ready_ticks(user=learner, topic=topic, check_ids=set())
    assert list(Activity.objects.values_list("kind", "day")) == [("self_check", date(2026, 11, 30))]


def test_the_database_keeps_one_tick_per_learner_and_check(learner, topic):
    [check] = topic.ready_checks.filter(position=0)
    ReadyCheckTick.objects.create(user=learner, ready_check=check)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadyCheckTick.objects.create(user=learner, ready_check=check)


def test_a_curator_edits_the_checks_in_the_topic_admin(curator_client, topic):
    first, second, third = topic.ready_checks.order_by("position")
    data = {
        "title": topic.title,
        "slug": topic.slug,
        "summary": topic.summary,
        "body": topic.body,
        "tags": "",
        "is_published": "on",
        **inline(
            "ready_checks",
            [
                {"id": first.pk, "topic": topic.pk, "position": 1, "text": first.text},
                {"id": second.pk, "topic": topic.pk, "position": 0, "text": "You can resolve any conflict"},
                {"id": third.pk, "topic": topic.pk, "position": 2, "text": third.text, "DELETE": True},
                {"topic": topic.pk, "position": "", "text": "You can explain `reflog`"},
            ],
            initial=3,
        ),
        **inline("resource_links", []),
        "_save": "Save",
    }
    response = curator_client.post(reverse("admin:learning_topic_change", args=[topic.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(topic.ready_checks.order_by("position").values_list("text", flat=True)) == [
        "You can resolve any conflict",
        "You can `git rebase` a branch",
        "You can explain `reflog`",
    ]
    page = curator_client.get(reverse("admin:learning_topic_change", args=[topic.pk])).content.decode()
    assert "ready when” checks (2–6 short statements" in page


def test_the_topic_page_shows_a_curators_change_at_once(client, topic):
    client.get(topic.get_absolute_url())  # rendered and memoised
    ReadyCheck.objects.filter(topic=topic, position=2).update(text="You can find a bad commit with bisect")
    assert "You can find a bad commit with bisect" in client.get(topic.get_absolute_url()).content.decode()
