import django_filters

from awards.models import AwardCampaign, Nomination, NominationStatus
from members.models import Organization


class NominationFilter(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(label="表彰类别", queryset=None, empty_label="全部类别")
    branch = django_filters.ModelChoiceFilter(label="支部", queryset=None, empty_label="全部支部")
    status = django_filters.ChoiceFilter(label="评审状态", choices=NominationStatus.choices, empty_label="全部")

    class Meta:
        model = Nomination
        fields = ["category", "branch", "status"]

    def __init__(self, *args, campaign: AwardCampaign, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["category"].queryset = campaign.categories.all()
        self.filters["branch"].queryset = Organization.objects.filter(
            pk__in=Nomination.objects.for_user(user).filter(campaign=campaign).values("branch")
        ).order_by("path")
        for field in self.form.fields.values():
            field.widget.attrs["class"] = "form-select"
