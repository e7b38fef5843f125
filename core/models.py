from django.db import models


class CalendarDay(models.Model):
    """An official holiday or 调休 workday the calendar library does not know yet.

    chinesecalendar knows a year only once the State Council publishes it (usually in November for
    the next year); until a newer release is installed, an administrator enters the year here.
    """

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="勾选：调休上班日；不勾选：法定节假日")
    name = models.CharField("说明", max_length=50, blank=True, help_text="例如：国庆节、春节调休")

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '放假'} {self.name}"
