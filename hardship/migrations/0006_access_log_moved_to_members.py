"""The ledger's access log joins the one log of personal-data access (members.AccessLog): its rows are
copied there, with the time each line was read, then the table goes."""

from django.db import migrations


def copy_rows(apps, schema_editor):
    old = apps.get_model("hardship", "HardshipAccessLog")
    new = apps.get_model("members", "AccessLog")
    for row in old.objects.select_related("record__member__organization").order_by("pk").iterator(chunk_size=2000):
        member = row.record.member
        entry = new.objects.create(
            user_id=row.user_id, what="ledger", target=f"困难党员台帐 {member.name}", member_id=member.pk,
            object_id=row.record_id, ip_address=row.ip_address, org_path=member.organization.path,
        )
        # `at` is auto_now_add, which a create overrides: keep when the line was actually read.
        new.objects.filter(pk=entry.pk).update(at=row.viewed_at)


class Migration(migrations.Migration):

    dependencies = [
        ("hardship", "0005_progress_money_source"),
        ("members", "0003_access_log"),
    ]

    operations = [
        migrations.RunPython(copy_rows, migrations.RunPython.noop),
        migrations.DeleteModel(name="HardshipAccessLog"),
    ]
