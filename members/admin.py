from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from members.models import AccessLog, Appointment, Member, Organization, User


class AppointmentInline(admin.TabularInline):
    model = Appointment
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [AppointmentInline]
    list_display = ["username", "first_name", "email", "is_active", "is_superuser", "last_login"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    list_select_related = ["parent"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["name", "gender", "organization", "join_date", "party_status", "employment"]
    list_filter = ["party_status", "employment", "work_capacity", "is_retired_cadre", "organization"]
    search_fields = ["name", "id_number", "phone"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization", "user"]
    date_hierarchy = "join_date"


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, nobody edits it."""

    list_display = ["at", "user", "what", "target", "ip_address"]
    list_filter = ["what", "at"]
    search_fields = ["user__username", "target", "member__name"]
    list_select_related = ["user"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
