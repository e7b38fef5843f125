from django.contrib import admin

from core.models import CalendarChange, CalendarDay, CalendarYear


class ReadOnly(admin.ModelAdmin):
    """Schedules are entered on the 节假日安排 page (/calendar/), which checks them and recomputes the
    open notices; the admin only reads them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    can_delete = False
    readonly_fields = ["date", "is_workday", "name"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CalendarYear)
class CalendarYearAdmin(ReadOnly):
    list_display = ["year", "notice", "entered_by", "updated_at"]
    inlines = [DayInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnly):
    list_display = ["date", "is_workday", "name", "schedule"]
    list_filter = ["is_workday", "schedule"]
    date_hierarchy = "date"


@admin.register(CalendarChange)
class CalendarChangeAdmin(ReadOnly):
    list_display = ["schedule", "changed_at", "changed_by", "summary", "notices_moved"]
