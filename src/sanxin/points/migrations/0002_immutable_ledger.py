"""The ledger refuses changes at the database: an UPDATE of a ledger row fails on both databases, a
DELETE fails on PostgreSQL (SQLite keeps DELETE for the test runner's table flush; the model refuses
it). Corrections are reversing rows."""

from django.db import migrations

PG = """
CREATE OR REPLACE FUNCTION points_entry_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = 'points ledger rows are immutable (' || TG_OP || ')';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER points_entry_no_update BEFORE UPDATE OR DELETE ON points_entry
    FOR EACH ROW EXECUTE FUNCTION points_entry_immutable();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS points_entry_no_update ON points_entry;
DROP FUNCTION IF EXISTS points_entry_immutable();
"""
SQLITE = """
CREATE TRIGGER points_entry_no_update BEFORE UPDATE ON points_entry
BEGIN
    SELECT RAISE(ABORT, 'points ledger rows are immutable');
END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS points_entry_no_update;"


def forwards(apps, schema_editor):
    sql = PG if schema_editor.connection.vendor == "postgresql" else SQLITE
    schema_editor.execute(sql)


def backwards(apps, schema_editor):
    sql = PG_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
