"""Change history a curator can read: what changed, from what to what, in words.

Django stores a JSON list of changed field names and renders "Changed Title and Summary." on the history
page. `ReadableHistoryMixin` stores plain text instead (LogEntry.get_change_message() shows text that does
not start with "[" as it is), e.g.

    Changed title: “Old” → “New”; summary (120 → 140 characters); published: yes → no.
    Stage “Basics”: moved from position 2 to 1. Added step “Git” at position 3. Deleted milestone “Blog”.

Long or multi-line text is summarised by its length, never copied into the log. Describing a value never
raises: an odd value falls back to naming the field, and an unexpected failure to Django's own message.
"""

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from plumbing.text import unix_newlines

logger = logging.getLogger(__name__)

# Text longer than this (or on several lines) is described by its length instead of quoted.
QUOTED_TEXT_MAX = 60


def object_label(obj) -> str:
    """A row's name in quotes: its title, or for a step (and a topic's resource link) what it places."""
    for attr in ("title", "resource", "topic"):
        try:
            value = getattr(obj, attr, None)
        except ObjectDoesNotExist:
            value = None
        if value is not None and not isinstance(value, models.Manager):
            return f"“{value}”"
    return f"“{obj}”"


def field_label(form, name: str) -> str:
    field = form.fields.get(name)
    label = str(field.label) if field is not None and field.label else name.replace("_", " ")
    return label if label.isupper() else label[:1].lower() + label[1:]


def _normalised(value):
    """Text as compared and counted: browsers send CRLF where stored text has LF, and forms strip the
    whitespace around text (a stored body's final newline), neither of which a curator changed."""
    return unix_newlines(value).strip() if isinstance(value, str) else value


def _names(value) -> list[str]:
    return [str(item) for item in value]


def _quoted_list(names: list[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _plain(field, value) -> str:
    """A short value as a curator reads it."""
    if value is None or value == "":
        return "empty"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, models.Model):
        return f"“{value}”"
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        # django-stubs types the choices getter as possibly a callable; the getter always gives an iterable.
        choices: Iterable[tuple] = field.choices  # type: ignore[assignment]
        labels = {str(key): label for key, label in choices if not isinstance(label, list | tuple)}
        if str(value) in labels:
            return f"“{labels[str(value)]}”"
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)


def describe_value_change(form, name: str, old, new) -> str | None:
    """One field's change, e.g. `title: “Old” → “New”`; None when only line ends or outer blanks differ."""
    label = field_label(form, name)
    field = form.fields.get(name)
    old, new = _normalised(old), _normalised(new)
    if isinstance(old, list | tuple | set | models.QuerySet) or isinstance(
        new, list | tuple | set | models.QuerySet
    ):
        before, after = _names(old or []), _names(new or [])
        added = [item for item in after if item not in before]
        removed = [item for item in before if item not in after]
        parts = [f"added {_quoted_list(added)}"] if added else []
        parts += [f"removed {_quoted_list(removed)}"] if removed else []
        return f"{label}: {', '.join(parts)}" if parts else None
    if old == new or (old in (None, "") and new in (None, "")):
        return None
    if isinstance(old, str | None) and isinstance(new, str | None):
        old_text, new_text = old or "", new or ""
        if max(len(old_text), len(new_text)) > QUOTED_TEXT_MAX or "\n" in old_text + new_text:
            return f"{label} ({_length_change(old_text, new_text)})"
    return f"{label}: {_plain(field, old)} → {_plain(field, new)}"


def _length_change(old: str, new: str) -> str:
    if not old:
        return f"added, {len(new)} characters"
    if not new:
        return f"cleared, was {len(old)} characters"
    if len(old) == len(new):
        return f"edited, {len(new)} characters"
    return f"{len(old)} → {len(new)} characters"


def describe_form_changes(form, *, exclude: Iterable[str] = ()) -> list[str]:
    """Every changed field of a bound, valid form, described; a field that cannot be described is named."""
    changes = []
    for name in form.changed_data:
        if name in exclude:
            continue
        try:
            change = describe_value_change(form, name, form.initial.get(name), form.cleaned_data.get(name))
        except Exception:  # an odd value must never cost the curator their save
            logger.warning("Could not describe the change of %s", name, exc_info=True)
            change = field_label(form, name)
        if change:
            changes.append(change)
    return changes


def describe_formset(formset, name: str) -> list[str]:
    """Sentences for an inline formset's added, changed and deleted rows (after formset.save())."""
    title = name[:1].upper() + name[1:]
    sentences = []
    for obj in getattr(formset, "new_objects", []):
        where = f" at position {obj.position}" if getattr(obj, "position", None) is not None else ""
        sentences.append(f"Added {name} {object_label(obj)}{where}.")
    changed = {id(obj) for obj, _ in getattr(formset, "changed_objects", [])}
    for form in formset.initial_forms:
        if id(form.instance) not in changed:
            continue
        parts = []
        if "position" in form.changed_data:
            old, new = form.initial.get("position"), form.cleaned_data.get("position")
            if old != new:
                parts.append(f"moved from position {old} to {new}")
        parts += describe_form_changes(form, exclude={"position"})
        if parts:
            sentences.append(f"{title} {object_label(form.instance)}: {'; '.join(parts)}.")
    sentences += [f"Deleted {name} {object_label(obj)}." for obj in getattr(formset, "deleted_objects", [])]
    return sentences


def describe_changes(form, formsets, *, add: bool, names: dict) -> str:
    """The whole history line of one save of a change (or add) form with its inlines."""
    sentences = []
    if add:
        sentences.append("Added.")
    else:
        changes = describe_form_changes(form)
        if changes:
            sentences.append(f"Changed {'; '.join(changes)}.")
    for formset in formsets or []:
        sentences += describe_formset(
            formset, names.get(formset.model, str(formset.model._meta.verbose_name))
        )
    return " ".join(sentences) or "No fields changed."


# The mixin is for ModelAdmins: type checkers see it as one, at run time it stays a plain mixin.
if TYPE_CHECKING:
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


class ReadableHistoryMixin(_ModelAdminBase):
    """Writes history lines with `describe_changes` for every ModelAdmin that mixes it in."""

    def construct_change_message(self, request, form, formsets, add=False):
        names = {
            inline.model: str(inline.verbose_name or inline.model._meta.verbose_name)
            for inline in self.inlines
        }
        try:
            return describe_changes(form, formsets, add=add, names=names)
        except Exception:  # never lose a save over its description: fall back to Django's message
            logger.warning("Could not describe a change of %s", self.opts.label, exc_info=True)
            return super().construct_change_message(request, form, formsets, add)


def log_changes(request, objects: list, message: str) -> None:
    """One history entry per object, written in a single query (bulk actions)."""
    if objects:
        LogEntry.objects.log_actions(
            user_id=request.user.pk, queryset=objects, action_flag=CHANGE, change_message=message
        )
