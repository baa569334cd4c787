"""The bench app (seed_demo) is installed by bench.settings only: the site's own settings never have it."""

from tests.processes import run_python

# As bench/run.py seeds: in production mode (the next test runs in development mode).
PRODUCTION = {"DJANGO_ENV": "production", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "localhost"}


def commands(**env) -> set[str]:
    result = run_python(["manage.py", "help", "--commands"], **env)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_seed_demo_is_a_command_under_the_bench_settings_only():
    site = commands(**PRODUCTION)  # DJANGO_SETTINGS_MODULE=roadmap_site.settings
    bench = commands(DJANGO_SETTINGS_MODULE="bench.settings", **PRODUCTION)

    assert "seed_demo" not in site
    assert "migrate" in site
    assert bench - site == {"seed_demo"}
    assert site <= bench


def test_manage_py_runs_seed_demo_under_the_bench_settings_and_not_under_the_sites():
    bench = run_python(["manage.py", "seed_demo", "--scale", "0"], DJANGO_SETTINGS_MODULE="bench.settings")
    site = run_python(["manage.py", "seed_demo", "--scale", "0"])

    assert bench.returncode == 1
    assert "--scale must be a positive number, not '0'" in bench.stderr
    assert site.returncode == 1
    assert "Unknown command: 'seed_demo'" in site.stderr
