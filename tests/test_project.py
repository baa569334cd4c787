"""Project wiring: migrations complete, settings from the environment, the real static-file pipeline."""

import asyncio
import importlib
import json
import os
import sys
from wsgiref.util import setup_testing_defaults

import pytest
from asgiref.testing import ApplicationCommunicator
from django.conf import LazySettings, settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from plumbing.env import env_bool, env_int, env_list, env_seconds, env_str
from roadmap_site import web_process
from roadmap_site.web_process import STATEMENT_TIMEOUT_SECONDS
from tests.processes import run_python


@pytest.mark.django_db
def test_no_migration_is_missing():
    # Exits with status 1 when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def read_settings(**env):
    """Imports the settings in a fresh interpreter with the given environment."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "db = settings.DATABASES['default']; "
        "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), 'host': db.get('HOST'), "
        "'options': db.get('OPTIONS', {}), 'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, "
        "'secret': settings.SECRET_KEY}))"
    )
    return run_python(["-c", code], **env)


def test_default_database_is_sqlite_in_the_project_with_wal():
    result = read_settings()
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(settings.BASE_DIR / "db.sqlite3")
    assert "journal_mode=WAL" in values["options"]["init_command"]
    assert values["options"]["transaction_mode"] == "IMMEDIATE"
    assert values["debug"] is False


def test_database_url_selects_sqlite_path_or_postgres(tmp_path):
    sqlite = json.loads(read_settings(DATABASE_URL=f"sqlite:///{tmp_path}/x.db").stdout)
    assert sqlite["name"] == f"{tmp_path}/x.db"
    postgres = json.loads(read_settings(DATABASE_URL="postgres://u:p@db.example:5432/roadmap").stdout)
    assert postgres["engine"] == "plumbing.postgresql"  # Django's, subclassed (plumbing/postgresql/base.py)
    assert (postgres["name"], postgres["host"]) == ("roadmap", "db.example")


def test_debug_allowed_hosts_and_secret_key_come_from_the_environment(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-file\n")
    values = json.loads(
        read_settings(
            DEBUG="yes",
            ALLOWED_HOSTS="roadmap.example, www.roadmap.example",
            SECRET_KEY_FILE=str(secret_file),
        ).stdout
    )
    assert values["debug"] is True
    assert values["hosts"] == ["roadmap.example", "www.roadmap.example"]
    assert values["secret"] == "from-a-file"


def test_a_malformed_boolean_stops_the_process_with_its_name():
    result = read_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("FLAG", "off")
    assert env_bool("FLAG", default=True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", default=True) is True
    monkeypatch.setenv("FLAG", "2")
    with pytest.raises(ImproperlyConfigured):
        env_bool("FLAG")
    monkeypatch.setenv("HOSTS", "a, ,b")
    assert env_list("HOSTS", []) == ["a", "b"]
    monkeypatch.setenv("TOKEN_FILE", "/nonexistent/secret")
    with pytest.raises(ImproperlyConfigured, match="TOKEN_FILE"):
        env_str("TOKEN")


def test_env_numbers(monkeypatch):
    assert env_int("COUNT", 3) == 3
    monkeypatch.setenv("COUNT", "7")
    assert env_int("COUNT", 3) == 7
    monkeypatch.setenv("COUNT", "2.5")
    with pytest.raises(ImproperlyConfigured, match=r"COUNT must be a whole number, not '2\.5'"):
        env_int("COUNT", 3)
    monkeypatch.setenv("COUNT", "0")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be at least 1, not 0"):
        env_int("COUNT", 3)
    assert env_seconds("WAIT", 0.25) == 0.25
    monkeypatch.setenv("WAIT", "1.5")
    assert env_seconds("WAIT", 0.25) == 1.5
    monkeypatch.setenv("WAIT", "0")
    assert env_seconds("WAIT", 5, allow_zero=True) == 0
    for bad in ("0", "-1", "soon", "nan", "inf"):
        monkeypatch.setenv("WAIT", bad)
        with pytest.raises(ImproperlyConfigured, match=f"WAIT must be .*number of seconds, not '{bad}'"):
            env_seconds("WAIT", 0.25)


def test_a_malformed_statement_timeout_stops_the_process_with_its_name():
    result = read_settings(DATABASE_STATEMENT_TIMEOUT="5s")
    assert result.returncode != 0
    assert "DATABASE_STATEMENT_TIMEOUT must be a number of seconds, not '5s'" in result.stderr


@pytest.mark.django_db
def test_collectstatic_builds_compressed_hashed_files_that_pages_use(settings, tmp_path, client):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    assert hashed != "css/site.css"
    assert (tmp_path / f"{hashed}.gz").exists()
    assert f"/static/{hashed}" in client.get("/").content.decode()


# Every PostgreSQL connection: no just-in-time compiling, and generic plans for the prepared statements.
BASE_OPTIONS = "-c jit=off -c plan_cache_mode=force_generic_plan"


def test_postgresql_connections_compile_no_query_just_in_time():
    postgres = json.loads(read_settings(DATABASE_URL="postgres://u:p@db.example:5432/roadmap").stdout)
    assert postgres["options"]["options"] == BASE_OPTIONS


def test_without_prepared_statements_the_plan_cache_keeps_its_default():
    postgres = json.loads(
        read_settings(
            DATABASE_URL="postgres://u:p@db.example:5432/roadmap", DATABASE_PREPARED_STATEMENTS="false"
        ).stdout
    )
    assert postgres["options"]["options"] == "-c jit=off"


POSTGRES = "postgres://u:p@db.example:5432/roadmap"
# What a process's settings give its PostgreSQL connections, read in a fresh interpreter: as a management
# command (manage.py, as `migrate` runs), or as a web process (the WSGI entry point gunicorn loads).
SERVER_OPTIONS = "print(__import__('django.conf').conf.settings.DATABASES['default']['OPTIONS']['options'])"


def server_options(entry: str, **env) -> str:
    args = (
        ["manage.py", "shell", "-c", SERVER_OPTIONS]
        if entry == "command"
        else ["-c", f"import roadmap_site.wsgi; {SERVER_OPTIONS}"]
    )
    result = run_python(args, DATABASE_URL=POSTGRES, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after the shell's own line on what it imported


def test_only_web_processes_limit_statements_by_default():
    assert server_options("command") == BASE_OPTIONS  # migrate, backup_db, the tests: no limit
    assert server_options("web") == f"{BASE_OPTIONS} -c statement_timeout={STATEMENT_TIMEOUT_SECONDS * 1000}"


def test_the_statement_timeout_set_explicitly_applies_to_every_process():
    assert (
        server_options("command", DATABASE_STATEMENT_TIMEOUT="30")
        == f"{BASE_OPTIONS} -c statement_timeout=30000"
    )
    assert (
        server_options("web", DATABASE_STATEMENT_TIMEOUT="2.5") == f"{BASE_OPTIONS} -c statement_timeout=2500"
    )
    assert server_options("web", DATABASE_STATEMENT_TIMEOUT="0") == BASE_OPTIONS  # off for the web too


# ---------- The web entry points, in this process ----------


def test_a_web_process_limits_statements_unless_told_otherwise(monkeypatch):
    """configure() runs before Django reads the settings (a fresh LazySettings stands for that moment)."""
    monkeypatch.setattr(web_process, "settings", LazySettings())
    monkeypatch.delenv("DATABASE_STATEMENT_TIMEOUT", raising=False)
    web_process.configure()
    assert os.environ["DATABASE_STATEMENT_TIMEOUT"] == str(STATEMENT_TIMEOUT_SECONDS)
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "0")  # set by the operator: kept, even "off"
    web_process.configure()
    assert os.environ["DATABASE_STATEMENT_TIMEOUT"] == "0"


def test_once_the_settings_are_read_configure_changes_nothing(monkeypatch):
    """As under the development server, which imports wsgi.py after reading the settings."""
    monkeypatch.delenv("DATABASE_STATEMENT_TIMEOUT", raising=False)
    web_process.configure()
    assert "DATABASE_STATEMENT_TIMEOUT" not in os.environ


@pytest.fixture
def fresh_import(monkeypatch, settings):
    """Imports an entry point module anew, in this process, with its environment changes undone; Django's
    logging left as the tests configured it (django.setup() would configure it again)."""
    settings.LOGGING_CONFIG = None

    def load(name):
        environment = dict(os.environ)
        monkeypatch.delitem(sys.modules, name, raising=False)
        module = importlib.import_module(name)
        assert dict(os.environ) == environment  # the settings were read: configure() set nothing
        return module

    yield load
    monkeypatch.delitem(sys.modules, "roadmap_site.wsgi", raising=False)
    monkeypatch.delitem(sys.modules, "roadmap_site.asgi", raising=False)


@pytest.mark.django_db  # a request's start and end close unusable connections (Django's signals)
def test_the_wsgi_entry_point_serves_the_site(fresh_import):
    application = fresh_import("roadmap_site.wsgi").application
    environ = {"PATH_INFO": "/healthz", "SERVER_NAME": "testserver"}
    setup_testing_defaults(environ)
    started = []
    body = b"".join(application(environ, lambda status, headers: started.append(status)))
    assert started == ["200 OK"]
    assert json.loads(body) == {"status": "ok"}


@pytest.mark.django_db  # a request's start and end close unusable connections (Django's signals)
def test_the_asgi_entry_point_serves_the_site(fresh_import):
    application = fresh_import("roadmap_site.asgi").application

    async def get(path):
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver")],
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 50000),
        }
        communicator = ApplicationCommunicator(application, scope)
        await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
        start = await communicator.receive_output(timeout=10)
        body = await communicator.receive_output(timeout=10)
        return start["status"], body["body"]

    status, body = asyncio.run(get("/healthz"))
    assert status == 200
    assert json.loads(body) == {"status": "ok"}
