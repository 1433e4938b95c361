"""Fast inserts of plain rows: PostgreSQL ``COPY``, ``bulk_create`` elsewhere.

Rows are dicts keyed by attribute name (``creditor_id``, not ``creditor``).
Django's field defaults are filled in here because ``COPY`` bypasses the ORM:
the database itself has no defaults for them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db import connection
from django.db import models
from django.utils import timezone

BATCH = 5000


def _defaults(model: type[models.Model]) -> dict[str, Any]:
    """One value per concrete column except the auto primary key."""
    now = timezone.now()
    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.has_default():
            default = f.get_default()
            # ``timezone.now`` / ``localdate`` defaults: one value for the batch.
            values[f.attname] = now if isinstance(f, models.DateTimeField) else default
        elif f.null:
            values[f.attname] = None
        else:
            values[f.attname] = "" if f.empty_strings_allowed else None
    return values


def insert_rows(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    table: str = "",
    with_pk: bool = False,
) -> None:
    """Insert ``rows`` (attname → value) as fast as the database allows.

    ``table`` and ``with_pk`` (PostgreSQL only) copy into a staging table shaped
    like the model's, primary keys included.
    """
    if not rows:
        return
    defaults = _defaults(model)
    # A unique column with a computed default (a UUID ``code``): one value per
    # row, on every database.
    fresh = [
        f
        for f in model._meta.concrete_fields
        if f.unique and not f.primary_key and f.has_default() and callable(f.default)
    ]

    def merged(row: dict[str, Any]) -> dict[str, Any]:
        values = defaults | row
        for f in fresh:
            if f.attname not in row:
                values[f.attname] = f.default()
        return values

    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**merged(row)) for row in rows], batch_size=BATCH
        )
        return
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    names = [f.attname for f in fields]
    # COPY takes JSON as text; every other value psycopg adapts by itself.
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(table or model._meta.db_table)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                full = merged(row)
                values = [full[n] for n in names]
                for i in json_at:
                    values[i] = json.dumps(values[i])
                copy.write_row(values)


def insert_objects(objs: list[models.Model]) -> None:
    """Insert unsaved model instances (all of one model) and set their keys:
    the values their constructor computed, written as ``insert_rows`` does."""
    if not objs:
        return
    model = type(objs[0])
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    ids = insert_rows_returning_ids(
        model, [{name: getattr(obj, name) for name in fields} for obj in objs]
    )
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False


def insert_rows_returning_ids(
    model: type[models.Model], rows: list[dict[str, Any]]
) -> list[int]:
    """Insert ``rows`` and return their primary keys, in order: keys reserved
    from the sequence then ``COPY`` on PostgreSQL, ``bulk_create`` elsewhere."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        # The model fills every default itself, a fresh UUID per row included.
        created = model._default_manager.bulk_create(
            [model(**row) for row in rows], batch_size=BATCH
        )
        return [obj.pk for obj in created]
    ids = allocate_ids(model, len(rows))
    for row, pk in zip(rows, ids, strict=True):
        row[model._meta.pk.attname] = pk
    insert_rows(model, rows, with_pk=True)
    return ids


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve ``count`` primary keys from the table's sequence (PostgreSQL)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def ids_by_code(
    model: type[models.Model], codes: Iterable[UUID], **filters: Any
) -> dict[UUID, int]:
    """Primary keys of freshly inserted rows, looked up by their UUID ``code``."""
    wanted = set(codes)
    pairs = model._default_manager.filter(**filters).values_list("code", "pk")
    return {code: pk for code, pk in pairs.iterator(chunk_size=BATCH) if code in wanted}
