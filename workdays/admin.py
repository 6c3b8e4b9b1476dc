"""Administration of the working-day calendar, with the upload of a year's official CSV."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workdays.models import CalendarYear, Holiday, Source
from workdays.services import (
    MAX_YEAR,
    MIN_YEAR,
    calendar_import_csv,
    calendar_year_save,
    calendar_years_delete,
    holiday_save,
    holidays_delete,
)

if TYPE_CHECKING:
    HolidayAdminBase = admin.ModelAdmin[Holiday]
    CalendarYearAdminBase = admin.ModelAdmin[CalendarYear]
else:  # ModelAdmin is generic for the type checker only
    HolidayAdminBase = CalendarYearAdminBase = admin.ModelAdmin

CSV_MAX_BYTES = 64 * 1024
IMPORT_PERMISSIONS = (
    "workdays.change_calendaryear",
    "workdays.add_holiday",
    "workdays.delete_holiday",
)


class YearFilter(admin.SimpleListFilter):
    title = gettext_lazy("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarYear.objects.order_by("-year").values_list("year", flat=True)
        return [(str(y), str(y)) for y in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(Holiday)
class HolidayAdmin(HolidayAdminBase):
    list_display = ["date", "weekday", "kind", "name", "source"]
    list_filter = [YearFilter, "kind", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"
    readonly_fields = ["source"]

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, obj: Holiday) -> str:
        return obj.date.strftime("%a")

    def save_model(self, request: HttpRequest, obj: Holiday, form: Any, change: bool) -> None:
        holiday_save(holiday=obj)

    def delete_model(self, request: HttpRequest, obj: Holiday) -> None:
        holidays_delete(holidays=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Holiday]) -> None:
        holidays_delete(holidays=queryset)


class CalendarCsvForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8, header date,kind,name; kind is holiday or workday (a make-up working day)."
        ),
    )
    source = forms.ChoiceField(
        label=gettext_lazy("source"),
        choices=[(Source.OFFICIAL, Source.OFFICIAL.label), (Source.MANUAL, Source.MANUAL.label)],
        initial=Source.OFFICIAL,
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > CSV_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(max)s KB: a year's schedule is far smaller.")
                % {"max": CSV_MAX_BYTES // 1024}
            )
        try:
            text: str = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("The file is not UTF-8 text: save it as CSV UTF-8.")) from exc
        return text


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarYearAdminBase):
    list_display = ["year", "status", "source", "updated_at"]
    list_filter = ["status", "source"]
    readonly_fields = ["source", "updated_at"]

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "import-csv/",
            self.admin_site.admin_view(self.import_csv_view),
            name="workdays_calendaryear_import_csv",
        )
        urls: list[URLPattern] = [upload, *super().get_urls()]
        return urls

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, context)

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = CalendarCsvForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    result = calendar_import_csv(
                        year=form.cleaned_data["year"],
                        text=form.cleaned_data["file"],
                        source=form.cleaned_data["source"],
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        form.add_error(None, message)
                else:
                    self.message_user(
                        request,
                        _(
                            "%(year)s imported: %(holidays)s holidays and %(makeup)s make-up "
                            "working days; the year is now official."
                        )
                        % {
                            "year": result.year,
                            "holidays": result.holidays,
                            "makeup": result.makeup_days,
                        },
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:workdays_calendaryear_changelist"))
        else:
            form = CalendarCsvForm(initial={"year": timezone.localdate().year + 1})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import a year's holidays from CSV"),
            "form": form,
        }
        return TemplateResponse(request, "admin/workdays/calendaryear/import_csv.html", context)

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        calendar_year_save(calendar_year=obj)

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        calendar_years_delete(calendar_years=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        calendar_years_delete(calendar_years=queryset)
