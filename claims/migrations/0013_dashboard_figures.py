"""The rest of the dashboard's whole-book figures stored per creditor
(claims.ledger.selectors._figures_sources): triggers on payments, invoices,
actions (failed and uncertain sends only) and judicial cases append the
creditor of every changed row to the change list, in the writer's own
transaction, like those of 0011 on claims and debtors; and the partial
indexes the forecast's live queries read (planned actions due by a date, per
creditor; the pending steps of a claim; the open claims in an automatic
stage with their pause)."""

from django.db import migrations, models

# The columns the stored figures read, per table.
TABLES = {
    "claims_payment": ("creditor_id", "claim_id", "date", "amount"),
    "claims_invoice": ("creditor_id", "kind", "issue_date", "due_date", "amount"),
    "claims_judicialcase": ("creditor_id", "claim_id", "handed_off_on"),
}
# Actions: only the failed and uncertain sends are counted.
COUNTED = "('failed', 'uncertain')"


def _changed(columns, old="o", new="n"):
    return "({}) IS DISTINCT FROM ({})".format(
        ", ".join(f"{old}.{c}" for c in columns),
        ", ".join(f"{new}.{c}" for c in columns),
    )


def _update_function(name, where):
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO claims_figureschange (creditor_id)
  SELECT DISTINCT v.creditor_id FROM new_rows n JOIN old_rows o ON o.id = n.id
  CROSS JOIN LATERAL (VALUES (n.creditor_id), (o.creditor_id)) v (creditor_id)
  WHERE {where};
  RETURN NULL;
END $$;"""


def _postgres():
    # Functions of its own: replaying 0011 (the benchmarks replay every
    # RunPython) drops and recreates those of 0011.
    sql = [
        """
CREATE OR REPLACE FUNCTION figures_changed_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO claims_figureschange (creditor_id)
  SELECT DISTINCT creditor_id FROM changed_rows;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION figures_every_creditor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO claims_figureschange (creditor_id)
  SELECT creditor_id FROM claims_creditorfigures;
  RETURN NULL;
END $$;"""
    ]
    sql += [
        _update_function(f"figures_{table}_update", _changed(columns))
        for table, columns in TABLES.items()
    ]
    sql.append(
        _update_function(
            "figures_claims_action_update",
            f"(n.state IN {COUNTED} OR o.state IN {COUNTED}) "
            f"AND {_changed(('creditor_id', 'state'))}",
        )
    )
    sql.append(f"""
CREATE OR REPLACE FUNCTION figures_claims_action_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO claims_figureschange (creditor_id)
  SELECT DISTINCT creditor_id FROM changed_rows WHERE state IN {COUNTED};
  RETURN NULL;
END $$;""")
    for table in (*TABLES, "claims_action"):
        rows = (
            "figures_claims_action_rows"
            if table == "claims_action"
            else "figures_changed_rows"
        )
        sql.append(f"""
CREATE TRIGGER figures_{table}_insert AFTER INSERT ON {table}
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {rows}();
CREATE TRIGGER figures_{table}_delete AFTER DELETE ON {table}
  REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {rows}();
CREATE TRIGGER figures_{table}_update AFTER UPDATE ON {table}
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION figures_{table}_update();
CREATE TRIGGER figures_{table}_truncate AFTER TRUNCATE ON {table}
  FOR EACH STATEMENT EXECUTE FUNCTION figures_every_creditor();""")
    return sql


def _postgres_drop():
    sql = []
    for table in (*TABLES, "claims_action"):
        for event in ("insert", "delete", "update", "truncate"):
            sql.append(f"DROP TRIGGER IF EXISTS figures_{table}_{event} ON {table};")
        sql.append(f"DROP FUNCTION IF EXISTS figures_{table}_update();")
    sql.append("DROP FUNCTION IF EXISTS figures_claims_action_rows();")
    sql.append("DROP FUNCTION IF EXISTS figures_changed_rows();")
    sql.append("DROP FUNCTION IF EXISTS figures_every_creditor();")
    return sql


# SQLite (make run): row triggers, the same rule.
_INSERT = "INSERT INTO claims_figureschange (creditor_id) VALUES"


def _sqlite():
    sql = []
    for table, columns in (*TABLES.items(), ("claims_action", None)):
        when_new = f"WHEN NEW.state IN {COUNTED} " if columns is None else ""
        when_old = f"WHEN OLD.state IN {COUNTED} " if columns is None else ""
        when_update = (
            f"WHEN (NEW.state IN {COUNTED} OR OLD.state IN {COUNTED}) AND "
            f"{_changed(('creditor_id', 'state'), 'OLD', 'NEW')} "
            if columns is None
            else f"WHEN {_changed(columns, 'OLD', 'NEW')} "
        )
        sql += [
            f"CREATE TRIGGER figures_{table}_insert AFTER INSERT ON {table} "
            f"{when_new}BEGIN {_INSERT} (NEW.creditor_id); END",
            f"CREATE TRIGGER figures_{table}_delete AFTER DELETE ON {table} "
            f"{when_old}BEGIN {_INSERT} (OLD.creditor_id); END",
            f"CREATE TRIGGER figures_{table}_update AFTER UPDATE ON {table} "
            f"{when_update}BEGIN {_INSERT} (NEW.creditor_id), (OLD.creditor_id); END",
        ]
    return sql


def _sqlite_drop():
    return [
        f"DROP TRIGGER IF EXISTS figures_{table}_{event}"
        for table in (*TABLES, "claims_action")
        for event in ("insert", "delete", "update")
    ]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def triggers_create(apps, schema_editor):
    """Idempotent (the benchmarks replay every RunPython after a flush)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, _postgres_drop() + _postgres())
    elif vendor == "sqlite":
        _run(schema_editor, _sqlite_drop() + _sqlite())
    else:  # the stored figures would go stale unnoticed
        raise RuntimeError(f"No figures triggers for {vendor}")
    # Figures stored before these keys existed: recomputed on the next read.
    schema_editor.execute(
        "INSERT INTO claims_figureschange (creditor_id) "
        "SELECT creditor_id FROM claims_creditorfigures"
    )


def triggers_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(
        schema_editor,
        _postgres_drop() if vendor == "postgresql" else _sqlite_drop(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0012_merge_third_wave"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                condition=models.Q(("state", "planned")),
                fields=["creditor", "due_on"],
                name="action_planned_creditor_due",
            ),
        ),
        migrations.AddIndex(
            model_name="action",
            index=models.Index(
                condition=models.Q(
                    ("state__in", ["planned", "running", "sending", "uncertain"])
                ),
                fields=["claim"],
                name="action_pending_claim",
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(
                condition=models.Q(
                    ("stage__in", ["amicable", "formal_notice"]), ("status", "open")
                ),
                fields=["id", "paused_until"],
                name="claim_open_automatic",
            ),
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
