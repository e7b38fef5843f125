"""The roster's routes (namespace "members"), with the member's page, which shows every domain."""

from django.urls import path

from members.urls import urlpatterns as roster
from portal import views

app_name = "members"
urlpatterns = [
    *roster,
    path("<int:pk>/", views.MemberDetailView.as_view(), name="detail"),
]
