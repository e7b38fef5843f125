"""/api/v1/: the routes of the integration API (namespace "api")."""

from django.urls import path

from api.views import awards, changes, docs, funds, hardship, members, visits

app_name = "api"
urlpatterns = [
    path("schema/", docs.Schema.as_view(), name="schema"),
    path("docs/", docs.docs, name="docs"),
    path("me/", members.MeView.as_view(), name="me"),
    path("changes/", changes.Changes.as_view(), name="changes"),
    path("organizations/", members.OrganizationList.as_view(), name="organizations"),
    path("members/", members.MemberList.as_view(), name="members"),
    path("members/<int:pk>/", members.MemberDetail.as_view(), name="member"),
    path("ledger/", hardship.LedgerList.as_view(), name="ledger"),
    path("ledger/<int:pk>/", hardship.LedgerDetail.as_view(), name="ledger_line"),
    path("pairings/", hardship.PairingList.as_view(), name="pairings"),
    path("pairings/<int:pk>/", hardship.PairingDetail.as_view(), name="pairing"),
    path("pairings/<int:pk>/progress/", hardship.ProgressList.as_view(), name="pairing_progress"),
    path("visits/", visits.VisitList.as_view(), name="visits"),
    path("visits/<int:pk>/", visits.VisitDetail.as_view(), name="visit"),
    path("talks/", visits.TalkList.as_view(), name="talks"),
    path("talks/<int:pk>/", visits.TalkDetail.as_view(), name="talk"),
    path("applications/", funds.ApplicationList.as_view(), name="applications"),
    path("applications/<int:pk>/", funds.ApplicationDetail.as_view(), name="application"),
    path("applications/<int:pk>/submit/", funds.Submit.as_view(), name="application_submit"),
    path("applications/<int:pk>/withdraw/", funds.Withdraw.as_view(), name="application_withdraw"),
    path("applications/<int:pk>/return/", funds.Return.as_view(), name="application_return"),
    path("applications/<int:pk>/meeting/", funds.Meeting.as_view(), name="application_meeting"),
    path("applications/<int:pk>/meeting/confirm/", funds.ConfirmMeeting.as_view(), name="application_confirm_meeting"),
    path("applications/<int:pk>/approve/", funds.Approve.as_view(), name="application_approve"),
    path("applications/<int:pk>/reconsider/", funds.Reconsider.as_view(), name="application_reconsider"),
    path("applications/<int:pk>/recover/", funds.Recover.as_view(), name="application_recover"),
    path("applications/<int:pk>/reject/", funds.Reject.as_view(), name="application_reject"),
    path("applications/<int:pk>/object/", funds.Object.as_view(), name="application_object"),
    path(
        "applications/<int:pk>/objections/<int:objection_pk>/resolve/",
        funds.Resolve.as_view(),
        name="application_resolve",
    ),
    path("applications/<int:pk>/disburse/", funds.Disburse.as_view(), name="application_disburse"),
    path("funds/", funds.FundList.as_view(), name="funds"),
    path("funds/<int:pk>/", funds.FundDetail.as_view(), name="fund"),
    path("funds/<int:pk>/entries/", funds.FundEntries.as_view(), name="fund_entries"),
    path("funds/<int:pk>/summary/", funds.FundSummary.as_view(), name="fund_summary"),
    path("commendations/", awards.CommendationList.as_view(), name="commendations"),
]
