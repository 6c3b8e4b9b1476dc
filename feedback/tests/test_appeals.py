"""申诉: the clerk rated (or the department head) appeals a bad rating as malicious or mistaken;
a supervisor of the center upholds or rejects it; an upheld rating stays in the record but no
longer counts."""

from __future__ import annotations

from accounts.models import Message, User
from audit.models import AuditEntry
from cases.models import Case
from cases.tests.conftest import World, login
from feedback.models import AppealState, Rating, RatingAppeal, Rectification
from feedback.tests.conftest import Hall, pad_post, serve
from hall.models import PadRating


def rate_badly(world: World, case: Case) -> Rectification:
    login(world.citizen).post(
        f"/feedback/cases/{case.number}/", {"action": "rate", "level": 1, "comment": "故意的"}
    )
    return Rectification.objects.get(rating__case=case)


def appeal(user: User, rectification: Rectification, **data: str) -> int:
    fields = {"reason": "malicious", "explanation": "评价人当场表示是误按", **data}
    answer = login(user).post(f"/feedback/appeals/new/{rectification.pk}/", fields)
    return answer.status_code


def test_the_clerk_rated_appeals_and_the_supervisor_upholds_it(world: World, hall: Hall) -> None:
    pad_post(hall, serve(hall), 1)
    rectification = Rectification.objects.get()
    clerk = hall.floor.clerks[0]
    listing = login(clerk).get("/feedback/appeals/").content.decode()
    assert f"/feedback/appeals/new/{rectification.pk}/" in listing
    assert appeal(clerk, rectification) == 302
    filed = RatingAppeal.objects.get()
    assert filed.state == AppealState.PENDING
    assert filed.pad_rating == rectification.pad_rating
    told = Message.objects.get(user=hall.supervisor, kind="rating_appeal")
    assert "awaits your decision" in told.subject
    page = f"/feedback/appeals/{filed.pk}/"
    supervisor = login(hall.supervisor)
    assert "评价人当场表示是误按" in supervisor.get(page).content.decode()
    assert supervisor.post(page, {"decision": "upheld", "note": ""}).status_code == 422
    assert supervisor.post(page, {"decision": "upheld", "note": "监控显示误按"}).status_code == 302
    filed.refresh_from_db()
    assert (filed.state, filed.decided_by) == (AppealState.UPHELD, hall.supervisor)
    # The rating stays in the record; it is out of the statistics.
    assert PadRating.objects.filter(rectification=rectification).exists()
    assert not PadRating.objects.exclude(appeal__state=AppealState.UPHELD).exists()
    assert "is upheld" in Message.objects.filter(user=clerk, kind="rating_appeal").get().subject
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"rating_appeal.file", "rating_appeal.decide"} <= actions
    assert supervisor.post(page, {"decision": "rejected", "note": "改判"}).status_code == 409


def test_an_upheld_online_rating_stays_in_the_record_but_does_not_count(
    world: World, concluded: Case, head: User
) -> None:
    rectification = rate_badly(world, concluded)
    assert appeal(head, rectification, reason="mistaken") == 302
    filed = RatingAppeal.objects.get()
    supervisor = login(world.supervisor)
    answer = supervisor.post(
        f"/feedback/appeals/{filed.pk}/", {"decision": "upheld", "note": "申请人来电撤回"}
    )
    assert answer.status_code == 302
    assert Rating.objects.filter(case=concluded).count() == 1
    assert not Rating.objects.counted().exists()
    rectification.refresh_from_db()
    assert rectification.rating is not None


def test_a_rejected_appeal_leaves_the_rating_counted(
    world: World, concluded: Case, head: User
) -> None:
    rectification = rate_badly(world, concluded)
    appeal(head, rectification)
    filed = RatingAppeal.objects.get()
    login(world.supervisor).post(
        f"/feedback/appeals/{filed.pk}/", {"decision": "rejected", "note": "理由不成立"}
    )
    filed.refresh_from_db()
    assert filed.state == AppealState.REJECTED
    assert Rating.objects.counted().count() == 1


def test_a_rating_is_appealed_once_and_with_an_explanation(
    world: World, concluded: Case, head: User
) -> None:
    rectification = rate_badly(world, concluded)
    assert appeal(head, rectification, explanation=" ") == 422
    assert appeal(head, rectification, reason="spite") == 422
    assert appeal(head, rectification) == 302
    assert appeal(head, rectification) == 404
    assert RatingAppeal.objects.count() == 1


def test_others_may_neither_appeal_nor_decide(
    world: World, concluded: Case, head: User, other_head: User
) -> None:
    rectification = rate_badly(world, concluded)
    assert appeal(other_head, rectification) == 404
    assert appeal(world.other_clerk, rectification) == 404
    assert appeal(world.citizen, rectification) == 403
    assert appeal(world.supervisor, rectification) == 404
    assert not RatingAppeal.objects.exists()
    appeal(head, rectification)
    filed = RatingAppeal.objects.get()
    page = f"/feedback/appeals/{filed.pk}/"
    assert login(head).post(page, {"decision": "upheld", "note": "自己判"}).status_code == 403
    assert login(other_head).get(page).status_code == 404
    assert login(world.outsider_staff).get(page).status_code == 404
    filed.refresh_from_db()
    assert filed.state == AppealState.PENDING
