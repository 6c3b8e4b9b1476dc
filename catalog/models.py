"""The service catalog: centers, departments, counters, staff and the service items with guides."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.roles import Role

area_code_validator = RegexValidator(r"^\d{12}$", _("An area code has 12 digits."))


class Center(models.Model):
    """A government service center (政务服务中心); every catalog row belongs to one."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("short code"), unique=True, help_text=_("Used in the site's addresses.")
    )
    area_code = models.CharField(_("area code"), max_length=12, validators=[area_code_validator])
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("consultation phone"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=40, blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service center")
        verbose_name_plural = _("service centers")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department (部门) with counters at the center."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30)
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    chief_representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chief representative"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    warn_lead_days = models.PositiveSmallIntegerField(
        _("yellow light lead (working days)"),
        default=1,
        help_text=_(
            "A case or stage turns yellow this many working days before its due date; "
            "an item may set its own."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["center", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="department_unique_name"),
            models.UniqueConstraint(
                fields=["center", "short_name"], name="department_unique_short"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QueueCategory(models.Model):
    """A queue of the hall (排队类别): tickets of a category carry its letter (A001)."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="queue_categories")
    letter = models.CharField(
        _("letter"), max_length=1, validators=[RegexValidator(r"^[A-Z]$", _("One capital letter."))]
    )
    name = models.CharField(_("name"), max_length=60)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queue_categories",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("queue category")
        verbose_name_plural = _("queue categories")
        ordering = ["center", "letter"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "letter"], name="queue_category_unique_letter"
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.name}"


class Counter(models.Model):
    """A numbered counter (窗口) of the hall."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General counter")  # 综合窗口
        DEPARTMENT = "department", _("Department counter")  # 专业窗口

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="counters")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    name = models.CharField(_("name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DEPARTMENT)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counters",
    )
    categories = models.ManyToManyField(
        QueueCategory,
        verbose_name=_("queue categories served"),
        related_name="counters",
        blank=True,
    )
    location = models.CharField(_("location"), max_length=60, blank=True)
    history = HistoricalRecords(m2m_fields=[categories])

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["center", "number"]
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="counter_unique_number")
        ]

    def __str__(self) -> str:
        return _("Counter %(number)s") % {"number": self.number}


class StaffProfile(models.Model):
    """A member of the center's staff (工作人员), linked to a user; roles are the user's groups."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="staff")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    counter = models.ForeignKey(
        Counter,
        verbose_name=_("counter"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
    )
    badge_number = models.CharField(_("badge number"), max_length=20)
    photo = models.ImageField(_("photo"), upload_to="staff/", blank=True)
    party_member = models.BooleanField(_("party member"), default=False)
    title = models.CharField(_("post"), max_length=40, blank=True)
    commitment = models.TextField(_("service commitment"), blank=True)
    # The screen shows a commitment only once it is signed (承诺书签订).
    commitment_signed_on = models.DateField(_("commitment signed on"), null=True, blank=True)
    commitment_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signing recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["center", "badge_number"]
        constraints = [
            models.UniqueConstraint(fields=["center", "badge_number"], name="staff_unique_badge")
        ]

    def __str__(self) -> str:
        return f"{self.badge_number} {self.user}"


class LifeEvent(models.Model):
    """A moment of a person's or a company's life (出生, 开办企业) that groups items."""

    class Subject(models.TextChoices):
        PERSON = "person", _("Individuals")
        LEGAL = "legal", _("Legal entities")

    name = models.CharField(_("name"), max_length=30, unique=True)
    slug = models.SlugField(_("short code"), unique=True)
    subject = models.CharField(_("for"), max_length=8, choices=Subject.choices)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        ordering = ["subject", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.name


class ItemType(models.TextChoices):
    """The kinds of power on the power and responsibility list (权责清单), and public services."""

    LICENSING = "01", _("Administrative licensing")  # 行政许可
    PENALTY = "02", _("Administrative penalty")  # 行政处罚
    COERCION = "03", _("Administrative coercion")  # 行政强制
    LEVY = "04", _("Administrative levy")  # 行政征收
    BENEFIT = "05", _("Administrative benefit")  # 行政给付
    INSPECTION = "06", _("Administrative inspection")  # 行政检查
    CONFIRMATION = "07", _("Administrative confirmation")  # 行政确认
    REWARD = "08", _("Administrative reward")  # 行政奖励
    ADJUDICATION = "09", _("Administrative adjudication")  # 行政裁决
    OTHER_POWER = "10", _("Other administrative power")  # 其他行政权力
    PUBLIC_SERVICE = "20", _("Public service")  # 公共服务


class ItemTypeMapping(models.Model):
    """How an outside system numbers the item types (other platforms use other codes)."""

    system = models.CharField(_("outside system"), max_length=40)
    external_code = models.CharField(_("their code"), max_length=20)
    item_type = models.CharField(_("item type"), max_length=2, choices=ItemType.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("item type mapping")
        verbose_name_plural = _("item type mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["system", "external_code"], name="item_type_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.system} {self.external_code} → {self.item_type}"


class ServiceItemQuerySet(models.QuerySet["ServiceItem"]):
    def published(self) -> ServiceItemQuerySet:
        return self.filter(status=ServiceItem.Status.PUBLISHED)

    def of_center(self, center: Center) -> ServiceItemQuerySet:
        return self.filter(center=center)


class ServiceItem(models.Model):
    """A service item (事项) of the power or public-service list, with its guide (办事指南)."""

    class Level(models.TextChoices):
        MAIN = "main", _("Main item")
        SUB = "sub", _("Sub item")
        VARIANT = "variant", _("Handling variant")

    class Variant(models.TextChoices):
        NONE = "", _("—")
        NEW = "new", _("New")  # 新办
        CHANGE = "change", _("Change")  # 变更
        RENEWAL = "renewal", _("Renewal")  # 延续
        CANCELLATION = "cancellation", _("Cancellation")  # 注销

    class Subject(models.TextChoices):
        PERSON = "person", _("Individuals")
        LEGAL = "legal", _("Legal entities")
        BOTH = "both", _("Individuals and legal entities")

    class OnlineLevel(models.IntegerChoices):
        INFORMATION = 1, _("Guide online only")  # 网上公开
        PRE_REVIEW = 2, _("Online pre-review")  # 网上预审
        PARTLY_ONLINE = 3, _("Partly online, one visit")  # 部分网办
        FULLY_ONLINE = 4, _("Fully online, no visit")  # 全程网办

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="items")
    basic_code = models.CharField(_("basic code"), max_length=30)
    implementation_code = models.CharField(
        _("implementation code"), max_length=100, unique=True, editable=False
    )
    name = models.CharField(_("name"), max_length=150)
    item_type = models.CharField(_("item type"), max_length=2, choices=ItemType.choices)
    level = models.CharField(_("level"), max_length=8, choices=Level.choices, default=Level.MAIN)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    variant = models.CharField(
        _("handling variant"), max_length=12, choices=Variant.choices, default="", blank=True
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("competent department"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    implementing_body = models.CharField(_("implementing body"), max_length=100)
    subject = models.CharField(
        _("for"), max_length=8, choices=Subject.choices, default=Subject.BOTH
    )
    legal_basis = models.TextField(_("legal basis"))
    conditions = models.TextField(_("conditions"), blank=True)
    is_free = models.BooleanField(_("free of charge"), default=True)
    statutory_days = models.PositiveSmallIntegerField(_("statutory limit (working days)"))
    promised_days = models.PositiveSmallIntegerField(_("promised limit (working days)"))
    visits = models.PositiveSmallIntegerField(
        _("visits needed"), choices=[(0, "0"), (1, "1"), (2, "2")], default=1
    )
    online_level = models.PositiveSmallIntegerField(
        _("online level"), choices=OnlineLevel.choices, default=OnlineLevel.PRE_REVIEW
    )
    appointment_allowed = models.BooleanField(_("appointment allowed"), default=True)
    counters = models.ManyToManyField(
        Counter, verbose_name=_("counters"), related_name="items", blank=True
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    consult_phone = models.CharField(_("consultation phone"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("complaint phone"), max_length=40, blank=True)
    life_events = models.ManyToManyField(
        LifeEvent, verbose_name=_("life events"), related_name="items", blank=True
    )
    warn_lead_days = models.PositiveSmallIntegerField(
        _("yellow light lead (working days)"),
        null=True,
        blank=True,
        help_text=_("Blank: the department's lead."),
    )
    certificate_name = models.CharField(
        _("certificate issued"),
        max_length=60,
        blank=True,
        help_text=_("The certificate an approved case issues (e.g. 营业执照); blank: none."),
    )
    certificate_valid_years = models.PositiveSmallIntegerField(
        _("certificate valid for (years)"),
        null=True,
        blank=True,
        help_text=_("Blank: the certificate does not expire."),
    )
    auto_approval = models.BooleanField(
        _("automatic approval"),
        default=False,
        help_text=_(
            "秒批: online applications conclude without a person when all the item's automatic "
            "approval rules hold."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[counters, life_events])

    objects = ServiceItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["center", "department__sort_order", "basic_code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["center", "basic_code", "variant"], name="item_unique_code"
            ),
            models.CheckConstraint(
                condition=models.Q(promised_days__lte=models.F("statutory_days")),
                name="item_promised_within_statutory",
            ),
        ]
        indexes = [models.Index(fields=["center", "status", "item_type"], name="item_list_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_instant(self) -> bool:
        """即办件: promised zero working days."""
        return self.promised_days == 0

    def compliant_promise_limit(self) -> int:
        """The longest promised limit the center's rule allows: floor(statutory × 0.6)."""
        return math.floor(self.statutory_days * settings.GOVHALL_PROMISE_RATIO)

    def is_promise_compliant(self) -> bool:
        return self.promised_days <= self.compliant_promise_limit()

    @property
    def days_saved(self) -> int:
        return self.statutory_days - self.promised_days

    def warning_lead(self, department: Department | None = None) -> int:
        """Working days before a due date from which the light is yellow: the item's own lead,
        else that of `department` (a stage's), else that of the item's department."""
        if self.warn_lead_days is not None:
            return self.warn_lead_days
        return (department or self.department).warn_lead_days

    def compute_implementation_code(self) -> str:
        """basic code - area code - 000 - implementing body's USCC - 1 - handling number.

        The handling number is 00 for a main or sub item and numbers the handling variants
        (01 new, 02 change, 03 renewal, 04 cancellation), as the provincial platforms do.
        """
        handling = VARIANT_NUMBERS.get(self.variant, "00")
        return f"{self.basic_code}-{self.center.area_code}-000-{self.department.uscc}-1-{handling}"


VARIANT_NUMBERS: dict[str, str] = {
    ServiceItem.Variant.NEW: "01",
    ServiceItem.Variant.CHANGE: "02",
    ServiceItem.Variant.RENEWAL: "03",
    ServiceItem.Variant.CANCELLATION: "04",
}


class MaterialSpec(models.Model):
    """A material the applicant hands in (申请材料)."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("Original")  # 原件
        COPY = "copy", _("Copy")  # 复印件
        ORIGINAL_AND_COPY = "both", _("Original and copy")
        ELECTRONIC = "electronic", _("Electronic")  # 电子

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=150)
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    required = models.BooleanField(_("required"), default=True)
    certificate_type = models.CharField(
        _("satisfied by certificate type"),
        max_length=40,
        blank=True,
        help_text=_("Code of the electronic certificate type that can replace this material."),
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    shared_key = models.SlugField(
        _("shared document key"),
        max_length=40,
        blank=True,
        help_text=_(
            "Materials of a bundle's items with the same key (or, without one, the same name) "
            "are one document, uploaded once."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["item", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class ItemField(models.Model):
    """An extra field of an item's application form (申请表字段), rendered and checked from here."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        ID_NUMBER = "id_number", _("Resident ID number")
        ADDRESS = "address", _("Address")

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    required = models.BooleanField(_("required"), default=True)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One choice a line."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("application form field")
        verbose_name_plural = _("application form fields")
        ordering = ["item", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "key"], name="item_field_unique_key")
        ]

    def __str__(self) -> str:
        return self.label

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class AutoRule(models.Model):
    """A rule of automatic approval (秒批): every rule of the item must hold.

    certificate: the applicant holds a valid certificate named `certificate_name` (issued to
    the same identifier, not expired); number: form field `field_key` lies within `minimum`
    and `maximum`; choice: its value is one of `values`; past_date: its date is not in the
    future; applicant_kind: the applicant is of kind `values`.
    """

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("Holds a valid certificate")
        NUMBER = "number", _("Number within limits")
        CHOICE = "choice", _("Choice among values")
        PAST_DATE = "past_date", _("Date not in the future")
        APPLICANT_KIND = "applicant_kind", _("Kind of applicant")

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="auto_rules")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    field_key = models.SlugField(_("form field key"), max_length=40, blank=True)
    certificate_name = models.CharField(_("certificate name"), max_length=60, blank=True)
    minimum = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("maximum"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    values = models.TextField(
        _("values"), blank=True, help_text=_("One a line: the allowed choices or applicant kind.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("automatic approval rule")
        verbose_name_plural = _("automatic approval rules")
        ordering = ["item", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.field_key or self.certificate_name}".strip()

    def value_list(self) -> list[str]:
        return [line.strip() for line in self.values.splitlines() if line.strip()]

    def clean(self) -> None:
        """Each kind needs its own arguments: say which one is missing."""
        kind = self.kind
        if kind == self.Kind.CERTIFICATE and not self.certificate_name.strip():
            raise ValidationError({"certificate_name": _("Name the certificate to hold.")})
        if kind in (self.Kind.NUMBER, self.Kind.CHOICE, self.Kind.PAST_DATE) and not self.field_key:
            raise ValidationError({"field_key": _("Give the key of the form field to check.")})
        if kind == self.Kind.NUMBER and self.minimum is None and self.maximum is None:
            raise ValidationError({"minimum": _("Give a minimum, a maximum or both.")})
        if kind == self.Kind.CHOICE and not self.value_list():
            raise ValidationError({"values": _("List the allowed values, one a line.")})
        kinds = set(self.value_list())
        if kind == self.Kind.APPLICANT_KIND and not (kinds and kinds <= {"person", "legal"}):
            raise ValidationError({"values": _("Write person or legal, one a line.")})


class Fee(models.Model):
    """A fee charged for an item, with the legal basis that allows it."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("name"), max_length=100)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    basis = models.TextField(_("basis"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return self.name


class ProcessStep(models.Model):
    """A step of the handling process (办理流程) with its share of the promised days."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=60)
    days = models.PositiveSmallIntegerField(_("working days"), default=0)
    description = models.CharField(_("description"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["item", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class StageSpec(models.Model):
    """An approval stage of the item's cases (审批环节): who decides, where, in how many days.

    Stages with the same non-blank `parallel_group` run together (并联审批): all must be done
    before the next position starts. A blank group is a stage of its own.
    """

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="stage_specs")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=60)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Blank: the item's department."),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.REVIEWER)
    days = models.PositiveSmallIntegerField(_("working days"), default=0)
    parallel_group = models.CharField(
        _("parallel group"),
        max_length=20,
        blank=True,
        help_text=_("Stages with the same group run in parallel (并联审批)."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("approval stage")
        verbose_name_plural = _("approval stages")
        ordering = ["item", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A frequently asked question (常见问题) of an item."""

    item = models.ForeignKey(ServiceItem, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("frequently asked question")
        verbose_name_plural = _("frequently asked questions")
        ordering = ["item", "position", "pk"]

    def __str__(self) -> str:
        return self.question


class BundleQuerySet(models.QuerySet["Bundle"]):
    def published(self) -> BundleQuerySet:
        return self.filter(published=True)


class Bundle(models.Model):
    """一件事一次办: several items applied for at once with one form and one set of materials."""

    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="bundles")
    code = models.SlugField(_("short code"), max_length=40, help_text=_("Used in addresses."))
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    life_event = models.ForeignKey(
        LifeEvent,
        verbose_name=_("life event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bundles",
    )
    published = models.BooleanField(_("published"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    history = HistoricalRecords()

    objects = BundleQuerySet.as_manager()

    class Meta:
        verbose_name = _("bundle (一件事)")
        verbose_name_plural = _("bundles (一件事)")
        ordering = ["center", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["center", "code"], name="bundle_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    """An item of a bundle, in the order its cases are listed."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(
        ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bundle item")
        verbose_name_plural = _("bundle items")
        ordering = ["bundle", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.bundle_id}: {self.item_id}"


class CatalogRevision(models.Model):
    """A single row whose token changes with every write to the catalog.

    Cached public pages and API answers carry the token in their keys, so that one write makes
    every process stop serving what it had cached.
    """

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("catalog revision")
        verbose_name_plural = _("catalog revisions")

    def __str__(self) -> str:
        return self.token
