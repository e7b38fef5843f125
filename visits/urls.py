from django.urls import path

from visits import views

app_name = "visits"
urlpatterns = [
    path("", views.VisitListView.as_view(), name="list"),
    path("new/", views.visit_create, name="create"),
    path("export/", views.visit_export, name="export"),
    path("<int:pk>/", views.VisitDetailView.as_view(), name="detail"),
    path("talks/", views.TalkListView.as_view(), name="talk_list"),
    path("talks/new/", views.talk_create, name="talk_create"),
    path("talks/<int:pk>/", views.TalkDetailView.as_view(), name="talk_detail"),
    path("coverage/", views.coverage, name="coverage"),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/items/<int:pk>/visitors/", views.plan_item_assign, name="plan_item_assign"),
    path("prompts/", views.prompts, name="prompts"),
    path("events/new/", views.life_event_create, name="life_event_create"),
    path("birthdays/", views.collective_birthdays, name="birthdays"),
    path("birthdays/new/", views.collective_birthday_create, name="birthday_create"),
    path("concerns/", views.ConcernListView.as_view(), name="concern_list"),
    path("concerns/new/", views.concern_create, name="concern_create"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
]
