from django.conf import settings
from django.db import models


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def open_todos(self):
        return self.filter(todo=True, done_at__isnull=True)


class Notification(models.Model):
    """One message in a user's inbox, and the outbox row for its e-mail.

    Written in the same transaction as the event that causes it, so a reminder is never lost when
    the broker is down; `emailed_at` is claimed with a conditional UPDATE so it is mailed once.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="收件人", on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200, unique=True, null=True, blank=True)
    # What it is about: "app_label.model:pk" of the object, so the notice can be settled when that object
    # moves on; who it concerns (the member's name, and the branch) so identical titles can be told apart.
    topic = models.CharField("相关对象", max_length=100, blank=True, db_index=True)
    subject = models.CharField("涉及党员", max_length=100, blank=True)
    branch = models.CharField("所在支部", max_length=100, blank=True)
    # Several alike on one day are shown as one line: "{n} 份申请已批准" + the members' names.
    group = models.CharField("合并标题", max_length=100, blank=True)
    todo = models.BooleanField("待办", default=False)
    done_at = models.DateTimeField("办结时间", null=True, blank=True)
    done_note = models.CharField("办结说明", max_length=100, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    wants_email = models.BooleanField("发送邮件", default=True)
    email_claimed_at = models.DateTimeField("邮件认领时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(
                fields=["created_at"],
                name="notification_outbox_idx",
                condition=models.Q(wants_email=True, emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def who(self) -> str:
        """The member it concerns, with the branch: "张三（第一党支部）"."""
        if self.subject and self.branch:
            return f"{self.subject}（{self.branch}）"
        return self.subject or self.branch
