"""The declared table of the access walk: who may read and who may write each page and operation.

Roles are those of `access_world.ROLES`. Every object a page names belongs to citizen A and
department X of the first center; `owned` pages must answer 404 to the outsiders (citizen B, the
clerk of department Y, the administrator of the other center), as if the object did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

ANON = "anonymous"
A, B = "citizen_a", "citizen_b"
X, Y = "clerk_x", "clerk_y"
REV, HEAD = "reviewer", "head"
HALL, SUP, ASSR = "hall_manager", "supervisor", "assessor"
OADM = "other_admin"

OUTSIDERS = frozenset({B, Y, OADM})
NOBODY: frozenset[str] = frozenset()
# The first center's staff of the walk, and with them the other center's administrator.
CENTER_STAFF = frozenset({X, Y, REV, HEAD, HALL, SUP, ASSR})
STAFF = CENTER_STAFF | {OADM}
SIGNED_IN = STAFF | {A, B}
EVERYONE = SIGNED_IN | {ANON}
# Who reads citizen A's case of department X: the applicant, the department's staff who handle
# cases, and the center's supervisor.
CASE_READERS = frozenset({A, X, REV, HEAD, SUP})
CASE_LISTS = frozenset({X, Y, REV, HEAD, SUP, OADM})
FIGURES = frozenset({HEAD, HALL, SUP, OADM})
SUPERVISION = frozenset({HEAD, SUP, OADM})


@dataclass(frozen=True)
class Access:
    """Who may GET and who may POST (None: the method is not offered, so not walked).

    The others are refused: anonymous visitors sent to log in (a page, unless `login` is False)
    or answered 401 (the API), the rest answered 403 or 404, and the `outsiders` of an `owned`
    object 404.
    """

    get: frozenset[str] | None = None
    post: frozenset[str] | None = None
    owned: bool = False
    outsiders: frozenset[str] = OUTSIDERS
    login: bool = True
    # Everyone refused is sent to log in, signed in or not (a step of the log-in itself).
    to_login: bool = False


def _set(*roles: str) -> frozenset[str]:
    return frozenset(roles)


PAGES: dict[str, Access] = {
    "healthz": Access(get=EVERYONE, post=EVERYONE),
    # The benchmark floors are off unless GOVHALL_BENCH_ENDPOINTS is set.
    "healthz_read": Access(get=NOBODY, login=False),
    "healthz_write": Access(post=NOBODY, login=False),
    "accounts:login": Access(get=EVERYONE, post=EVERYONE),
    "accounts:logout": Access(post=EVERYONE),
    "accounts:messages": Access(get=SIGNED_IN),
    "accounts:messages_read_all": Access(post=SIGNED_IN),
    "accounts:message_open": Access(post=_set(A), owned=True),
    "accounts:account": Access(get=SIGNED_IN),
    "accounts:password_change": Access(get=SIGNED_IN, post=SIGNED_IN),
    # Two-factor log-in: staff turn it on; the code page follows a right password only.
    "accounts:login_code": Access(get=NOBODY, to_login=True),
    "accounts:two_factor_enrol": Access(post=STAFF),
    "accounts:two_factor_confirm": Access(get=SIGNED_IN, post=SIGNED_IN),
    "accounts:two_factor_disable": Access(post=SIGNED_IN),
    # Hall: tickets and bookings are reached by their secret key or code, like a claim check.
    "hall:take_ticket": Access(get=EVERYONE, post=EVERYONE),
    "hall:ticket": Access(get=EVERYONE),
    "hall:ticket_print": Access(get=EVERYONE),
    "hall:ticket_action": Access(post=EVERYONE),
    "hall:workstation": Access(get=STAFF),
    "hall:workstation_act": Access(post=STAFF),
    "hall:book": Access(get=EVERYONE),
    "hall:book_form": Access(get=EVERYONE, post=EVERYONE),
    "hall:booking": Access(get=EVERYONE),
    "hall:booking_cancel": Access(post=EVERYONE),
    "hall:booking_reschedule": Access(get=EVERYONE, post=EVERYONE),
    "hall:check_in": Access(get=EVERYONE, post=EVERYONE),
    "hall:special_request": Access(get=EVERYONE, post=EVERYONE),
    "hall:special_list": Access(get=_set(HALL, OADM)),
    "hall:special_action": Access(post=_set(HALL), owned=True, outsiders=_set(OADM)),
    # The demo outbox of the local SMS backend (a gateway's texts have no page).
    "hall:sms_outbox": Access(get=STAFF),
    "hall:display_screen": Access(get=EVERYONE),
    "hall:voice": Access(get=EVERYONE),
    # A counter's screen and pad: its device, or a signed-in member of the center's staff.
    "hall:counter_screen": Access(get=CENTER_STAFF, login=False),
    "hall:counter_screen_state": Access(get=CENTER_STAFF, login=False),
    "hall:counter_photo": Access(get=CENTER_STAFF, login=False),
    "hall:pad": Access(get=CENTER_STAFF, login=False),
    "hall:pad_state": Access(get=CENTER_STAFF, login=False),
    "hall:pad_rate": Access(post=CENTER_STAFF, login=False),
    "hall:pad_indicators": Access(post=CENTER_STAFF, login=False),
    "hall:manager": Access(get=_set(HALL, OADM)),
    "hall:manager_board": Access(get=_set(HALL, OADM)),
    # Cases.
    "cases:query": Access(get=EVERYONE),
    "cases:apply": Access(get=SIGNED_IN, post=SIGNED_IN),
    "cases:mine": Access(get=SIGNED_IN),
    "cases:intake": Access(get=CASE_LISTS),
    "cases:new": Access(get=CASE_LISTS, post=CASE_LISTS),
    "cases:work": Access(get=CASE_LISTS),
    "cases:bundle_apply": Access(get=SIGNED_IN, post=SIGNED_IN),
    "cases:bundle_detail": Access(get=CASE_READERS, owned=True),
    "cases:detail": Access(get=CASE_READERS, owned=True),
    "cases:act": Access(post=CASE_READERS, owned=True),
    "cases:material": Access(get=CASE_READERS, owned=True),
    "cases:correction_pdf": Access(get=CASE_READERS, owned=True),
    "cases:acceptance_pdf": Access(get=CASE_READERS, owned=True),
    "cases:decision_pdf": Access(get=CASE_READERS, owned=True),
    # Supervision: the center's supervisors, and department heads for their department.
    "supervision:dashboard": Access(get=SUPERVISION),
    "supervision:violations": Access(get=SUPERVISION),
    "supervision:violation": Access(
        get=_set(HEAD, SUP), post=_set(HEAD), owned=True, outsiders=_set(OADM)
    ),
    "supervision:notices": Access(get=SUPERVISION),
    "supervision:notice_new": Access(get=_set(SUP), post=_set(SUP)),
    "supervision:notice": Access(get=_set(HEAD, SUP), owned=True, outsiders=_set(OADM)),
    "supervision:notice_act": Access(post=_set(HEAD), owned=True, outsiders=_set(OADM)),
    "supervision:compliance": Access(get=_set(SUP, OADM)),
    "supervision:compliance_xlsx": Access(get=_set(SUP, OADM)),
    "supervision:efficiency": Access(get=SUPERVISION),
    "supervision:efficiency_xlsx": Access(get=SUPERVISION),
    # Feedback: the rater, the department that rectifies, the supervisors who decide appeals.
    "feedback:case": Access(get=_set(A), post=_set(A), owned=True),
    "feedback:link": Access(get=EVERYONE, post=EVERYONE),
    "feedback:view_link": Access(get=EVERYONE, post=EVERYONE),
    "feedback:comment": Access(get=EVERYONE, post=EVERYONE),
    "feedback:figures": Access(get=EVERYONE),
    "feedback:rectifications": Access(get=_set(HEAD)),
    "feedback:rectification": Access(get=_set(HEAD), post=_set(HEAD)),
    "feedback:appeals": Access(get=STAFF),
    "feedback:appeal_new": Access(
        get=_set(X, HEAD), post=_set(X, HEAD), owned=True, outsiders=_set(Y, OADM)
    ),
    "feedback:appeal": Access(
        get=_set(HEAD, SUP), post=_set(SUP), owned=True, outsiders=_set(Y, OADM)
    ),
    "feedback:satisfaction": Access(get=FIGURES),
    # Work orders: the hall manager dispatches; complainants follow with their code.
    "workorders:public_new": Access(get=EVERYONE, post=EVERYONE),
    "workorders:public_done": Access(get=EVERYONE),
    "workorders:follow": Access(get=EVERYONE, post=EVERYONE),
    "workorders:list": Access(get=_set(REV, HEAD, HALL, SUP)),
    "workorders:new": Access(get=_set(HALL), post=_set(HALL)),
    "workorders:import": Access(get=_set(HALL), post=_set(HALL)),
    # Dispatched to department X: its reviewer and head handle it and see who complained. The
    # others are refused by role before the order is looked up: nobody learns whether it exists.
    "workorders:detail": Access(get=_set(REV, HEAD, HALL, SUP), post=_set(HALL)),  # dispatch
    "workorders:identity": Access(post=_set(REV, HEAD, HALL)),
    # Assessment.
    "assessment:index": Access(get=STAFF),
    "assessment:findings": Access(get=STAFF),
    "assessment:finding_new": Access(get=NOBODY, post=NOBODY),
    "assessment:finding": Access(
        get=_set(X, HEAD, HALL, SUP), post=_set(X), owned=True, outsiders=_set(Y, OADM)
    ),
    "assessment:finding_photo": Access(
        get=_set(X, HEAD, HALL, SUP), owned=True, outsiders=_set(Y, OADM)
    ),
    "assessment:bulletin": Access(get=STAFF),
    "assessment:bulletin_pdf": Access(get=STAFF),
    "assessment:mine": Access(get=STAFF),
    "assessment:ranking": Access(get=_set(HALL, SUP, OADM)),
    "assessment:month_close": Access(post=_set(HALL, SUP, OADM)),
    "assessment:ranking_xlsx": Access(get=_set(HALL, SUP, OADM)),
    "assessment:titles_propose": Access(post=_set(HALL, SUP, OADM)),
    "assessment:title_decide": Access(post=NOBODY, owned=True, outsiders=_set(OADM)),
    # Third-party rounds: the hall manager runs them (the walk's first center has no
    # administrator); the invited assessor scores.
    "assessment:rounds": Access(get=_set(HALL, ASSR, OADM)),
    "assessment:round_new": Access(get=_set(HALL, OADM), post=_set(HALL, OADM)),
    "assessment:round": Access(get=_set(HALL, ASSR), owned=True, outsiders=_set(OADM)),
    "assessment:round_invite": Access(post=_set(HALL), owned=True, outsiders=_set(OADM)),
    "assessment:round_close": Access(post=_set(HALL), owned=True, outsiders=_set(OADM)),
    "assessment:round_xlsx": Access(get=_set(HALL), owned=True, outsiders=_set(OADM)),
    "assessment:sheet": Access(
        get=_set(ASSR), post=_set(ASSR), owned=True, outsiders=_set(Y, OADM)
    ),
    # Signed commitments: the administrator only, and only of his own center's staff.
    "assessment:commitments": Access(get=_set(OADM)),
    "assessment:commitment_sign": Access(post=NOBODY, owned=True, outsiders=_set(OADM)),
    "audit:search": Access(get=_set(SUP, OADM)),
    # Statistics: figures for the center's management; open data for everyone.
    "stats:dashboard": Access(get=FIGURES),
    "stats:screen": Access(get=FIGURES, login=False),
    "stats:screen_data": Access(get=FIGURES, login=False),
    "stats:reports": Access(get=FIGURES),
    "stats:report_xlsx": Access(get=FIGURES),
    "stats:report_pdf": Access(get=FIGURES),
    "stats:open_data": Access(get=EVERYONE),
    "stats:open_data_csv": Access(get=EVERYONE),
    # The certificate registry: the holder, and the issuing department's head.
    "sharing:verify": Access(get=EVERYONE),
    "sharing:mine": Access(get=SIGNED_IN),
    "sharing:public_key": Access(get=EVERYONE),
    "sharing:manage": Access(get=_set(HEAD, OADM)),
    "sharing:systems": Access(get=_set(HEAD), post=_set(HEAD)),
    "sharing:manage_detail": Access(get=_set(HEAD), post=_set(HEAD), owned=True),
    "sharing:provide": Access(post=CASE_READERS, owned=True),
    "sharing:pdf": Access(get=_set(A, HEAD), owned=True),
    "sharing:disclosure": Access(post=_set(A, HEAD), owned=True),
    # The public site.
    "portal:root": Access(get=EVERYONE),
    "portal:elder_mode": Access(get=EVERYONE),
    "portal:language": Access(get=EVERYONE),
    "portal:home": Access(get=EVERYONE),
    "portal:items": Access(get=EVERYONE),
    "portal:item": Access(get=EVERYONE),
    "portal:item_pdf": Access(get=EVERYONE),
    "portal:bundle": Access(get=EVERYONE),
    "portal:departments": Access(get=EVERYONE),
    "portal:lists": Access(get=EVERYONE),
    "portal:kiosk": Access(get=EVERYONE),
    "portal:kiosk_exit": Access(get=EVERYONE),
}

# Operations behind StaffSessionAuth answer a signed-in citizen 401, like anonymous callers.
STAFF_ONLY = frozenset({Y, OADM})
# Operations for department systems, with an API key: no person's session opens them.
SYSTEMS = Access(get=NOBODY)
SYSTEMS_WRITE = Access(post=NOBODY)

API: dict[str, Access] = {
    "catalog_api_list_departments": Access(get=EVERYONE),
    "catalog_api_list_items": Access(get=EVERYONE),
    "catalog_api_get_item": Access(get=EVERYONE),
    "catalog_api_get_item_guide_pdf": Access(get=EVERYONE),
    "workdays_api_add": Access(get=EVERYONE),
    "workdays_api_count": Access(get=EVERYONE),
    "hall_api_take_ticket": Access(post=EVERYONE),
    "hall_api_get_ticket": Access(get=EVERYONE),
    # A counter of the center: any of its staff may sign in to it (409 until they have).
    "hall_api_counter_get": Access(get=CENTER_STAFF, owned=True, outsiders=_set(OADM)),
    "hall_api_counter_transfer": Access(post=CENTER_STAFF, owned=True, outsiders=_set(OADM)),
    "hall_api_counter_pause": Access(post=CENTER_STAFF, owned=True, outsiders=_set(OADM)),
    "hall_api_counter_act": Access(post=CENTER_STAFF, owned=True, outsiders=_set(OADM)),
    "hall_api_hall_display": Access(get=EVERYONE),
    "hall_api_booking_slots": Access(get=EVERYONE),
    "hall_api_booking_send_code": Access(post=EVERYONE),
    "hall_api_booking_book": Access(post=EVERYONE),
    "hall_api_booking_cancel": Access(post=EVERYONE),
    "hall_api_booking_check_in": Access(post=CENTER_STAFF),
    "cases_api_case_create": Access(post=SIGNED_IN),
    "cases_api_case_list": Access(get=STAFF),
    "cases_api_case_query": Access(get=EVERYONE),
    "cases_api_case_get": Access(get=CASE_READERS, owned=True),
    "cases_api_material_create": Access(post=_set(A, X, REV, HEAD), owned=True),
    "cases_api_case_accept": Access(post=_set(X, REV, HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_case_refuse": Access(post=_set(X, REV, HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_case_correction": Access(post=_set(X, REV, HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_case_correction_done": Access(post=_set(A), owned=True),
    "cases_api_case_withdraw": Access(post=_set(A), owned=True),
    # On the spot (即办): the chief representative only, who is none of the walk's roles.
    "cases_api_case_conclude": Access(post=NOBODY, owned=True, outsiders=STAFF_ONLY),
    "cases_api_stage_list": Access(get=STAFF),
    "cases_api_stage_assign": Access(post=_set(HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_stage_complete": Access(post=_set(REV, HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_case_suspend": Access(post=_set(REV, HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_case_resume": Access(post=_set(REV, HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_extension_create": Access(post=_set(REV, HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_extension_approve": Access(post=_set(HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_extension_refuse": Access(post=_set(HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_case_decide": Access(post=_set(REV, HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_case_deliver": Access(post=_set(X, REV, HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_case_fees": Access(get=CASE_READERS, owned=True),
    "cases_api_case_fee_charge": Access(post=_set(X, REV, HEAD), owned=True, outsiders=STAFF_ONLY),
    "cases_api_case_deadline": Access(get=CASE_READERS, owned=True),
    "cases_api_bundle_application_create": Access(post=SIGNED_IN),
    "cases_api_bundle_application_get": Access(get=CASE_READERS, owned=True),
    "supervision_api_lights": Access(get=SUPERVISION),
    "supervision_api_violations": Access(get=SUPERVISION),
    "accounts_api_message_list": Access(get=SIGNED_IN),
    "accounts_api_message_read": Access(post=_set(A), owned=True),
    "sharing_api_certificate_verify_api": Access(get=EVERYONE),
    "sharing_api_certificate_public_key": Access(get=EVERYONE),
    "sharing_api_systems_system_case_list": SYSTEMS,
    "sharing_api_systems_system_stage_list": SYSTEMS,
    "sharing_api_systems_system_case_get": SYSTEMS,
    "sharing_api_systems_system_stage_complete": SYSTEMS_WRITE,
    "sharing_api_systems_system_case_decide": SYSTEMS_WRITE,
    "sharing_api_systems_system_certificate_push": SYSTEMS_WRITE,
    "sharing_api_systems_system_certificate_query": SYSTEMS,
    "workorders_api_work_order_create": Access(post=_set(HALL)),
    "feedback_api_satisfaction": Access(get=FIGURES),
    "stats_api_dashboard_figures": Access(get=FIGURES),
    "feedback_api_figures": Access(get=EVERYONE),
    "assessment_api_bulletin_get": Access(get=STAFF),
    "assessment_api_ranking_get": Access(get=STAFF),
    "assessment_api_rounds_get": Access(get=STAFF),
    "assessment_api_round_results_get": Access(get=_set(HALL), owned=True, outsiders=_set(OADM)),
}

# The admin's models: True where the other center's administrator may open the first center's
# rows (rows every center shares, or a page that refuses him whole); False where the first
# center's rows must stay out of his reach.
ADMIN_MODELS: dict[str, bool] = {
    "auth.group": True,
    "workdays.holiday": True,
    "workdays.calendaryear": True,
    "audit.auditentry": False,
    "audit.auditday": True,
    "accounts.user": False,
    "catalog.center": False,
    "catalog.department": False,
    "catalog.bundle": False,
    "catalog.queuecategory": False,
    "catalog.counter": False,
    "catalog.staffprofile": False,
    "catalog.lifeevent": True,
    "catalog.itemtypemapping": True,
    "catalog.serviceitem": False,
    "hall.hallpolicy": False,
    "hall.hallnotice": False,
    "hall.device": False,
    "hall.ticket": False,
    "hall.counterpause": False,
    "hall.padrating": False,
    "hall.hallalert": False,
    "hall.appointment": False,
    "hall.specialservicerequest": False,
    "hall.outboxmessage": False,
    "cases.case": False,
    "cases.caseevent": False,
    "cases.caseaccess": False,
    "supervision.violation": False,
    "supervision.supervisionnotice": False,
    "supervision.lightalert": False,
    "feedback.rating": False,
    "feedback.rectification": False,
    "feedback.ratingappeal": False,
    "feedback.feedbackpolicy": False,
    "workorders.workorderpolicy": False,
    "workorders.workorder": False,
    "workorders.workorderevent": False,
    "sharing.certificatetype": False,
    "sharing.certificate": False,
    "sharing.apikey": False,
    "sharing.webhookdelivery": False,
    "assessment.deductionrule": False,
    "assessment.scoreweights": False,
    "assessment.finding": False,
    "assessment.assessmentmonth": False,
    "assessment.monthlyscore": False,
    "assessment.scoringcriterion": False,
    "assessment.assessmentround": False,
    "assessment.scoresheet": False,
}
# The admin's own pages, which belong to no model.
ADMIN_SITE_VIEWS = frozenset(
    {
        "admin:index",
        "admin:login",
        "admin:logout",
        "admin:password_change",
        "admin:password_change_done",
        "admin:autocomplete",
        "admin:jsi18n",
        "admin:view_on_site",
        "admin:app_list",
        # The user admin's password form, which Django names after its own auth app.
        "admin:auth_user_password_change",
    }
)
