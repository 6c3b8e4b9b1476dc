"""The catalog's admin: change history, one center per staff member, Excel import and export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import User
from audit.services import audit_record, request_ip
from catalog.excel import MAX_UPLOAD_BYTES, ImportRefused, items_export_xlsx, items_import_xlsx
from catalog.models import (
    AutoRule,
    Bundle,
    BundleItem,
    Center,
    Counter,
    Department,
    Fee,
    ItemField,
    ItemTypeMapping,
    LifeEvent,
    MaterialSpec,
    ProcessStep,
    Question,
    QueueCategory,
    ServiceItem,
    StaffProfile,
    StageSpec,
)
from catalog.selectors import (
    center_for_user,
    days_saved_total,
    items_not_compliant,
    promise_exceeds_rule,
)
from catalog.services import ItemStatusError, item_publish, item_retire, item_save

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[Any]
    _TabularInline = admin.TabularInline[Any, ServiceItem]
    _StackedInline = admin.StackedInline[Any, ServiceItem]
    _ItemModelForm = forms.ModelForm[ServiceItem]
else:  # the admin and form classes are not subscriptable at run time
    _ModelAdmin = admin.ModelAdmin
    _TabularInline = admin.TabularInline
    _StackedInline = admin.StackedInline
    _ItemModelForm = forms.ModelForm

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the admin site lets only logged-in staff through
    return user


class CenterScopedMixin:
    """Limits a staff member who is not a superuser to the rows of their own center.

    `center_path` is the lookup from the model to its center. Without a staff profile such a
    user sees nothing; foreign-key choices and the center field stay inside their center.
    """

    center_path = "center"
    admin_site: admin.AdminSite
    model: type[models.Model]

    def user_center(self, request: HttpRequest) -> Center | None:
        if not hasattr(request, "_govhall_center"):
            request._govhall_center = center_for_user(request.user)  # type: ignore[attr-defined]
        center: Center | None = request._govhall_center  # type: ignore[attr-defined]
        return center

    def is_unscoped(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        if self.is_unscoped(request):
            return queryset
        center = self.user_center(request)
        if center is None:
            return queryset.none()
        return queryset.filter(**{self.center_path: center.pk})

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        if not self.is_unscoped(request) and self.user_center(request) is None:
            return False
        allowed: bool = super().has_add_permission(request, *args)  # type: ignore[misc]
        return allowed

    def _limit(self, request: HttpRequest, related: type[models.Model], qs: QuerySet[Any]) -> Any:
        center = self.user_center(request)
        if related is Center:
            return qs.filter(pk=center.pk) if center else qs.none()
        if related is User:
            return qs.filter(staff_profile__center=center) if center else qs.none()
        if any(f.name == "center" for f in related._meta.get_fields()):
            return qs.filter(center=center) if center else qs.none()
        return qs

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        field: ModelChoiceField[Any] | None = super().formfield_for_foreignkey(  # type: ignore[misc]
            db_field, request, **kwargs
        )
        if field is not None and not self.is_unscoped(request):
            related = db_field.related_model
            assert isinstance(related, type)
            if field.queryset is not None:
                field.queryset = self._limit(request, related, field.queryset)
            if related is Center:
                field.initial = self.user_center(request)
                field.disabled = True
        return field

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        field: ModelMultipleChoiceField[Any] | None = super().formfield_for_manytomany(  # type: ignore[misc]
            db_field, request, **kwargs
        )
        if field is not None and not self.is_unscoped(request):
            related = db_field.related_model
            assert isinstance(related, type)
            if field.queryset is not None:
                field.queryset = self._limit(request, related, field.queryset)
        return field

    def _check_in_scope(self, request: HttpRequest, object_id: str) -> None:
        if self.is_unscoped(request):
            return
        try:
            in_scope = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            in_scope = False
        if not in_scope:
            raise Http404

    # simple_history's pages read history rows directly: keep other centers' rows out of them.
    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._check_in_scope(request, object_id)
        response: HttpResponse = super().history_view(  # type: ignore[misc]
            request, object_id, extra_context
        )
        return response

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        self._check_in_scope(request, object_id)
        response: HttpResponse = super().history_form_view(  # type: ignore[misc]
            request, object_id, version_id, extra_context
        )
        return response


@admin.register(Center)
class CenterAdmin(CenterScopedMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    center_path = "pk"
    list_display = ["name", "slug", "area_code", "phone"]
    search_fields = ["name", "slug"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.is_unscoped(request) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Center | None = None) -> bool:
        return self.is_unscoped(request) and super().has_delete_permission(request, obj)


@admin.register(Department)
class DepartmentAdmin(CenterScopedMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["name", "short_name", "uscc", "center", "sort_order"]
    list_filter = [("center", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "short_name", "uscc"]


class BundleItemInline(CenterScopedMixin, admin.TabularInline):  # type: ignore[type-arg]
    """The items offered are the administrator's center's only."""

    model = BundleItem
    center_path = "bundle__center"
    extra = 0
    fields = ["position", "item"]


@admin.register(Bundle)
class BundleAdmin(CenterScopedMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    inlines = [BundleItemInline]
    list_display = ["name", "code", "life_event", "published", "center"]
    list_filter = ["published", ("center", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]


@admin.register(QueueCategory)
class QueueCategoryAdmin(CenterScopedMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["letter", "name", "department", "center"]
    list_filter = [("center", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]


@admin.register(Counter)
class CounterAdmin(CenterScopedMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["number", "name", "kind", "department", "location", "center"]
    list_filter = [
        ("center", admin.RelatedOnlyFieldListFilter),
        "kind",
        ("department", admin.RelatedOnlyFieldListFilter),
    ]
    filter_horizontal = ["categories"]


@admin.register(StaffProfile)
class StaffProfileAdmin(CenterScopedMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["badge_number", "user", "department", "counter", "title", "center"]
    list_filter = [
        ("center", admin.RelatedOnlyFieldListFilter),
        ("department", admin.RelatedOnlyFieldListFilter),
        "party_member",
    ]
    search_fields = ["badge_number", "user__username", "user__full_name"]

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "user" and not self.is_unscoped(request):
            # A new staff member is a user of this center or one who is nobody's staff yet.
            center = self.user_center(request)
            kwargs["queryset"] = User.objects.filter(
                Q(staff_profile__center=center) | Q(staff_profile__isnull=True),
                is_superuser=False,
            )
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GlobalRowsAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    """Rows every center shares: only a superuser changes them, other staff may read them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))


@admin.register(LifeEvent)
class LifeEventAdmin(GlobalRowsAdmin):
    list_display = ["name", "slug", "subject", "sort_order"]
    list_filter = ["subject"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ItemTypeMapping)
class ItemTypeMappingAdmin(GlobalRowsAdmin):
    list_display = ["system", "external_code", "item_type"]
    list_filter = ["system", "item_type"]


class MaterialInline(_TabularInline):
    model = MaterialSpec
    extra = 0
    fields = [
        "position",
        "name",
        "form",
        "copies",
        "required",
        "certificate_type",
        "shared_key",
        "note",
    ]


class FeeInline(_TabularInline):
    model = Fee
    extra = 0


class ProcessStepInline(_TabularInline):
    model = ProcessStep
    extra = 0


class StageSpecInline(CenterScopedMixin, _TabularInline):
    """The departments offered are the administrator's center's only."""

    model = StageSpec
    center_path = "item__center"
    extra = 0
    fields = ["position", "name", "department", "role", "days", "parallel_group"]


class QuestionInline(_StackedInline):
    model = Question
    extra = 0


class ItemFieldInline(_TabularInline):
    model = ItemField
    extra = 0


class AutoRuleInline(_TabularInline):
    model = AutoRule
    extra = 0
    fields = ["position", "kind", "field_key", "certificate_name", "minimum", "maximum", "values"]


class PromiseComplianceFilter(admin.SimpleListFilter):
    title = gettext_lazy("40% promise rule")
    parameter_name = "promise"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("ok", _("Compliant")), ("over", _("Promises too many days"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "over":
            return queryset.filter(promise_exceeds_rule())
        if self.value() == "ok":
            return queryset.exclude(promise_exceeds_rule())
        return queryset


class ServiceItemAdminForm(_ItemModelForm):
    class Meta:
        model = ServiceItem
        fields = [
            "center",
            "basic_code",
            "name",
            "item_type",
            "level",
            "parent",
            "variant",
            "department",
            "implementing_body",
            "subject",
            "legal_basis",
            "conditions",
            "is_free",
            "statutory_days",
            "promised_days",
            "visits",
            "online_level",
            "appointment_allowed",
            "counters",
            "place",
            "hours",
            "consult_phone",
            "complaint_phone",
            "life_events",
            "status",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        center, department = cleaned.get("center"), cleaned.get("department")
        if center is None or department is None or "basic_code" not in cleaned:
            return cleaned
        if department.center_id != center.pk:
            self.add_error("department", _("Choose a department of the item's center."))
            return cleaned
        code = ServiceItem(
            center=center,
            department=department,
            basic_code=cleaned["basic_code"],
            variant=cleaned.get("variant", ""),
        ).compute_implementation_code()
        others = ServiceItem.objects.filter(implementation_code=code).exclude(pk=self.instance.pk)
        if others.exists():
            self.add_error(
                "basic_code",
                _("Another item already has the implementation code %(code)s.") % {"code": code},
            )
        return cleaned


class ExcelImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        help_text=gettext_lazy("At most 10 MB, laid out as the export writes it."),
    )
    center = forms.ModelChoiceField(
        label=gettext_lazy("Center"), queryset=Center.objects.all(), required=False
    )

    def __init__(self, *args: Any, choose_center: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if choose_center:
            self.fields["center"].required = True
        else:
            del self.fields["center"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB: split the catalog or remove pictures.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


@admin.register(ServiceItem)
class ServiceItemAdmin(CenterScopedMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    form = ServiceItemAdminForm
    inlines = [
        MaterialInline,
        ItemFieldInline,
        FeeInline,
        ProcessStepInline,
        StageSpecInline,
        AutoRuleInline,
        QuestionInline,
    ]
    list_display = [
        "name",
        "basic_code",
        "item_type",
        "department",
        "statutory_days",
        "promised_days",
        "promise_compliant",
        "status",
    ]
    list_filter = [
        "status",
        "item_type",
        "level",
        PromiseComplianceFilter,
        ("department", admin.RelatedOnlyFieldListFilter),
        ("center", admin.RelatedOnlyFieldListFilter),
        "online_level",
    ]
    search_fields = ["name", "basic_code"]
    # The status changes through the publish and retire actions, which record who did it.
    readonly_fields = ["status", "implementation_code", "updated_at"]
    filter_horizontal = ["counters", "life_events"]
    actions = ["publish", "retire"]
    list_select_related = ["department"]
    change_list_template = "admin/catalog/serviceitem/change_list.html"

    @admin.display(boolean=True, description=gettext_lazy("40% promise rule"))
    def promise_compliant(self, obj: ServiceItem) -> bool:
        return obj.is_promise_compliant()

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and field.queryset is not None and db_field.name == "parent":
            # Handling variants hang under main or sub items, never under another variant.
            field.queryset = field.queryset.filter(~Q(level=ServiceItem.Level.VARIANT))
        return field

    def save_model(self, request: HttpRequest, obj: ServiceItem, form: Any, change: bool) -> None:
        item_save(item=obj)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {**(extra_context or {}), "can_import": self._can_import(request)}
        center = self._excel_center(request, None)
        if center is not None:
            extra_context = {
                **extra_context,
                "compliance_center": center,
                "days_saved": days_saved_total(center),
                "not_compliant": items_not_compliant(center).count(),
            }
        response: HttpResponse = super().changelist_view(request, extra_context)
        return response

    def _change_status(
        self, request: HttpRequest, queryset: QuerySet[ServiceItem], action: Any, done: str
    ) -> None:
        changed = 0
        for item in queryset:
            try:
                action(item=item, user=_user(request))
            except ItemStatusError as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                changed += 1
        if changed:
            self.message_user(request, done % {"count": changed}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Publish selected items"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        self._change_status(
            request,
            queryset,
            item_publish,
            ngettext("%(count)d item published.", "%(count)d items published.", queryset.count()),
        )

    @admin.action(description=gettext_lazy("Retire selected items"), permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet[ServiceItem]) -> None:
        self._change_status(
            request,
            queryset,
            item_retire,
            ngettext("%(count)d item retired.", "%(count)d items retired.", queryset.count()),
        )

    # --- Excel ---------------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("export/", wrap(self.export_view), name="catalog_serviceitem_export"),
            path("import/", wrap(self.import_view), name="catalog_serviceitem_import"),
            *super().get_urls(),
        ]

    def _excel_center(self, request: HttpRequest, chosen: str | None) -> Center | None:
        if not self.is_unscoped(request):
            return self.user_center(request)
        if chosen:
            return Center.objects.filter(pk=chosen).first() if chosen.isdigit() else None
        only = list(Center.objects.all()[:2])
        return only[0] if len(only) == 1 else None

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        center = self._excel_center(request, request.GET.get("center"))
        if center is None:
            if not self.is_unscoped(request):
                raise PermissionDenied
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Export items to Excel"),
                "centers": Center.objects.all(),
            }
            return TemplateResponse(request, "admin/catalog/serviceitem/export.html", context)
        response = HttpResponse(items_export_xlsx(center=center), content_type=XLSX_CONTENT_TYPE)
        filename = f"items-{center.slug}-{timezone.localdate():%Y%m%d}.xlsx"
        audit_record(
            action="export",
            actor=request.user,
            target_type="catalog.items",
            target_id=center.slug,
            center_id=center.pk,
            data={"file": filename},
            ip=request_ip(request),
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def _can_import(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self._can_import(request):
            raise PermissionDenied
        choose_center = self.is_unscoped(request)
        report = None
        refusal = None
        if request.method == "POST":
            form = ExcelImportForm(request.POST, request.FILES, choose_center=choose_center)
            if form.is_valid():
                center = form.cleaned_data["center"] if choose_center else self.user_center(request)
                assert center is not None  # has_add_permission requires a center
                try:
                    report = items_import_xlsx(
                        center=center, data=form.cleaned_data["file"].read(), user=_user(request)
                    )
                except ImportRefused as exc:
                    refusal = str(exc)
                if report is not None and report.ok:
                    self.message_user(
                        request,
                        _(
                            "Import finished: %(created)s items created, %(updated)s updated, "
                            "%(unchanged)s unchanged."
                        )
                        % {
                            "created": report.created,
                            "updated": report.updated,
                            "unchanged": report.unchanged,
                        },
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:catalog_serviceitem_changelist"))
        else:
            form = ExcelImportForm(choose_center=choose_center)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import items from Excel"),
            "form": form,
            "report": report,
            "refusal": refusal,
        }
        status = 400 if report is not None or refusal is not None else 200
        return TemplateResponse(
            request, "admin/catalog/serviceitem/import.html", context, status=status
        )
