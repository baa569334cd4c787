from django import forms

from learning.models import Cost, Kind, Level

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
