from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Learner accounts"  # allauth's own app is also called "Accounts" in the admin

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from accounts.backends import forget_user

        def user_changed(sender, instance, **kwargs):
            forget_user(instance.pk)

        user = get_user_model()
        post_save.connect(user_changed, sender=user, dispatch_uid="forget-cached-user-save", weak=False)
        post_delete.connect(user_changed, sender=user, dispatch_uid="forget-cached-user-delete", weak=False)
