from django.apps import AppConfig


class LearningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "learning"
    verbose_name = "Catalogue and learning"

    def ready(self):
        from learning import signals

        signals.connect()
