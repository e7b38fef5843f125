from django.urls import path

from funds import views
from funds.views import rules

app_name = "funds"
urlpatterns = [
    path("", views.FundListView.as_view(), name="index"),
    path("open/", views.open_fund, name="open"),
    path("public/", views.PublicSummaryView.as_view(), name="public"),
    path("notices/", views.NoticeBoardView.as_view(), name="notices"),
    path("<int:pk>/", views.LedgerView.as_view(), name="ledger"),
    path("<int:pk>/summary/", views.SummaryView.as_view(), name="summary"),
    path("<int:pk>/income/", views.record_income, name="income"),
    path("<int:pk>/entries/<int:entry_pk>/reverse/", views.reverse_entry, name="reverse"),
    path("<int:pk>/rules/", rules.rules, name="rules"),
    path("<int:pk>/rules/bounds/", rules.set_bound, name="set_bound"),
    path("<int:pk>/rules/target/", rules.set_target, name="set_target"),
    path("<int:pk>/rules/partners/", rules.add_partner, name="add_partner"),
    path("partners/<int:pk>/toggle/", rules.toggle_partner, name="toggle_partner"),
    path("<int:pk>/uses/", rules.uses, name="uses"),
    path("<int:pk>/uses/visit/", rules.pay_visit, name="pay_visit"),
    path("<int:pk>/uses/progress/", rules.pay_progress, name="pay_progress"),
    path("<int:pk>/batch/", views.BatchView.as_view(), name="batch_new"),
    path("<int:pk>/batch/disburse/", views.disburse_batch, name="batch_disburse"),
    path("batches/<int:pk>/", views.BatchDetailView.as_view(), name="batch"),
    path("applications/", views.ApplicationListView.as_view(), name="applications"),
    path("applications/new/", views.application_new, name="application_new"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/submit/", views.submit, name="submit"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:pk>/return/", views.return_for_revision, name="return"),
    path("applications/<int:pk>/meeting/", views.record_meeting, name="meeting"),
    path("applications/<int:pk>/meeting/confirm/", views.confirm_meeting, name="confirm_meeting"),
    path("applications/<int:pk>/approve/", views.approve, name="approve"),
    path("applications/<int:pk>/reject/", views.reject, name="reject"),
    path("applications/<int:pk>/reconsider/", views.reconsider, name="reconsider"),
    path("applications/<int:pk>/object/", views.raise_objection, name="object"),
    path("applications/<int:pk>/objections/<int:objection_pk>/resolve/", views.resolve_objection, name="resolve"),
    path("applications/<int:pk>/disburse/", views.disburse, name="disburse"),
    path("applications/<int:pk>/recover/", views.record_recovery, name="recover"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
