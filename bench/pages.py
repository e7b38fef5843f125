"""The pages measured, each beside the admin changelist of the same model and page size where there is one.

Every list page is measured first page and a deep page (the middle of the list), with and without a
search, for the organization department (zzb, the whole unit, 100 a page like the admin's
list_per_page) and for a branch secretary (shuji1, the default page size).
"""

from __future__ import annotations

from urllib.parse import quote

from members.models import Member

ADMIN_PAGE = 100


def _q(text: str) -> str:
    return quote(text)


def _deep(count: int, size: int) -> int:
    """A page in the middle of a list of `count` rows at `size` a page (1-based)."""
    return max(count // size // 2, 1)


def _list_rows(
    label: str, url: str, admin_url: str | None, zzb_count: int, branch_count: int, search: str
) -> list[tuple]:
    from django.conf import settings

    size = settings.CARE["PAGE_SIZE"]
    sep = "&" if "?" in url else "?"
    deep_zzb = _deep(zzb_count, ADMIN_PAGE)
    deep_branch = _deep(branch_count, size)
    admin_sep = "&" if admin_url and "?" in admin_url else "?"
    return [
        (f"{label} 首页", "zzb", f"{url}{sep}page_size={ADMIN_PAGE}", admin_url),
        (
            f"{label} 深页",
            "zzb",
            f"{url}{sep}page_size={ADMIN_PAGE}&page={deep_zzb}",
            f"{admin_url}{admin_sep}p={deep_zzb - 1}" if admin_url else None,
        ),
        (
            f"{label} 搜索",
            "zzb",
            f"{url}{sep}page_size={ADMIN_PAGE}&q={_q(search)}",
            f"{admin_url}{admin_sep}q={_q(search)}" if admin_url else None,
        ),
        (f"{label} 首页", "shuji1", url, None),
        (f"{label} 深页", "shuji1", f"{url}{sep}page={deep_branch}", None),
        (f"{label} 搜索", "shuji1", f"{url}{sep}q={_q(search)}", None),
    ]


def specs() -> list[tuple[str, str, str, str | None]]:
    from funds.models import AssistanceApplication
    from hardship.models import HardshipRecord, Pairing
    from visits.models import Talk, Visit

    count = Member.objects.count()
    secretary_branch = Member.objects.get(user__username="shuji1").organization_id
    in_branch = {"organization_id": secretary_branch}
    middle = Member.objects.order_by("pk").values_list("pk", flat=True)[count // 2]
    rows: list[tuple[str, str, str, str | None]] = []
    rows += _list_rows(
        "党员名册", "/members/", "/admin/members/member/", count, Member.objects.filter(**in_branch).count(), "王"
    )
    active = HardshipRecord.objects.filter(status="active")
    rows += _list_rows(
        "困难党员台帐",
        "/hardship/",
        "/admin/hardship/hardshiprecord/?status__exact=active",
        active.count(),
        active.filter(member__organization_id=secretary_branch).count(),
        "王",
    )
    # The name of a household the secretary's branch pairs (one row at either scale): "王" found none
    # there in the county database and some in the city's, and an empty result page skips the list's
    # own queries.
    paired = (
        Pairing.objects.filter(record__member__organization_id=secretary_branch)
        .order_by("pk")
        .values_list("record__member__name", flat=True)
        .first()
    )
    rows += _list_rows(
        "结对帮扶",
        "/hardship/pairings/",
        "/admin/hardship/pairing/",
        Pairing.objects.count(),
        Pairing.objects.filter(record__member__organization_id=secretary_branch).count(),
        paired or "王",
    )
    rows += _list_rows(
        "走访慰问",
        "/visits/",
        "/admin/visits/visit/",
        Visit.objects.count(),
        Visit.objects.filter(member__organization_id=secretary_branch).count(),
        "王",
    )
    rows += _list_rows(
        "谈心谈话",
        "/visits/talks/",
        "/admin/visits/talk/",
        Talk.objects.count(),
        Talk.objects.filter(**in_branch).count(),
        "王",
    )
    rows += _list_rows(
        "帮扶申请",
        "/funds/applications/",
        "/admin/funds/assistanceapplication/",
        AssistanceApplication.objects.count(),
        AssistanceApplication.objects.filter(**in_branch).count(),
        "王",
    )
    rows += [
        ("谈心走访覆盖 首页", "zzb", f"/visits/coverage/?page_size={ADMIN_PAGE}", None),
        ("谈心走访覆盖 深页", "zzb", f"/visits/coverage/?page_size={ADMIN_PAGE}&page=50", None),
        ("谈心走访覆盖 首页", "shuji1", "/visits/coverage/", None),
        ("谈心走访覆盖 深页", "shuji1", "/visits/coverage/?page=3", None),
        ("党员详情", "zzb", f"/members/{middle}/", f"/admin/members/member/{middle}/change/"),
        (
            "困难台帐详情",
            "zzb",
            f"/hardship/{active.order_by('pk').values_list('pk', flat=True)[active.count() // 2]}/",
            None,
        ),
        ("走访详情", "zzb", f"/visits/{Visit.objects.order_by('pk').values_list('pk', flat=True)[1000]}/", None),
        ("首页", "zzb", "/", None),
        ("首页", "shuji1", "/", None),
        ("统计报表", "zzb", "/reports/", None),
    ]
    return rows
