from django import forms

from learning.models import Cost, Kind, Level
from learning.models.curation import FLAG_NOTE_MAX_LENGTH, SUGGESTION_REASON_MAX_LENGTH, FlagReason
from learning.models.learner import NOTE_MAX_LENGTH, REVIEW_MAX_LENGTH
from learning.search import DOCUMENTS, QUERY_MAX_LENGTH
from learning.services import (
    FLAG_REASON_MISSING,
    STATUS_CHOICES,
    SUGGESTION_MISSING,
    SUGGESTION_TITLE_MAX_LENGTH,
    SUGGESTION_URL_MAX_LENGTH,
)

SORT_CHOICES = [
    ("best", "Best rated"),
    ("bookmarked", "Most bookmarked"),
    ("newest", "Newest first"),
    ("title", "Title A–Z"),
]
MIN_RATING_CHOICES = [("", "Any rating"), *((str(n), f"{n}★ and up") for n in (4, 3, 2))]


class ResourceFilterForm(forms.Form):
    """Filters and order of a list of resources, all in the query string so a filtered list can be shared.

    Invalid values are dropped with a notice, not fatal: the list still shows.
    """

    kind = forms.ChoiceField(choices=[("", "Any kind"), *Kind.choices], required=False)
    cost = forms.ChoiceField(choices=[("", "Any cost"), *Cost.choices], required=False)
    level = forms.ChoiceField(choices=[("", "Any level"), *Level.choices], required=False)
    min_rating = forms.TypedChoiceField(
        label="Rating", choices=MIN_RATING_CHOICES, coerce=int, empty_value=None, required=False
    )
    tag = forms.SlugField(required=False, max_length=100)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    def filters(self) -> dict:
        """The valid filters, as keyword arguments of queries.filter_resources; call after is_valid()."""
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return {
            "kind": data.get("kind") or None,
            "cost": data.get("cost") or None,
            "level": data.get("level") or None,
            "min_rating": data.get("min_rating"),
            "tag": data.get("tag") or None,
            "order": data.get("sort") or SORT_CHOICES[0][0],
        }

    def is_filtered(self) -> bool:
        filters = self.filters()
        return any(filters[name] for name in ("kind", "cost", "level", "min_rating", "tag"))

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


class SearchForm(forms.Form):
    """A search: the words, and optionally one kind of result. An invalid type is dropped, not fatal."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "max_length": "Search for at most %(limit_value)d characters (this was %(show_value)d)."
        },
    )
    type = forms.ChoiceField(
        choices=[("", "Everything"), *((document.key, document.label) for document in DOCUMENTS)],
        required=False,
    )

    def query_text(self) -> str:
        return self.cleaned_data.get("q", "") if "q" not in self.errors else ""

    def kind(self) -> str:
        return self.cleaned_data.get("type", "") if "type" not in self.errors else ""


# ---------- Suggestions and review reports ----------
# Presence and choices are checked here; services.suggest_resource and services.flag_review check every rule
# (lengths, URLs, duplicates, the daily limit) and say what is wrong.


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
