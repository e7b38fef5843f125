"""Sending notifications: every reminder in the product goes through `notify`, or `notify_many` for a batch.

A notification says what it is `about` (a model instance): its link, its topic, and the member and branch
it concerns (from the object's `notification_subject()`), so a secretary can tell alike titles apart. A
`todo` asks its recipient to act; `settle(about=...)` marks every open to-do about an object done when the
step is taken or is no longer possible (a withdrawn application). Alike notices of one day that carry the
same `group` ("{n} 份申请已批准") are shown in the inbox as one line naming the members.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.queue import enqueue_on_commit
from notifications.models import Notification

logger = logging.getLogger(__name__)

CLAIM_TIMEOUT = dt.timedelta(minutes=10)
# Rows per INSERT where each value is a parameter (SQLite: 13 parameters a row, under its limit). On
# PostgreSQL every batch is one INSERT whatever its size: a column of values per array parameter
# (UNNEST, as Django's own bulk insert there), so a city's 35,000 reminders cost as many queries as a
# county's 3,500.
INSERT_BATCH = 2000


def _insert_batch(connection) -> int | None:
    return None if connection.vendor == "postgresql" else INSERT_BATCH


EMAIL_TASK_BATCH = 100  # notifications whose e-mails one task sends


def topic_of(obj) -> str:
    """ "app_label.model:pk": the key that ties notifications to the object they are about."""
    return f"{obj._meta.label_lower}:{obj.pk}"


def _about(about, link: str) -> dict[str, str]:
    """The fields a notification takes from the object it is about."""
    if about is None:
        return {"topic": "", "subject": "", "branch": "", "link": link}
    subject, branch = about.notification_subject() if hasattr(about, "notification_subject") else ("", "")
    if not link and hasattr(about, "get_absolute_url"):
        link = about.get_absolute_url()
    return {"topic": topic_of(about), "subject": subject[:100], "branch": branch[:100], "link": link}


def notify(
    *,
    recipient,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str | None = None,
    email: bool = True,
    about=None,
    todo: bool = False,
    group: str = "",
) -> Notification | None:
    """Put a message in the recipient's inbox (and the e-mail outbox).

    With a `dedupe_key`, a second call for the same event does nothing and returns None, so a retried
    or repeated job never sends twice. The e-mail is queued only after the transaction commits.
    `about` names the object (link, member, branch); `todo` marks it as asking the recipient to act, until
    `settle` closes it; `group` is the title of several alike ones on one day, with `{n}` for how many.
    """
    if recipient is None or not recipient.is_active:
        return None
    wants_email = email and bool(recipient.email)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                title=title,
                body=body,
                dedupe_key=dedupe_key,
                wants_email=wants_email,
                todo=todo,
                group=group,
                **_about(about, link),
            )
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if wants_email:
        from notifications.tasks import deliver_email

        enqueue_on_commit(deliver_email, notification.pk)
    return notification


@dataclass(frozen=True)
class Message:
    """One message for `notify_many`: the arguments of `notify`."""

    recipient: object
    title: str
    body: str = ""
    link: str = ""
    dedupe_key: str | None = None
    email: bool = True
    about: object = None
    todo: bool = False
    group: str = ""


def notify_many(messages: Iterable[Message]) -> list[Notification | None]:
    """`notify` for many messages in a few queries: what calling `notify` for each, in order, would do.

    Returns, for each message, the notification created or None (inactive recipient, or its dedupe key
    already used, by an earlier message of the batch, an earlier run or a parallel one). The unique
    dedupe key stays the guard: each batch is one `INSERT ... ON CONFLICT DO NOTHING RETURNING`, so a
    key a concurrent transaction inserts first is skipped here (PostgreSQL waits for that transaction)
    and only the rows this call inserted are returned. The e-mails are queued after commit, a task
    per `EMAIL_TASK_BATCH` notifications; if the broker is down they wait in the outbox for the sweep.
    """
    messages = list(messages)
    results: list[Notification | None] = [None] * len(messages)
    keyed: dict[str, int] = {}
    unkeyed: list[int] = []
    for index, message in enumerate(messages):
        if message.recipient is None or not message.recipient.is_active:
            continue
        if message.dedupe_key is None:
            unkeyed.append(index)
        elif message.dedupe_key not in keyed:  # a key repeated in the batch: the first message wins
            keyed[message.dedupe_key] = index
    now = timezone.now()
    # The fields taken from the object a message is about, worked out once per object: a stale
    # application reminds three or four people, and each link is a URL reversed.
    abouts: dict[tuple[int, str], dict[str, str]] = {}

    def about(message: Message) -> dict[str, str]:
        key = (id(message.about), message.link)
        if key not in abouts:
            abouts[key] = _about(message.about, message.link)
        return abouts[key]

    def build(index: int) -> Notification:
        message = messages[index]
        return Notification(
            recipient=message.recipient,
            title=message.title,
            body=message.body,
            dedupe_key=message.dedupe_key,
            wants_email=message.email and bool(message.recipient.email),
            created_at=now,
            todo=message.todo,
            group=message.group,
            **about(message),
        )

    connection = connections[router.db_for_write(Notification)]
    size = _insert_batch(connection) or max(len(keyed), 1)
    if unkeyed:
        created = Notification.objects.bulk_create([build(i) for i in unkeyed], batch_size=_insert_batch(connection))
        for index, notification in zip(unkeyed, created, strict=True):
            results[index] = notification
    # In key order: two runs inserting the same keys at once take them in the same order, so one waits
    # for the other instead of both deadlocking.
    indexes = sorted(keyed.values(), key=lambda index: messages[index].dedupe_key)
    for start in range(0, len(indexes), size):
        batch = [build(i) for i in indexes[start : start + size]]
        inserted = _insert_new_keys(batch)
        for index, notification in zip(indexes[start : start + size], batch, strict=True):
            pk = inserted.get(notification.dedupe_key)
            if pk is not None:
                notification.pk = notification.id = pk
                notification._state.adding = False
                notification._state.db = router.db_for_write(Notification)
                results[index] = notification
    to_mail = [n.pk for n in results if n is not None and n.wants_email]
    if to_mail:
        from notifications.tasks import deliver_emails

        for start in range(0, len(to_mail), EMAIL_TASK_BATCH):
            enqueue_on_commit(deliver_emails, to_mail[start : start + EMAIL_TASK_BATCH])
    return results


def _insert_new_keys(notifications: list[Notification]) -> dict[str, int]:
    """Insert the notifications whose dedupe key is not taken; {dedupe key: id} of those inserted."""
    connection = connections[router.db_for_write(Notification)]
    fields = [
        Notification._meta.get_field(name)
        for name in (
            "recipient",
            "title",
            "body",
            "link",
            "dedupe_key",
            "created_at",
            "wants_email",
            "topic",
            "subject",
            "branch",
            "group",
            "todo",
            "done_note",
        )
    ]
    quote = connection.ops.quote_name
    # Only quoted column names, column types and placeholders go into the text; every value is a parameter.
    table, columns = quote(Notification._meta.db_table), ", ".join(quote(f.column) for f in fields)
    returning = f"{quote(Notification._meta.pk.column)}, {quote(fields[4].column)}"
    if connection.vendor == "postgresql":
        # One array per column: one statement of constant text whatever the number of rows.
        types = [field.db_type(connection).split("(")[0] for field in fields]
        rows = "SELECT * FROM UNNEST(" + ", ".join(f"(%s)::{db_type}[]" for db_type in types) + ")"  # noqa: S608
        params: list = [
            [field.get_db_prep_save(getattr(notification, field.attname), connection) for notification in notifications]
            for field in fields
        ]
    else:
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        rows = "VALUES " + ", ".join([row] * len(notifications))
        params = [
            field.get_db_prep_save(getattr(notification, field.attname), connection)
            for notification in notifications
            for field in fields
        ]
    sql = f"INSERT INTO {table} ({columns}) {rows} ON CONFLICT DO NOTHING RETURNING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: pk for pk, key in cursor.fetchall()}


def deliver_emails(*, notification_ids: list[int]) -> int:
    """Send the e-mails of a batch, each exactly once. One failing send does not stop the others; its
    notification stays claimed and the outbox sweep retries it after the claim times out."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += deliver_email(notification_id=notification_id)
        except Exception:  # left for the outbox sweep, as a failed single delivery is
            logger.exception("e-mail of notification %s not sent; the outbox sweep retries it", notification_id)
    return sent


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
    if notification.who and notification.subject not in notification.title:
        body = f"涉及：{notification.who}\n{body}"
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


def settle(*, about, note: str, recipient=None) -> int:
    """Mark the open to-dos about an object (or a list of objects, in one UPDATE) done: the step they
    asked for was taken, or is no longer possible. `note` says which ("已办：党委已审批", "申请已撤回，
    无需再办"). Settled to-dos count as read."""
    objects = [about] if hasattr(about, "_meta") else list(about)
    if not objects:
        return 0
    queryset = Notification.objects.open_todos().filter(topic__in=[topic_of(obj) for obj in objects])
    if recipient is not None:
        queryset = queryset.filter(recipient=recipient)
    now = timezone.now()
    return queryset.update(done_at=now, done_note=note[:100], read_at=Coalesce("read_at", now))


@dataclass
class Entry:
    """One line of the inbox: a notification, or several alike of one day under one title."""

    title: str
    items: list[Notification]

    @property
    def first(self) -> Notification:
        return self.items[0]

    @property
    def grouped(self) -> bool:
        return len(self.items) > 1

    @property
    def unread(self) -> bool:
        return any(not n.is_read for n in self.items)

    @property
    def open_todos(self) -> int:
        return sum(1 for n in self.items if n.todo and not n.is_done)

    @property
    def done(self) -> int:
        return sum(1 for n in self.items if n.is_done)


def group_for_inbox(notifications: Iterable[Notification]) -> list[Entry]:
    """Alike notices of one (local) day — same `group` — as one entry "3 份申请已批准：张三、李四、王五",
    placed where the newest of them is; the others one entry each."""
    entries: list[Entry] = []
    by_key: dict[tuple, Entry] = {}
    for notification in notifications:
        if not notification.group:
            entries.append(Entry(notification.title, [notification]))
            continue
        key = (timezone.localdate(notification.created_at), notification.group)
        if key in by_key:
            by_key[key].items.append(notification)
        else:
            by_key[key] = Entry(notification.title, [notification])
            entries.append(by_key[key])
    for entry in by_key.values():
        if entry.grouped:
            names = list(dict.fromkeys(n.subject for n in reversed(entry.items) if n.subject))  # in order of time
            shown = "、".join(names[:8]) + ("等" if len(names) > 8 else "")
            entry.title = entry.first.group.replace("{n}", str(len(entry.items))) + (f"：{shown}" if shown else "")
    return entries
