"""Reordering an inline's rows with buttons instead of typed positions; plain forms, no JavaScript.

Each saved row of a reorderable inline gets "top", "up", "down" and "bottom" buttons. They belong to a
small separate form on the change page (`form="reorder-rows"`), so they post only the CSRF token to the
parent admin's move URL, and pressing Enter in a field still saves the page. The move view swaps or
rotates the positions the rows already hold, inside one transaction, parking the moving rows first so the
unique (parent, position) constraints hold at every statement; then it logs the move on the parent's
history and redirects back to the moved row.
"""

from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from learning.catalogue.admin.history import object_label
from learning.catalogue.positions import park

# The empty form that the move buttons submit (see templates/admin/learning/reorder_change_form.html).
MOVE_FORM_ID = "reorder-rows"

# direction: (button text, what it does, the edge that refuses it)
MOVES = {
    "top": ("⤒", "to the top", "first"),
    "up": ("↑", "up", "first"),
    "down": ("↓", "down", "last"),
    "bottom": ("⤓", "to the bottom", "last"),
}

# The mixin is for ModelAdmins: type checkers see it as one, at run time it stays a plain mixin.
if TYPE_CHECKING:
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


def reordered(rows: list, row, direction: str) -> list | None:
    """The rows in their new order after moving `row`, or None when it is already at that edge."""
    index = rows.index(row)
    target = {"top": 0, "up": index - 1, "down": index + 1, "bottom": len(rows) - 1}[direction]
    if target == index or not 0 <= target < len(rows):
        return None
    order = [other for other in rows if other is not row]
    order.insert(target, row)
    return order


class OrderedRowsFormSet(BaseInlineFormSet):
    """Tells each saved row whether it is the first or the last, so the edge buttons render disabled."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        rows = list(self.get_queryset())  # cached: the forms are built from the same instances
        for index, row in enumerate(rows):
            row.reorder_parent_pk = self.instance.pk
            row.reorder_edges = {"first": index == 0, "last": index == len(rows) - 1}


class ReorderableInline(admin.TabularInline):
    """An inline whose saved rows carry move buttons (when the user may change the parent)."""

    move_field = "move_controls"

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        parent_admin = self.admin_site.get_model_admin(self.parent_model)
        if (
            obj is not None
            and parent_admin.has_change_permission(request, obj)
            and self.has_change_permission(request, obj)
        ):
            fields.insert(fields.index("position") + 1 if "position" in fields else 0, self.move_field)
        return fields

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), self.move_field)

    @admin.display(description="Move")
    def move_controls(self, obj):
        parent_pk = getattr(obj, "reorder_parent_pk", None)
        if obj.pk is None or parent_pk is None:
            return ""
        parent = self.parent_model._meta
        url_name = f"{self.admin_site.name}:{parent.app_label}_{parent.model_name}_move"
        kind, label = self.model._meta.model_name, object_label(obj)
        buttons = (
            (
                MOVE_FORM_ID,
                reverse(url_name, args=[parent_pk, kind, obj.pk, direction]),
                f"Move {label} {words}",
                f"Move {words}",
                "disabled" if obj.reorder_edges[edge] else "",
                text,
            )
            for direction, (text, words, edge) in MOVES.items()
        )
        return format_html(
            '<span class="reorder-buttons">{}</span>',
            format_html_join(
                "",
                '<button type="submit" form="{}" formaction="{}" class="reorder-button" aria-label="{}" '
                'title="{}" {}>{}</button>',
                buttons,
            ),
        )


class ReorderChildrenMixin(_ModelAdminBase):
    """Gives a parent ModelAdmin the move URL used by its `ReorderableInline`s."""

    change_form_template = "admin/learning/reorder_change_form.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_move"
        move = path(
            "<path:object_id>/move/<slug:kind>/<int:row_id>/<slug:direction>/",
            self.admin_site.admin_view(self.move_view),
            name=name,
        )
        return [move, *super().get_urls()]

    def reorderable_inlines(self) -> dict:
        return {
            inline.model._meta.model_name: inline
            for inline in self.inlines
            if issubclass(inline, ReorderableInline)
        }

    def move_view(self, request, object_id, kind, row_id, direction):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        parent = self.get_object(request, unquote(object_id))
        inline_class = self.reorderable_inlines().get(kind)
        if parent is None or inline_class is None or direction not in MOVES:
            raise Http404("No such row to move.")
        inline = inline_class(self.model, self.admin_site)
        if not (
            self.has_change_permission(request, parent) and inline.has_change_permission(request, parent)
        ):
            raise PermissionDenied
        formset = inline.get_formset(request, parent)
        model, fk = inline.model, formset.fk
        with transaction.atomic(using=router.db_for_write(model)):
            rows = list(
                model.objects.select_for_update().filter(**{fk.name: parent}).order_by("position", "pk")
            )
            row = next((candidate for candidate in rows if candidate.pk == row_id), None)
            if row is None:
                raise Http404("No such row to move.")
            order = reordered(rows, row, direction)
            if order is not None:
                moved = self._place(model, rows, order)
        back = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change", args=[parent.pk]
        )
        prefix = formset.get_default_prefix()
        name = model._meta.verbose_name
        if order is None:
            _, _, edge = MOVES[direction]
            self.message_user(request, f"{object_label(row)} is already the {edge} {name}.", messages.WARNING)
            return HttpResponseRedirect(f"{back}#{prefix}-{rows.index(row)}")
        self.log_change(request, parent, move_message(name, row, moved, direction))
        self.message_user(
            request, f"Moved {name} {object_label(row)} {MOVES[direction][1]}.", messages.SUCCESS
        )
        return HttpResponseRedirect(f"{back}#{prefix}-{order.index(row)}")

    @staticmethod
    def _place(model, rows, order) -> dict:
        """Gives `order` the positions `rows` held, in sequence; {row: (old, new)} for the rows that moved."""
        positions = [row.position for row in rows]
        moved = {
            row: (row.position, new) for row, new in zip(order, positions, strict=True) if row.position != new
        }
        park(model.objects.filter(pk__in=[row.pk for row in moved]))
        for row, (_, new) in moved.items():
            model.objects.filter(pk=row.pk).update(position=new)
        return moved


def move_message(name: str, row, moved: dict, direction: str) -> str:
    """The history line of a move: the row that moved, and what shifted to make room."""
    old, new = moved[row]
    message = (
        f"{capfirst(name)} {object_label(row)}: moved {MOVES[direction][1]}, from position {old} to {new}."
    )
    others = [other for other in moved if other is not row]
    if len(others) == 1:
        other_old, other_new = moved[others[0]]
        message += f" {capfirst(name)} {object_label(others[0])}: from position {other_old} to {other_new}."
    elif others:
        shift = "down" if direction in ("up", "top") else "up"
        message += f" {len(others)} other {row._meta.verbose_name_plural} moved {shift} one place."
    return message
