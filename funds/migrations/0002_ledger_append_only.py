"""On PostgreSQL the ledger is append-only in the database itself: UPDATE and DELETE on
funds_fundentry raise, whatever code (or shell session) tries them. SQLite relies on the model guards."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION funds_fundentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'funds_fundentry is append-only: corrections are reversing entries';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS funds_fundentry_append_only ON funds_fundentry;
CREATE TRIGGER funds_fundentry_append_only BEFORE UPDATE OR DELETE ON funds_fundentry
    FOR EACH ROW EXECUTE FUNCTION funds_fundentry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS funds_fundentry_append_only ON funds_fundentry;
DROP FUNCTION IF EXISTS funds_fundentry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_care_fund_and_applications")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
