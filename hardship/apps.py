from django.apps import AppConfig


class HardshipConfig(AppConfig):
    name = "hardship"
    verbose_name = "困难党员台帐与结对帮扶"
