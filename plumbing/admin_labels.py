"""Names for the inputs Django's admin draws without a <label>, so a screen reader can say what each one is.

A tabular inline's cells, a change list's editable columns and the two halves of a date and time have no
<label> in Django's templates (only a column header, or the words "Date:" and "Time:"). These mixins give
their widgets an `aria-label` instead: the field's verbose name ("Position", "Last login: date"), and
"Delete stage “Basics”" on a row's delete box. Django's templates stay as they are. Put a mixin before the
Django class in the bases.
"""

from typing import TYPE_CHECKING

from django import forms
from django.contrib.admin import widgets
from django.utils.text import capfirst

# The mixins are for ModelAdmins and inlines: type checkers see them as such, at run time they stay plain.
if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin
    from django.contrib.admin.options import InlineModelAdmin

    _ModelAdminBase = ModelAdmin
    _InlineBase = InlineModelAdmin
else:
    _ModelAdminBase = _InlineBase = object


def name_widget(widget: forms.Widget, name: str) -> None:
    """Gives the widget (each half of a date and time) an aria-label, unless it has one."""
    if isinstance(widget, widgets.RelatedFieldWidgetWrapper):  # the add/change links around a foreign key
        widget = widget.widget
    if isinstance(widget, forms.SplitDateTimeWidget):
        date, time = widget.widgets
        date.attrs.setdefault("aria-label", f"{name}: date")
        time.attrs.setdefault("aria-label", f"{name}: time")
    else:
        widget.attrs.setdefault("aria-label", name)


def name_of(field: forms.Field, fallback: str) -> str:
    return capfirst(str(field.label or fallback))


class _NamedInputs:
    """A formset whose forms name each of their visible inputs (each form has its own copy of its fields)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)  # type: ignore[misc]  # mixed into a formset
        for field_name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            if field_name == "DELETE":
                row = f" “{form.instance}”" if form.instance.pk else ""
                name_widget(field.widget, f"Delete {form.instance._meta.verbose_name}{row}")
            else:
                name_widget(field.widget, name_of(field, field_name))


def named(formset):
    return type(formset.__name__, (_NamedInputs, formset), {})


class LabelledFieldsAdmin(_ModelAdminBase):
    """A ModelAdmin whose change list's editable columns and date-and-time halves are named."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # Elsewhere on a change form the <label> names the input; only the halves of a date and time lack one.
        if formfield is not None and isinstance(formfield.widget, forms.SplitDateTimeWidget):
            name_widget(formfield.widget, name_of(formfield, db_field.verbose_name))
        return formfield

    def get_changelist_formset(self, request, **kwargs):
        return named(super().get_changelist_formset(request, **kwargs))


class LabelledFieldsInline(_InlineBase):
    """A tabular inline whose every input is named: its cells have a column header, not a <label>."""

    def get_formset(self, request, obj=None, **kwargs):
        return named(super().get_formset(request, obj, **kwargs))
