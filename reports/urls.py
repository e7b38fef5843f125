from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("holiday/", views.holiday_summary, name="holiday"),
    path("holiday.xlsx", views.holiday_workbook, name="holiday_xlsx"),
    path("annual.xlsx", views.annual_workbook, name="annual"),
    path("export/roster/", views.roster_export_job, name="roster_export_job"),
    path("export/visits/", views.visit_export_job, name="visit_export_job"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status.json", views.job_status, name="job_status"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
