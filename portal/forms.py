"""Forms of the public site."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Center, Department, ItemType, LifeEvent, ServiceItem
from catalog.search import ItemFilter


class ItemSearchForm(forms.Form):
    """Search and browse filters of the item list; every field is optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"placeholder": _("Item name, pinyin or initials, e.g. 营业执照 or yyzz")}
        ),
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    type = forms.ChoiceField(label=_("Item type"), required=False)
    subject = forms.ChoiceField(label=_("For"), required=False)
    event = forms.ChoiceField(label=_("Life event"), required=False)

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everyone: list[tuple[str, str]] = [("", str(_("All")))]
        department_field = self.fields["department"]
        assert isinstance(department_field, forms.ModelChoiceField)
        department_field.queryset = Department.objects.filter(center=center)
        department_field.empty_label = str(_("All"))
        type_field = self.fields["type"]
        assert isinstance(type_field, forms.ChoiceField)
        type_field.choices = everyone + [(value, str(label)) for value, label in ItemType.choices]
        subject_field = self.fields["subject"]
        assert isinstance(subject_field, forms.ChoiceField)
        subject_field.choices = everyone + [
            (subject.value, str(subject.label))
            for subject in (ServiceItem.Subject.PERSON, ServiceItem.Subject.LEGAL)
        ]
        event_field = self.fields["event"]
        assert isinstance(event_field, forms.ChoiceField)
        event_field.choices = everyone + [
            (event.slug, event.name) for event in LifeEvent.objects.all()
        ]

    def item_filter(self) -> ItemFilter:
        data = self.cleaned_data
        department = data.get("department")
        return ItemFilter(
            query=(data.get("q") or "").strip(),
            department_id=department.pk if department else None,
            item_type=data.get("type") or "",
            subject=data.get("subject") or "",
            life_event=data.get("event") or "",
        )
