from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Learner accounts"  # allauth's own app is also called "Accounts" in the admin

    def ready(self):
        from allauth.account.signals import email_added, email_confirmation_sent
        from django.contrib.auth import get_user_model
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_delete, post_save

        from accounts import email_notices
        from accounts.backends import request_changed, user_changed

        email_added.connect(email_notices.address_added, dispatch_uid="say-address-added")
        email_confirmation_sent.connect(email_notices.confirmation_sent, dispatch_uid="say-confirmation-sent")

        user = get_user_model()
        post_save.connect(user_changed, sender=user, dispatch_uid="forget-cached-user-save")
        post_delete.connect(user_changed, sender=user, dispatch_uid="forget-cached-user-delete")
        request_started.connect(request_changed, dispatch_uid="prefetched-user-request-started")
        request_finished.connect(request_changed, dispatch_uid="prefetched-user-request-finished")
