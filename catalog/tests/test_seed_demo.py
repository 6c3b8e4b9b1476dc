from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import Client

from accounts.models import User
from accounts.roles import Role
from catalog.demo_data import DEMO_PASSWORD, demo_logins, steps_for
from catalog.models import Center, Counter, Department, ServiceItem, StaffProfile
from govhall.identifiers import clean_uscc


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def center(db: None) -> Center:
    seed()
    return Center.objects.get(slug="demo")


def test_demo_center_has_the_reference_center_sizes(center: Center) -> None:
    assert center.name == "清河区政务服务中心"
    assert center.area_code == "511602000000"
    assert Department.objects.filter(center=center).count() == 20
    assert Counter.objects.filter(center=center).count() == 116
    assert sorted(Counter.objects.values_list("number", flat=True)) == list(range(1, 117))
    assert ServiceItem.objects.of_center(center).count() == 160
    assert ServiceItem.objects.of_center(center).published().count() == 160
    assert StaffProfile.objects.filter(center=center).count() == 160


def test_every_counter_serves_a_queue_category(center: Center) -> None:
    assert not Counter.objects.filter(center=center, categories=None).exists()
    assert not Counter.objects.filter(
        center=center, kind=Counter.Kind.DEPARTMENT, department=None
    ).exists()


def test_each_department_has_one_chief_representative(center: Center) -> None:
    chiefs = User.objects.filter(groups__name=Role.CHIEF_REPRESENTATIVE)
    assert chiefs.count() == 20
    for department in Department.objects.filter(center=center):
        assert department.chief_representative is not None
        assert department.chief_representative.has_role(Role.CHIEF_REPRESENTATIVE)
        assert department.chief_representative.staff_profile.department == department


def test_department_codes_are_valid_unified_social_credit_codes(center: Center) -> None:
    for department in Department.objects.filter(center=center):
        assert clean_uscc(department.uscc) == department.uscc
        assert department.uscc.startswith(("11511602", "12511602"))


def test_items_keep_their_promises_within_the_statutory_limits(center: Center) -> None:
    items = list(ServiceItem.objects.of_center(center).select_related("department"))
    assert all(item.promised_days <= item.statutory_days for item in items)
    non_compliant = [item for item in items if not item.is_promise_compliant()]
    assert 2 <= len(non_compliant) <= 3
    assert any(item.is_instant for item in items)


def test_implementation_codes_are_unique_and_derived(center: Center) -> None:
    items = list(ServiceItem.objects.of_center(center).select_related("department", "center"))
    codes = [item.implementation_code for item in items]
    assert len(set(codes)) == 160
    assert all(item.implementation_code == item.compute_implementation_code() for item in items)
    assert all(len(item.basic_code) == 14 for item in items)


def test_every_item_has_a_complete_guide(center: Center) -> None:
    guides = (
        ServiceItem.objects.of_center(center)
        .values("name")
        .annotate(
            materials_=Count("materials", distinct=True),
            questions_=Count("questions", distinct=True),
            counters_=Count("counters", distinct=True),
        )
    )
    for guide in guides:
        assert 2 <= guide["materials_"] <= 6, guide
        assert 1 <= guide["questions_"] <= 3, guide
        assert guide["counters_"] >= 2, guide
    for item in ServiceItem.objects.of_center(center).select_related("department"):
        assert item.legal_basis and item.conditions
        assert item.implementing_body == item.department.name
        assert sum(step.days for step in item.steps.all()) == item.promised_days
        assert item.is_free == (not item.fees.exists())


def test_process_steps_add_up_to_the_promised_days() -> None:
    for promised in range(31):
        assert sum(days for _, days in steps_for(promised)) == promised


def test_item_hierarchy_has_sub_items_and_handling_variants(center: Center) -> None:
    items = ServiceItem.objects.of_center(center)
    assert items.filter(level=ServiceItem.Level.SUB, parent__level=ServiceItem.Level.MAIN).exists()
    variants = items.filter(level=ServiceItem.Level.VARIANT)
    assert variants.exists()
    assert not variants.filter(parent=None).exists()
    assert not variants.filter(variant="").exists()


def test_business_licence_item_is_found_by_its_pinyin_initials(center: Center) -> None:
    names = set(
        ServiceItem.objects.filter(search_text__contains="yyzz").values_list("name", flat=True)
    )
    assert "营业执照核发" in names


def test_seeding_twice_changes_nothing(center: Center) -> None:
    before = (
        Department.objects.count(),
        Counter.objects.count(),
        ServiceItem.objects.count(),
        StaffProfile.objects.count(),
        User.objects.count(),
    )
    assert "already loaded" in seed()
    after = (
        Department.objects.count(),
        Counter.objects.count(),
        ServiceItem.objects.count(),
        StaffProfile.objects.count(),
        User.objects.count(),
    )
    assert after == before


def test_demo_log_ins_work_with_the_shared_password(center: Center, client: Client) -> None:
    for role, username in demo_logins():
        user = User.objects.get(username=username)
        assert user.has_role(role)
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
    administrator = User.objects.get(username="demo-administrator")
    assert administrator.is_staff and not administrator.is_superuser
    assert not User.objects.filter(username="demo-citizen", staff_profile__isnull=False).exists()


def test_generated_staff_cannot_log_in(center: Center) -> None:
    staff = User.objects.filter(username__startswith="staff")
    assert staff.count() == 151
    assert not any(user.has_usable_password() for user in staff)


@pytest.mark.django_db
def test_listing_options_only_read() -> None:
    assert seed("--print-password").strip() == DEMO_PASSWORD
    lines = seed("--list-logins").splitlines()
    assert len(lines) == len(Role)
    assert lines[0].split()[-1] == "demo-citizen"
    assert not Center.objects.exists()


def test_the_demo_has_bundles_and_an_automatic_item_once(center: Center) -> None:
    from catalog.models import AutoRule, Bundle
    from catalog.search import bundle_form

    bundles = {bundle.code: bundle for bundle in Bundle.objects.filter(center=center)}
    assert set(bundles) == {"open-restaurant", "newborn"}
    restaurant = bundle_form(bundles["open-restaurant"])
    assert [item.name for item in restaurant.items] == [
        "营业执照核发",
        "食品经营许可",
        "单位社会保险参保登记",
    ]
    # The legal representative's ID is asked by all three items and handed in once.
    shared = [m for m in restaurant.materials if m.name == "法定代表人（负责人）身份证件"]
    assert len(shared) == 1 and len(shared[0].specs) == 3
    assert [field.key for field in restaurant.fields].count("premises") == 1
    auto = ServiceItem.objects.get(center=center, name="就业创业证申领")
    assert auto.auto_approval and AutoRule.objects.filter(item=auto).count() == 4
    seed()
    assert Bundle.objects.count() == 2 and AutoRule.objects.count() == 4
    assert ServiceItem.objects.of_center(center).published().count() == 160
