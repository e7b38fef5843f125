"""The coverage page's tables and branch choice, written in Python.

The organization department of a county sees 500 branches, a page of 100 members due a talk and
up to 200 targets not visited: as template loops, their rows and options were some 12,000 variable
lookups, most of the page's time once its figures are cached. The markup is the same as the
template's was; names and urls are escaped, everything else is an integer or a date."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

_ROW = (
    '<tr>\n'
    '    <td data-label="支部"><a href="?organization={pk}">{name}</a></td>\n'
    '    <td data-label="在册党员" class="text-end">{on_roll}</td>\n'
    '    <td data-label="本周期已谈" class="text-end">{talked}</td>\n'
    '    <td data-label="未谈" class="text-end">{due}</td>\n'
    '    <td data-label="覆盖率" class="text-end">\n'
    '      <div class="progress" role="progressbar" aria-label="谈心覆盖率" aria-valuenow="{rate}" aria-valuemin="0"'
    ' aria-valuemax="100" style="min-width:6rem;height:1.1rem">\n'
    '        <div class="progress-bar {bar}" style="width: {rate}%">{rate}%</div>\n'
    '      </div>\n'
    '    </td>\n'
    '    <td data-label="节前应访/已访" class="text-end">{targets} / {visited}</td>\n'
    '  </tr>\n  '
)


def _bar(rate: int) -> str:
    if rate < 60:
        return "bg-danger"
    return "bg-warning" if rate < 90 else "bg-success"


@register.simple_tag
def branch_rows(rows):
    """The rows of the coverage table (BranchCoverage), or the empty-scope line. Every value but the
    branch's name is an integer; the name is escaped."""
    if not rows:
        return mark_safe('<tr><td colspan="6" class="text-secondary">您的管辖范围内没有支部。</td></tr>')
    html = []
    for row in rows:
        rate, due = int(row.talked_rate), int(row.talks_due)
        html.append(_ROW.format(
            pk=int(row.organization.pk), name=escape(row.organization.name), on_roll=int(row.on_roll),
            talked=int(row.talked), due=f'<span class="text-danger">{due}</span>' if due else "0",
            rate=rate, bar=_bar(rate), targets=int(row.targets), visited=int(row.targets_visited),
        ))
    return mark_safe("".join(html))  # integers and escaped names only


@register.simple_tag
def branch_options(branches, selected):
    selected_pk = selected.pk if selected else None
    return mark_safe("".join(  # integers and escaped names only
        f'<option value="{int(b.pk)}"{" selected" if b.pk == selected_pk else ""}>{escape(b.name)}</option>'
        for b in branches
    ))


def _day(value) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


_NO_GROUP = '<span class="text-secondary">—</span>'
_DONE = {
    "due": '<tr><td colspan="6" class="text-center text-success py-3">本周期内每名党员都已谈过话</td></tr>',
    "visited": '<tr><td colspan="4" class="text-center text-success py-3">重点对象都已走访</td></tr>',
}
_BUTTON = ('<td class="d-print-none text-end"><a class="btn btn-sm btn-outline-primary" href="{url}?member={pk}">'
           "{label}</a></td>")


@register.simple_tag
def due_rows(members, talk_create_url):
    """The rows of the members due a talk (as `talks_due` annotates them), or the all-done line."""
    if not members:
        return mark_safe(_DONE["due"])
    html = []
    url = escape(talk_create_url)
    for m in members:
        groups = ('<span class="badge text-bg-warning">困难党员</span>' if m.in_hardship else "") + (
            ' <span class="badge text-bg-warning">曾标记</span>' if m.flagged else "")
        html.append(
            "<tr>\n"
            f'    <td data-label="姓名"><a href="{escape(m.get_absolute_url())}" class="fw-semibold">'
            f"{escape(m.name)}</a></td>\n"
            f'    <td data-label="支部">{escape(m.organization.name)}</td>\n'
            f'    <td data-label="三个先谈">{groups or _NO_GROUP}</td>\n'
            f'    <td data-label="上次谈话">{_day(m.last_talk_on) or "从未谈过"}</td>\n'
            f'    <td data-label="上次走访">{_day(m.last_visit_on) or "—"}</td>\n'
            f'    {_BUTTON.format(url=url, pk=int(m.pk), label="登记谈话")}\n'
            "  </tr>\n  "
        )
    return mark_safe("".join(html))  # escaped names and urls, integers and dates only


@register.simple_tag
def not_visited_rows(members, visit_create_url):
    """The rows of the targets not visited before a holiday, or the all-visited line."""
    if not members:
        return mark_safe(_DONE["visited"])
    url = escape(visit_create_url)
    return mark_safe("".join(  # escaped names and urls, integers and dates only
        "<tr>\n"
        f'    <td data-label="姓名"><a href="{escape(m.get_absolute_url())}">{escape(m.name)}</a></td>\n'
        f'    <td data-label="支部">{escape(m.organization.name)}</td>\n'
        f'    <td data-label="上次走访">{_day(m.last_visit_on) or "—"}</td>\n'
        f'    {_BUTTON.format(url=url, pk=int(m.pk), label="登记走访")}\n'
        "  </tr>\n  "
        for m in members
    ))
