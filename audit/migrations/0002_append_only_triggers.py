"""Make the audit trail append-only in the database itself (R28.1).

UPDATE is refused on both SQLite and PostgreSQL. DELETE is refused on PostgreSQL; on SQLite the
test runner's flush deletes rows, so there the model and admin guards are what stop deletes.
"""

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_record_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit records are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        schema_editor.execute(
            "CREATE TRIGGER audit_record_no_update BEFORE UPDATE OR DELETE ON audit_auditrecord "
            "FOR EACH ROW EXECUTE FUNCTION audit_record_append_only();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord "
            "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute("DROP TRIGGER IF EXISTS audit_record_no_update" + (
        " ON audit_auditrecord" if vendor == "postgresql" else ""))


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
