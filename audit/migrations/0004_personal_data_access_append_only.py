"""The personal-data access log is append-only in the database too (R22.1), like the trail."""

from django.db import migrations


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # audit_record_append_only() comes from 0002.
        schema_editor.execute(
            "CREATE TRIGGER personal_data_access_append_only BEFORE UPDATE OR DELETE "
            "ON audit_personaldataaccess FOR EACH ROW EXECUTE FUNCTION audit_record_append_only();"
        )
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER personal_data_access_append_only BEFORE UPDATE "
            "ON audit_personaldataaccess "
            "BEGIN SELECT RAISE(ABORT, 'personal-data access records are append-only'); END;"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS personal_data_access_append_only"
        + (" ON audit_personaldataaccess" if vendor == "postgresql" else "")
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_personal_data_access")]
    operations = [migrations.RunPython(forwards, backwards)]
