from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "基础设施"

    def ready(self) -> None:
        from core import checks, importing  # noqa: F401 - a system check; the daily job deleting expired uploads

        use_chinese_empty_choice()
        say_what_a_nul_character_is()


EMPTY_CHOICE = "请选择"


def use_chinese_empty_choice() -> None:
    """Every empty choice of a form reads "请选择", never Django's "---------": the blank choice of model
    fields with choices, and the empty label of a ModelChoiceField that does not name its own."""
    from django import forms
    from django.db.models import fields

    fields.BLANK_CHOICE_DASH[:] = [("", EMPTY_CHOICE)]
    defaults = forms.ModelChoiceField.__init__.__kwdefaults__
    if defaults is not None:
        defaults["empty_label"] = EMPTY_CHOICE


def say_what_a_nul_character_is() -> None:
    """Django's message for a NUL character in text, in its Chinese translation "不允许是用空字符串", says
    something else (and misspelt): every form and API field that refuses one says what to do instead."""
    from django.core.validators import ProhibitNullCharactersValidator

    ProhibitNullCharactersValidator.message = "不能包含空字符（\\0，通常来自复制粘贴），请删去后重试"
