from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from core.errors import DomainError
from core.http import attachment
from core.importing import ImportFlow, import_errors_view, import_view
from core.pagination import PageSizeMixin
from core.registry import home_panels, member_sections
from members import exports, importing, permissions, services, twofactor
from members.filters import MemberFilter
from members.forms import ImportConfirmForm, ImportUploadForm, MemberForm
from members.models import Member
from members.scoping import MANAGER_ROLES, org_ids_with_role


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "home.html", {"panels": home_panels(request)})


class RosterAccessMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not permissions.can_view_roster(request.user):
            raise PermissionDenied("党员名册仅对支部书记、支委和组织部开放")
        return super().dispatch(request, *args, **kwargs)


class MemberListView(RosterAccessMixin, PageSizeMixin, FilterView):
    template_name = "members/member_list.html"
    filterset_class = MemberFilter
    context_object_name = "members"

    def get_queryset(self):
        return Member.objects.for_user(self.request.user).select_related("organization").order_by(
            "organization__path", "name", "id"
        )

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        allowed = permissions.sensitive_org_ids(user)
        today = timezone.localdate()
        for member in context["members"]:
            member.show_full_id = permissions.row_is_sensitive_visible(user, member, allowed)
            member.age_now, member.party_age_now = member.age_on(today), member.party_age_on(today)
        context["can_create"] = permissions.can_manage_members(user)
        context["can_import"] = permissions.can_import_members(user)
        return context


class MemberDetailView(LoginRequiredMixin, DetailView):
    template_name = "members/member_detail.html"
    context_object_name = "member"

    def get_queryset(self):
        return Member.objects.for_user(self.request.user).select_related("organization", "user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, member = self.request.user, self.object
        own = member.user_id is not None and member.user_id == user.pk
        context["show_sensitive"] = permissions.can_see_sensitive(user, member)
        context["can_edit"] = permissions.can_edit_member(user, member)
        context["sections"] = member_sections(self.request, member, own_page=own and not context["can_edit"])
        return context


class EditableMemberMixin(RosterAccessMixin):
    """Editing is limited to branches the user keeps; anything else is not found."""

    model = Member
    form_class = MemberForm
    template_name = "members/member_form.html"

    def get_queryset(self):
        return Member.objects.filter(organization__in=org_ids_with_role(self.request.user, *MANAGER_ROLES))

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        try:
            self.object = services.save_member(member=form.instance, by=self.request.user)
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"已保存党员“{self.object.name}”的信息")
        return redirect(self.object)


class MemberCreateView(EditableMemberMixin, CreateView):
    def get_initial(self):
        from members.scoping import branches_for

        branches = list(branches_for(self.request.user, *MANAGER_ROLES)[:2])
        return {"organization": branches[0]} if len(branches) == 1 else {}


class MemberUpdateView(EditableMemberMixin, UpdateView):
    pass


@login_required
def me(request):
    member = Member.objects.filter(user=request.user).select_related("organization").first()
    sections = member_sections(request, member, own_page=True) if member else []
    return render(request, "members/me.html", {
        "member": member, "sections": sections, "may_enrol_two_factor": twofactor.may_enrol(request.user),
    })


@login_required
def export_roster(request):
    if not permissions.can_view_roster(request.user):
        raise PermissionDenied
    queryset = Member.objects.for_user(request.user).order_by("organization__path", "name", "id")
    filterset = MemberFilter(request.GET, queryset=queryset, user=request.user)
    title = f"党员名册（导出于 {timezone.localdate():%Y年%m月%d日}）"
    content = exports.roster_workbook(filterset.qs, user=request.user, title=title)
    return attachment(content, filename=exports.export_filename("党员名册"))


@login_required
def import_template(request):
    if not permissions.can_import_members(request.user):
        raise PermissionDenied
    return attachment(exports.import_template(), filename="党员名册导入模板.xlsx")


def _roster_import_flow() -> ImportFlow:
    return ImportFlow(
        template="members/import.html",
        url_name="members:import",
        done_url_name="members:list",
        allowed=permissions.can_import_members,
        refused_message="只有支部书记和组织部可以导入党员名册",
        preview=importing.preview_import,
        commit=importing.commit_import,
        done_message=lambda report: (
            f"导入完成：新增 {len(report.new)} 人，更新 {len(report.changed)} 人，未变化 {len(report.unchanged)} 人"
        ),
        confirm_form=ImportConfirmForm,
        upload_form=ImportUploadForm,
    )


@login_required
def import_members(request):
    """Upload → (errors | preview) → confirm. Nothing is written before the confirm."""
    return import_view(request, _roster_import_flow())


@login_required
def import_errors(request, token: str):
    """The rejected file again with each bad row's problems in a column."""
    return import_errors_view(request, token, _roster_import_flow())


@login_required
@require_GET
def member_search(request):
    """The member picker: JSON of members in scope matching a name or ID tail, on-roll first."""
    query = request.GET.get("q", "").strip()
    queryset = Member.objects.for_user(request.user).on_roll().select_related("organization")
    if query:
        condition = Q(name__icontains=query)
        if query.isdigit() or query[-1:].upper() == "X":
            condition |= Q(id_number__endswith=query.upper())
        queryset = queryset.filter(condition)
    results = [
        {"id": m.pk, "text": f"{m.name}（{m.organization.name}）"}
        for m in queryset.order_by("name", "id")[:20]
    ]
    return JsonResponse({"results": results})

