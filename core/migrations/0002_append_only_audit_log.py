from django.db import migrations

# On PostgreSQL a trigger refuses UPDATE and DELETE on the audit trail, whoever runs them.
# (SQLite, for development only, has no such guarantee.)
FORWARD = """
CREATE OR REPLACE FUNCTION care_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% 是只增不改的记录表，不能修改或删除', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS auditlog_logentry_append_only ON auditlog_logentry;
CREATE TRIGGER auditlog_logentry_append_only BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION care_refuse_change();
"""
BACKWARD = "DROP TRIGGER IF EXISTS auditlog_logentry_append_only ON auditlog_logentry;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_calendar_day"), ("auditlog", "0017_add_actor_email")]
    operations = [migrations.RunPython(forward, backward)]
