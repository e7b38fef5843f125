from celery import shared_task

from filings import services


@shared_task(name="filings.build_snapshot", acks_late=True)
def build_snapshot(version_id: int) -> bool:
    return services.build_snapshot(version_id=version_id)
