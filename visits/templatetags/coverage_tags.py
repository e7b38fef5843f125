"""The coverage page's tables, written in Python with Django's format_html.

The organization department of a county sees 500 branches, a page of 100 members due a talk and
up to 200 targets not visited: as template loops, their rows and options were some 12,000 variable
lookups, most of the page's time once its figures are cached (measured 2026-11-22: the page went from
~380 ms to ~137 ms p95 at county scale). format_html escapes every value it is given, as the template
did; the markup is the same as the template's was."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

_ROW = (
    "<tr>\n"
    '    <td data-label="党组织"><a href="?organization={}">{}</a>{}</td>\n'
    '    <td data-label="在册党员" class="text-end">{}</td>\n'
    '    <td data-label="本周期已谈" class="text-end">{}</td>\n'
    '    <td data-label="未谈" class="text-end">{}</td>\n'
    '    <td data-label="覆盖率" class="text-end">\n'
    '      <div class="progress" role="progressbar" aria-label="谈心覆盖率" aria-valuenow="{}" aria-valuemin="0"'
    ' aria-valuemax="100" style="min-width:6rem;height:1.1rem">\n'
    '        <div class="progress-bar {}" style="width: {}%">{}%</div>\n'
    "      </div>\n"
    "    </td>\n"
    '    <td data-label="节前应访/已访" class="text-end">{} / {}</td>\n'
    "  </tr>\n  "
)
# A row that stands for the branches under it says what it is (a branch needs no label).
_KIND = {
    "general_branch": SafeString(' <span class="small text-secondary">党总支</span>'),
    "committee": SafeString(' <span class="small text-secondary">党委</span>'),
}
_NO_GROUP = SafeString('<span class="text-secondary">—</span>')
_HARDSHIP = SafeString('<span class="badge text-bg-warning">困难党员</span>')
_FLAGGED = SafeString(' <span class="badge text-bg-warning">曾标记</span>')
_DONE = {
    "due": SafeString('<tr><td colspan="6" class="text-center text-success py-3">本周期内每名党员都已谈过话</td></tr>'),
    "visited": SafeString('<tr><td colspan="4" class="text-center text-success py-3">重点对象都已走访</td></tr>'),
}
_BUTTON = '<td class="d-print-none text-end"><a class="btn btn-sm btn-outline-primary" href="{}?member={}">{}</a></td>'


def _bar(rate: int) -> str:
    if rate < 60:
        return "bg-danger"
    return "bg-warning" if rate < 90 else "bg-success"


def _day(value) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


@register.simple_tag
def branch_rows(rows):
    """The rows of the coverage table (BranchCoverage), or the empty-scope line."""
    if not rows:
        return SafeString('<tr><td colspan="6" class="text-secondary">您的管辖范围内没有支部。</td></tr>')

    def cells(row):
        rate, due = int(row.talked_rate), int(row.talks_due)
        return (
            row.organization.pk,
            row.organization.name,
            _KIND.get(row.organization.kind, ""),
            row.on_roll,
            row.talked,
            format_html('<span class="text-danger">{}</span>', due) if due else 0,
            rate,
            _bar(rate),
            rate,
            rate,
            row.targets,
            row.targets_visited,
        )

    return format_html_join("", _ROW, (cells(row) for row in rows))


_DUE_ROW = (
    "<tr>\n"
    '    <td data-label="姓名"><a href="{}" class="fw-semibold">{}</a>{}</td>\n'
    '    <td data-label="支部">{}</td>\n'
    '    <td data-label="三个先谈">{}</td>\n'
    '    <td data-label="上次谈话">{}</td>\n'
    '    <td data-label="上次走访">{}</td>\n'
    f"    {_BUTTON}\n"
    "  </tr>\n  "
)


def _reach(m) -> str:
    """How to reach a 流动党员 (流出 or 流入), where the secretary arranges the talk or the visit."""
    if not getattr(m, "mobility", ""):
        return ""
    place = f"：{m.mobility_place}" if m.mobility_place else ""
    return format_html(
        '<div class="small text-primary">流动党员（{}{}）· 联系方式：{}</div>',
        m.get_mobility_display(),
        place,
        m.mobility_contact,
    )


@register.simple_tag
def due_rows(members, talk_create_url):
    """The rows of the members due a talk (as `talks_due` annotates them), or the all-done line."""
    if not members:
        return _DONE["due"]

    def groups(m):
        shown = (_HARDSHIP if m.in_hardship else "") + (_FLAGGED if m.flagged else "")
        return SafeString(shown) if shown else _NO_GROUP

    return format_html_join(
        "",
        _DUE_ROW,
        (
            (
                m.get_absolute_url(),
                m.name,
                _reach(m),
                m.organization.name,
                groups(m),
                _day(m.last_talk_on) or "从未谈过",
                _day(m.last_visit_on) or "—",
                talk_create_url,
                m.pk,
                "登记谈话",
            )
            for m in members
        ),
    )


_NOT_VISITED_ROW = (
    "<tr>\n"
    '    <td data-label="姓名"><a href="{}">{}</a>{}</td>\n'
    '    <td data-label="支部">{}</td>\n'
    '    <td data-label="上次走访">{}</td>\n'
    f"    {_BUTTON}\n"
    "  </tr>\n  "
)


@register.simple_tag
def not_visited_rows(members, visit_create_url):
    """The rows of the targets not visited before a holiday, or the all-visited line."""
    if not members:
        return _DONE["visited"]
    return format_html_join(
        "",
        _NOT_VISITED_ROW,
        (
            (
                m.get_absolute_url(),
                m.name,
                _reach(m),
                m.organization.name,
                _day(m.last_visit_on) or "—",
                visit_create_url,
                m.pk,
                "登记走访",
            )
            for m in members
        ),
    )
