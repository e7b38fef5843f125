from django.contrib import admin

from awards.models import AwardCampaign, AwardCategory, AwardEvent, Nomination, Objection


class CategoryInline(admin.TabularInline):
    model = AwardCategory
    extra = 0


@admin.register(AwardCampaign)
class AwardCampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "organizer", "status", "nomination_deadline", "notice_ends_on", "published_on"]
    list_filter = ["status", "year"]
    search_fields = ["title"]
    list_select_related = ["organizer"]
    inlines = [CategoryInline]


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    list_display = ["member", "category", "branch", "campaign", "status", "reviewed_at"]
    list_filter = ["status", "campaign__year"]
    search_fields = ["member__name", "branch__name"]
    list_select_related = ["member", "category", "branch", "campaign"]
    raw_id_fields = ["member"]


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin):
    list_display = ["nomination", "raised_by", "status", "created_at", "resolved_at"]
    list_filter = ["status"]
    list_select_related = ["nomination__member", "nomination__category", "raised_by"]


@admin.register(AwardEvent)
class AwardEventAdmin(admin.ModelAdmin):
    list_display = ["campaign", "nomination", "from_status", "to_status", "actor", "at"]
    list_filter = ["to_status"]
    list_select_related = ["campaign", "nomination__member", "nomination__category", "actor"]
