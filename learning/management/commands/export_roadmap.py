from pathlib import Path

from django.core.management.base import BaseCommand

from learning.catalogue.content.exporter import export_directory


class Command(BaseCommand):
    help = "Writes the catalogue as content files that load_roadmap reads back unchanged."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="Folder to write into (created if missing).")

    def handle(self, *args, output, **options):
        counts = export_directory(Path(output))
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Exported {summary} to {output}"))
