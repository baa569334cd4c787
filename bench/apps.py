from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark's Django side: the `seed_demo` command. Installed by bench.settings only, never in
    production (roadmap_site.settings)."""

    name = "bench"
    verbose_name = "Benchmark tools"
