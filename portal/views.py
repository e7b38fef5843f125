"""The home page, /me/ and a member's page: each domain's panels, listed in portal.pages."""

from __future__ import annotations

from django.shortcuts import render
from django.views.generic import DetailView

from members import permissions, services, twofactor
from members.access import VIEW, RuleMixin, signed_in
from members.models import AccessLog, Member
from portal.pages import home_panels, member_sections


@signed_in
def home(request):
    return render(request, "home.html", {"panels": home_panels(request)})


@signed_in
def me(request):
    member = Member.objects.filter(user=request.user).select_related("organization").first()
    sections = member_sections(request, member, own_page=True) if member else []
    return render(
        request,
        "members/me.html",
        {
            "member": member,
            "sections": sections,
            "may_enrol_two_factor": twofactor.may_enrol(request.user),
        },
    )


class MemberDetailView(RuleMixin, DetailView):
    access = ("member", VIEW)
    template_name = "members/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return Member.objects.for_user(self.request.user, VIEW).select_related("organization", "user")

    def get_object(self, queryset=None):
        member = super().get_object(queryset)
        services.log_access(self.request, what=AccessLog.What.MEMBER, target=f"党员 {member.name}", member=member)
        return member

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, member = self.request.user, self.object
        own = member.user_id is not None and member.user_id == user.pk
        context["show_sensitive"] = permissions.can_see_sensitive(user, member)
        context["can_edit"] = permissions.can_edit_member(user, member)
        context["sections"] = member_sections(self.request, member, own_page=own and not context["can_edit"])
        return context
