import time
from collections import Counter

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from learning.catalogue.link_health import UnknownResources, record, resources_to_check
from learning.catalogue.linkcheck import Options, check_urls

DEFAULTS = Options()
# The options that tune the checker: (name in linkcheck.Options, type, help).
TUNING = (
    ("concurrency", int, "Requests in flight at once"),
    ("per_host", int, "Requests in flight to one host at once"),
    ("timeout", float, "Seconds a request may take, redirects included"),
    ("retries", int, "Extra attempts after a timeout, connection error, 429 or 5xx"),
    ("backoff", float, "Seconds before the first retry, doubled before each next one"),
)


class Command(BaseCommand):
    help = (
        "Checks the URL of every published resource, many at once, and records the link's health "
        "(status after redirects, final URL, error, consecutive failures). The network is used outside "
        "any database transaction; the results are written at the end in a few bulk updates."
    )

    def add_arguments(self, parser):
        for name, kind, text in TUNING:
            default = getattr(DEFAULTS, name)
            flag = f"--{name.replace('_', '-')}"
            metavar = "SECONDS" if kind is float else "N"
            parser.add_argument(
                flag, type=kind, default=default, metavar=metavar, help=f"{text} (default {default:g})."
            )
        parser.add_argument(
            "--only-broken", action="store_true", help="Recheck only the links found broken last time."
        )
        parser.add_argument(
            "--resource",
            type=int,
            action="append",
            dest="resources",
            metavar="ID",
            help="Check this resource, published or not (repeatable).",
        )
        parser.add_argument(
            "--fail-on-broken",
            action="store_true",
            help="Exit with status 1 when a link is broken (for cron and CI).",
        )

    def handle(self, *args, only_broken, resources, fail_on_broken, verbosity, **options):
        started = time.monotonic()
        try:
            check_options = Options(**{name: options[name] for name, _, _ in TUNING})
        except ValueError as error:
            raise CommandError(str(error)) from error
        try:
            to_check = resources_to_check(ids=resources, only_broken=only_broken)
        except UnknownResources as error:
            raise CommandError(str(error)) from error
        if not to_check:
            if verbosity:
                self.stdout.write("No links to check.")
            return
        results = check_urls([resource.url for resource in to_check], check_options)
        stored = record(to_check, results, checked_at=timezone.now())
        broken = [(resource, result) for resource, result in stored if not result.ok]
        if verbosity:
            self.summarise(
                stored, broken, skipped=len(to_check) - len(stored), took=time.monotonic() - started
            )
        if verbosity > 1:
            self.list_redirected(stored)
        if fail_on_broken and broken:
            raise CommandError(f"{len(broken)} broken link(s).")

    def summarise(self, stored, broken, *, skipped, took):
        redirected = sum(result.redirected for _, result in stored)
        working = len(stored) - len(broken)
        style = self.style.WARNING if broken else self.style.SUCCESS
        self.stdout.write(
            style(
                f"Checked {len(stored)} link(s) in {took:.1f} s: {working} working "
                f"({redirected} redirected), {len(broken)} broken."
            )
        )
        if skipped:
            self.stdout.write(
                f"{skipped} resource(s) changed or vanished during the check; left as they were."
            )
        if not broken:
            return
        causes = Counter(result.cause for _, result in broken)
        width = max(map(len, causes))
        self.stdout.write("Broken, by cause:")
        for cause, count in sorted(causes.items(), key=lambda item: (-item[1], item[0])):
            self.stdout.write(f"  {cause:<{width}}  {count}")
        self.stdout.write("Broken links:")
        for resource, result in sorted(broken, key=lambda row: (row[1].cause, row[0].pk)):
            times = resource.link_failures + 1
            self.stdout.write(
                f"  #{resource.pk} {resource.title} <{resource.url}>: {result.cause}"
                f" ({'first failure' if times == 1 else f'failed {times} checks in a row'})"
            )

    def list_redirected(self, stored):
        moved = [(resource, result) for resource, result in stored if result.redirected]
        if moved:
            self.stdout.write("Redirected (the URL may want updating):")
        for resource, result in moved:
            self.stdout.write(f"  #{resource.pk} {resource.title} <{resource.url}> → <{result.final_url}>")
