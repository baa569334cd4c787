from django import forms

from learning.models import Cost, Kind, Level
from learning.models.learner import NOTE_MAX_LENGTH, REVIEW_MAX_LENGTH
from learning.services import STATUS_CHOICES

SORT_CHOICES = [("title", "Title A–Z"), ("newest", "Newest first")]


class ResourceFilterForm(forms.Form):
    """The filters of the resource list. Invalid values are dropped, not fatal: the list still shows."""

    kind = forms.ChoiceField(choices=[("", "Any kind"), *Kind.choices], required=False)
    cost = forms.ChoiceField(choices=[("", "Any cost"), *Cost.choices], required=False)
    level = forms.ChoiceField(choices=[("", "Any level"), *Level.choices], required=False)
    tag = forms.SlugField(required=False, max_length=100)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)

    def filters(self) -> dict:
        """The valid filters; call after is_valid()."""
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return {
            "kind": data.get("kind") or None,
            "cost": data.get("cost") or None,
            "level": data.get("level") or None,
            "tag": data.get("tag") or None,
            "order": data.get("sort") or "title",
        }

    def ignored(self) -> list[str]:
        return [f"{name}={self.data.get(name)!s:.40}" for name in self.errors]


class TopicStatusForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHOICES)


class MilestoneForm(forms.Form):
    done = forms.TypedChoiceField(
        choices=[("1", "Done"), ("0", "Not done")], coerce=lambda value: value == "1"
    )


class BookmarkNoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only you can see it.",
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
