from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = "关怀基金与帮扶申请"
