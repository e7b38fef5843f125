"""Filters shared by the list pages."""

import django_filters

from core.params import YearField


class YearFilter(django_filters.NumberFilter):
    """`?year=` bounded to real years: 99999, 0 or -1 is a form error on the page, not a date overflow
    in the database query."""

    field_class = YearField
