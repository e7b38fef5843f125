from django.urls import path

from filings import views

app_name = "filings"
urlpatterns = [
    path("", views.index, name="index"),
    path("submit/", views.submit, name="submit"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/return/", views.return_filing, name="return"),
    path("versions/<int:pk>/download/", views.download, name="download"),
]
