"""Start-up of a long-running web worker: gunicorn.conf.py calls `prepare_worker()` in each worker
after it loaded the app (post_worker_init). Nothing else does: a development server, a Celery worker
or a management command keeps Python's defaults."""

import gc

# Python's default first-generation threshold (700 allocations) runs a cyclic collection every few
# model instances: a list page builds ~1,200 of them (rows, their members, branches, categories),
# so the collector walked the heap dozens of times per request and took about a third of a ledger
# page's time at county scale. Fewer, larger young collections; nothing is left uncollected.
GC_THRESHOLDS = (50_000, 20, 20)


def prepare_worker() -> None:
    """Import the URLconf (and with it every view and template tag) before the first request, then
    move the objects of start-up (settings, URLconf, models) out of the collector's view for good
    and make young collections less frequent."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the views now rather than on the first request
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
