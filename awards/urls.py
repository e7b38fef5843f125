from django.urls import path

from awards import views

app_name = "awards"
urlpatterns = [
    path("", views.CampaignListView.as_view(), name="list"),
    path("new/", views.campaign_create, name="create"),
    path("stats/", views.honour_stats, name="stats"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("<int:pk>/nominations/", views.NominationListView.as_view(), name="nominations"),
    path("<int:pk>/nominations.xlsx", views.nominations_xlsx, name="nominations_xlsx"),
    path("<int:pk>/honours.xlsx", views.honours_xlsx, name="honours_xlsx"),
    path("<int:pk>/print/", views.campaign_print, name="print"),
    path("<int:pk>/close/", views.campaign_close, name="close"),
    path("<int:pk>/notice/", views.campaign_notice, name="notice"),
    path("<int:pk>/publish/", views.campaign_publish, name="publish"),
    path("<int:pk>/cancel/", views.campaign_cancel, name="cancel"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("nominations/<int:pk>/review/", views.nomination_review, name="review"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="withdraw"),
    path("nominations/<int:pk>/object/", views.nomination_object, name="object"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="resolve"),
]
