from django.core.management.base import BaseCommand

from learning.pages.digest import send_digests, send_digests_task


class Command(BaseCommand):
    help = (
        "Sends the weekly digest to each learner who opted in and whose chosen day it is in their time zone "
        "(from 07:00 there), once per learner and week however often it runs. Run it hourly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Put the run on the task queue for `manage.py db_worker` instead of running it here.",
        )

    def handle(self, *args, queue=False, **options):
        if queue:
            result = send_digests_task.enqueue()
            self.stdout.write(f"Queued the digest run as task {result.id}")
            return
        run = send_digests()
        self.stdout.write(
            self.style.SUCCESS(f"Sent {run.sent} digest(s)")
            + f"; {run.already_sent} already sent this week, {run.nothing_to_say} with nothing to say"
        )
