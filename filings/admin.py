from django.contrib import admin

from filings.models import Filing, FilingDeadline, FilingEvent, FilingVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    """A submission is a record of what was sent and when: it changes only through the services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VersionInline(admin.TabularInline):
    model = FilingVersion
    fields = ["number", "submitted_by", "submitted_at", "due_on", "state", "file", "returned_at", "return_comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Filing)
class FilingAdmin(ReadOnlyAdmin):
    list_display = ["organization", "kind", "year", "half", "status", "submitted_at", "reviewed_at"]
    list_filter = ["kind", "year", "half", "status"]
    search_fields = ["organization__name"]
    inlines = [VersionInline]


@admin.register(FilingEvent)
class FilingEventAdmin(ReadOnlyAdmin):
    list_display = ["filing", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]


@admin.register(FilingDeadline)
class FilingDeadlineAdmin(ReadOnlyAdmin):
    list_display = ["organization", "kind", "year", "half", "due_on", "set_by", "set_at"]
    list_filter = ["kind", "year"]
