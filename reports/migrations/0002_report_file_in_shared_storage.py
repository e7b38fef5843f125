from django.db import migrations, models


def expire_local_paths(apps, schema_editor):
    """Workbooks of earlier versions were written to one machine's var/reports and named by absolute
    path: no other node can read them. Mark those jobs expired (the page offers to build it again)."""
    ReportJob = apps.get_model("reports", "ReportJob")
    ReportJob.objects.filter(file__startswith="/").update(status="expired", file="")


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0001_report_job"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reportjob",
            name="file",
            field=models.FileField(blank=True, max_length=300, upload_to="", verbose_name="文件"),
        ),
        migrations.AlterField(
            model_name="reportjob",
            name="status",
            field=models.CharField(
                choices=[("queued", "排队中"), ("running", "生成中"), ("done", "已完成"), ("failed", "失败"),
                         ("expired", "已过期")],
                default="queued", max_length=10, verbose_name="状态",
            ),
        ),
        migrations.RunPython(expire_local_paths, migrations.RunPython.noop),
    ]
