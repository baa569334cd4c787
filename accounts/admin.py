from allauth.socialaccount.admin import SocialTokenAdmin
from allauth.socialaccount.models import SocialToken
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget, UserChangeForm

from accounts.models import User
from plumbing.admin_labels import LabelledFieldsAdmin


class PasswordSummary(ReadOnlyPasswordHashWidget):
    """Django's summary of the stored password, without the `disabled` attribute its field (disabled, so a
    POST never sets it) hands the widget: the widget is a <div>, and a <div> has no such attribute."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("disabled", None)
        return context


class LearnerChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordSummary()


@admin.register(User)
class LearnerAdmin(LabelledFieldsAdmin, UserAdmin):
    form = LearnerChangeForm
    # django-stubs types list_display per instance (generic in the model); UserAdmin sets it on the class.
    list_display = (*UserAdmin.list_display, "profile_is_public")  # type: ignore[misc]
    list_filter = (*UserAdmin.list_filter, "profile_is_public")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Public profile", {"fields": ("profile_is_public", "streak_is_public")}),
        ("Reminders", {"fields": ("time_zone", "digest_is_on", "digest_weekday", "calendar_token")}),
    )
    readonly_fields = ("calendar_token",)  # made and reset by the learner only (accounts.reminders)


# allauth's admin of stored GitHub tokens, with the halves of its “expires at” named (plumbing.admin_labels).
admin.site.unregister(SocialToken)


@admin.register(SocialToken)
class GitHubTokenAdmin(LabelledFieldsAdmin, SocialTokenAdmin):
    pass
