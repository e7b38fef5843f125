"""Search pickers: a search box instead of a dropdown of every row (a county has 20,000 members).

The widgets render only the selected options; the browser asks a JSON search URL as the user types
(`static/js/member-picker.js`). The form field's queryset, scoped with `for_user`, is what validates
the choice, so posting an out-of-scope id is refused whatever the widget showed.
"""

from django import forms
from django.urls import reverse_lazy

from core.params import id_param

PICKER_MEDIA = forms.Media(
    css={"all": ["vendor/tom-select/tom-select.bootstrap5.min.css"]},
    js=["vendor/tom-select/tom-select.complete.min.js", "js/member-picker.js"],
)


def member_label(member) -> str:
    return f"{member.name}（{member.organization.name}）"


class _SelectedOnly:
    label = None  # callable(obj) -> str; the field's label_from_instance when None

    def optgroups(self, name, value, attrs=None):
        # A re-rendered invalid form carries what was posted: only real ids are looked up.
        selected = {pk for v in value if (pk := id_param(v)) is not None}
        if not selected:
            return []
        label = self.label or self.choices.field.label_from_instance
        groups = []
        for index, obj in enumerate(self.choices.queryset.filter(pk__in=selected)):
            option = self.create_option(name, obj.pk, label(obj), True, index, attrs=attrs)
            groups.append((None, [option], index))
        return groups


class SearchPicker(_SelectedOnly, forms.Select):
    """A single choice searched at `url` (JSON {"results": [{"id", "text"}]})."""

    def __init__(self, url, attrs=None, label=None):
        super().__init__({"data-search-url": url, "class": "form-select", **(attrs or {})})
        if label is not None:
            self.label = label

    @property
    def media(self):
        return PICKER_MEDIA


class MemberPicker(SearchPicker):
    label = staticmethod(member_label)

    def __init__(self, attrs=None):
        super().__init__(reverse_lazy("members:search"), attrs)


class MembersPicker(_SelectedOnly, forms.SelectMultiple):
    label = staticmethod(member_label)

    def __init__(self, attrs=None):
        super().__init__({"data-search-url": reverse_lazy("members:search"), "class": "form-select", **(attrs or {})})

    @property
    def media(self):
        return PICKER_MEDIA
