"""The pages measured, each beside the admin changelist of the same model where there is one."""

from __future__ import annotations

from urllib.parse import quote

from members.models import Member


def _q(text: str) -> str:
    return quote(text)


def specs() -> list[tuple[str, str, str, str | None]]:
    count = Member.objects.count()
    deep = max(count // 100 // 2, 1)  # a page in the middle of the whole roster at 100 per page
    secretary_branch = Member.objects.get(user__username="shuji1").organization_id
    branch_deep = max(Member.objects.filter(organization_id=secretary_branch).count() // 20 // 2, 1)
    rows: list[tuple[str, str, str, str | None]] = [
        ("党员名册 首页", "zzb", "/members/?page_size=100", "/admin/members/member/"),
        ("党员名册 深页", "zzb", f"/members/?page_size=100&page={deep}", f"/admin/members/member/?p={deep - 1}"),
        ("党员名册 搜索", "zzb", f"/members/?page_size=100&q={_q('王')}", f"/admin/members/member/?q={_q('王')}"),
        ("党员名册 首页", "shuji1", "/members/", None),
        ("党员名册 深页", "shuji1", f"/members/?page={branch_deep}", None),
        ("党员名册 搜索", "shuji1", f"/members/?q={_q('李')}", None),
        ("党员详情", "zzb", f"/members/{Member.objects.order_by('pk').values_list('pk', flat=True)[count // 2]}/",
         f"/admin/members/member/{Member.objects.order_by('pk').values_list('pk', flat=True)[count // 2]}/change/"),
        ("首页", "zzb", "/", None),
        ("首页", "shuji1", "/", None),
        ("统计报表", "zzb", "/reports/", None),
    ]
    return rows
