from django.conf import settings
from django.core.paginator import Paginator


def page_size_from(request) -> int:
    """`?page_size=` bounded to 1..MAX_PAGE_SIZE; anything else falls back to the default."""
    default = settings.CARE["PAGE_SIZE"]
    try:
        size = int(request.GET.get("page_size", default))
    except (TypeError, ValueError):
        return default
    return max(1, min(size, settings.CARE["MAX_PAGE_SIZE"]))


class PageSizeMixin:
    """For ListViews: page size from the query string, page numbers past the end show the last page."""

    paginator_class = Paginator

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
        return context
