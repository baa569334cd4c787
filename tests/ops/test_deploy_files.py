"""The gunicorn config, Dockerfile and compose file agree with the settings (Docker itself can't run here)."""

import ast
import multiprocessing
import re
import runpy

import pytest
import yaml
from django.conf import settings

ROOT = settings.BASE_DIR


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 5), (4, 9), (16, 33)])
def test_gunicorn_config_sizes_workers_from_the_cpus_and_logs_access(monkeypatch, cpus, workers):
    for name in ("WEB_CONCURRENCY", "BIND", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: cpus)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == workers
    assert config["wsgi_app"] == "roadmap_site.wsgi:application"
    assert config["bind"] == "0.0.0.0:8000"
    assert config["timeout"] == 30
    assert config["accesslog"] == "-"


def test_gunicorn_config_reads_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("HOST", "127.0.0.1")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["workers"], config["bind"]) == (3, "127.0.0.1:9000")


def test_compose_runs_two_app_servers_in_production_mode_on_postgresql_and_redis():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    assert set(compose["services"]) == {"web", "app1", "app2", "worker", "db", "redis"}
    for name in ("app1", "app2"):
        app = compose["services"][name]
        assert app["build"]["target"] == "app"
        environment = app["environment"]
        assert environment["DJANGO_ENV"] == "production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://")
        assert {"SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_URL"} <= set(environment)
        assert environment["TRUSTED_PROXY_COUNT"] == "1"  # nginx appends one X-Forwarded-For entry
        assert "ports" not in app  # reached through nginx only


def test_compose_puts_nginx_with_the_shipped_config_in_front_of_both_app_servers():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    web = compose["services"]["web"]
    assert web["build"]["target"] == "web"
    assert set(web["depends_on"]) == {"app1", "app2"}
    assert web["environment"]["APP_SERVER_1"] == "app1:8000"
    assert web["environment"]["APP_SERVER_2"] == "app2:8000"
    shipped = (ROOT / "deploy" / "nginx.conf").read_text()
    placeholders = set(re.findall(r"\$\{([A-Z0-9_]+)\}", shipped))
    assert placeholders == set(web["environment"])  # the image's template fills every one
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY deploy/nginx.conf /etc/nginx/templates/" in dockerfile
    assert "COPY --from=app /app/staticfiles " + web["environment"]["STATIC_ROOT"] in dockerfile
    assert dockerfile.rstrip().endswith("FROM app")  # a plain `docker build` still builds the app server


def test_compose_runs_the_task_worker_beside_the_apps_with_the_same_settings():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    worker = services["worker"]
    assert worker["command"][:3] == ["python", "manage.py", "db_worker"]
    assert worker["build"] == services["app1"]["build"]
    assert worker["environment"] == services["app1"]["environment"]
    # app1 migrates the database; the worker waits for it to be healthy first.
    assert worker["depends_on"] == {"app1": {"condition": "service_healthy"}}
    assert "migrate" in services["app1"]["command"]


def test_dockerfile_installs_the_pinned_requirements_and_serves_with_the_config():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11" in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
    assert 'CMD ["gunicorn", "-c", "gunicorn.conf.py"]' in dockerfile
    assert "USER roadmap" in dockerfile


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module)
    return found


def test_the_image_leaves_out_the_benchmark_which_nothing_the_site_runs_imports():
    ignored = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert "bench" in ignored
    assert "bench" not in settings.INSTALLED_APPS
    site = [ROOT / "manage.py", ROOT / "gunicorn.conf.py"]
    for package in ("roadmap_site", "accounts", "learning"):
        site += (ROOT / package).rglob("*.py")
    assert len(site) > 50
    for path in site:
        modules = imported_modules(path)
        assert not {module for module in modules if module.split(".")[0] == "bench"}, path
