from django.conf import settings
from django.db import models


class ReportJob(models.Model):
    """A workbook built in the background when it is too large to answer in a request: the annual
    workbook of a large scope, or a roster or visit export of many rows (with the list's filters)."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "年度报表"
        ROSTER = "roster", "党员名册"
        VISITS = "visits", "走访慰问记录"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.CASCADE, related_name="report_jobs"
    )
    kind = models.CharField("报表", max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    # An export's filters as the list page's query string; checked again with the requester's roles.
    query = models.CharField("筛选条件", max_length=1000, blank=True)
    organization = models.ForeignKey(
        "members.Organization", verbose_name="组织", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    year = models.PositiveSmallIntegerField("年度")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    # A name in the shared file store (default_storage), never a path on one machine's disk.
    file = models.FileField("文件", max_length=300, blank=True)
    error = models.CharField("错误", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "报表生成任务"
        verbose_name_plural = "报表生成任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.organization or ''} {self.year} {self.get_status_display()}"
