"""Learners report reviews; moderators hide, restore or keep them in the admin. Hidden reviews neither show
nor count, checked through the real pages."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from learning.models import Rating, ReviewFlag
from tests.batches import read_together
from tests.factories import (
    RatingFactory,
    ResourceFactory,
    ReviewFlagFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

REVIEWS = reverse("admin:learning_rating_changelist")
FLAGS = reverse("admin:learning_reviewflag_changelist")


@pytest.fixture
def learner_client(learner):
    return client_of(learner)


@pytest.fixture
def review(db):
    return RatingFactory(
        stars=1, review="Buy cheap watches at spam.example", user=UserFactory(username="spammer")
    )


def flag_url(rating):
    return reverse("learning:flag_review", args=[rating.pk])


def report(client, rating, **data):
    return client.post(flag_url(rating), {"reason": "spam", "note": "", **data})


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


# ---------- Reporting ----------


def test_learners_see_a_report_control_on_others_reviews_only(client, learner, review):
    own = RatingFactory(user=learner, resource=review.resource, review="My own review")
    visitor_html = client.get(review.resource.get_absolute_url()).content.decode()
    assert "Send report" not in visitor_html
    html = client_of(learner).get(review.resource.get_absolute_url()).content.decode()
    assert f'action="{flag_url(review)}"' in html
    assert f'action="{flag_url(own)}"' not in html
    assert html.count('<details class="report"') == 1
    form = html[html.index('<form class="report__form"') :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]
    assert 'value="abuse"' in html
    assert f'id="id_report_{review.pk}_reason_0"' in html  # ids stay unique with several reviews


def test_element_ids_on_the_resource_page_stay_unique_with_several_report_forms(learner_client, review):
    RatingFactory(resource=review.resource, review="Another")
    html = learner_client.get(review.resource.get_absolute_url()).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert ids.count(f"id_report_{review.pk}_note") == 1
    assert sorted(ids) == sorted(set(ids))


def test_a_report_is_stored_and_the_learner_is_thanked(learner_client, learner, review):
    next_url = f"{review.resource.get_absolute_url()}?reviews=1#review-{review.pk}"
    response = report(learner_client, review, reason="abuse", note="  Insults the author. ", next=next_url)
    assert response.status_code == 302
    assert response.url == next_url
    flag = ReviewFlag.objects.get()
    assert (flag.user, flag.rating, flag.reason, flag.note, flag.resolved_at) == (
        learner,
        review,
        "abuse",
        "Insults the author.",
        None,
    )
    assert messages_of(response) == ["Thanks — a moderator will look at it."]


def test_reporting_my_own_review_is_refused(learner_client, learner):
    own = RatingFactory(user=learner, review="Mine")
    response = report(learner_client, own)
    assert response.status_code == 400
    assert "You can&#x27;t report your own review." in response.content.decode()
    assert not ReviewFlag.objects.exists()


def test_a_second_report_by_the_same_learner_is_refused(learner_client, learner, review):
    assert report(learner_client, review).status_code == 302
    response = report(learner_client, review, reason="abuse")
    assert response.status_code == 400
    assert "You already reported this review." in response.content.decode()
    assert ReviewFlag.objects.get().reason == "spam"


def test_another_learner_may_report_the_same_review(learner_client, review):
    ReviewFlagFactory(rating=review)
    assert report(learner_client, review).status_code == 302
    assert ReviewFlag.objects.filter(rating=review).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "boring"}, "Choose why you are reporting this review."),
        ({"reason": ""}, "Choose why you are reporting this review."),
        ({"reason": "spam", "note": "n" * 501}, "Keep it under 500 characters (it has 501)."),
    ],
)
def test_a_bad_reason_or_an_overlong_note_is_refused(learner_client, review, data, message):
    response = learner_client.post(flag_url(review), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReviewFlag.objects.exists()


def test_hidden_missing_stars_only_and_unpublished_reviews_answer_404(learner_client, db):
    hidden = RatingFactory(review="Hidden already", is_hidden=True)
    stars_only = RatingFactory(review="")
    unpublished = RatingFactory(review="On a draft", resource=ResourceFactory(is_published=False))
    for rating in (hidden, stars_only, unpublished):
        assert report(learner_client, rating).status_code == 404
    assert learner_client.post("/reviews/999999/flag/", {"reason": "spam"}).status_code == 404
    assert not ReviewFlag.objects.exists()


def test_a_report_is_always_the_senders_own(learner_client, learner, review):
    someone = UserFactory()
    report(learner_client, review, user=someone.pk, user_id=someone.pk)
    assert ReviewFlag.objects.get().user == learner


def test_a_visitor_is_sent_to_log_in_and_nothing_is_stored(client, review):
    response = report(client, review, next=review.resource.get_absolute_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert client.get(flag_url(review)).status_code == 405
    assert not ReviewFlag.objects.exists()


# ---------- Hidden reviews on the pages ----------


def hide(client, ratings, *, action="hide"):
    return client.post(REVIEWS, {"action": action, "_selected_action": [r.pk for r in ratings], "index": 0})


def test_hiding_removes_the_review_from_the_page_and_the_average(curator_client, client, review):
    resource = review.resource
    RatingFactory(resource=resource, stars=5, review="Genuinely useful")
    before = client.get(resource.get_absolute_url())
    assert (before.context["summary"].count, before.context["summary"].average) == (2, 3.0)
    assert "spam.example" in before.content.decode()
    hide(curator_client, [review])
    after = client.get(resource.get_absolute_url())
    assert (after.context["summary"].count, after.context["summary"].average) == (1, 5.0)
    assert [r.review for r in after.context["reviews"]] == ["Genuinely useful"]
    assert "spam.example" not in after.content.decode()


def test_the_author_is_told_a_moderator_hid_their_review(curator_client, review):
    page = client_of(review.user).get(review.resource.get_absolute_url()).content.decode()
    assert "A moderator hid your review" not in page
    hide(curator_client, [review])
    page = client_of(review.user).get(review.resource.get_absolute_url()).content.decode()
    assert "A moderator hid your review on" in page
    other = client_of(UserFactory()).get(review.resource.get_absolute_url()).content.decode()
    assert "A moderator hid" not in other


def test_hidden_ratings_leave_the_topic_ranking_and_the_rating_filter(curator_client, client):
    topic = TopicFactory()
    honest = ResourceFactory(title="Honest", kind="article", topics=[topic])  # curated first
    boosted = ResourceFactory(title="Boosted by fakes", kind="article", topics=[topic])
    fakes = [RatingFactory(resource=boosted, stars=5, review="Best ever!!!") for _ in range(10)]
    RatingFactory(resource=boosted, stars=2)
    for stars in (4, 4, 4):
        RatingFactory(resource=honest, stars=stars)
    list_url = reverse("learning:resource_list") + "?min_rating=4"

    def ranking():
        return [r.title for r in client.get(topic.get_absolute_url()).context["topic"].ranked_resources]

    def four_and_up():
        return {r.title for r in client.get(list_url).context["page"]}

    assert ranking() == ["Boosted by fakes", "Honest"]
    assert four_and_up() == {"Boosted by fakes", "Honest"}
    hide(curator_client, fakes)
    assert ranking() == ["Honest", "Boosted by fakes"]
    assert four_and_up() == {"Honest"}
    hide(curator_client, fakes, action="restore")
    assert ranking() == ["Boosted by fakes", "Honest"]


# ---------- The admin: reviews ----------


def test_the_reviews_list_puts_reported_ones_first_with_count_and_reasons(curator_client, review):
    quiet = RatingFactory(review="A calm review", user=UserFactory(email="calm@private.example"))
    ReviewFlagFactory(rating=review, reason="spam")
    ReviewFlagFactory(rating=review, reason="abuse")
    ReviewFlagFactory(rating=review, reason="spam", resolved_at="2026-01-01T00:00Z")  # resolved: not counted
    response = curator_client.get(REVIEWS)
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [r.pk for r in rows] == [review.pk, quiet.pk]
    assert rows[0].open_flag_total == 2
    html = response.content.decode()
    assert "2: Abusive, hateful or personal; Spam or advertising" in html
    assert "<h1>Reviews</h1>" in html
    assert quiet.user.username in html
    assert "calm@private.example" not in html


def test_the_reviews_list_filters_hidden_and_reported(curator_client, review):
    ReviewFlagFactory(rating=review)
    hidden = RatingFactory(review="Gone", is_hidden=True)
    plain = RatingFactory(review="Fine")

    def listed(params):
        return {r.pk for r in curator_client.get(REVIEWS, params).context["cl"].result_list}

    assert listed({"reports": "open"}) == {review.pk}
    assert listed({"reports": "none"}) == {hidden.pk, plain.pk}
    assert listed({"is_hidden__exact": "1"}) == {hidden.pk}


def test_hide_and_restore_set_the_state_resolve_reports_and_log(curator_client, review):
    flags = [ReviewFlagFactory(rating=review), ReviewFlagFactory(rating=review)]
    untouched = ReviewFlagFactory()
    response = hide(curator_client, [review])
    assert "Hid 1 review(s): 1 hidden, 2 open report(s) resolved." in messages_of(response)
    review.refresh_from_db()
    assert review.is_hidden
    assert review.moderated_at is not None
    assert all(flag.resolved_at for flag in ReviewFlag.objects.filter(pk__in=[f.pk for f in flags]))
    assert ReviewFlag.objects.get(pk=untouched.pk).resolved_at is None
    assert LogEntry.objects.filter(object_id=str(review.pk), change_message__startswith="Hid").exists()
    first_moderation = review.moderated_at
    hide(curator_client, [review], action="restore")
    review.refresh_from_db()
    assert not review.is_hidden
    assert review.moderated_at > first_moderation


def test_reviews_are_read_only_in_the_admin(curator_client, review):
    change = reverse("admin:learning_rating_change", args=[review.pk])
    page = curator_client.get(change)
    assert page.status_code == 200
    curator_client.post(change, {"stars": 5, "review": "Rewritten", "is_hidden": "on"})
    review.refresh_from_db()
    assert (review.stars, review.review, review.is_hidden) == (1, "Buy cheap watches at spam.example", False)


# ---------- The admin: reports ----------


def test_the_reports_list_puts_open_ones_first_and_links_the_review(curator_client, review):
    resolved = ReviewFlagFactory(resolved_at="2026-01-01T00:00Z", note="old")
    opened = ReviewFlagFactory(rating=review, note="Obvious spam <b>here</b>")
    response = curator_client.get(FLAGS)
    assert [f.pk for f in response.context["cl"].result_list] == [opened.pk, resolved.pk]
    html = response.content.decode()
    assert reverse("admin:learning_rating_change", args=[review.pk]) in html
    assert "spammer: Buy cheap watches" in html
    assert "Obvious spam &lt;b&gt;here&lt;/b&gt;" in html
    assert opened.user.email not in html
    open_only = curator_client.get(FLAGS, {"state": "open"}).context["cl"].result_list
    assert [f.pk for f in open_only] == [opened.pk]


def test_keeping_a_review_resolves_its_reports_without_hiding_it(curator_client, client, review):
    flag = ReviewFlagFactory(rating=review)
    other = ReviewFlagFactory(rating=review)
    response = curator_client.post(FLAGS, {"action": "keep", "_selected_action": [flag.pk], "index": 0})
    assert response.status_code == 302
    review.refresh_from_db()
    assert not review.is_hidden
    assert review.moderated_at is not None
    assert ReviewFlag.objects.filter(resolved_at__isnull=True).count() == 0  # both reports on it resolved
    assert other.pk in ReviewFlag.objects.filter(resolved_at__isnull=False).values_list("pk", flat=True)
    assert "spam.example" in client.get(review.resource.get_absolute_url()).content.decode()


def test_hiding_from_the_reports_list_hides_the_review(curator_client, client, review):
    flag = ReviewFlagFactory(rating=review)
    curator_client.post(FLAGS, {"action": "hide", "_selected_action": [flag.pk], "index": 0})
    review.refresh_from_db()
    assert review.is_hidden
    assert "spam.example" not in client.get(review.resource.get_absolute_url()).content.decode()


def test_a_curator_moderates_reviews(review):
    curator = UserFactory(is_staff=True)
    curator.groups.add(Group.objects.get(name="Curator"))
    ReviewFlagFactory(rating=review)
    client = client_of(curator)
    assert client.get(FLAGS).status_code == 200
    hide(client, [review])
    review.refresh_from_db()
    assert review.is_hidden


def test_staff_who_may_only_view_cannot_hide(review):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        *Group.objects.get(name="Curator").permissions.filter(codename__in=["view_rating", "view_reviewflag"])
    )
    client = client_of(viewer)
    flag = ReviewFlagFactory(rating=review)
    assert client.get(REVIEWS).status_code == 200
    hide(client, [review])
    client.post(FLAGS, {"action": "hide", "_selected_action": [flag.pk], "index": 0})
    review.refresh_from_db()
    assert not review.is_hidden
    assert ReviewFlag.objects.get().resolved_at is None


@pytest.mark.parametrize("url", [REVIEWS, FLAGS])
def test_a_learner_cannot_reach_the_moderation_admin(learner_client, review, url):
    response = learner_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    hide(learner_client, [review])
    review.refresh_from_db()
    assert not review.is_hidden


# ---------- Query counts ----------


# The resource page's queries with nothing cached, by viewer: the same with 2 reported reviews and with 17.
# The page's shared part is five statements read together (learning.community.resource_sql); a learner's own
# bits come after: their session and user, then their rating and bookmark, read together.
RESOURCE_PAGE_QUERIES = {
    "visitor": read_together(5),
    "learner": 2 + read_together(2) + read_together(5),
    "author of a hidden review": 2 + read_together(2) + read_together(5),
}


@pytest.mark.parametrize("viewer", RESOURCE_PAGE_QUERIES)
def test_resource_page_queries_do_not_grow_with_reviews_and_reports(client, cold_get, viewer):
    resource = ResourceFactory()
    author = UserFactory()
    RatingFactory(resource=resource, user=author, review="Hidden one", is_hidden=True)
    if viewer == "learner":
        client.force_login(UserFactory())
    elif viewer != "visitor":
        client.force_login(author)

    def add(count):
        for index in range(count):
            rating = RatingFactory(resource=resource, review=f"Review {index}")
            ReviewFlagFactory(rating=rating)
            ReviewFlagFactory(rating=rating, reason="abuse")

    add(2)
    cold_get(client, resource.get_absolute_url(), RESOURCE_PAGE_QUERIES[viewer])
    add(15)
    response = cold_get(client, resource.get_absolute_url(), RESOURCE_PAGE_QUERIES[viewer])
    assert len(response.context["reviews"]) == 10
    html = response.content.decode()
    assert html.count('<details class="report"') == (0 if viewer == "visitor" else 10)
    assert ("A moderator hid your review" in html) == (viewer == "author of a hidden review")


# Each moderation list's queries with nothing cached: the same with 2 reports and with 22.
MODERATION_LIST_QUERIES = {REVIEWS: 8, FLAGS: 7}


@pytest.mark.parametrize("page", MODERATION_LIST_QUERIES)
def test_moderation_lists_queries_do_not_grow(curator_client, cold_get, page):
    def add(count):
        for _ in range(count):
            ReviewFlagFactory(rating=RatingFactory(review="Reported"))
            ReviewFlagFactory(resolved_at="2026-01-01T00:00Z")

    add(2)
    cold_get(curator_client, page, MODERATION_LIST_QUERIES[page])
    add(20)
    response = cold_get(curator_client, page, MODERATION_LIST_QUERIES[page])
    assert len(response.context["cl"].result_list) == 44  # 22 rounds of two reports, each on its own review


def test_ratings_keep_their_moderation_when_the_author_edits(curator_client, review):
    hide(curator_client, [review])
    author = client_of(review.user)
    author.post(reverse("learning:rate", args=[review.resource.pk]), {"stars": "5", "review": "Edited"})
    assert Rating.objects.get(pk=review.pk).is_hidden
