from django.urls import path

from surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.period_create, name="create"),
    path("<int:pk>/", views.period_progress, name="progress"),
    path("branches/<int:pk>/", views.branch_detail, name="branch"),
    path("branches/<int:pk>/confirm/", views.branch_confirm, name="confirm"),
    path("checklists/<int:pk>/", views.checklist_edit, name="checklist"),
]
