"""The people and objects of the access walk: two centers, two departments, a case of each kind.

Every object a URL names belongs to citizen A and department X of the first center, so that
citizen B, the clerk of department Y and the second center's administrator are outsiders to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import message_send
from assessment.models import AssessorKind, Category, Finding, Title
from assessment.services import finding_record, round_invite, round_open
from cases.models import Case, CaseStatus, StageStatus
from cases.services import (
    Applicant,
    CorrectionMark,
    Decision,
    bundle_submit,
    case_accept,
    case_conclude_on_the_spot,
    case_correction_submit,
    case_decide,
    case_request_correction,
    case_submit,
    extension_request,
    stage_complete,
)
from catalog.models import (
    Bundle,
    BundleItem,
    Center,
    Counter,
    Department,
    MaterialSpec,
    QueueCategory,
    ServiceItem,
)
from catalog.tests.factories import (
    make_center,
    make_counter,
    make_department,
    make_item,
    make_staff,
    make_user,
)
from feedback.models import Rectification
from feedback.services import (
    RatingInput,
    rating_appeal_file,
    rating_give_by_link,
    rating_link_issue,
    rectification_call_back,
    rectification_rectify,
)
from govhall.identifiers import resident_id_with_check
from hall.models import OutboxMessage, TicketEvent
from hall.services.booking import appointment_book, special_service_request
from hall.services.tickets import (
    counter_sign_in,
    pad_rate,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
)
from sharing.models import CertificateType
from sharing.services import certificate_push
from supervision.models import Rule, Severity, Violation
from supervision.selectors import supervision_scope
from supervision.services import notice_issue
from workdays.services import calendar_seed
from workorders.models import Channel as WorkOrderChannel
from workorders.models import Kind as WorkOrderKind
from workorders.services import WorkOrderInput, work_order_dispatch, work_order_receive

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ID_NUMBER = resident_id_with_check("11010519491231002")

# The roles of the walk, in the order of the issue.
ROLES = (
    "anonymous",
    "citizen_a",
    "citizen_b",
    "clerk_x",
    "clerk_y",
    "reviewer",
    "head",
    "hall_manager",
    "supervisor",
    "assessor",
    "other_admin",
)


@dataclass
class AccessWorld:
    center: Center
    other_center: Center
    users: dict[str, User]
    # The keyword arguments of each URL name (or API operation id) that names an object.
    kwargs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The query string a page or operation needs to name its object.
    query: dict[str, dict[str, str]] = field(default_factory=dict)
    # The body of a write: well formed, so that an operation checks who asks before it checks
    # what is asked (empty strings and zeros are then refused as input, 422).
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The file a write uploads (field, name, content, type): sent as multipart.
    uploads: dict[str, tuple[str, str, bytes, str]] = field(default_factory=dict)


def _person(center: Center, name: str, role: Role, **fields: Any) -> User:
    user = make_user(name, full_name=name)
    make_staff(user, center, role, **fields)
    return user


def access_world_build(now: dt.datetime) -> AccessWorld:
    calendar_seed(first_year=2026, last_year=2027)
    center = make_center(slug="qinghe")
    other_center = make_center(slug="other")
    market, health = make_department(center), make_department(center)
    general = QueueCategory.objects.create(center=center, letter="A", name="综合受理")
    business = QueueCategory.objects.create(
        center=center, letter="B", name="商事登记", department=market
    )
    counter_x = make_counter(center, market)
    counter_x.categories.add(general, business)
    counter_y = make_counter(center, health)
    counter_y.categories.add(general)
    item = make_item(
        market, status=ServiceItem.Status.PUBLISHED, promised_days=5, statutory_days=20
    )
    licence = MaterialSpec.objects.create(item=item, name="营业执照", position=1)
    instant = make_item(
        market, status=ServiceItem.Status.PUBLISHED, promised_days=0, statutory_days=5
    )
    make_item(health, status=ServiceItem.Status.PUBLISHED)
    bundle = Bundle.objects.create(
        center=center, name="开办餐馆", code="restaurant", published=True
    )
    BundleItem.objects.create(bundle=bundle, item=item)

    other_admin = make_user("other-admin", full_name="other-admin", is_staff=True)
    make_staff(other_admin, other_center, Role.ADMINISTRATOR)
    users = {
        "citizen_a": make_user("citizen-a", full_name="张小三", mobile="13800000001"),
        "citizen_b": make_user("citizen-b", full_name="李小四", mobile="13800000002"),
        "clerk_x": _person(center, "clerk-x", Role.CLERK, department=market, counter=counter_x),
        "clerk_y": _person(center, "clerk-y", Role.CLERK, department=health, counter=counter_y),
        "reviewer": _person(center, "reviewer", Role.REVIEWER, department=market),
        "head": _person(center, "head", Role.DEPARTMENT_HEAD, department=market),
        "hall_manager": _person(center, "hall-manager", Role.HALL_MANAGER),
        "supervisor": _person(center, "supervisor", Role.SUPERVISOR),
        "assessor": _person(center, "assessor", Role.ASSESSOR),
        "other_admin": other_admin,
    }
    world = AccessWorld(center=center, other_center=other_center, users=users)
    # Clerk X's photo, which the screen of the counter he serves at shows.
    users["clerk_x"].staff_profile.photo.save("clerk-x.png", ContentFile(PNG))
    citizen, clerk = users["citizen_a"], users["clerk_x"]

    def submit(key: str) -> Any:
        case, _created = case_submit(
            user=citizen,
            item=item,
            applicant=Applicant(
                kind="person", name="张小三", id_number=ID_NUMBER, mobile="13800000001"
            ),
            form_data={},
            idempotency_key=key,
            materials=[(licence, SimpleUploadedFile("licence.pdf", PDF, "application/pdf"))],
            now=now,
        )
        return case

    # One case through correction, acceptance, an extension and the decision: every notice and
    # every sub-object a URL names exists.
    case = submit("walk")
    notice = case_request_correction(
        case=case, staff=clerk, marks=[CorrectionMark(reason="模糊", spec_id=licence.pk)], now=now
    )
    case.refresh_from_db()
    case = case_correction_submit(case=case, user=citizen, now=now)
    case = case_accept(case=case, staff=clerk, now=now)
    stage = case.stages.order_by("step").first()
    assert stage is not None
    extension = extension_request(
        case=case, staff=users["reviewer"], days=5, reason="现场核查", now=now
    )
    material = case.materials.first()
    assert material is not None
    # An on-the-spot case concluded by the department's chief representative, to be rated.
    chief = _person(center, "chief", Role.CHIEF_REPRESENTATIVE, department=market)
    decided, _created = case_submit(
        user=citizen,
        item=instant,
        applicant=Applicant(
            kind="person", name="张小三", id_number=ID_NUMBER, mobile="13800000001"
        ),
        form_data={},
        idempotency_key="decided",
        now=now,
    )
    decided = case_conclude_on_the_spot(case=decided, staff=chief, now=now)
    # A case decided after its stages, and one left for the applicant to withdraw.
    judged = case_accept(case=submit("judged"), staff=clerk, now=now)
    while (active := judged.stages.filter(status=StageStatus.ACTIVE).first()) is not None:
        stage_complete(stage=active, staff=users["head"], result="同意", now=now)
    case_decide(
        case=judged,
        staff=users["head"],
        decision=Decision(CaseStatus.CONCLUDED_APPROVED),
        now=now,
    )
    withdrawn = submit("withdrawn")
    instant_case, _created = case_submit(
        user=citizen,
        item=instant,
        applicant=Applicant(kind="person", name="张小三", id_number=ID_NUMBER),
        form_data={},
        idempotency_key="on-the-spot",
        now=now,
    )
    world.kwargs["cases_api_case_conclude"] = {"number": instant_case.number}
    world.kwargs["cases_api_case_withdraw"] = {"number": withdrawn.number}
    case_number = {"number": case.number}
    world.kwargs.update(
        {
            "cases:detail": case_number,
            "cases:act": case_number,
            "cases:material": {"number": case.number, "pk": material.pk},
            "cases:correction_pdf": {"number": case.number, "pk": notice.pk},
            "cases:acceptance_pdf": case_number,
            "cases:decision_pdf": {"number": judged.number},
            "cases:apply": {"code": item.implementation_code},
            "cases:bundle_apply": {"center": center.slug, "code": bundle.code},
            "feedback:case": {"number": decided.number},
            "sharing:provide": case_number,
        }
    )
    api_case = {"number": case.number}
    for operation in (
        "cases_api_case_get",
        "cases_api_material_create",
        "cases_api_case_accept",
        "cases_api_case_refuse",
        "cases_api_case_correction",
        "cases_api_case_correction_done",
        "cases_api_case_suspend",
        "cases_api_case_resume",
        "cases_api_extension_create",
        "cases_api_case_decide",
        "cases_api_case_deliver",
        "cases_api_case_fees",
        "cases_api_case_fee_charge",
        "cases_api_case_deadline",
        "sharing_api_systems_system_case_get",
        "sharing_api_systems_system_case_decide",
    ):
        world.kwargs[operation] = api_case
    for operation in (
        "cases_api_stage_assign",
        "cases_api_stage_complete",
        "sharing_api_systems_system_stage_complete",
    ):
        world.kwargs[operation] = {"number": case.number, "stage_id": stage.pk}
    for operation in ("cases_api_extension_approve", "cases_api_extension_refuse"):
        world.kwargs[operation] = {"number": case.number, "extension_id": extension.pk}

    # The hall: a ticket called at counter X, a booking and a special service request.
    counter_sign_in(counter=counter_x, staff=clerk, now=now)
    # The visitor left a mobile number and rated the service badly on the pad.
    ticket = ticket_issue(category=business, mobile="13800000003", now=now)
    ticket_call_next(counter=counter_x, staff=clerk, now=now)
    ticket_finish(counter=counter_x, staff=clerk, now=now)
    pad_rate(ticket=ticket, level=1, now=now)
    appointment = appointment_book(
        category=general,
        day=timezone.localdate(now),
        slot_start=dt.time(15, 0),
        id_number=ID_NUMBER,
        name="张小三",
        mobile="13800000001",
        user=citizen,
        now=now,
    )
    special = special_service_request(
        center=center,
        kind="home_visit",
        priority_group="elderly",
        address="清河路1号",
        name="张小三",
        id_number=ID_NUMBER,
        mobile="13800000001",
        now=now,
    )
    call = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.CALLED)
    center_slug = {"center": center.slug}
    counter = {"counter_id": counter_x.pk}
    world.kwargs.update(
        {
            "hall:ticket": {"key": ticket.access_key},
            "hall:ticket_print": {"key": ticket.access_key},
            "hall:ticket_action": {"key": ticket.access_key},
            "hall:booking": {**center_slug, "code": appointment.code},
            "hall:booking_cancel": {**center_slug, "code": appointment.code},
            "hall:booking_reschedule": {**center_slug, "code": appointment.code},
            "hall:special_action": {"pk": special.pk, "action": "assign"},
            "hall:counter_screen": counter,
            "hall:counter_screen_state": counter,
            "hall:counter_photo": counter,
            "hall:pad": counter,
            "hall:pad_state": counter,
            "hall:pad_rate": counter,
            "hall:pad_indicators": counter,
            "hall_api_counter_transfer": {"number": counter_x.number},
            "hall_api_counter_pause": {"number": counter_x.number},
            "hall_api_counter_get": {"number": counter_x.number},
            "hall_api_counter_act": {"number": counter_x.number, "action": "recall"},
            "hall_api_get_ticket": {"key": ticket.access_key},
            "hall_api_booking_cancel": {"code": appointment.code},
            "hall_api_booking_check_in": {"code": appointment.code},
            "catalog_api_get_item": {"code": item.implementation_code},
            "catalog_api_get_item_guide_pdf": {"code": item.implementation_code},
            "cases_api_bundle_application_create": {"code": bundle.code},
        }
    )
    world.kwargs["hall:voice"] = {"event_id": call.pk}

    message = message_send(user=citizen, kind="case", subject="受理")
    world.kwargs["accounts:message_open"] = {"message_id": message.pk}
    world.kwargs["accounts_api_message_read"] = {"message_id": message.pk}
    for name in (
        "hall:take_ticket",
        "hall:book",
        "hall:book_form",
        "hall:check_in",
        "hall:special_request",
        "hall:display_screen",
        "feedback:comment",
        "feedback:figures",
        "workorders:public_new",
        "workorders:public_done",
        "portal:home",
        "portal:items",
        "portal:departments",
        "portal:lists",
        "portal:kiosk",
        "portal:kiosk_exit",
    ):
        world.kwargs[name] = center_slug
    _feedback_build(world, decided, now)
    _supervision_build(world, case, market, now)
    _registry_build(world, case, market, now)
    _work_order_build(world, center, counter_x, market, now)
    _assessment_build(world, center, counter_x, now)
    application, _created = bundle_submit(
        user=citizen,
        bundle=bundle,
        applicant=Applicant(
            kind="person", name="张小三", id_number=ID_NUMBER, mobile="13800000001"
        ),
        form_data={},
        idempotency_key="bundle",
        now=now,
    )
    world.kwargs["cases:bundle_detail"] = {"number": application.number}
    world.kwargs["cases_api_bundle_application_get"] = {"number": application.number}
    world.bodies.update(
        {
            "supervision:violation": {"action": "explain", "explanation": ""},
            "feedback:rectification": {"action": "call_back", "note": ""},
            "workorders:detail": {"action": "dispatch", "department": market.pk},
            "hall:pad_indicators": {"ticket": ticket.pk},
            "supervision:notice_act": {"action": "answer", "answer": ""},
            "feedback:case": {"action": "rate", "level": "0"},
            "hall_api_take_ticket": {"category": "A"},
            "hall_api_counter_pause": {"reason": "meeting"},
            "hall_api_booking_send_code": {"mobile": "1"},
            "hall_api_booking_book": {
                "category": "A",
                "date": "2026-12-01",
                "slot_start": "15:00",
                "name": " ",
                "id_number": "1",
                "mobile": "1",
            },
            "cases_api_case_create": {
                "item": item.implementation_code,
                "applicant_kind": "person",
                "applicant_name": " ",
            },
            "cases_api_case_refuse": {"reason": " "},
            "cases_api_case_correction": {"items": []},
            "cases_api_stage_assign": {"assignee": "clerk-y"},
            "cases_api_stage_complete": {"result": " "},
            "cases_api_case_suspend": {"kind": "hearing", "reason": " ", "expected_days": 1},
            "cases_api_case_resume": {"result": " "},
            "cases_api_extension_create": {"days": 1, "reason": " "},
            "cases_api_case_decide": {"outcome": 13, "reason": " "},
            "cases_api_case_deliver": {"method": "mail"},
            "cases_api_case_fee_charge": {"amount": "0.01", "basis": ""},
            "cases_api_bundle_application_create": {
                "applicant_kind": "person",
                "applicant_name": " ",
            },
            "workorders_api_work_order_create": {
                "hotline_id": "H-1",
                "kind": "complaint",
                "content": "咨询",
            },
        }
    )
    world.query["hall:book_form"] = {"category": "A", "date": "2026-12-01", "slot": "15:00"}
    world.uploads["cases_api_material_create"] = ("file", "scan.pdf", PDF, "application/pdf")
    world.kwargs["portal:item"] = {**center_slug, "code": item.implementation_code}
    world.kwargs["portal:item_pdf"] = {**center_slug, "code": item.implementation_code}
    world.kwargs["portal:bundle"] = {**center_slug, "code": bundle.code}
    world.kwargs["portal:language"] = {"code": "en"}
    world.kwargs["stats:report_xlsx"] = {"kind": "monthly"}
    world.kwargs["stats:report_pdf"] = {"kind": "monthly"}
    return world


def _feedback_build(world: AccessWorld, decided: Case, now: dt.datetime) -> None:
    """A bad rating through the texted link, its rectification and an appeal; the fix of the pad's
    bad rating and the texted link to give a view of it."""
    head = world.users["head"]
    link = rating_link_issue(case=decided, now=now)
    token = link.rstrip("/").rsplit("/", 1)[1]
    rating_give_by_link(token=token, given=RatingInput(level=1, comment="太慢"), now=now)
    rectification = Rectification.objects.get(rating__case=decided)
    appeal = rating_appeal_file(
        rectification=rectification,
        user=head,
        reason="malicious",
        explanation="评价人当场表示是误按",
        now=now,
    )
    on_the_pad = Rectification.objects.get(pad_rating__isnull=False)
    on_the_pad = rectification_call_back(
        rectification=on_the_pad, staff=head, note="已回访", now=now
    )
    rectification_rectify(rectification=on_the_pad, staff=head, fix="增派人手", now=now)
    text = OutboxMessage.objects.order_by("-pk").values_list("text", flat=True).first() or ""
    view_token = text.split("/feedback/v/", 1)[1].split("/", 1)[0]
    world.kwargs.update(
        {
            "feedback:link": {"token": token},
            "feedback:view_link": {"token": view_token},
            "feedback:rectification": {"pk": rectification.pk},
            "feedback:appeal_new": {"rectification_pk": on_the_pad.pk},
            "feedback:appeal": {"pk": appeal.pk},
        }
    )


def _supervision_build(
    world: AccessWorld, case: Case, market: Department, now: dt.datetime
) -> None:
    """A violation of department X's case and a notice about it."""
    supervisor = world.users["supervisor"]
    violation = Violation.objects.create(
        center=world.center,
        rule=Rule.CASE_OVERDUE,
        severity=Severity.SERIOUS,
        case=case,
        department=market,
        person=world.users["clerk_x"],
        detail="超期",
        detected_at=now,
    )
    notice = notice_issue(
        scope=supervision_scope(supervisor),
        user=supervisor,
        department=market,
        subject="超期办件",
        request="说明原因",
        days=3,
        case=case,
        violation=violation,
    )
    world.kwargs.update(
        {
            "supervision:violation": {"pk": violation.pk},
            "supervision:notice": {"pk": notice.pk},
            "supervision:notice_act": {"pk": notice.pk},
        }
    )


def _registry_build(world: AccessWorld, case: Case, market: Department, now: dt.datetime) -> None:
    """A certificate department X issued to citizen A."""
    licence = CertificateType.objects.create(
        code="BUSINESS_LICENCE", name="营业执照", issuer=market, valid_years=5, fields=[]
    )
    certificate = certificate_push(
        issuer=market,
        type_code=licence.code,
        number="BL-0001",
        holder_kind="person",
        holder_identifier=ID_NUMBER,
        holder_name="张小三",
        issued_on=timezone.localdate(now),
        now=now,
    )
    identifier = {"identifier": certificate.identifier}
    for name in ("sharing:verify", "sharing:pdf", "sharing:disclosure", "sharing:manage_detail"):
        world.kwargs[name] = identifier


def _work_order_build(
    world: AccessWorld, center: Center, counter: Counter, department: Department, now: dt.datetime
) -> None:
    """A complaint by citizen A about counter X, taken in online."""
    received = work_order_receive(
        center=center,
        given=WorkOrderInput(
            kind=WorkOrderKind.COMPLAINT,
            channel=WorkOrderChannel.ONLINE,
            content="窗口工作人员态度生硬",
            name="张小三",
            mobile="13800000001",
            id_number=ID_NUMBER,
            counter=counter,
        ),
        actor=None,
        complainant=world.users["citizen_a"],
        now=now,
    )
    # Dispatched to department X, whose reviewer and head now handle it.
    work_order_dispatch(
        work_order=received.work_order,
        actor=world.users["hall_manager"],
        department=department,
        now=now,
    )
    number = {"number": received.work_order.number}
    world.kwargs["workorders:detail"] = number
    world.bodies["workorders:follow"] = {**number, "code": received.code}
    world.kwargs["workorders:identity"] = number


def _assessment_build(
    world: AccessWorld, center: Center, counter: Counter, now: dt.datetime
) -> None:
    """An inspector's finding with a photo about clerk X, and a proposed title for clerk X."""
    inspector = _person(center, "inspector", Role.INSPECTOR)
    finding = finding_record(
        inspector=inspector,
        kind=Finding.Kind.DEDUCTION,
        note="离岗未挂牌",
        category=Category.PHONE,
        staff=world.users["clerk_x"],
        counter=counter,
        points="1",
        photos=[SimpleUploadedFile("photo.png", PNG, "image/png")],
        now=now,
    )
    photo = finding.photos.first()
    assert photo is not None
    title = Title.objects.create(
        center=center,
        kind=Title.Kind.SERVICE_STAR,
        period="2026-11",
        staff=world.users["clerk_x"],
        counter=counter,
        proposed_at=now,
    )
    world.kwargs["assessment:finding"] = {"pk": finding.pk}
    world.kwargs["assessment:finding_photo"] = {"pk": finding.pk, "photo": photo.pk}
    world.kwargs["assessment:title_decide"] = {"pk": title.pk}
    scored = round_open(
        actor=world.users["hall_manager"],
        name="2026年11月第三方评议",
        period="2026-11",
        closes_on=now.date() + dt.timedelta(days=14),
        now=now,
    )
    round_invite(
        assessment_round=scored,
        actor=world.users["hall_manager"],
        assessor=world.users["assessor"],
        kind=AssessorKind.PUBLIC,
        now=now,
    )
    for name in ("round", "round_invite", "round_close", "round_xlsx"):
        world.kwargs[f"assessment:{name}"] = {"pk": scored.pk}
    world.kwargs["assessment:sheet"] = {"pk": scored.pk, "counter": counter.pk}
    world.kwargs["assessment_api_round_results_get"] = {"round_id": scored.pk}
    world.kwargs["assessment:commitment_sign"] = {"pk": world.users["clerk_x"].pk}
