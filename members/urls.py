from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("new/", views.MemberCreateView.as_view(), name="create"),
    path("import/", views.import_members, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/errors/<str:token>.xlsx", views.import_errors, name="import_errors"),
    path("export/", views.export_roster, name="export"),
    path("search/", views.member_search, name="search"),
    path("<int:pk>/edit/", views.MemberUpdateView.as_view(), name="edit"),
    path("import/conflicts/<int:pk>/resolve/", views.resolve_conflict, name="conflict_resolve"),
]
