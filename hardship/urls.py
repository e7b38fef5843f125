from django.urls import path

from hardship import views

app_name = "hardship"
urlpatterns = [
    path("", views.RecordListView.as_view(), name="list"),
    path("new/", views.record_create, name="create"),
    path("export/", views.export_ledger, name="export"),
    path("search/", views.record_search, name="record_search"),
    path("import/", views.import_ledger, name="import"),
    path("import/template.xlsx", views.import_ledger_template, name="import_template"),
    path("import/errors/<str:token>.xlsx", views.import_ledger_errors, name="import_errors"),
    path("<int:pk>/", views.RecordDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.record_edit, name="edit"),
    path("<int:pk>/review/", views.record_review, name="review"),
    path("<int:pk>/close/", views.record_close, name="close"),
    path("pairings/", views.PairingListView.as_view(), name="pairings"),
    path("pairings/new/", views.pairing_create, name="pairing_create"),
    path("pairings/report/", views.half_year_report, name="report"),
    path("pairings/report.xlsx", views.half_year_report_xlsx, name="report_xlsx"),
    path("pairings/<int:pk>/", views.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/agreement/", views.pairing_agreement_edit, name="agreement_edit"),
    path("pairings/<int:pk>/agreement/print/", views.pairing_agreement_print, name="agreement_print"),
    path("pairings/<int:pk>/progress/", views.pairing_progress_add, name="progress_add"),
    path("pairings/progress/<int:pk>/outcome/", views.progress_outcome, name="progress_outcome"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
]
