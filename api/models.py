"""API tokens, every use of them, and the idempotency keys of retried writes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from members.models import Organization
from members.scoping import ScopedQuerySet


class ApiTokenQuerySet(ScopedQuerySet):
    access_kind = "api_token"


class ApiToken(models.Model):
    """A key another system calls the API with, for one organization's subtree and a set of entries of
    the role table (members.access). It acts as `service_user`: an inactive user of its own holding
    Appointments at `organization` with the roles its grants need (api.tokens says which), narrowed to
    `grants`. Only a hash of the key is stored; the key is shown once, when it is issued."""

    name = models.CharField("名称", max_length=100, help_text="调用方系统，如：智慧党建平台")
    organization = models.ForeignKey(
        Organization, verbose_name="数据范围", on_delete=models.PROTECT, related_name="api_tokens"
    )
    grants = models.JSONField("权限", default=list, help_text="角色权限表中的条目，如 visit.create")
    # The key is "care_<prefix>_<secret>": the prefix finds the row, the secret is checked against the hash.
    prefix = models.CharField("编号", max_length=12, unique=True, editable=False)
    key_hash = models.CharField("密钥摘要", max_length=64, editable=False)
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="服务账号",
        on_delete=models.PROTECT,
        related_name="api_token",
        editable=False,
    )
    note = models.CharField("说明", max_length=200, blank=True)
    expires_at = models.DateTimeField("有效期至")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签发人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="吊销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}）"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    @property
    def state_label(self) -> str:
        if self.is_revoked:
            return "已吊销"
        if self.is_expired:
            return "已过期"
        return "有效"


class ApiTokenUse(models.Model):
    """One request made with a token (or refused because it was expired or revoked): when, which
    route, the answer's status and the client's address (core.http.client_ip)."""

    token = models.ForeignKey(ApiToken, verbose_name="令牌", on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    method = models.CharField("方法", max_length=10)
    path = models.CharField("地址", max_length=300)
    status = models.PositiveSmallIntegerField("状态码")
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)

    class Meta:
        verbose_name = "令牌使用记录"
        verbose_name_plural = "令牌使用记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["token", "-at"], name="apitokenuse_token_recent_idx")]

    def __str__(self) -> str:
        return f"{self.token} {self.method} {self.path} {self.status}"


class IdempotencyKey(models.Model):
    """A write that carried an `Idempotency-Key`: a retry with the same key and the same request gets
    the first answer again (the object it made, as it is now) and makes nothing; the same key with
    another request is refused. Holds no personal data: the request's hash and the object's id."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="调用者", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField("幂等键", max_length=100)
    route = models.CharField("接口", max_length=100)
    fingerprint = models.CharField("请求摘要", max_length=64)
    status = models.PositiveSmallIntegerField("状态码")
    object_id = models.PositiveBigIntegerField("对象编号")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "幂等键"
        verbose_name_plural = "幂等键"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotencykey_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.route} {self.key}"
