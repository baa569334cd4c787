"""DJANGO_ENV=production: refuses an insecure configuration, passes check --deploy, and behaves securely."""

import json
import re

import pytest

from tests.ops.conftest import needs_redis
from tests.processes import run_python

STRONG_KEY = "k" * 20 + "Xq9-Zr7_Lm3!Vb8#Nc2$Wd5%Te1^Yf6&Gh4*Jp0"
PRODUCTION = {"DJANGO_ENV": "production", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "roadmap.example"}


def test_check_deploy_is_clean_in_production_mode():
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_in_development_mode():
    """Development settings are not deployable: check --deploy names exactly the HTTPS protections that are
    off (HSTS, the HTTPS redirect, secure session and CSRF cookies)."""
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 1
    assert result.stderr.startswith("SystemCheckError: System check identified some issues:")
    warnings = sorted(re.findall(r"^\?: \((security\.\w+)\)", result.stderr, flags=re.MULTILINE))
    assert warnings == ["security.W004", "security.W008", "security.W012", "security.W016"]
    assert result.stderr.rstrip().endswith("System check identified 4 issues (0 silenced).")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SECRET_KEY": ""}, "DJANGO_ENV=production needs SECRET_KEY set"),
        ({"ALLOWED_HOSTS": ""}, "DJANGO_ENV=production needs ALLOWED_HOSTS set"),
        (
            {"SECRET_KEY": "", "ALLOWED_HOSTS": " "},
            "DJANGO_ENV=production needs SECRET_KEY and ALLOWED_HOSTS set",
        ),
        ({"DEBUG": "true"}, "DJANGO_ENV=production refuses DEBUG=true"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV must be development or production, not 'staging'"),
    ],
)
def test_production_refuses_to_start_insecurely(env, message):
    """The settings refuse to load, and the last line of the error says exactly why."""
    result = run_python(["manage.py", "check"], **(PRODUCTION | env))
    assert result.returncode == 1
    assert (
        result.stderr.rstrip().splitlines()[-1] == f"django.core.exceptions.ImproperlyConfigured: {message}"
    )


# Requests answered in a production-mode process, through Django's test client.
PROBE = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from django.conf import settings
from django.utils.module_loading import import_string
settings.ALLOWED_HOSTS.append("testserver")
# The hashed-file manifest needs collectstatic; tests/test_project.py checks that pipeline.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
client = Client()
plain = client.get("/tags/")
proxied = client.get("/tags/", headers={"X-Forwarded-Proto": "https"})
probe = client.get("/healthz")
login = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "proxied": proxied.status_code,
    "hsts": proxied.get("Strict-Transport-Security"),
    "probe": probe.status_code,
    "cookies": {name: [bool(morsel["secure"]), morsel["path"], morsel["domain"]] for name, morsel in login.cookies.items()},
    "message_cookie": import_string(settings.MESSAGE_STORAGE).storage_classes[0].cookie_name,
}))
"""


@pytest.fixture(scope="module")
def production_answers(tmp_path_factory):
    database = tmp_path_factory.mktemp("production") / "db.sqlite3"
    env = PRODUCTION | {"DATABASE_URL": f"sqlite:///{database}"}
    migrate = run_python(["manage.py", "migrate", "--noinput", "-v", "0"], **env)
    assert migrate.returncode == 0, migrate.stderr
    result = run_python(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_plain_http_is_redirected_to_https(production_answers):
    assert production_answers["plain"] == [301, "https://testserver/tags/"]


def test_https_from_the_proxy_is_served_with_hsts_for_a_year(production_answers):
    assert production_answers["proxied"] == 200
    assert production_answers["hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_the_health_probe_answers_over_plain_http(production_answers):
    assert production_answers["probe"] == 200


def test_cookies_are_host_only_and_secure(production_answers):
    assert production_answers["cookies"]["__Host-csrftoken"] == [True, "/", ""]
    assert production_answers["message_cookie"] == "__Host-messages"


REDIS_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.cache import cache
cache.set("probe", "shared", 30)
get_client = getattr(getattr(cache, "client", None), "get_client", None)
clients = {id(get_client()) for _ in range(3)} if get_client else set()
print(json.dumps({"backend": settings.CACHES["default"]["BACKEND"], "session": settings.SESSION_ENGINE,
                  "value": cache.get("probe"), "clients": len(clients)}))
"""


@needs_redis
def test_redis_url_switches_the_cache_and_the_sessions():
    result = run_python(["-c", REDIS_PROBE], REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values == {
        "backend": "plumbing.redis_cache.RedisCache",
        "session": "accounts.sessions",  # cached_db, read with the user (accounts/sessions.py)
        "value": "shared",
        "clients": 1,  # one redis-py client reused, not one built per command (django-redis)
    }


def test_without_redis_the_cache_is_local_memory():
    result = run_python(["-c", REDIS_PROBE])
    assert json.loads(result.stdout)["backend"] == "django.core.cache.backends.locmem.LocMemCache"
