import django_filters
from django.db.models import Q

from hardship import selectors
from hardship.models import HardshipCategory, HardshipRecord, Pairing
from members.filters import UserFilterSet
from members.validators import normalize_search

ATTENTION_CHOICES = [
    ("not_reviewed", "需复核（一年以上未复核或情况有变化）"),
    ("no_helper", "无帮扶人"),
]


class RecordFilter(UserFilterSet):
    branch_filter, branch_kind = "branch", "ledger"

    q = django_filters.CharFilter(label="搜索", method="search")
    category = django_filters.ModelChoiceFilter(
        label="困难类别", field_name="categories", queryset=HardshipCategory.objects.all(), empty_label="全部类别"
    )
    level = django_filters.ChoiceFilter(label="困难程度", choices=HardshipRecord.Level.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=HardshipRecord.Status.choices, empty_label="全部状态")
    branch = django_filters.ModelChoiceFilter(
        label="所在支部", field_name="member__organization", queryset=None, empty_label="全部支部"
    )
    attention = django_filters.ChoiceFilter(
        label="需关注", choices=ATTENTION_CHOICES, method="filter_attention", empty_label="全部"
    )

    class Meta:
        model = HardshipRecord
        fields = ["q", "category", "level", "status", "branch", "attention"]

    def search(self, queryset, name, value):
        value = normalize_search(value)
        return queryset.filter(member__name__icontains=value) if value else queryset

    def filter_attention(self, queryset, name, value):
        if value == "not_reviewed":
            return queryset.active().filter(selectors.needs_review(selectors.review_cutoff()))
        if value == "no_helper":
            return queryset.active().filter(has_active_helper=False)
        return queryset


class PairingFilter(UserFilterSet):
    branch_filter, branch_kind = "branch", "pairing"

    q = django_filters.CharFilter(label="搜索", method="search")
    status = django_filters.ChoiceFilter(label="状态", choices=Pairing.Status.choices, empty_label="全部状态")
    branch = django_filters.ModelChoiceFilter(
        label="所在支部", field_name="record__member__organization", queryset=None, empty_label="全部支部"
    )
    stale = django_filters.BooleanFilter(
        label="半年无进展", method="filter_stale", widget=django_filters.widgets.BooleanWidget()
    )

    class Meta:
        model = Pairing
        fields = ["q", "status", "branch"]

    def search(self, queryset, name, value):
        value = normalize_search(value)
        if not value:
            return queryset
        return queryset.filter(Q(helper__name__icontains=value) | Q(record__member__name__icontains=value))

    def filter_stale(self, queryset, name, value):
        if not value:
            return queryset
        from django.db.models import Exists, OuterRef

        from hardship.models import PairingProgress

        cutoff = selectors.progress_cutoff()
        recent = PairingProgress.objects.filter(pairing=OuterRef("pk"), date__gte=cutoff)
        return queryset.active().filter(started_on__lt=cutoff).exclude(Exists(recent))
