from django.contrib import admin

from hardship.models import (
    FamilyMember,
    HardshipCategory,
    HardshipRecord,
    HardshipReview,
    HelpType,
    Pairing,
    PairingProgress,
)


@admin.register(HardshipCategory)
class HardshipCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "sort_order"]
    ordering = ["sort_order"]


@admin.register(HelpType)
class HelpTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_pairing_help", "sort_order"]


class FamilyInline(admin.TabularInline):
    model = FamilyMember
    extra = 0


@admin.register(HardshipRecord)
class HardshipRecordAdmin(admin.ModelAdmin):
    list_display = ["member", "level", "status", "registered_on", "last_reviewed_on", "consent_on"]
    list_filter = ["status", "level", "categories"]
    search_fields = ["member__name", "member__id_number"]
    raw_id_fields = ["member", "created_by", "consent_recorded_by"]
    list_select_related = ["member"]
    filter_horizontal = ["categories", "needs"]
    inlines = [FamilyInline]


@admin.register(HardshipReview)
class HardshipReviewAdmin(admin.ModelAdmin):
    list_display = ["record", "reviewed_on", "level", "reviewed_by"]
    raw_id_fields = ["record", "reviewed_by"]
    list_select_related = ["record__member", "reviewed_by"]


class ProgressInline(admin.TabularInline):
    model = PairingProgress
    extra = 0


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ["helper", "record", "status", "started_on", "ended_on"]
    list_filter = ["status"]
    search_fields = ["helper__name", "record__member__name"]
    raw_id_fields = ["helper", "record", "created_by"]
    list_select_related = ["helper", "record__member"]
    inlines = [ProgressInline]
