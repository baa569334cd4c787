"""Forms of what learners write: a rating and review, a suggested resource, a report of a review."""

from typing import cast

from django import forms

from learning.catalogue.models import Kind
from learning.community.models import (
    FEEDBACK_MAX_LENGTH,
    FLAG_NOTE_MAX_LENGTH,
    PROJECT_WRITE_UP_MAX_LENGTH,
    REVIEW_MAX_LENGTH,
    SUGGESTION_REASON_MAX_LENGTH,
    FlagReason,
    Visibility,
)
from learning.community.project_services import (
    FEEDBACK_MISSING,
    NOT_THIS_MILESTONE,
    REPOSITORY_MISSING,
    VISIBILITY_MISSING,
)
from learning.community.services import (
    FLAG_REASON_MISSING,
    SUGGESTION_MISSING,
    SUGGESTION_TITLE_MAX_LENGTH,
    SUGGESTION_URL_MAX_LENGTH,
)

STAR_CHOICES = [(n, f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)]


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose from 1 to 5 stars.",
            "invalid_choice": "Choose from 1 to 5 stars.",
        },
    )
    review = forms.CharField(
        required=False,
        max_length=REVIEW_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"Optional: what did it teach you, and who is it for? At most {REVIEW_MAX_LENGTH:,} characters."
        ),
    )


class SuggestionForm(forms.Form):
    """Its ids are prefixed: the topic page also has the filter form, with its own `kind`."""

    url = forms.CharField(
        label="Link",
        widget=forms.URLInput(attrs={"maxlength": SUGGESTION_URL_MAX_LENGTH, "placeholder": "https://"}),
        error_messages={"required": SUGGESTION_MISSING["url"]},
    )
    title = forms.CharField(
        widget=forms.TextInput(attrs={"maxlength": SUGGESTION_TITLE_MAX_LENGTH}),
        error_messages={"required": SUGGESTION_MISSING["title"]},
    )
    kind = forms.ChoiceField(
        choices=[("", "Choose…"), *Kind.choices],
        error_messages={"required": SUGGESTION_MISSING["kind"], "invalid_choice": SUGGESTION_MISSING["kind"]},
    )
    reason = forms.CharField(
        label="Why is it worth a learner's time?",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": SUGGESTION_REASON_MAX_LENGTH}),
        help_text=f"What it teaches, and who it is for. At most {SUGGESTION_REASON_MAX_LENGTH:,} characters.",
        error_messages={"required": SUGGESTION_MISSING["reason"]},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_suggest_%s")
        super().__init__(*args, **kwargs)


class ReviewFlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with it?",
        choices=FlagReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": FLAG_REASON_MISSING, "invalid_choice": FLAG_REASON_MISSING},
    )
    note = forms.CharField(
        label="Note for the moderators",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": FLAG_NOTE_MAX_LENGTH}),
    )


class ProjectForm(forms.Form):
    """A learner's project for a milestone: the checklist's choices are that milestone's items."""

    repository_url = forms.CharField(
        label="Repository",
        widget=forms.URLInput(attrs={"maxlength": SUGGESTION_URL_MAX_LENGTH, "placeholder": "https://"}),
        help_text="A public repository: GitHub, GitLab, Codeberg or any public host.",
        error_messages={"required": REPOSITORY_MISSING},
    )
    live_url = forms.CharField(
        label="Live site",
        required=False,
        widget=forms.URLInput(attrs={"maxlength": SUGGESTION_URL_MAX_LENGTH, "placeholder": "https://"}),
    )
    write_up = forms.CharField(
        label="Write-up",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": PROJECT_WRITE_UP_MAX_LENGTH}),
        help_text=(
            "What you built, what you learned, what you'd do next. Markdown; at most "
            f"{PROJECT_WRITE_UP_MAX_LENGTH:,} characters."
        ),
    )
    checklist_met = forms.TypedMultipleChoiceField(
        label="Which checklist items does it meet?",
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": NOT_THIS_MILESTONE},
    )
    visibility = forms.ChoiceField(
        label="Who may see it?",
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        initial=Visibility.SHARED,
        error_messages={"required": VISIBILITY_MISSING, "invalid_choice": VISIBILITY_MISSING},
    )

    def __init__(self, *args, milestone, **kwargs):
        super().__init__(*args, **kwargs)
        items = cast(forms.TypedMultipleChoiceField, self.fields["checklist_met"])
        items.choices = [(item.pk, item.text) for item in milestone.checklist.all()]

    @classmethod
    def of(cls, milestone, project):
        """The form filled with the learner's project, or blank (shared) when they have none."""
        if project is None:
            return cls(milestone=milestone)
        initial = {
            "repository_url": project.repository_url,
            "live_url": project.live_url,
            "write_up": project.write_up,
            "checklist_met": [item.pk for item in project.checklist_met.all()],
            "visibility": project.visibility,
        }
        return cls(milestone=milestone, initial=initial)


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label="Your feedback",
        max_length=FEEDBACK_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": FEEDBACK_MAX_LENGTH}),
        help_text=f"Plain text, kind and specific. At most {FEEDBACK_MAX_LENGTH:,} characters.",
        error_messages={"required": FEEDBACK_MISSING},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", False)
        super().__init__(*args, **kwargs)
