"""The ledger's categories checked against the seeds (issue 15): seed 000 一 names 老党员、退离干部、生病住院、
本人或直系亲属病逝; seed 004 names 体弱多病 and 农村困难党员、企业下岗党员. The others were there already."""

from django.db import migrations

ADDED = [
    ("old_member", "老党员"),
    ("retired_cadre", "离退休干部"),
    ("hospitalized", "生病住院"),
    ("bereaved", "本人或直系亲属病逝"),
    ("frail", "体弱多病"),
    ("rural_hardship", "农村困难党员"),
    ("laid_off", "企业下岗党员"),
]


def add_rows(apps, schema_editor):
    category_model = apps.get_model("hardship", "HardshipCategory")
    start = (category_model.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0) + 1
    for order, (code, name) in enumerate(ADDED, start=start):
        category_model.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("hardship", "0006_access_log_moved_to_members")]
    operations = [migrations.RunPython(add_rows, migrations.RunPython.noop)]
