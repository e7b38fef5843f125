"""The member picker: a search box over the members in the user's scope.

Renders only the selected options (not every member of a county into the page); the browser asks
`/members/search/?q=` as the user types. The form field's queryset, scoped with `for_user`, is what
validates the choice, so posting an out-of-scope id is refused whatever the widget showed.
"""

from django import forms
from django.urls import reverse_lazy


class _SelectedOnly:
    def optgroups(self, name, value, attrs=None):
        selected = {str(v) for v in value if v not in (None, "")}
        if not selected:
            return []
        queryset = self.choices.queryset.filter(pk__in=selected).select_related("organization")
        groups = []
        for index, member in enumerate(queryset):
            option = self.create_option(name, member.pk, f"{member.name}（{member.organization.name}）", True, index,
                                        attrs=attrs)
            groups.append((None, [option], index))
        return groups


class MemberPicker(_SelectedOnly, forms.Select):
    def __init__(self, attrs=None):
        attrs = {"data-member-picker": reverse_lazy("members:search"), "class": "form-select", **(attrs or {})}
        super().__init__(attrs)


class MembersPicker(_SelectedOnly, forms.SelectMultiple):
    def __init__(self, attrs=None):
        attrs = {"data-member-picker": reverse_lazy("members:search"), "class": "form-select", **(attrs or {})}
        super().__init__(attrs)


class Media:
    css = {"all": ["vendor/tom-select/tom-select.bootstrap5.min.css"]}
    js = ["vendor/tom-select/tom-select.complete.min.js", "js/member-picker.js"]


PICKER_MEDIA = forms.Media(css=Media.css, js=Media.js)
MemberPicker.media = PICKER_MEDIA
MembersPicker.media = PICKER_MEDIA
