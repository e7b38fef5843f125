from celery import shared_task

from reports import services


@shared_task(name="reports.build_annual_workbook", acks_late=True)
def build_annual_workbook(job_id: int) -> bool:
    return services.run_job(job_id=job_id)
