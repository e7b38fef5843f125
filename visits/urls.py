from django.urls import path  # noqa: F401 - routes are added with the pages

app_name = "visits"
urlpatterns: list = []
