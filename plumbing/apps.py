from django.apps import AppConfig


class PlumbingConfig(AppConfig):
    """Shared plumbing every app may use and that uses no app. An app only for its management command
    (backup_db) and template tags (site_meta); it has no models."""

    name = "plumbing"
    verbose_name = "Plumbing"
