"""The dashboard's per-creditor figures and the change list the database
keeps (claims.models.figures): triggers on claims and debtors append the
creditor of every changed row, in the writer's own transaction."""

import django.db.models.deletion
from django.db import migrations, models

# The claim columns the stored figures read (claims.ledger.selectors.claims_figures_compute).
CLAIM_COLUMNS = (
    "creditor_id",
    "debtor_id",
    "status",
    "stage",
    "balance",
    "principal",
    "oldest_due_date",
    "first_reminder_sent_on",
    "formal_notice_sent_on",
    "next_action_on",
)
DEBTOR_COLUMNS = ("creditor_id", "country", "kind")


def _changed(columns, old="o", new="n"):
    return "({}) IS DISTINCT FROM ({})".format(
        ", ".join(f"{old}.{c}" for c in columns),
        ", ".join(f"{new}.{c}" for c in columns),
    )


POSTGRES = f"""
CREATE OR REPLACE FUNCTION claims_figures_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO claims_figureschange (creditor_id)
  SELECT DISTINCT creditor_id FROM changed_rows;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION claims_figures_claim_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO claims_figureschange (creditor_id)
  SELECT DISTINCT v.creditor_id FROM new_rows n JOIN old_rows o ON o.id = n.id
  CROSS JOIN LATERAL (VALUES (n.creditor_id), (o.creditor_id)) v (creditor_id)
  WHERE {_changed(CLAIM_COLUMNS)};
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION claims_figures_debtor_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO claims_figureschange (creditor_id)
  SELECT DISTINCT v.creditor_id FROM new_rows n JOIN old_rows o ON o.id = n.id
  CROSS JOIN LATERAL (VALUES (n.creditor_id), (o.creditor_id)) v (creditor_id)
  WHERE {_changed(DEBTOR_COLUMNS)};
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION claims_figures_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO claims_figureschange (creditor_id)
  SELECT creditor_id FROM claims_creditorfigures;
  RETURN NULL;
END $$;
CREATE TRIGGER claims_figures_claim_insert AFTER INSERT ON claims_claim
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claims_figures_rows();
CREATE TRIGGER claims_figures_claim_delete AFTER DELETE ON claims_claim
  REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claims_figures_rows();
CREATE TRIGGER claims_figures_claim_update AFTER UPDATE ON claims_claim
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claims_figures_claim_update();
CREATE TRIGGER claims_figures_claim_truncate AFTER TRUNCATE ON claims_claim
  FOR EACH STATEMENT EXECUTE FUNCTION claims_figures_all();
CREATE TRIGGER claims_figures_debtor_update AFTER UPDATE ON claims_debtor
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claims_figures_debtor_update();
CREATE TRIGGER claims_figures_debtor_truncate AFTER TRUNCATE ON claims_debtor
  FOR EACH STATEMENT EXECUTE FUNCTION claims_figures_all();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS claims_figures_claim_insert ON claims_claim;
DROP TRIGGER IF EXISTS claims_figures_claim_delete ON claims_claim;
DROP TRIGGER IF EXISTS claims_figures_claim_update ON claims_claim;
DROP TRIGGER IF EXISTS claims_figures_claim_truncate ON claims_claim;
DROP TRIGGER IF EXISTS claims_figures_debtor_update ON claims_debtor;
DROP TRIGGER IF EXISTS claims_figures_debtor_truncate ON claims_debtor;
DROP FUNCTION IF EXISTS claims_figures_rows();
DROP FUNCTION IF EXISTS claims_figures_claim_update();
DROP FUNCTION IF EXISTS claims_figures_debtor_update();
DROP FUNCTION IF EXISTS claims_figures_all();
"""
# SQLite (make run): row triggers, the same rule.
_INSERT = "INSERT INTO claims_figureschange (creditor_id) VALUES"
SQLITE = [
    f"CREATE TRIGGER claims_figures_claim_insert AFTER INSERT ON claims_claim "
    f"BEGIN {_INSERT} (NEW.creditor_id); END",
    f"CREATE TRIGGER claims_figures_claim_delete AFTER DELETE ON claims_claim "
    f"BEGIN {_INSERT} (OLD.creditor_id); END",
    f"CREATE TRIGGER claims_figures_claim_update AFTER UPDATE ON claims_claim "
    f"WHEN {_changed(CLAIM_COLUMNS, 'OLD', 'NEW')} "
    f"BEGIN {_INSERT} (NEW.creditor_id), (OLD.creditor_id); END",
    f"CREATE TRIGGER claims_figures_debtor_update AFTER UPDATE ON claims_debtor "
    f"WHEN {_changed(DEBTOR_COLUMNS, 'OLD', 'NEW')} "
    f"BEGIN {_INSERT} (NEW.creditor_id), (OLD.creditor_id); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS claims_figures_claim_insert",
    "DROP TRIGGER IF EXISTS claims_figures_claim_delete",
    "DROP TRIGGER IF EXISTS claims_figures_claim_update",
    "DROP TRIGGER IF EXISTS claims_figures_debtor_update",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql)


def triggers_create(apps, schema_editor):
    """Idempotent (the benchmarks replay every RunPython after a flush)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, [POSTGRES_DROP, POSTGRES])
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP + SQLITE)
    else:  # the stored figures would go stale unnoticed
        raise RuntimeError(f"No figures triggers for {vendor}")


def triggers_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, [POSTGRES_DROP] if vendor == "postgresql" else SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0010_merge_second_wave"),
    ]

    operations = [
        migrations.CreateModel(
            name="CreditorFigures",
            fields=[
                (
                    "creditor",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="figures",
                        serialize=False,
                        to="claims.creditor",
                    ),
                ),
                ("as_of", models.DateField()),
                ("figures", models.JSONField(default=dict)),
                ("computed_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.CreateModel(
            name="FiguresChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("creditor_id", models.BigIntegerField(db_index=True)),
            ],
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
