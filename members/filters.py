import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from members import access
from members.models import Member, Organization
from members.scoping import org_paths, organizations_for
from members.validators import add_years, is_ascii_digits, normalize_search

_ID_TAIL = re.compile(r"[0-9]{0,5}[0-9X]", re.ASCII)


def id_tail_condition(value: str, disclosure) -> Q | None:
    """Members whose 身份证号 ends with `value`, only where the user reads full numbers (a masked
    role must not confirm a guessed number by searching for it); None when it cannot apply."""
    value = value.upper()
    if not _ID_TAIL.fullmatch(value):
        return None
    condition = Q(id_number__endswith=value)
    where = disclosure.searchable_org_ids
    if where is None:
        return condition
    own = Q(user=disclosure.user) if disclosure.user.is_authenticated else Q(pk__in=[])
    return condition & (Q(organization__in=where) | own) if where else condition & own


FLAG_CHOICES = [
    ("retired_cadre", "离退休干部"),
    ("lost_capacity", "丧失劳动能力"),
    ("lives_alone", "独居"),
    ("model_worker", "老模范"),
    ("hospitalized", "生病住院"),
    ("old_member", "老党员（党龄50年以上或80岁以上）"),
    ("probation_due", "预备期已满待转正"),
]


# From how many organizations in the viewer's scope the organization filter drills down (the ones above
# the one chosen, itself and those right under it) rather than listing them all: a city 组织部 sees
# 5,500, and rendering them was most of every list page (and ~300 KB of each page on the wire).
PICKER_FROM = 60


class UserFilterSet(django_filters.FilterSet):
    """A list page's filters for one user (passed as `user`, or read from the `request` a FilterView
    passes): the organization filter offers the organizations where the role table lets them list
    `branch_kind` (an unscoped dropdown leaks other branches' names) — a branch, or a 党总支 or 党委
    standing for every branch under it — and the widgets carry Bootstrap's classes."""

    branch_filter = "organization"  # the name of the filter choosing an organization, if any
    branch_kind = ""  # the role table's kind whose LIST decides the organizations offered

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, user=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = user if user is not None else getattr(request, "user", None)
        picker = self.branch_kind and self.branch_filter in self.filters
        if picker:
            roles = access.real_roles(self.branch_kind, access.LIST)
            organization = self.filters[self.branch_filter]
            organization.queryset = organizations_for(self.user, *roles)
            organization.method = self.in_organization
        for name, field in self.form.fields.items():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if select and name != "q" else "form-control")
        if picker:
            field = self.form.fields[self.branch_filter]
            # Read when the select is rendered (a page that does not show the filters reads nothing),
            # once: the widget walks its choices more than once.
            memo: list = []

            def choices():
                if not memo:
                    memo.extend([("", field.empty_label), *self._organization_choices(roles)])
                return memo

            field.widget.choices = choices

    def in_organization(self, queryset, name, value):
        """The rows of a branch, or of every branch under a 党总支 or 党委."""
        if value.kind == Organization.Kind.BRANCH:
            return queryset.filter(**{name: value})
        return queryset.filter(**{f"{name}__path__startswith": value.path})

    def _organization_choices(self, roles) -> list[tuple[int, str]]:
        """Every organization in scope while they are few; else those above the one chosen (or the
        viewer's own), itself and those right under it, indented by level."""
        offered = organizations_for(self.user, *roles).values_list("pk", "name", "kind", "path", "parent_id")
        rows = list(offered[: PICKER_FROM + 1])
        if len(rows) > PICKER_FROM:
            # The organization chosen, as the form validated it against the scope (None when none).
            chosen = getattr(self.form, "cleaned_data", {}).get(self.branch_filter)
            if self.user.is_superuser:
                anchors = list(Organization.objects.filter(parent__isnull=True).values_list("pk", flat=True))
            else:
                anchors = [int(path.strip("/").split("/")[-1]) for path in org_paths(self.user, *roles)]
            if chosen is not None:
                above = [int(part) for part in chosen.path.strip("/").split("/") if part]
                condition = Q(pk__in=above) | Q(parent_id=above[-1])
            else:
                condition = Q(pk__in=anchors) | Q(parent_id__in=anchors)
            rows = list(offered.filter(condition))
        top = min((path.count("/") for _, _, _, path, _ in rows), default=0)
        return [
            (
                pk,
                "　" * (path.count("/") - top)
                + (name if kind == Organization.Kind.BRANCH else f"{name}（所属各支部）"),
            )
            for pk, name, kind, path, _ in rows
        ]


class MemberFilter(UserFilterSet):
    branch_kind = "member"

    q = django_filters.CharFilter(label="搜索", method="search")
    organization = django_filters.ModelChoiceFilter(label="所在支部", queryset=None, empty_label="全部支部")
    state = django_filters.ChoiceFilter(
        label="在册状态", choices=Member.State.choices, method="filter_state", empty_label="全部"
    )
    party_status = django_filters.ChoiceFilter(label="党员类别", choices=Member.PartyStatus.choices, empty_label="全部")
    employment = django_filters.ChoiceFilter(label="就业状况", choices=Member.Employment.choices, empty_label="全部")
    flag = django_filters.ChoiceFilter(label="关怀对象", choices=FLAG_CHOICES, method="filter_flag", empty_label="全部")

    class Meta:
        model = Member
        fields = ["q", "organization", "state", "party_status", "employment", "flag"]

    def search(self, queryset, name, value):
        """Name, the last digits of the 身份证号, or a phone number."""
        from members.permissions import Disclosure

        value = normalize_search(value)
        if not value:
            return queryset
        condition = Q(name__icontains=value)
        tail = id_tail_condition(value, Disclosure(self.user))
        if tail is not None:
            condition |= tail
        if is_ascii_digits(value) and len(value) >= 4:
            condition |= Q(phone__contains=value)
        return queryset.filter(condition)

    def filter_state(self, queryset, name, value):
        if value == Member.State.ACTIVE:
            return queryset.on_roll()
        if value == Member.State.DECEASED:
            return queryset.filter(deceased_on__isnull=False)
        if value == Member.State.TRANSFERRED:
            return queryset.filter(deceased_on__isnull=True, transferred_out_on__isnull=False)
        return queryset

    def filter_flag(self, queryset, name, value):
        today = timezone.localdate()
        if value == "retired_cadre":
            return queryset.filter(is_retired_cadre=True)
        if value == "lost_capacity":
            return queryset.exclude(work_capacity=Member.WorkCapacity.NORMAL)
        if value == "lives_alone":
            return queryset.filter(lives_alone=True)
        if value == "model_worker":
            return queryset.filter(is_model_worker=True)
        if value == "hospitalized":
            return queryset.filter(is_hospitalized=True)
        if value == "old_member":
            return queryset.filter(Q(join_date__lte=add_years(today, -50)) | Q(birth_date__lte=add_years(today, -80)))
        if value == "probation_due":
            return queryset.filter(party_status=Member.PartyStatus.PROBATIONARY, join_date__lte=add_years(today, -1))
        return queryset
