from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core.views import favicon, healthz
from members import twofactor
from members.access import public, signed_in
from members.audit_views import AccessLogView, AuditLogView
from members.forms_auth import LoginForm
from portal import field_views
from portal import views as portal_views

admin.site.site_header = "党内关怀帮扶管理系统 · 后台管理"
admin.site.site_title = "党内关怀帮扶管理系统"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", portal_views.home, name="home"),
    path(
        "accounts/login/",
        public(auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True)),
        name="login",
    ),
    path("accounts/logout/", field_views.logout, name="logout"),
    path("accounts/password/", signed_in(auth_views.PasswordChangeView.as_view()), name="password_change"),
    path(
        "accounts/password/done/", signed_in(auth_views.PasswordChangeDoneView.as_view()), name="password_change_done"
    ),
    path("accounts/2fa/", twofactor.setup, name="two_factor_setup"),
    path("accounts/2fa/verify/", twofactor.verify, name="two_factor_verify"),
    path("accounts/2fa/disable/", twofactor.disable, name="two_factor_disable"),
    path("me/", portal_views.me, name="me"),
    path("field/", field_views.app, name="field"),
    path("field/worklist/", field_views.work_list, name="field_worklist"),
    path("sw.js", field_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", field_views.manifest, name="manifest"),
    path("members/", include("portal.member_urls")),
    path("hardship/", include("hardship.urls")),
    path("visits/", include("visits.urls")),
    path("funds/", include("funds.urls")),
    path("awards/", include("awards.urls")),
    path("surveys/", include("surveys.urls")),
    path("reports/", include("reports.urls")),
    path("filings/", include("filings.urls")),
    path("notifications/", include("notifications.urls")),
    path("calendar/", include("members.calendar_urls")),
    path("audit/", AuditLogView.as_view(), name="audit_log"),
    path("audit/access/", AccessLogView.as_view(), name="access_log"),
    path("api/v1/", include("api.urls")),
    path("integrations/", include("api.page_urls")),
    path("healthz", public(healthz), name="healthz"),
    path("favicon.ico", public(favicon), name="favicon"),
    path("admin/", admin.site.urls),
]
