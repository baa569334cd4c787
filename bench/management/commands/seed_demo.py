from django.core.management.base import BaseCommand, CommandError

from bench.demo import DemoError, seed, sizes_for_scale


class Command(BaseCommand):
    help = (
        "Replaces the demo data (slugs demo-…, URLs under https://demo.example/, users @demo.example) with "
        "deterministic synthetic data for benchmarks. Scale 1: 10 tracks, 500 topics, 5,000 resources, "
        "1,000 learners, 100,000 progress rows, 50,000 ratings, 30,000 bookmarks; --scale multiplies the "
        "learners and their rows. Everything else in the database is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            default="1",
            help="A positive number multiplying the learners and their rows (default 1; 0.01: a smoke run).",
        )

    def handle(self, *args, scale, **options):
        try:
            report = seed(sizes_for_scale(scale))
        except DemoError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(report.summary()))
