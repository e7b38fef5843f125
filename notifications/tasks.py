from celery import shared_task

from notifications import services


@shared_task(name="notifications.deliver_email", acks_late=True)
def deliver_email(notification_id: int) -> bool:
    return services.deliver_email(notification_id=notification_id)


@shared_task(name="notifications.flush_outbox", acks_late=True)
def flush_outbox() -> int:
    return services.flush_outbox()


@shared_task(name="notifications.deliver_emails", acks_late=True)
def deliver_emails(notification_ids: list[int]) -> int:
    return services.deliver_emails(notification_ids=notification_ids)
