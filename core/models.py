from django.conf import settings
from django.db import models

from core import clock


class CalendarYear(models.Model):
    """A year's holiday schedule as the State Council published it (国务院办公厅关于 YYYY 年部分节假日
    安排的通知), entered by the organization department. A year with a row here is counted from its
    days alone: the libraries are not asked about it."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    notice = models.CharField("通知名称或文号", max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_at = models.DateTimeField("录入时间", default=clock.now)
    updated_at = models.DateTimeField("最近修改", default=clock.now)

    class Meta:
        verbose_name = "年度节假日安排"
        verbose_name_plural = "年度节假日安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年节假日安排"


class CalendarDay(models.Model):
    """One day of an entered schedule: a holiday (放假) or a 调休 working weekend day (上班)."""

    schedule = models.ForeignKey(
        CalendarYear, verbose_name="所属年度安排", on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="勾选：调休上班日；不勾选：放假")
    name = models.CharField("说明", max_length=50, blank=True, help_text="例如：国庆节、春节（调休上班）")

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '放假'} {self.name}"


class CalendarChange(models.Model):
    """What an entry or an edit of a year's schedule changed, and how many open notices it moved."""

    schedule = models.ForeignKey(
        CalendarYear, verbose_name="年度安排", on_delete=models.CASCADE, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField("时间", default=clock.now)
    summary = models.TextField("变更内容")
    notices_moved = models.PositiveIntegerField("调整截止日的公示", default=0)

    class Meta:
        verbose_name = "节假日安排变更记录"
        verbose_name_plural = "节假日安排变更记录"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.schedule.year} 年 {self.changed_at:%Y-%m-%d %H:%M}"
