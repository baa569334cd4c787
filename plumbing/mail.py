"""Every mail the site sends goes through the task queue (Django's tasks API, django-tasks-db's database
backend), so a request never waits on SMTP and never fails because of it.

`QueuedEmailBackend` is the site's EMAIL_BACKEND: `send_messages()` only stores each message as a task row,
in the caller's transaction (a rolled-back sign-up leaves no mail behind, and the worker cannot see the
row before the commit). `manage.py db_worker` runs `deliver_mail`, which hands the message to the backend
EMAIL_URL names (MAIL_DELIVERY_BACKEND). When delivery fails (SMTP refused, timed out, answered an error),
the task queues its next attempt after the next of MAIL_RETRY_DELAYS and fails; after the last delay the
mail is given up, logged as an error, and its task stays failed in the admin.
"""

import base64
import logging
from datetime import timedelta
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("roadmap.mail")


class MailDeferred(Exception):
    """An attempt failed and the next one is queued."""


class MailUndelivered(Exception):
    """The last attempt failed: the mail is given up."""


class QueuedEmailBackend(BaseEmailBackend):
    """Queues each message for the worker instead of sending it."""

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            deliver_mail.enqueue(message=as_json(message), attempt=1)
        return len(email_messages)


def as_json(message: EmailMessage) -> dict:
    """What the worker needs to build the message again: its fields, alternatives and attachments."""
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            raise TypeError("A queued mail carries (filename, content, mimetype) attachments, not MIME parts")
        filename, content, mimetype = attachment
        if isinstance(content, bytes):
            attachments.append([filename, base64.b64encode(content).decode("ascii"), mimetype, "base64"])
        else:
            attachments.append([filename, content, mimetype, "text"])
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "attachments": attachments,
    }


def from_json(data: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data["content_subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype, encoding in data["attachments"]:
        message.attach(filename, base64.b64decode(content) if encoding == "base64" else content, mimetype)
    return message


@task()
def deliver_mail(*, message: dict, attempt: int = 1) -> int:
    """Sends one queued message through MAIL_DELIVERY_BACKEND; returns how many messages went out (1)."""
    try:
        connection = get_connection(settings.MAIL_DELIVERY_BACKEND, fail_silently=False)
        return connection.send_messages([from_json(message)]) or 0
    except OSError as error:  # refused, timed out, unreachable; smtplib's errors are OSErrors too
        delays = settings.MAIL_RETRY_DELAYS
        attempts = len(delays) + 1
        where = f"mail to {len(message['to'])} recipient(s), attempt {attempt} of {attempts}"
        if attempt < attempts and deliver_mail.get_backend().supports_defer:
            run_after = timezone.now() + timedelta(seconds=delays[attempt - 1])
            deliver_mail.using(run_after=run_after).enqueue(message=message, attempt=attempt + 1)
            logger.warning("%s failed (%s); next attempt at %s", where, error, run_after.isoformat())
            raise MailDeferred(f"{where} failed: {error}; next attempt at {run_after.isoformat()}") from error
        logger.error("%s failed (%s); giving up", where, error)
        raise MailUndelivered(f"{where} failed: {error}; given up") from error


def absolute_url(path: str) -> str:
    """A site path as the full address a mail links to (SITE_URL, as there is no request to ask)."""
    return settings.SITE_URL + path
