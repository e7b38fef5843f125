"""Entered holiday schedules become whole years (CalendarYear) with a history of changes."""

import django.db.models.deletion
from django.conf import settings

import core.clock
from django.db import migrations, models
from django.utils import timezone


def years_from_days(apps, schema_editor):
    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    for day in CalendarDay.objects.all():
        schedule, _ = CalendarYear.objects.get_or_create(
            year=day.date.year, defaults={"notice": "（早期在后台录入）", "entered_at": timezone.now(),
                                          "updated_at": timezone.now()})
        day.schedule_id = schedule.pk
        day.save(update_fields=["schedule"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_append_only_audit_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarYear",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="年度")),
                ("notice", models.CharField(max_length=200, verbose_name="通知名称或文号")),
                ("entered_at", models.DateTimeField(default=core.clock.now, verbose_name="录入时间")),
                ("updated_at", models.DateTimeField(default=core.clock.now, verbose_name="最近修改")),
                ("entered_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                 related_name="+", to=settings.AUTH_USER_MODEL,
                                                 verbose_name="录入人")),
            ],
            options={"verbose_name": "年度节假日安排", "verbose_name_plural": "年度节假日安排", "ordering": ["-year"]},
        ),
        migrations.AddField(
            model_name="calendarday",
            name="schedule",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="days",
                                    to="core.calendaryear", verbose_name="所属年度安排"),
        ),
        migrations.RunPython(years_from_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="calendarday",
            name="schedule",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="days",
                                    to="core.calendaryear", verbose_name="所属年度安排"),
        ),
        migrations.AlterField(
            model_name="calendarday",
            name="is_workday",
            field=models.BooleanField(help_text="勾选：调休上班日；不勾选：放假", verbose_name="是否工作日"),
        ),
        migrations.AlterField(
            model_name="calendarday",
            name="name",
            field=models.CharField(blank=True, help_text="例如：国庆节、春节（调休上班）", max_length=50,
                                   verbose_name="说明"),
        ),
        migrations.CreateModel(
            name="CalendarChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("changed_at", models.DateTimeField(default=core.clock.now, verbose_name="时间")),
                ("summary", models.TextField(verbose_name="变更内容")),
                ("notices_moved", models.PositiveIntegerField(default=0, verbose_name="调整截止日的公示")),
                ("changed_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                 related_name="+", to=settings.AUTH_USER_MODEL,
                                                 verbose_name="操作人")),
                ("schedule", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="changes",
                                               to="core.calendaryear", verbose_name="年度安排")),
            ],
            options={"verbose_name": "节假日安排变更记录", "verbose_name_plural": "节假日安排变更记录",
                     "ordering": ["-changed_at", "-id"]},
        ),
    ]
