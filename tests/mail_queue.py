"""The mail queue for real: local SMTP servers that accept, refuse or never answer, and the worker run in
this process through its own command (`manage.py db_worker --batch`)."""

import signal
import socket
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from bench.run import free_port

STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


def run_worker():
    """Runs every task that is due, then returns: `db_worker --batch`. The command installs its own handlers
    for the stopping signals; the test process gets its own back."""
    handlers = {number: signal.getsignal(number) for number in STOPPING_SIGNALS}
    try:
        call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def queued_mail() -> list[DBTaskResult]:
    """The mail tasks in the queue, oldest first."""
    return list(DBTaskResult.objects.filter(task_path="plumbing.mail.deliver_mail").order_by("enqueued_at"))


def recipients_of(task: DBTaskResult) -> list[str]:
    return task.args_kwargs["kwargs"]["message"]["to"]


class Inbox:
    """What an aiosmtpd server received, as parsed messages."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server():
    """An SMTP server on a free local port that accepts every message; yields (port, inbox)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@contextmanager
def silent_server():
    """A port that accepts TCP connections and then never says a word: a hung SMTP server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return body.get_content()
