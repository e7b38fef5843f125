from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core.views import healthz
from members import twofactor
from members import views as member_views
from members.audit_views import AuditLogView
from members.forms_auth import LoginForm
from members.urls import me_view

admin.site.site_header = "党内关怀帮扶管理系统 · 后台管理"
admin.site.site_title = "党内关怀帮扶管理系统"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", member_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/2fa/", twofactor.setup, name="two_factor_setup"),
    path("accounts/2fa/verify/", twofactor.verify, name="two_factor_verify"),
    path("accounts/2fa/disable/", twofactor.disable, name="two_factor_disable"),
    path("me/", me_view, name="me"),
    path("members/", include("members.urls")),
    path("hardship/", include("hardship.urls")),
    path("visits/", include("visits.urls")),
    path("funds/", include("funds.urls")),
    path("awards/", include("awards.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("notifications.urls")),
    path("calendar/", include("members.calendar_urls")),
    path("audit/", AuditLogView.as_view(), name="audit_log"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
