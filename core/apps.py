from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础设施"

    def ready(self) -> None:
        from core import checks, importing  # noqa: F401 - a system check; the daily job deleting expired uploads
