"""Forms of the booking pages: choosing a slot, booking, check-in and special services."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from catalog.models import Center, QueueCategory, ServiceItem
from hall.models import PriorityGroup, SpecialServiceRequest


class DateInput(forms.DateInput):
    input_type = "date"


class SlotSearchForm(forms.Form):
    """Step one: the queue (and optionally the service item) and the day."""

    category = forms.ModelChoiceField(
        label=_("Queue"), queryset=QueueCategory.objects.none(), to_field_name="letter"
    )
    item = forms.ModelChoiceField(
        label=_("Service (optional)"),
        queryset=ServiceItem.objects.none(),
        to_field_name="implementation_code",
        required=False,
    )
    date = forms.DateField(label=_("Day"), widget=DateInput)

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category_field = self.fields["category"]
        item_field = self.fields["item"]
        assert isinstance(category_field, forms.ModelChoiceField)
        assert isinstance(item_field, forms.ModelChoiceField)
        category_field.queryset = QueueCategory.objects.filter(center=center)
        item_field.queryset = (
            ServiceItem.objects.published()
            .of_center(center)
            .filter(appointment_allowed=True)
            .order_by("name")
        )


class BookingForm(forms.Form):
    """Step two: who comes; without a log-in the mobile is proven by an SMS code."""

    name = forms.CharField(label=_("Name"), max_length=60)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=30)
    mobile = forms.CharField(label=_("Mobile"), max_length=20)
    verification_code = forms.CharField(
        label=_("Verification code"),
        max_length=10,
        required=False,
        help_text=_("Press “Send code” and enter the six digits you receive by SMS."),
    )


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Booking code"),
        max_length=300,
        help_text=_("Type the code or scan the QR code of the booking."),
    )

    def clean_code(self) -> str:
        """The code itself, also when a scanner typed the whole check-in address of the QR code."""
        value: str = self.cleaned_data["code"].strip()
        if "://" in value or "?" in value:
            codes = parse_qs(urlsplit(value).query).get("code")
            if not codes:
                raise forms.ValidationError(_("This QR code holds no booking code."))
            value = codes[0]
        return value.upper()


class SpecialServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=SpecialServiceRequest.Kind.choices)
    priority_group = forms.ChoiceField(
        label=_("The person is"),
        choices=[(value, label) for value, label in PriorityGroup.choices if value],
    )
    name = forms.CharField(label=_("Name of the person"), max_length=60)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=30)
    mobile = forms.CharField(label=_("Mobile"), max_length=20)
    requested_by = forms.CharField(
        label=_("Asked for by (relative or agent)"), max_length=60, required=False
    )
    item = forms.ModelChoiceField(
        label=_("Service item (optional)"),
        queryset=ServiceItem.objects.none(),
        to_field_name="implementation_code",
        required=False,
    )
    address = forms.CharField(label=_("Address (for home visits)"), max_length=200, required=False)
    preferred_day = forms.DateField(label=_("Preferred day"), required=False, widget=DateInput)
    note = forms.CharField(
        label=_("What is needed"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item_field = self.fields["item"]
        assert isinstance(item_field, forms.ModelChoiceField)
        item_field.queryset = ServiceItem.objects.published().of_center(center).order_by("name")


class AssignForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none())

    def __init__(self, *args: Any, center: Center, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff_field = self.fields["staff"]
        assert isinstance(staff_field, forms.ModelChoiceField)
        staff_field.queryset = User.objects.filter(staff_profile__center=center).order_by(
            "full_name", "username"
        )


class OutcomeForm(forms.Form):
    text = forms.CharField(label=_("Outcome or reason"), max_length=2000)
