"""Field capture on a phone without signal (离线登记): what the device may keep.

A phone is lost now and then. What it holds for offline use is therefore limited to what a branch's
secretary (or 支委) needs to log a visit or a talk in a village house, and nothing more:

- the app shell: one page with no data in it, the scripts, styles, fonts and icons it needs
  (`SHELL`, precached by the service worker; the service worker caches nothing else);
- the work list (`work_list`), kept in the page's IndexedDB: the names of the members of the branches
  where the user is 书记 or 支委 (no 身份证号, birth date, address, health or hardship data), today's
  open holiday-plan items and open visit prompts as member + occasion only (not the reasons, which
  name illnesses and hardship), the branch's active pairings as the names of the helped member and
  the helper with the pairing's help types (to log 帮扶进展; no categories, incomes, goals or
  agreements), the choices of the forms, and the user's own member id;
- the entries typed while offline, until the server has taken them.

The 组织部's county-wide views are never offered offline: a user who is only 组织部 gets an empty
work list, whatever the role table lets them do online.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.templatetags.static import static
from django.urls import reverse

from hardship.models import Pairing
from members.models import Appointment, Member
from members.roles import Role
from visits.models import Occasion, Talk, VisitPlanItem, VisitPrompt

# Roles whose own branch is small enough to carry: never the 组织部's county.
BRANCH_ROLES = (Role.SECRETARY, Role.COMMITTEE)
# A holiday plan stays on the work list until a month after its holiday.
PLAN_GRACE = dt.timedelta(days=31)

SHELL_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff",
    "css/care.css",
    "js/field-db.js",
    "js/field.js",
    "icons/care-192.png",
    "icons/care-512.png",
)


def shell_urls() -> list[str]:
    """Every URL the service worker may cache: the field page, the manifest and static files (by
    their content-hashed names in production). Nothing here holds anybody's data."""
    return [reverse("field"), reverse("manifest"), *(static(path) for path in SHELL_STATIC)]


def shell_version(template_text: str) -> str:
    """Changes whenever a cached file (static files by their hashed names, the shell page's and the service
    worker's templates by their text) changes, so the old cache is dropped."""
    return hashlib.sha256("\n".join([template_text, *shell_urls()]).encode()).hexdigest()[:16]


def branch_ids(user) -> list[int]:
    return list(
        Appointment.objects.filter(user=user, role__in=BRANCH_ROLES)
        .values_list("organization_id", flat=True)
        .distinct()
    )


def work_list(user, day: dt.date) -> dict:
    """What the field page keeps on the device for `user` (see the module's docstring)."""
    branches = branch_ids(user)
    members = Member.objects.on_roll().filter(organization_id__in=branches).order_by("name", "id")
    own = Member.objects.filter(user=user).values_list("pk", flat=True).first()
    items = (
        VisitPlanItem.objects.filter(
            plan__organization_id__in=branches,
            visit__isnull=True,
            plan__holiday__gte=day - PLAN_GRACE,
            plan__holiday__lte=day + PLAN_GRACE,
            member__transferred_out_on__isnull=True,
        )
        .select_related("member", "plan")
        .order_by("plan__holiday", "member__name", "id")
    )
    prompts = (
        VisitPrompt.objects.open()
        .filter(member__organization_id__in=branches, member__transferred_out_on__isnull=True)
        .select_related("member")
        .order_by("-raised_on", "id")
    )
    pairings = (
        Pairing.objects.for_user(user, "progress")
        .filter(status=Pairing.Status.ACTIVE, record__member__organization_id__in=branches)
        .select_related("record__member", "helper")
        .prefetch_related("help_types")
        .order_by("record__member__name", "id")
    )
    return {
        "day": day.isoformat(),
        "me": own,
        "members": [{"id": pk, "name": name} for pk, name in members.values_list("pk", "name")],
        "plan_items": [
            {
                "id": item.pk,
                "member": item.member_id,
                "name": item.member.name,
                "occasion": item.plan.occasion,
                "holiday": item.plan.holiday.isoformat(),
            }
            for item in items
        ],
        "prompts": [
            {"member": prompt.member_id, "name": prompt.member.name, "occasion": prompt.occasion} for prompt in prompts
        ],
        "pairings": [
            {
                "id": pairing.pk,
                "name": pairing.record.member.name,
                "helper": pairing.helper.name,
                "help_types": [{"value": kind.code, "label": kind.name} for kind in pairing.help_types.all()],
            }
            for pairing in pairings
        ],
        "occasions": [{"value": value, "label": label} for value, label in Occasion.choices],
        "talk_reasons": [{"value": value, "label": label} for value, label in Talk.Reason.choices],
    }
