"""Sending notifications: every reminder in the product goes through `notify`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.queue import enqueue_on_commit
from notifications.models import Notification

CLAIM_TIMEOUT = dt.timedelta(minutes=10)


def notify(
    *, recipient, title: str, body: str = "", link: str = "", dedupe_key: str | None = None, email: bool = True
) -> Notification | None:
    """Put a message in the recipient's inbox (and the e-mail outbox).

    With a `dedupe_key`, a second call for the same event does nothing and returns None, so a retried
    or repeated job never sends twice. The e-mail is queued only after the transaction commits.
    """
    if recipient is None or not recipient.is_active:
        return None
    wants_email = email and bool(recipient.email)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, title=title, body=body, link=link, dedupe_key=dedupe_key, wants_email=wants_email
            )
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if wants_email:
        from notifications.tasks import deliver_email

        enqueue_on_commit(deliver_email, notification.pk)
    return notification


def deliver_email(*, notification_id: int) -> bool:
    """Send one notification's e-mail exactly once: claim it with a conditional UPDATE first."""
    now = timezone.now()
    claimed = (
        Notification.objects.filter(pk=notification_id, wants_email=True, emailed_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=now - CLAIM_TIMEOUT))
        .update(email_claimed_at=now)
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    body = notification.body
    if notification.link:
        body = f"{body}\n\n查看详情：{settings.SITE_URL}{notification.link}"
    send_mail(
        subject=f"【党内关怀】{notification.title}",
        message=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[notification.recipient.email],
    )
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
    return True


def flush_outbox(*, limit: int = 500) -> int:
    """Deliver e-mails that were never sent (broker down, worker killed mid-send)."""
    cutoff = timezone.now() - CLAIM_TIMEOUT
    pending = (
        Notification.objects.filter(wants_email=True, emailed_at__isnull=True)
        .filter(Q(email_claimed_at__isnull=True) | Q(email_claimed_at__lt=cutoff))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in list(pending) if deliver_email(notification_id=pk))


def mark_read(*, user, notification_ids: list[int] | None = None) -> int:
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=notification_ids)
    return queryset.update(read_at=timezone.now())
