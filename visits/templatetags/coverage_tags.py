"""The coverage page's per-branch table and branch choice, written in Python.

The organization department of a county sees 500 branches: as template loops, their rows and
options were some 10,000 variable lookups, most of the page's time once its figures are cached.
The markup is the same as the template's was."""

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
