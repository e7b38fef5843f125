from django.contrib import admin

from surveys.models import BranchSurvey, Checklist, SurveyPeriod


@admin.register(SurveyPeriod)
class SurveyPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "year", "starts_on", "ends_on"]
    list_filter = ["year"]
    search_fields = ["name", "organization__name"]
    raw_id_fields = ["organization", "opened_by"]


@admin.register(BranchSurvey)
class BranchSurveyAdmin(admin.ModelAdmin):
    list_display = ["branch", "period", "done_on"]
    list_filter = ["period"]
    search_fields = ["branch__name"]
    raw_id_fields = ["period", "branch", "confirmed_by"]


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    """Checklists are filled on the branch's page, which feeds the ledger and the prompts; the admin reads."""

    list_display = ["member", "branch_survey", "health", "living", "confirmed_on", "ledger_outcome"]
    list_filter = ["health", "living", "ledger_outcome"]
    search_fields = ["member__name"]
    raw_id_fields = ["branch_survey", "member", "confirmed_by", "ledger_record", "illness_prompt", "visit_prompt"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
