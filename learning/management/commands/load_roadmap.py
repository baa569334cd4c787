from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from learning.catalogue.content.loader import load_directory
from learning.catalogue.content.schema import ContentInvalid


class Command(BaseCommand):
    help = (
        "Loads content files (topics.yaml, resources.yaml, tracks/*.yaml) into the catalogue: creates "
        "what is new, updates what changed, all in one transaction. A malformed file changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(settings.ROADMAP_CONTENT_DIR),
            help="Folder with the content files (default: the shipped roadmap).",
        )

    def handle(self, *args, directory, **options):
        path = Path(directory)
        if not path.is_dir():
            raise CommandError(f"{path} is not a folder")
        try:
            report = load_directory(path)
        except ContentInvalid as invalid:
            problems = "\n".join(f"  {error}" for error in invalid.errors)
            raise CommandError(
                f"{len(invalid.errors)} problem(s) in {path}; nothing was changed:\n{problems}"
            ) from invalid
        self.stdout.write(self.style.SUCCESS(f"Loaded {path}"))
        for line in report.lines():
            self.stdout.write(f"  {line}")
