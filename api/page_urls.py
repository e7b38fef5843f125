"""/integrations/: the pages of API tokens (namespace "integrations")."""

from django.urls import path

from api import pages

app_name = "integrations"
urlpatterns = [
    path("", pages.TokenListView.as_view(), name="tokens"),
    path("new/", pages.token_new, name="token_new"),
    path("<int:pk>/", pages.TokenDetailView.as_view(), name="token"),
    path("<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
]
