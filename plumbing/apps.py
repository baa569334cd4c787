from django.apps import AppConfig


class PlumbingConfig(AppConfig):
    """Shared plumbing every app may use and that uses no app. An app only for its management command
    (backup_db) and template tags (site_meta); it has no models."""

    name = "plumbing"
    verbose_name = "Plumbing"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from plumbing import cache_tokens

        request_started.connect(cache_tokens.request_started, dispatch_uid="tokens-request-started")
        request_finished.connect(cache_tokens.request_finished, dispatch_uid="tokens-request-finished")
