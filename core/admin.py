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


# The admin in Chinese for the apps we install but do not write (their names are English and, for
# django-otp, not translatable): renamed where the admin lists them, never in their models (which would
# ask for migrations inside those packages).
THIRD_PARTY_NAMES = {
    "axes": (
        "登录保护",
        {
            "accessattempt": "登录尝试",
            "accessfailurelog": "登录失败记录",
            "accesslog": "登录记录",
            "accessattemptexpiration": "登录锁定期限",
        },
    ),
    "otp_totp": ("两步验证", {"totpdevice": "动态口令设备"}),
    "auditlog": ("操作日志", {"logentry": "操作日志记录"}),
}


def _chinese_app_list(get_app_list):
    def app_list(request, app_label=None):
        apps = get_app_list(request, app_label)
        for app in apps:
            names = THIRD_PARTY_NAMES.get(app["app_label"])
            if names is None:
                continue
            app["name"] = names[0]
            for model in app["models"]:
                model["name"] = names[1].get(model["object_name"].lower(), model["name"])
        return apps

    return app_list


admin.site.get_app_list = _chinese_app_list(admin.site.get_app_list)  # type: ignore[method-assign]
