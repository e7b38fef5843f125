from django.urls import path

from members import calendar_views

app_name = "calendar"
urlpatterns = [
    path("", calendar_views.calendar_index, name="index"),
    path("<int:year>/", calendar_views.calendar_year, name="year"),
]
