"""Mail goes through the database queue: a request only stores it, the worker delivers it, retries with
backoff when SMTP fails, and gives up visibly. SMTP faults are real: a closed port, a server that never
answers, then a real SMTP server (aiosmtpd) that accepts."""

import base64
import time
from datetime import timedelta
from email.mime.text import MIMEText

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmation_sent
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bench.run import free_port
from tests.accounts.conftest import PASSWORD
from tests.factories import UserFactory
from tests.mail_queue import queued_mail, recipients_of, run_worker, silent_server, smtp_server, text_of

User = get_user_model()

NEW_PASSWORD = "a-sturdy-new-passphrase-42"


def sign_up(client, email):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


def wait_until(moment):
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()) + 0.05)


# ---------- A request never waits on SMTP ----------


def test_sign_up_with_smtp_refusing_redirects_and_queues_the_mail(client, database_queue):
    response = sign_up(client, "grace@example.com")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="grace@example.com").exists()
    [task] = queued_mail()
    assert task.status == "READY"
    assert recipients_of(task) == ["grace@example.com"]
    assert mail.outbox == []


def test_the_queued_verification_mail_arrives_once_smtp_accepts(client, database_queue):
    sign_up(client, "grace@example.com")

    with smtp_server() as (port, inbox):
        database_queue.EMAIL_PORT = port
        run_worker()

    [message] = inbox.messages
    assert message["To"] == "grace@example.com"
    assert message["Subject"].startswith("[Roadmap] ")
    link = next(word for word in text_of(message).split() if "/accounts/confirm-email/" in word)
    [task] = queued_mail()
    assert task.status == "SUCCESSFUL"
    # The link works: the address is confirmed and the learner can log in.
    confirm = client.post(link.removeprefix("http://testserver"))
    assert confirm.status_code == 302
    assert EmailAddress.objects.get(email="grace@example.com").verified


def test_password_reset_with_smtp_refusing_redirects_and_queues_the_mail(client, database_queue):
    user = UserFactory(email="ada@example.com")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)

    response = client.post(reverse("account_reset_password"), {"email": "ada@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    [task] = queued_mail()
    assert recipients_of(task) == ["ada@example.com"]
    assert "/accounts/password/reset/key/" in task.args_kwargs["kwargs"]["message"]["body"]


def test_sign_up_does_not_wait_for_a_silent_smtp_server(client, database_queue):
    database_queue.EMAIL_TIMEOUT = 10  # the production default: a synchronous send would hang this long
    with silent_server() as port:
        database_queue.EMAIL_PORT = port
        started = time.monotonic()
        response = sign_up(client, "grace@example.com")
        took = time.monotonic() - started

        assert response.status_code == 302
        assert took < 2, f"sign-up took {took:.1f} s"
        assert [task.status for task in queued_mail()] == ["READY"]

        # The worker waits for it instead, as long as EMAIL_TIMEOUT, and then tries again later.
        database_queue.EMAIL_TIMEOUT = 1
        run_worker()
    assert [task.status for task in queued_mail()] == ["FAILED", "READY"]


# ---------- Retries with backoff, then a visible failure ----------


def test_a_failed_attempt_is_retried_later_and_then_delivered(client, database_queue):
    sign_up(client, "grace@example.com")

    before = timezone.now()
    run_worker()  # nothing listens on EMAIL_PORT: connection refused

    first, second = queued_mail()
    assert first.status == "FAILED"
    assert first.exception_class_path == "plumbing.mail.MailDeferred"
    assert "Connection refused" in first.traceback
    assert second.status == "READY"
    assert second.args_kwargs["kwargs"]["attempt"] == 2
    assert second.run_after >= before + timedelta(seconds=1)  # MAIL_RETRY_DELAYS[0]

    with smtp_server() as (port, inbox):
        database_queue.EMAIL_PORT = port
        run_worker()
        assert inbox.messages == []  # not due yet: the backoff holds it
        wait_until(second.run_after)
        run_worker()

    [message] = inbox.messages
    assert message["To"] == "grace@example.com"
    assert "/accounts/confirm-email/" in text_of(message)
    assert [task.status for task in queued_mail()] == ["FAILED", "SUCCESSFUL"]


def test_after_the_last_attempt_the_mail_is_given_up_and_stays_failed(client, database_queue):
    database_queue.MAIL_RETRY_DELAYS = [0, 0]
    sign_up(client, "grace@example.com")

    run_worker()  # the batch runs the retries as they fall due: all three attempts

    tasks = queued_mail()
    assert [task.status for task in tasks] == ["FAILED", "FAILED", "FAILED"]
    assert [task.args_kwargs["kwargs"]["attempt"] for task in tasks] == [1, 2, 3]
    assert [task.exception_class_path.rsplit(".", 1)[1] for task in tasks] == [
        "MailDeferred",
        "MailDeferred",
        "MailUndelivered",
    ]
    run_worker()
    assert len(queued_mail()) == 3  # given up: nothing more is queued


def test_the_admin_lists_queued_failed_and_retried_mail(client, database_queue, superuser_client):
    sign_up(client, "grace@example.com")
    run_worker()  # attempt 1 fails, attempt 2 is queued

    page = superuser_client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist"))
    assert page.status_code == 200
    assert "deliver_mail" in page.text
    assert "Failed" in page.text
    assert "Ready" in page.text
    assert "2 of 3" in page.text  # the attempt column: a retry

    failed = superuser_client.get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status__exact=FAILED"
    )
    assert "1 of 3" in failed.text
    assert "2 of 3" not in failed.text


# ---------- In the sender's transaction ----------


def test_a_rolled_back_transaction_queues_no_mail(database_queue):
    queued_inside = []

    def send_then_fail():
        with transaction.atomic():
            mail.send_mail("Welcome", "Hello", None, ["grace@example.com"])
            queued_inside.extend(queued_mail())
            raise RuntimeError("the sign-up failed after its mail")

    with pytest.raises(RuntimeError):
        send_then_fail()

    assert len(queued_inside) == 1  # it was queued, inside the transaction
    assert queued_mail() == []

    with transaction.atomic():
        mail.send_mail("Welcome", "Hello", None, ["grace@example.com"])
    assert len(queued_mail()) == 1


def test_a_sign_up_that_fails_after_its_mail_queues_nothing(client, database_queue):
    def fail(**kwargs):
        raise RuntimeError("the request failed after its mail was queued")

    # allauth sends email_confirmation_sent once the confirmation mail is out of its hands (queued).
    email_confirmation_sent.connect(fail)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            sign_up(client, "grace@example.com")
    finally:
        email_confirmation_sent.disconnect(fail)

    assert queued_mail() == []
    assert not User.objects.filter(email="grace@example.com").exists()


# ---------- What the queue carries ----------


def test_a_queued_message_arrives_whole(db):
    message = mail.EmailMultiAlternatives(
        "Subject ✓",
        "Plain body",
        "Roadmap <noreply@example.com>",
        ["a@example.com"],
        bcc=["b@example.com"],
        cc=["c@example.com"],
        reply_to=["d@example.com"],
        headers={"X-Roadmap": "yes"},
    )
    message.attach_alternative("<p>HTML body</p>", "text/html")
    message.attach("notes.txt", "some notes", "text/plain")
    message.attach("data.bin", b"\x00\xffbytes", "application/octet-stream")
    message.send()

    [sent] = mail.outbox  # through deliver_mail: the test queue runs it at once
    assert (sent.subject, sent.body, sent.from_email) == ("Subject ✓", "Plain body", message.from_email)
    assert (sent.to, sent.cc, sent.bcc, sent.reply_to) == (
        ["a@example.com"],
        ["c@example.com"],
        ["b@example.com"],
        ["d@example.com"],
    )
    assert sent.extra_headers == {"X-Roadmap": "yes"}
    assert [tuple(alternative) for alternative in sent.alternatives] == [("<p>HTML body</p>", "text/html")]
    assert [tuple(attachment) for attachment in sent.attachments] == [
        ("notes.txt", "some notes", "text/plain"),
        ("data.bin", b"\x00\xffbytes", "application/octet-stream"),
    ]


def test_the_queue_stores_the_message_as_json(database_queue):
    mail.EmailMessage("Hi", "Body", None, ["a@example.com"], attachments=[("x.bin", b"\x01", None)]).send()

    [task] = queued_mail()
    stored = task.args_kwargs["kwargs"]["message"]
    assert stored["attachments"] == [
        ["x.bin", base64.b64encode(b"\x01").decode(), "application/octet-stream", "base64"]
    ]
    assert stored["from_email"] == "Roadmap <noreply@localhost>"


def test_a_prebuilt_mime_attachment_is_refused_before_anything_is_queued(database_queue):
    message = mail.EmailMessage("Hi", "Body", None, ["a@example.com"])
    message.attach(MIMEText("inline part"))

    with pytest.raises(TypeError, match="MIME parts"):
        message.send()
    assert DBTaskResult.objects.count() == 0


def test_without_a_queue_that_can_defer_a_failure_is_final(settings, db):
    # The test queue runs tasks at once and cannot schedule a later attempt: the one failure is reported.
    settings.MAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 1

    sent = mail.send_mail("Hi", "Body", None, ["a@example.com"])

    assert sent == 1  # queued; the failure belongs to the task, not to the sender
    assert mail.outbox == []


def test_log_in_with_smtp_refusing_still_works_for_a_verified_learner(client, database_queue):
    user = UserFactory(email="ada@example.com")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)

    response = client.post(reverse("account_login"), {"login": "ada@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert queued_mail() == []
