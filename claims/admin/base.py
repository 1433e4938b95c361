"""Shared admin behaviour: tenant scoping for staff, read-only ledgers, CSV export."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import Membership
from claims.security.params import SafeCsvWriter


def member_creditor_ids(request: HttpRequest) -> list[int]:
    """Creditors the staff user is a member of (cached on the request)."""
    cached = getattr(request, "_admin_creditor_ids", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user_id=request.user.pk).values_list(
                "creditor_id", flat=True
            )
        )
        request._admin_creditor_ids = cached  # type: ignore[attr-defined]
    return cached


class TenantScopedAdmin(admin.ModelAdmin):
    """Superusers see every row; other staff only their creditors' rows.

    ``creditor_path`` is the lookup from the model to the creditor's primary key
    (``"creditor_id"``, ``"debtor__creditor_id"``, ``"pk"`` for Creditor).
    """

    creditor_path = "creditor_id"
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over 100,000 claims per page

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.creditor_path}__in": member_creditor_ids(request)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if request.user.is_superuser or field is None:
            return field
        path = creditor_path_of(db_field.related_model)
        if path is not None:
            ids = member_creditor_ids(request)
            field.queryset = field.queryset.filter(**{f"{path}__in": ids})
        return field

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        """Staff who are not superusers see only their creditors' values in the
        filters of related objects (never the names of every tenant)."""
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser:
            return filters
        scoped: list[Any] = []
        for entry in filters:
            if isinstance(entry, str) and _is_relation(self.model, entry):
                scoped.append((entry, admin.RelatedOnlyFieldListFilter))
            else:
                scoped.append(entry)
        return scoped

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        """The form checks that every related object belongs to the same creditor."""
        base = super().get_form(request, obj, **kwargs)
        model = self.model

        class SameCreditorForm(base):  # type: ignore[misc, valid-type]
            def clean(self) -> dict[str, Any]:
                data = super().clean()
                same_creditor_check(self, model, data)
                return data

        return SameCreditorForm


def _is_relation(model: type[Model], lookup: str) -> bool:
    try:
        field = model._meta.get_field(lookup)
    except Exception:
        return False
    return bool(field.is_relation and field.many_to_one)


def creditor_path_of(model: type[Model]) -> str | None:
    """The lookup from ``model`` to its creditor's primary key, or None."""
    if model._meta.label == "claims.Creditor":
        return "pk"
    registered = admin.site._registry.get(model)
    if isinstance(registered, TenantScopedAdmin):
        return registered.creditor_path
    if any(f.name == "creditor" for f in model._meta.fields):
        return "creditor_id"
    return None


def same_creditor_check(form: Any, model: type[Model], data: dict[str, Any]) -> None:
    """Add a form error on each related object of another creditor than the row."""
    related: dict[str, tuple[Model, int | None]] = {}
    for name, value in data.items():
        if not isinstance(value, Model):
            continue
        path = creditor_path_of(type(value))
        if path is None:
            continue
        creditor_id = (
            type(value)
            ._default_manager.filter(pk=value.pk)
            .values_list(path, flat=True)
            .first()
        )
        related[name] = (value, creditor_id)
    if "creditor" in related:
        expected = related["creditor"][1]
    elif form.instance.pk is not None and (own := creditor_path_of(model)):
        expected = (
            model._default_manager.filter(pk=form.instance.pk)
            .values_list(own, flat=True)
            .first()
        )
    else:
        ids = {c for _v, c in related.values()}
        expected = ids.pop() if len(ids) == 1 else None
        if expected is None and ids:
            for name in related:
                form.add_error(
                    name, _("Ces objets appartiennent à des créanciers différents.")
                )
            return
    for name, (_value, creditor_id) in related.items():
        if creditor_id != expected and name in form.fields:
            form.add_error(name, _("Cet objet appartient à un autre créancier."))


class ScopedInline(admin.TabularInline):
    extra = 0
    show_change_link = True


class ReadOnlyInline(ScopedInline):
    """Ledger rows shown on their claim; written only through services."""

    can_delete = False

    def has_add_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False


class ImmutableAdmin(TenantScopedAdmin):
    """Evidence (events, archived documents): viewable, never changed nor deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: Model | None = None
    ) -> bool:
        return False


@admin.action(description=_("Exporter la sélection en CSV"))
def export_csv(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> HttpResponse:
    """The selected rows with the columns of the change list, as CSV (UTF-8, ;)."""
    columns = [c for c in modeladmin.get_list_display(request) if c != "__str__"]
    model = modeladmin.model
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{model._meta.model_name}-{stamp}.csv"'
    )
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    writer = SafeCsvWriter(response, delimiter=";")
    writer.writerow([_header(model, modeladmin, c) for c in columns])
    for obj in queryset.iterator(chunk_size=2000):
        writer.writerow([_value(modeladmin, obj, c) for c in columns])
    return response


def _header(model: type[Model], modeladmin: admin.ModelAdmin, column: str) -> str:
    attr = getattr(modeladmin, column, None)
    if attr is not None and hasattr(attr, "short_description"):
        return str(attr.short_description)
    try:
        return str(model._meta.get_field(column).verbose_name)
    except Exception:
        return column


def _value(modeladmin: admin.ModelAdmin, obj: Model, column: str) -> str:
    attr = getattr(modeladmin, column, None)
    if callable(attr):
        return str(attr(obj))
    display = getattr(obj, f"get_{column}_display", None)
    value = display() if callable(display) else getattr(obj, column, "")
    return "" if value is None else str(value)
