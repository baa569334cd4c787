"""The reminder settings on /me/profile/: the weekly digest (opt-in, its weekday), the calendar feed (on, a
new link, off), and the digest's unsubscribe link, which works without logging in (RFC 8058's one-click
POST included) and never on a GET."""

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts import reminders
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SETTINGS = reverse("accounts:profile_settings")
DIGEST = reverse("accounts:digest")
CALENDAR = reverse("accounts:calendar")


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def unsubscribe_url(user):
    return reverse("accounts:digest_unsubscribe", args=[reminders.unsubscribe_token(user)])


class TestDigestSetting:
    def test_the_digest_is_off_by_default_and_the_page_offers_it(self, logged_in_client, verified_user):
        assert verified_user.digest_is_on is False
        html = logged_in_client.get(SETTINGS).content.decode()
        assert 'id="digest"' in html
        assert f'action="{DIGEST}"' in html
        assert 'name="digest_is_on"' in html
        assert '<option value="0" selected>Monday</option>' in html

    def test_a_learner_turns_it_on_for_a_weekday(self, logged_in_client, verified_user):
        response = logged_in_client.post(DIGEST, {"digest_is_on": "on", "digest_weekday": "4"})
        assert response.status_code == 302
        assert response["Location"] == f"{SETTINGS}#digest"
        user = fresh(verified_user)
        assert (user.digest_is_on, user.digest_weekday) == (True, 4)
        html = logged_in_client.get(response["Location"]).content.decode()
        assert "Saved. Your weekly digest comes on Fridays, UTC time." in html
        assert '<option value="4" selected>Friday</option>' in html

    def test_turning_it_off(self, logged_in_client, verified_user):
        reminders.update_digest(user=verified_user, is_on=True, weekday=2)
        logged_in_client.post(DIGEST, {"digest_weekday": "2"})
        assert fresh(verified_user).digest_is_on is False

    @pytest.mark.parametrize("weekday", ["7", "-1", "Friday", ""])
    def test_a_bad_weekday_is_refused_and_nothing_stored(self, logged_in_client, verified_user, weekday):
        response = logged_in_client.post(DIGEST, {"digest_is_on": "on", "digest_weekday": weekday})
        assert response.status_code == 400
        assert fresh(verified_user).digest_is_on is False
        html = response.content.decode()
        assert "Pick a day of the week from the list." in html or "This field is required." in html

    def test_a_visitor_is_sent_to_log_in_and_nothing_is_stored(self, client, verified_user):
        response = client.post(DIGEST, {"digest_is_on": "on", "digest_weekday": "1"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert fresh(verified_user).digest_is_on is False

    @pytest.mark.parametrize("url", [DIGEST, CALENDAR])
    def test_a_get_on_an_action_is_405(self, logged_in_client, url):
        assert logged_in_client.get(url).status_code == 405

    def test_the_post_changes_only_the_learners_own_setting(self, logged_in_client, verified_user):
        other = UserFactory()
        logged_in_client.post(DIGEST, {"digest_is_on": "on", "digest_weekday": "3", "user": other.pk})
        assert fresh(other).digest_is_on is False
        assert fresh(verified_user).digest_is_on is True

    def test_the_dashboard_links_to_the_settings(self, logged_in_client, verified_user):
        html = logged_in_client.get(reverse("learning:dashboard")).content.decode()
        assert f'href="{SETTINGS}#digest">digest settings</a>' in html
        assert f'href="{SETTINGS}#calendar">study calendar</a>' in html
        reminders.update_digest(user=verified_user, is_on=True, weekday=6)
        reminders.new_calendar_token(user=verified_user)
        html = logged_in_client.get(reverse("learning:dashboard")).content.decode()
        assert "Your weekly digest comes by email on Sundays" in html
        assert "study calendar (on)</a>" in html


class TestUnsubscribe:
    def test_a_get_asks_and_changes_nothing(self, client, verified_user):
        reminders.update_digest(user=verified_user, is_on=True, weekday=0)
        response = client.get(unsubscribe_url(verified_user))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Unsubscribe from the weekly digest" in html
        assert '<button class="button button--primary" type="submit">Unsubscribe</button>' in html
        assert fresh(verified_user).digest_is_on is True
        # It names the learner: never kept by a shared cache.
        assert "private" in response["Cache-Control"]
        assert "no-store" in response["Cache-Control"]

    def test_the_button_unsubscribes_without_logging_in(self, client, verified_user):
        reminders.update_digest(user=verified_user, is_on=True, weekday=3)
        response = client.post(unsubscribe_url(verified_user))
        assert response.status_code == 200
        assert "You're unsubscribed" in response.content.decode()
        user = fresh(verified_user)
        assert (user.digest_is_on, user.digest_weekday) == (False, 3)

    def test_a_mail_clients_one_click_post_works_without_a_csrf_token(self, verified_user):
        reminders.update_digest(user=verified_user, is_on=True, weekday=0)
        mail_client = Client(enforce_csrf_checks=True)
        response = mail_client.post(
            unsubscribe_url(verified_user),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
        assert fresh(verified_user).digest_is_on is False

    @pytest.mark.parametrize("tamper", ["signature", "user", "salt", "garbage"])
    def test_a_tampered_or_foreign_token_is_404_and_changes_nothing(self, client, verified_user, tamper):
        reminders.update_digest(user=verified_user, is_on=True, weekday=0)
        real = reminders.unsubscribe_token(verified_user)
        other = UserFactory()
        token = {
            "signature": real[:-1] + ("A" if real[-1] != "A" else "B"),
            "user": reminders.unsubscribe_token(other).split(":")[0] + real[real.index(":") :],
            "salt": signing.dumps(verified_user.pk, salt="another.salt"),
            "garbage": "not-a-token",
        }[tamper]
        for method in (client.get, client.post):
            response = method(reverse("accounts:digest_unsubscribe", args=[token]))
            assert response.status_code == 404
            assert "This unsubscribe link doesn" in response.content.decode()
        assert fresh(verified_user).digest_is_on is True

    def test_one_learners_token_changes_only_theirs(self, client, verified_user):
        other = UserFactory()
        for user in (verified_user, other):
            reminders.update_digest(user=user, is_on=True, weekday=0)
        token = reminders.unsubscribe_token(other)
        assert signing.loads(token, salt=reminders.UNSUBSCRIBE_SALT) == other.pk
        client.post(unsubscribe_url(other))
        assert (fresh(other).digest_is_on, fresh(verified_user).digest_is_on) == (False, True)

    def test_a_deleted_account_is_404(self, client, verified_user):
        url = unsubscribe_url(verified_user)
        verified_user.delete()
        assert client.post(url).status_code == 404

    def test_other_methods_are_refused(self, client, verified_user):
        assert client.put(unsubscribe_url(verified_user)).status_code == 405


class TestCalendarSetting:
    def test_turning_the_feed_on_shows_its_secret_address(self, logged_in_client, verified_user):
        assert 'value="on"' in logged_in_client.get(SETTINGS).content.decode()
        response = logged_in_client.post(CALENDAR, {"action": "on"})
        assert response["Location"] == f"{SETTINGS}#calendar"
        token = fresh(verified_user).calendar_token
        assert len(token) == 32
        html = logged_in_client.get(SETTINGS).content.decode()
        assert f"http://testserver/calendar/{token}.ics" in html
        assert "Your calendar feed is on." in html
        assert 'value="reset"' in html
        assert 'value="off"' in html

    def test_resetting_makes_a_new_token_and_turning_off_removes_it(self, logged_in_client, verified_user):
        logged_in_client.post(CALENDAR, {"action": "on"})
        first = fresh(verified_user).calendar_token
        logged_in_client.post(CALENDAR, {"action": "reset"})
        second = fresh(verified_user).calendar_token
        assert second
        assert second != first
        logged_in_client.post(CALENDAR, {"action": "off"})
        assert fresh(verified_user).calendar_token == ""
        assert "Your calendar feed is off" in logged_in_client.get(SETTINGS).content.decode()

    def test_a_bad_action_is_refused_and_nothing_stored(self, logged_in_client, verified_user):
        response = logged_in_client.post(CALENDAR, {"action": "share"})
        assert response.status_code == 400
        assert (
            "Choose to turn the calendar feed on, reset its link or turn it off." in response.content.decode()
        )
        assert fresh(verified_user).calendar_token == ""

    def test_a_visitor_is_sent_to_log_in_and_nothing_is_stored(self, client, verified_user):
        response = client.post(CALENDAR, {"action": "on"})
        assert response["Location"].startswith(reverse("account_login"))
        assert fresh(verified_user).calendar_token == ""

    def test_two_learners_never_share_a_token(self, db):
        tokens = {reminders.new_calendar_token(user=UserFactory()) for _ in range(5)}
        assert len(tokens) == 5


STUDY_TIME = reverse("accounts:study_time")


class TestStudyTime:
    def test_sessions_start_at_19_until_the_learner_picks_a_time(self, logged_in_client, verified_user):
        assert str(verified_user.study_starts_at) == "19:00:00"
        html = logged_in_client.get(SETTINGS).content.decode()
        assert f'action="{STUDY_TIME}"' in html
        assert '<option value="19:00" selected>19:00</option>' in html
        assert "from 19:00 your time" in html

    def test_a_learner_picks_a_time_and_the_page_says_it(self, logged_in_client, verified_user):
        response = logged_in_client.post(STUDY_TIME, {"study_starts_at": "06:30"})
        assert response.status_code == 302
        assert response["Location"] == f"{SETTINGS}#calendar"
        assert str(fresh(verified_user).study_starts_at) == "06:30:00"
        html = logged_in_client.get(SETTINGS).content.decode()
        assert "Your study sessions start at 06:30, UTC time." in html
        assert '<option value="06:30" selected>06:30</option>' in html
        assert "from 06:30 your time" in html

    @pytest.mark.parametrize("given", ["04:30", "19:15", "23:30", "7pm", "", "25:00"])
    def test_a_time_off_the_list_is_refused_and_nothing_stored(self, logged_in_client, verified_user, given):
        response = logged_in_client.post(STUDY_TIME, {"study_starts_at": given})
        assert response.status_code == 400
        html = response.content.decode()
        expected = "This field is required." if not given else "Pick a time from the list"
        assert expected in html
        assert str(fresh(verified_user).study_starts_at) == "19:00:00"

    def test_a_visitor_is_sent_to_log_in_and_nothing_is_stored(self, client, verified_user):
        response = client.post(STUDY_TIME, {"study_starts_at": "08:00"})
        assert response["Location"].startswith(reverse("account_login"))
        assert str(fresh(verified_user).study_starts_at) == "19:00:00"

    def test_only_the_learners_own_time_changes(self, logged_in_client, verified_user):
        other = UserFactory()
        logged_in_client.post(STUDY_TIME, {"study_starts_at": "08:00", "user": other.pk})
        assert str(fresh(other).study_starts_at) == "19:00:00"
        assert str(fresh(verified_user).study_starts_at) == "08:00:00"
