"""The hardship categories and help types of the seeds (../shared/seeds), as rows users can extend."""

from django.db import migrations

CATEGORIES = [
    ("old_no_income", "年老无固定收入"),
    ("lost_capacity", "丧失劳动能力"),
    ("illness", "因病致贫"),
    ("disaster", "因灾致贫"),
    ("unemployed_landless", "失业失地"),
    ("migrant_family", "外出务工家庭"),
    ("minimum_living", "低保"),
    ("below_average", "低于当地平均生活水平"),
    ("alone", "鳏寡孤独"),
    ("low_pension", "离退休费偏低"),
    ("spouse_no_income", "配偶无收入"),
    ("child_employment", "子女就业困难"),
    ("sudden_accident", "家庭突发事故"),
]
HELP_TYPES = [
    ("thought", "帮思想", True),
    ("living", "帮生活", True),
    ("production", "帮生产", True),
    ("employment", "帮就业", True),
    ("information", "帮信息", True),
    ("medical", "医疗", False),
    ("education", "助学", False),
]


def add_rows(apps, schema_editor):
    HardshipCategory = apps.get_model("hardship", "HardshipCategory")
    HelpType = apps.get_model("hardship", "HelpType")
    for order, (code, name) in enumerate(CATEGORIES):
        HardshipCategory.objects.update_or_create(code=code, defaults={"name": name, "sort_order": order})
    for order, (code, name, is_pairing_help) in enumerate(HELP_TYPES):
        HelpType.objects.update_or_create(
            code=code, defaults={"name": name, "is_pairing_help": is_pairing_help, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("hardship", "0001_ledger_and_pairing")]
    operations = [migrations.RunPython(add_rows, migrations.RunPython.noop)]
