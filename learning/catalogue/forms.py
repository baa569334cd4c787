"""Forms of the catalogue's pages: filtering and sorting resources, searching."""

from django import forms

from learning.catalogue.models import Cost, Kind, Level, Stack
from learning.catalogue.queries import STACK_INDEPENDENT
from learning.catalogue.search import DOCUMENTS, QUERY_MAX_LENGTH

SORT_CHOICES = [
    ("best", "Best rated"),
    ("bookmarked", "Most bookmarked"),
    ("newest", "Newest first"),
    ("title", "Title A–Z"),
]
# "Any stack" filters nothing; "Stack-independent" keeps the resources no stack is specific to.
STACK_CHOICES = [
    ("", "Any stack"),
    (STACK_INDEPENDENT, Stack.INDEPENDENT.label),
    *((value, label) for value, label in Stack.choices if value),
]
MIN_RATING_CHOICES = [("", "Any rating"), *((str(n), f"{n}★ and up") for n in (4, 3, 2))]


# The <select> of a valid choice is the same HTML every time: kept, per form class, field and value (a few
# dozen of them), so a list page doesn't run Django's widget templates for each option on every request.
_kept_selects: dict[tuple, str] = {}


class KeptSelectBoundField(forms.BoundField):
    """A choice field's widget rendered once per value it shows; anything else (an invalid value, other
    attributes or widget) is rendered as usual."""

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        if widget is not None or attrs or only_initial or not isinstance(self.field, forms.ChoiceField):
            return super().as_widget(widget, attrs, only_initial)
        value = self.value()
        if self.errors or not (value is None or isinstance(value, str)):
            return super().as_widget()
        key = (type(self.form), self.html_name, self.auto_id, value)
        html = _kept_selects.get(key)
        if html is None:
            html = _kept_selects[key] = super().as_widget()
        return html


class ResourceFilterForm(forms.Form):
    """Filters and order of a list of resources, all in the query string so a filtered list can be shared.

    Invalid values are dropped with a notice, not fatal: the list still shows.
    """

    bound_field_class = KeptSelectBoundField

    kind = forms.ChoiceField(choices=[("", "Any kind"), *Kind.choices], required=False)
    cost = forms.ChoiceField(choices=[("", "Any cost"), *Cost.choices], required=False)
    level = forms.ChoiceField(choices=[("", "Any level"), *Level.choices], required=False)
    stack = forms.ChoiceField(choices=STACK_CHOICES, required=False)
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
            "stack": data.get("stack") or None,
            "min_rating": data.get("min_rating"),
            "tag": data.get("tag") or None,
            "order": data.get("sort") or SORT_CHOICES[0][0],
        }

    def is_filtered(self) -> bool:
        filters = self.filters()
        return any(filters[name] for name in ("kind", "cost", "level", "stack", "min_rating", "tag"))

    def ignored(self) -> list[str]:
        return [f"{name}={self.data.get(name)!s:.40}" for name in self.errors]


class TagResourceFilterForm(ResourceFilterForm):
    """The filters of a tag's page: the page's own tag narrows the resources already, so it isn't offered."""

    tag = None  # type: ignore[assignment]


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
