from django.contrib import admin

from funds.models import (
    ApplicationEvent,
    AssistanceApplication,
    Attachment,
    DisbursementBatch,
    Fund,
    FundEntry,
    Objection,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money and its record change only through the services: the admin reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Fund)
class FundAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "balance", "created_at"]
    search_fields = ["organization__name", "name"]


@admin.register(FundEntry)
class FundEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "fund", "kind", "source", "amount", "occurred_on", "recorded_by", "created_at"]
    list_filter = ["kind", "source", "fund"]
    search_fields = ["note", "donor", "application__member__name"]
    date_hierarchy = "occurred_on"


class EventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["actor", "from_status", "to_status", "comment", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AssistanceApplication)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["id", "member", "organization", "kind", "amount_requested", "amount_approved", "status", "year"]
    list_filter = ["status", "kind", "year", "is_emergency"]
    search_fields = ["member__name"]
    list_select_related = ["member", "organization"]
    inlines = [EventInline]


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["application", "raised_by", "outcome", "raised_at", "resolved_by"]
    list_filter = ["outcome"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "application", "content_type", "size", "uploaded_at"]


@admin.register(DisbursementBatch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ["title", "fund", "total", "created_by", "created_at"]
