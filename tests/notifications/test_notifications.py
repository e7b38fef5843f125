import pytest
from django.core import mail
from django.urls import reverse

from notifications import services
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_dedupe_key_sends_once(unit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify(recipient=unit.shuji1, title="政治生日提醒", dedupe_key="birthday:1:2026")
        second = services.notify(recipient=unit.shuji1, title="政治生日提醒", dedupe_key="birthday:1:2026")
    assert first is not None and second is None
    assert Notification.objects.filter(recipient=unit.shuji1).count() == 1


def test_email_is_sent_once_even_if_delivered_twice(unit, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    notification = services.notify(recipient=unit.shuji1, title="走访计划已生成", body="请安排走访", link="/members/")
    assert services.deliver_email(notification_id=notification.pk) is True
    assert services.deliver_email(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "【党内关怀】走访计划已生成"
    assert "/members/" in mail.outbox[0].body


def test_outbox_flush_delivers_what_the_broker_never_got(unit):
    # No on-commit callbacks run here, as if the broker had been down: the row waits in the outbox.
    services.notify(recipient=unit.shuji1, title="甲")
    services.notify(recipient=unit.shuji2, title="乙")
    assert services.flush_outbox() == 2
    assert services.flush_outbox() == 0
    assert sorted(m.subject for m in mail.outbox) == ["【党内关怀】乙", "【党内关怀】甲"]


def test_user_without_email_gets_the_inbox_only(unit):
    unit.shuji1.email = ""
    unit.shuji1.save()
    services.notify(recipient=unit.shuji1, title="仅站内")
    assert services.flush_outbox() == 0
    assert Notification.objects.get(title="仅站内").wants_email is False


def test_inbox_shows_own_notifications_and_unread_count(unit, login):
    services.notify(recipient=unit.shuji1, title="给书记的")
    services.notify(recipient=unit.shuji2, title="给别人的")
    client = login(unit.shuji1)
    response = client.get(reverse("notifications:inbox"))
    body = response.content.decode()
    assert "给书记的" in body and "给别人的" not in body
    assert response.context["unread_notifications"] == 1


def test_opening_marks_read_and_follows_only_internal_links(unit, login):
    own = services.notify(recipient=unit.shuji1, title="内部", link="/members/")
    evil = services.notify(recipient=unit.shuji1, title="外部", link="https://evil.example.com/")
    client = login(unit.shuji1)
    response = client.post(reverse("notifications:open", args=[own.pk]))
    assert response["Location"] == "/members/"
    own.refresh_from_db()
    assert own.is_read
    response = client.post(reverse("notifications:open", args=[evil.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_cannot_open_someone_elses_notification(unit, login):
    other = services.notify(recipient=unit.shuji2, title="别人的")
    assert login(unit.shuji1).post(reverse("notifications:open", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert not other.is_read


def test_mark_all_read(unit, login):
    services.notify(recipient=unit.shuji1, title="一")
    services.notify(recipient=unit.shuji1, title="二")
    login(unit.shuji1).post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=unit.shuji1).unread().exists()


def test_notify_many_sends_what_notify_would_once_each(unit, django_capture_on_commit_callbacks, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    services.notify(recipient=unit.shuji1, title="早已发过", dedupe_key="batch:1")
    unit.shuji2.is_active = False
    unit.shuji2.save()
    unit.zzb.email = ""
    unit.zzb.save()
    messages = [
        services.Message(recipient=unit.shuji1, title="重复", dedupe_key="batch:1"),  # sent by an earlier run
        services.Message(recipient=unit.shuji1, title="新的", body="内容", link="/members/", dedupe_key="batch:2"),
        services.Message(recipient=unit.dangyuan1, title="同批重复", dedupe_key="batch:2"),  # the first one wins
        services.Message(recipient=unit.shuji2, title="已停用", dedupe_key="batch:3"),
        services.Message(recipient=unit.zzb, title="无邮箱", dedupe_key="batch:4"),
        services.Message(recipient=unit.jijin, title="无去重键"),
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = services.notify_many(messages)
    assert [n is not None for n in sent] == [False, True, False, False, True, True]
    assert sent[1].pk == Notification.objects.get(dedupe_key="batch:2").pk
    assert (sent[1].recipient, sent[1].title, sent[1].body, sent[1].link) == (unit.shuji1, "新的", "内容", "/members/")
    assert len(callbacks) == 1  # one e-mail task for the batch
    assert sorted(m.subject for m in mail.outbox) == ["【党内关怀】新的", "【党内关怀】无去重键"]
    assert not Notification.objects.get(dedupe_key="batch:4").wants_email
    assert not Notification.objects.filter(dedupe_key="batch:3").exists()
    again = services.notify_many(messages)  # a second run: only the message without a key is sent again
    assert [n is not None for n in again] == [False] * 5 + [True]
    assert Notification.objects.filter(dedupe_key__startswith="batch:").count() == 3


def test_notify_many_with_the_broker_down_leaves_the_mail_in_the_outbox(unit):
    # No on-commit callbacks run here, as if the broker had been down: the rows wait for the sweep.
    services.notify_many(
        [
            services.Message(recipient=unit.shuji1, title="甲", dedupe_key="outbox:1"),
            services.Message(recipient=unit.shuji2, title="乙", dedupe_key="outbox:2"),
        ]
    )
    assert services.flush_outbox() == 2
    assert services.flush_outbox() == 0
    assert sorted(m.subject for m in mail.outbox) == ["【党内关怀】乙", "【党内关怀】甲"]


@pytest.mark.postgres
def test_notify_many_writes_a_citys_reminders_in_as_many_queries_as_a_countys(unit, django_assert_max_num_queries):
    """The daily jobs remind every secretary and fund officer of each stale application: 3,500 at county
    scale, 35,000 at a city's. On PostgreSQL each kind of message (with and without a dedupe key) is one
    INSERT whatever the number, and every row is written with its own fields."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def send(count: int, prefix: str) -> int:
        messages = [
            services.Message(recipient=unit.shuji1, title=f"提醒{i}", body=f"第{i}条", dedupe_key=f"{prefix}:{i}")
            for i in range(count)
        ] + [services.Message(recipient=unit.shuji2, title=f"无键{i}") for i in range(count)]
        with CaptureQueriesContext(connection) as captured:
            sent = services.notify_many(messages)
        assert all(n is not None for n in sent)
        return len(captured.captured_queries)

    assert send(5, "small") == send(2 * services.INSERT_BATCH + 1, "large")
    assert Notification.objects.filter(dedupe_key__startswith="large:").count() == 2 * services.INSERT_BATCH + 1
    last = Notification.objects.get(dedupe_key=f"large:{2 * services.INSERT_BATCH}")
    assert (last.recipient, last.title, last.body) == (
        unit.shuji1,
        f"提醒{2 * services.INSERT_BATCH}",
        f"第{2 * services.INSERT_BATCH}条",
    )
    assert (
        Notification.objects.filter(recipient=unit.shuji2, title__startswith="无键").count()
        == 2 * services.INSERT_BATCH + 6
    )
    # A second run of the same keys inserts none of them, in one statement again.
    again = services.notify_many(
        [services.Message(recipient=unit.shuji1, title="x", dedupe_key=f"large:{i}") for i in range(3)]
    )
    assert again == [None, None, None]
