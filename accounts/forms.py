from datetime import time

from django import forms
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import WEEKDAY_CHOICES, time_zone_names


class ProfileSettingsForm(forms.Form):
    """The learner's public handle and the public-profile switch. Edits only the user it is given."""

    username = forms.CharField(
        label="Public handle",
        # Long input is refused with a clear message rather than cut by the browser or the field.
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
        error_messages={"required": f"Choose a handle: {services.HANDLE_RULE}."},
        help_text=f"{services.HANDLE_RULE.capitalize()}. Shown next to your reviews and on your profile.",
    )
    profile_is_public = forms.BooleanField(label="Make my profile public", required=False)
    streak_is_public = forms.BooleanField(
        label="Show my streak on my public profile and progress cards",
        required=False,
        help_text="Your current and longest streak in days. Your activity calendar always stays private.",
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_username(self):
        handle = self.cleaned_data["username"]
        services.check_handle(handle, user=self.user)
        return handle

    def save(self) -> bool:
        """Stores the settings; False (with the reason on the form) if the handle was taken meanwhile."""
        try:
            services.update_public_profile(
                user=self.user,
                handle=self.cleaned_data["username"],
                is_public=self.cleaned_data["profile_is_public"],
                streak_is_public=self.cleaned_data["streak_is_public"],
            )
        except ValidationError as error:
            self.add_error(None, error)
            return False
        return True


class TimeZoneForm(forms.Form):
    """The zone of the learner's days: streaks and the activity calendar count days from midnight there."""

    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=lambda: [(name, name.replace("_", " ")) for name in time_zone_names()],
        help_text="Your days start at midnight here: for your streak and your activity calendar.",
        error_messages={
            "invalid_choice": "“%(value)s” is not a time zone this site knows. Pick one from the list."
        },
    )


class DeleteAccountForm(forms.Form):
    """Deleting the account asks the learner to type their handle, so it can't happen by a stray click."""

    confirm = forms.CharField(
        label="Type your handle to confirm",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_confirm(self):
        typed = self.cleaned_data["confirm"].strip()
        if typed != self.user.username:
            raise ValidationError(f"Type your handle, {self.user.username}, exactly as shown to confirm.")
        return typed


class DigestForm(forms.Form):
    """The weekly digest: on or off, and the weekday it comes on (in the learner's time zone)."""

    digest_is_on = forms.BooleanField(label="Send me a weekly digest by email", required=False)
    digest_weekday = forms.TypedChoiceField(
        label="Day of the week",
        choices=WEEKDAY_CHOICES,
        coerce=int,
        help_text="It comes that morning (from 7:00) in your time zone.",
        error_messages={"invalid_choice": "Pick a day of the week from the list."},
    )


class CalendarForm(forms.Form):
    """What to do with the calendar feed: turn it on, give it a new address, or turn it off."""

    action = forms.ChoiceField(
        choices=[("on", "Turn on"), ("reset", "Reset the link"), ("off", "Turn off")],
        error_messages={
            "invalid_choice": "Choose to turn the calendar feed on, reset its link or turn it off."
        },
    )


# The times a study session may start: every half hour from 05:00 to 23:00.
STUDY_TIMES = [time(hour, minute) for hour in range(5, 24) for minute in (0, 30)][:-1]


class StudyTimeForm(forms.Form):
    """When the calendar feed's study sessions start, in the learner's time zone."""

    study_starts_at = forms.TypedChoiceField(
        label="Sessions start at",
        choices=[(f"{start:%H:%M}", f"{start:%H:%M}") for start in STUDY_TIMES],
        coerce=time.fromisoformat,
        help_text="Your time zone's time. Your calendar app lets you move a single session.",
        error_messages={"invalid_choice": "Pick a time from the list (every half hour, 05:00 to 23:00)."},
    )
