"""backup_db writes a backup that restores to the same data, on SQLite and on PostgreSQL."""

import sqlite3
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from learning.models import Resource
from tests.factories import ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data():
    UserFactory(username="ada")
    return [ResourceFactory(title=f"Backed up {n}").url for n in range(3)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backup")
def test_a_sqlite_backup_is_a_database_with_the_same_rows(tmp_path, data, capsys):
    target = tmp_path / "backup.sqlite3"
    call_command("backup_db", output=target)
    assert "Backed up to" in capsys.readouterr().out
    with sqlite3.connect(target) as restored:
        urls = sorted(row[0] for row in restored.execute("SELECT url FROM learning_resource"))
        handles = [row[0] for row in restored.execute("SELECT username FROM accounts_user")]
    assert urls == sorted(data)
    assert handles == ["ada"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backup")
def test_a_postgresql_backup_restores_into_a_new_database(tmp_path, data):
    target = tmp_path / "backup.dump"
    call_command("backup_db", output=target)
    db = connection.settings_dict
    restored = f"{db['NAME']}_restored"
    base = ["--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432), "--username", db["USER"]]
    subprocess.run(["dropdb", "--if-exists", *base, restored], check=True)
    subprocess.run(["createdb", *base, restored], check=True)
    try:
        subprocess.run(["pg_restore", "--no-owner", *base, "--dbname", restored, str(target)], check=True)
        query = "SELECT string_agg(url, ' ' ORDER BY url) FROM learning_resource"
        out = subprocess.run(
            ["psql", *base, "--dbname", restored, "-At", "-c", query],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
    finally:
        subprocess.run(["dropdb", "--if-exists", *base, restored], check=True)
    assert out == sorted(data)
    assert Resource.objects.count() == 3


def test_an_existing_file_is_never_overwritten(tmp_path, data):
    target = tmp_path / "taken"
    target.write_text("keep me")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup_db", output=target)
    assert target.read_text() == "keep me"
