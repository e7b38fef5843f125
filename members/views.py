from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import CreateView, UpdateView
from django_filters.views import FilterView

from core.errors import DomainError
from core.http import attachment
from core.importing import ImportFlow, import_errors_view, import_view
from core.pagination import PageSizeMixin
from members import exports, importing, permissions, selectors, services
from members.access import CREATE, EDIT, EXPORT, IMPORT, LIST, RuleMixin, requires
from members.filters import MemberFilter, id_tail_condition
from members.forms import MemberForm
from members.models import ImportConflict, Member
from members.validators import normalize_search


class MemberListView(RuleMixin, PageSizeMixin, FilterView):
    access = ("member", LIST)
    template_name = "members/member_list.html"
    filterset_class = MemberFilter
    context_object_name = "members"

    def get_queryset(self):
        return (
            Member.objects.for_user(self.request.user, LIST)
            .select_related("organization")
            .order_by("organization__path", "name", "id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        disclosure = permissions.Disclosure(user)
        today = timezone.localdate()
        for member in context["members"]:
            member.shown_id = disclosure.id_number(member)
            member.age_now, member.party_age_now = member.age_on(today), member.party_age_on(today)
        context["can_create"] = permissions.can_create_member(user)
        context["can_import"] = permissions.can_import_members(user)
        context["can_export"] = permissions.can_export_roster(user)
        return context


class EditableMemberMixin(RuleMixin):
    """Editing is limited to branches where the table lets the user edit; anything else is not found."""

    model = Member
    form_class = MemberForm
    template_name = "members/member_form.html"

    def get_queryset(self):
        return Member.objects.for_user(self.request.user, EDIT).select_related("organization")

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
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or "您不能修改这名党员的信息")
            return self.form_invalid(form)
        messages.success(self.request, f"已保存党员“{self.object.name}”的信息")
        return redirect(self.object)


class MemberCreateView(EditableMemberMixin, CreateView):
    access = ("member", CREATE)

    def get_initial(self):
        from members.scoping import branches_for

        branches = list(branches_for(self.request.user, *permissions.access.real_roles("member", CREATE))[:2])
        return {"organization": branches[0]} if len(branches) == 1 else {}


class MemberUpdateView(EditableMemberMixin, UpdateView):
    access = ("member", EDIT)


@requires("member", EXPORT)
def export_roster(request):
    rows, organization = exports.roster_rows(request.user, request.GET)
    count = rows.count()
    if count > settings.CARE["EXPORT_SYNC_MAX_ROWS"]:
        # Too many rows to write within the request: the worker builds it (reports' progress page).
        return redirect(f"{reverse('reports:roster_export_job')}?{request.GET.urlencode()}")
    content = exports.roster_workbook(rows, user=request.user, title=exports.roster_title())
    services.log_export(request, target="党员名册", organization=organization, rows=count)
    return attachment(content, filename=exports.export_filename("党员名册"))


@requires("member", IMPORT)
def import_template(request):
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
        similar_label="我已核实：上面标出的疑似重复人员确实不是同一人，仍要导入",
    )


@requires("member", IMPORT)
def import_members(request):
    """Upload → (errors | preview) → confirm. Nothing is written before the confirm."""
    return import_view(request, _roster_import_flow())


@requires("member", IMPORT)
def import_errors(request, token: str):
    """The rejected file again with each bad row's problems in a column."""
    return import_errors_view(request, token, _roster_import_flow())


@requires("member", LIST)
@require_GET
def member_search(request):
    """The member picker: JSON of members in scope matching a name or ID tail, on-roll first. The ID
    tail matches only where the user reads full numbers: a masked role cannot confirm a guess."""
    query = normalize_search(request.GET.get("q", ""))
    queryset = Member.objects.for_user(request.user, LIST).on_roll().select_related("organization")
    if query:
        condition = Q(name__icontains=query)
        tail = id_tail_condition(query, permissions.Disclosure(request.user))
        if tail is not None:
            condition |= tail
        queryset = queryset.filter(condition)
    results = [{"id": m.pk, "text": f"{m.name}（{m.organization.name}）"} for m in queryset.order_by("name", "id")[:20]]
    return JsonResponse({"results": results})


@requires("roster_conflict", EDIT)
@require_POST
def resolve_conflict(request, pk: int):
    conflict = get_object_or_404(
        ImportConflict.objects.filter(pk__in=[c.pk for c in selectors.open_import_conflicts(request.user)]), pk=pk
    )
    resolution = request.POST.get("resolution", "").strip()[:200]
    if not resolution:
        messages.error(request, "请填写处理说明")
        return redirect("home")
    services.resolve_import_conflict(conflict_id=conflict.pk, resolution=resolution, by=request.user)
    messages.success(request, f"已记录：{conflict.branch.name}导入冲突已处理")
    return redirect("home")
