"""The roles a user can hold in an organization (members.access says what each may do)."""

from django.db import models


class Role(models.TextChoices):
    SECRETARY = "secretary", "支部书记"
    COMMITTEE = "committee", "支委委员"
    ORG_DEPT = "org_dept", "组织部"
    FUND_OFFICER = "fund_officer", "基金管理员"
