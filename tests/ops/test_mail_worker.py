"""The issue's probe, on real processes: a production gunicorn whose EMAIL_URL points at a closed port answers
sign-up and password reset with their usual redirects (the issue saw 500 after the user was created);
the mail waits in the database until `manage.py db_worker`, a process of its own, delivers it to an SMTP
server that accepts, and the link in it works."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from bench.run import free_port
from tests.mail_queue import queued_mail, recipients_of, smtp_server, text_of
from tests.ops.servers import Browser, gunicorn, production, served_database_url
from tests.processes import run_python

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the servers share the tests' PostgreSQL"),
]

User = get_user_model()
PASSWORD = "a-sturdy-new-passphrase-42"


def test_sign_up_with_smtp_down_redirects_and_the_worker_delivers_later(static_root, ada):
    database_url = served_database_url()
    closed = f"smtp://127.0.0.1:{free_port()}"
    browser = Browser()
    with gunicorn(database_url=database_url, static_root=static_root, EMAIL_URL=closed) as server:
        signed_up = browser.post_form(
            f"{server}/accounts/signup/",
            {"email": "grace@example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
        reset = Browser().post_form(f"{server}/accounts/password/reset/", {"email": ada.email})

        assert (signed_up.status_code, signed_up.headers["Location"]) == (302, "/accounts/confirm-email/")
        assert (reset.status_code, reset.headers["Location"]) == (302, "/accounts/password/reset/done/")
        assert User.objects.filter(email="grace@example.com").exists()
        assert [recipients_of(task) for task in queued_mail()] == [["grace@example.com"], [ada.email]]

        with smtp_server() as (port, inbox):
            worker = run_python(
                ["manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
                **production(database_url),
                EMAIL_URL=f"smtp://127.0.0.1:{port}",
            )
        assert worker.returncode == 0, worker.stderr
        assert sorted(message["To"] for message in inbox.messages) == [ada.email, "grace@example.com"]
        [welcome] = [message for message in inbox.messages if message["To"] == "grace@example.com"]
        link = re.search(r"https://roadmap\.test(/accounts/confirm-email/\S+)", text_of(welcome)).group(1)

        confirmed = browser.post_form(f"{server}{link}", {})
        assert confirmed.status_code == 302
    assert [task.status for task in queued_mail()] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert User.objects.get(email="grace@example.com").emailaddress_set.get().verified
