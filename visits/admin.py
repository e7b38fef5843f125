from django.contrib import admin

from visits.models import CollectiveBirthday, Concern, LifeEvent, Talk, Visit, VisitPlan, VisitPlanItem, VisitPrompt


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["visited_on", "member", "occasion", "amount", "goods"]
    list_filter = ["occasion", "visited_on"]
    search_fields = ["member__name", "notes"]
    raw_id_fields = ["member", "visitors", "created_by"]
    date_hierarchy = "visited_on"


@admin.register(Talk)
class TalkAdmin(admin.ModelAdmin):
    list_display = [
        "talked_on",
        "organization",
        "kind",
        "reason",
        "priority_hardship",
        "priority_weak_awareness",
        "priority_grievance",
    ]
    list_filter = ["kind", "reason", "organization"]
    search_fields = ["participants__name", "summary"]
    raw_id_fields = ["organization", "interviewers", "participants", "created_by"]
    date_hierarchy = "talked_on"


class VisitPlanItemInline(admin.TabularInline):
    model = VisitPlanItem
    raw_id_fields = ["member", "visitors", "visit"]
    extra = 0


@admin.register(VisitPlan)
class VisitPlanAdmin(admin.ModelAdmin):
    list_display = ["organization", "occasion", "year", "holiday", "created_at"]
    list_filter = ["occasion", "year"]
    search_fields = ["organization__name"]
    inlines = [VisitPlanItemInline]


@admin.register(VisitPrompt)
class VisitPromptAdmin(admin.ModelAdmin):
    list_display = ["member", "occasion", "reason", "raised_on", "due_on", "escalation", "closed_on"]
    list_filter = ["occasion", "escalation", "closed_on"]
    search_fields = ["member__name"]
    raw_id_fields = ["member", "visit"]


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ["happened_on", "member", "kind", "description"]
    list_filter = ["kind"]
    search_fields = ["member__name", "description"]
    raw_id_fields = ["member", "prompt", "created_by"]


@admin.register(Concern)
class ConcernAdmin(admin.ModelAdmin):
    list_display = ["created_on", "member", "status", "wants_visit", "assignee", "answered_on"]
    list_filter = ["status", "wants_visit"]
    search_fields = ["member__name", "message"]
    raw_id_fields = ["member", "assignee", "answered_by", "prompt"]


@admin.register(CollectiveBirthday)
class CollectiveBirthdayAdmin(admin.ModelAdmin):
    list_display = ["held_on", "organization", "reaffirmed_oath", "shared_reflections", "asked_opinions"]
    list_filter = ["held_on"]
    raw_id_fields = ["organization", "attendees", "created_by"]
