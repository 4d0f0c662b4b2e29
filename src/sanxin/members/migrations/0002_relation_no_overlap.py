"""A member's relations of one kind never overlap in time, so there is exactly one formal org at every
instant: an exclusion constraint on PostgreSQL (btree_gist, a trusted extension), triggers on SQLite.
The partial unique index of 0001 already allows one open relation per kind."""

from django.db import migrations

PG_UP = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE members_orgrelation ADD CONSTRAINT relation_no_overlap EXCLUDE USING gist (
  member_id WITH =, kind WITH =, daterange(start_on, end_on, '[)') WITH &&
);
"""
PG_DOWN = "ALTER TABLE members_orgrelation DROP CONSTRAINT IF EXISTS relation_no_overlap;"

_OVERLAP = """
EXISTS (SELECT 1 FROM members_orgrelation r
        WHERE r.member_id = NEW.member_id AND r.kind = NEW.kind AND r.id IS NOT NEW.id
          AND r.start_on < COALESCE(NEW.end_on, '9999-12-31')
          AND NEW.start_on < COALESCE(r.end_on, '9999-12-31'))
"""
SQLITE_UP = [
    f"""CREATE TRIGGER IF NOT EXISTS relation_no_overlap_insert BEFORE INSERT ON members_orgrelation
    WHEN {_OVERLAP}
    BEGIN SELECT RAISE(ABORT, 'relation_no_overlap: periods of one kind overlap'); END;""",
    f"""CREATE TRIGGER IF NOT EXISTS relation_no_overlap_update BEFORE UPDATE ON members_orgrelation
    WHEN {_OVERLAP}
    BEGIN SELECT RAISE(ABORT, 'relation_no_overlap: periods of one kind overlap'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS relation_no_overlap_insert;",
    "DROP TRIGGER IF EXISTS relation_no_overlap_update;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_UP:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
