"""Writes a consistent backup of the database while the site keeps running.

SQLite: `VACUUM INTO` a new file (a plain SQLite database). PostgreSQL: `pg_dump --format=custom`.
How to restore either is in the README ("Backups").
"""

import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone


class Command(BaseCommand):
    help = "Back up the database: VACUUM INTO on SQLite, pg_dump (custom format) on PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="File to write (default: backups/roadmap-<time>.<ext>)."
        )

    def handle(self, *args, output=None, **options):
        vendor = connection.vendor
        if vendor not in {"sqlite", "postgresql"}:
            raise CommandError(f"backup_db supports SQLite and PostgreSQL, not {vendor}.")
        extension = "sqlite3" if vendor == "sqlite" else "dump"
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        output = (output or settings.BASE_DIR / "backups" / f"roadmap-{stamp}.{extension}").resolve()
        if output.exists():
            raise CommandError(f"{output} exists; choose another --output.")
        output.parent.mkdir(parents=True, exist_ok=True)
        if vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(output)])
        else:
            self._pg_dump(output)
        self.stdout.write(self.style.SUCCESS(f"Backed up to {output} ({output.stat().st_size:,} bytes)."))

    def _pg_dump(self, output: Path):
        if not shutil.which("pg_dump"):
            raise CommandError("pg_dump is not on PATH (Debian: apt install postgresql-client).")
        db = connection.settings_dict
        env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
        command = ["pg_dump", "--format=custom", "--no-owner", f"--file={output}", f"--dbname={db['NAME']}"]
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if db.get(key):
                command.append(f"{flag}={db[key]}")
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            output.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
