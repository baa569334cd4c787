from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Learner accounts"  # allauth's own app is also called "Accounts" in the admin

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from accounts.backends import user_changed

        user = get_user_model()
        post_save.connect(user_changed, sender=user, dispatch_uid="forget-cached-user-save")
        post_delete.connect(user_changed, sender=user, dispatch_uid="forget-cached-user-delete")
