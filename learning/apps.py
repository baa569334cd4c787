from django.apps import AppConfig


class LearningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "learning"
    verbose_name = "Catalogue and learning"

    def ready(self):
        from learning import signals
        from learning.community import personal_data as community_data
        from learning.progress import personal_data as progress_data

        signals.connect()
        progress_data.register()
        community_data.register()
