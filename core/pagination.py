from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.views.generic.list import MultipleObjectMixin

    class _ListView(MultipleObjectMixin):
        request: HttpRequest

else:
    _ListView = object


def page_size_from(request) -> int:
    """`?page_size=` bounded to 1..MAX_PAGE_SIZE; anything else falls back to the default."""
    default = settings.CARE["PAGE_SIZE"]
    try:
        size = int(request.GET.get("page_size", default))
    except (TypeError, ValueError):
        return default
    return max(1, min(size, settings.CARE["MAX_PAGE_SIZE"]))


class DeferredJoinPaginator(Paginator):
    """Deep pages pick the page's primary keys first (OFFSET over the list's ordering, touching only
    the columns it filters and sorts on) and join only those rows, in one query: `pk IN (the sliced
    keys)`, the outer query keeping the queryset's ordering, select_related and prefetches, so
    templates see the same objects and a deep page costs as many queries as the first.

    One plain `OFFSET n LIMIT k` with select_related joins every skipped row before dropping it; a
    deep page of a county's 60,000 visits spent almost all its time there. Near the top of a list
    the skipped rows cost less than picking the keys apart, so the first `DEFER_AFTER` rows are read
    as usual.
    """

    DEFER_AFTER = 1000

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        if bottom < self.DEFER_AFTER or not isinstance(queryset, QuerySet) or not self._can_defer(queryset):
            return Page(queryset[bottom:top], number, self)
        return Page(list(queryset.filter(pk__in=queryset.values("pk")[bottom:top])), number, self)

    @staticmethod
    def _can_defer(queryset) -> bool:
        return isinstance(queryset, QuerySet) and not queryset.query.distinct and not queryset.query.combinator


class PageSizeMixin(_ListView):
    """For ListViews: page size from the query string, page numbers past the end show the last page; a
    filter the list refused (e.g. `?year=99999`) is said in a message."""

    paginator_class = DeferredJoinPaginator

    def get_paginate_by(self, queryset):
        return page_size_from(self.request)

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        context["page_size"] = self.get_paginate_by(None)
        filterset = getattr(self, "filterset", None)
        if filterset is not None and filterset.is_bound and not filterset.is_valid():
            # django-filter shows nothing for a refused filter: say why the list is empty.
            messages.error(
                self.request,
                "；".join(
                    f"{filterset.form.fields[name].label}：{error}" if name in filterset.form.fields else error
                    for name, errors in filterset.form.errors.items()
                    for error in errors
                ),
            )
        return context
