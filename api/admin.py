from django.contrib import admin

from api.models import ApiToken, ApiTokenUse


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only here: tokens are issued and revoked on the pages (/integrations/), which show the key once."""

    list_display = ["name", "prefix", "organization", "expires_at", "revoked_at", "last_used_at", "created_by"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke it on its page: its uses and what it changed keep naming it


@admin.register(ApiTokenUse)
class ApiTokenUseAdmin(admin.ModelAdmin):
    list_display = ["at", "token", "method", "path", "status", "ip_address"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
