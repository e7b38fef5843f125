from celery import shared_task

from reports import services


@shared_task(name="reports.build_annual_workbook", acks_late=True)
def build_annual_workbook(job_id: int) -> bool:
    return services.run_job(job_id=job_id)


@shared_task(name="reports.requeue_stale_jobs", acks_late=True)
def requeue_stale_jobs() -> int:
    return services.requeue_stale_jobs()
