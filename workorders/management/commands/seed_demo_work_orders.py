"""`govhall seed_demo_work_orders`: a few work orders at each step for the demo center, once."""

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from catalog.demo_data import DEMO_CENTER_SLUG, DEMO_DEPARTMENT, demo_username
from catalog.models import Center, Department
from workorders import services
from workorders.models import Channel, Kind, Satisfaction, WorkOrder

# (kind, channel, 12345 number, content, name, mobile, how far it goes)
DEMO_ORDERS = (
    (Kind.COMPLAINT, Channel.ONLINE, "", "3号窗口工作人员中途离岗二十分钟，无人解释。", "", "", 0),
    (
        Kind.COMPLAINT,
        Channel.PHONE,
        "",
        "办理营业执照变更时被要求重复提交材料。",
        "周建国",
        "13812345678",
        3,
    ),
    (Kind.SUGGESTION, Channel.BOX, "", "建议在等候区增设老年人专用座椅和老花镜。", "", "", 4),
    (
        Kind.CONSULTATION,
        Channel.HOTLINE,
        "12345-20261120-0031",
        "个体工商户注销需要哪些材料？",
        "吴女士",
        "13998765432",
        7,
    ),
    (
        Kind.HELP,
        Channel.HOTLINE,
        "12345-20261121-0107",
        "老人行动不便，申请上门办理社保认证。",
        "郑先生",
        "13700001111",
        -1,
    ),
)


class Command(BaseCommand):
    help = "Add a few work orders at each step of their lifecycle to the demo center, once."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        center = Center.objects.filter(slug=DEMO_CENTER_SLUG).first()
        if center is None:
            raise CommandError("Load the demo center first: govhall seed_demo.")
        if WorkOrder.objects.filter(center=center).exists():
            self.stdout.write("The demo center has work orders already: nothing to do.")
            return
        manager = User.objects.get(username=demo_username(Role.HALL_MANAGER))
        head = User.objects.get(username=demo_username(Role.DEPARTMENT_HEAD))
        department = Department.objects.get(center=center, short_name=DEMO_DEPARTMENT)
        for kind, channel, hotline_id, content, name, mobile, steps in DEMO_ORDERS:
            given = services.WorkOrderInput(
                kind=kind,
                channel=channel,
                content=content,
                anonymous=not name,
                name=name,
                mobile=mobile,
                hotline_id=hotline_id,
            )
            actor = None if channel == Channel.ONLINE else manager
            order = services.work_order_receive(center=center, given=given, actor=actor).work_order
            if steps == 0:
                continue
            order = services.work_order_dispatch(
                work_order=order, actor=manager, department=department
            )
            if steps < 0:
                services.work_order_return(
                    work_order=order, actor=head, reason="属人社局职责，请改派。"
                )
                continue
            moves: tuple[Callable[[WorkOrder], WorkOrder], ...] = (
                lambda o: services.work_order_sign(work_order=o, actor=head),
                lambda o: services.work_order_handle(work_order=o, actor=head, note="已联系当事人"),
                lambda o: services.work_order_reply(
                    work_order=o, actor=head, reply="已核实情况并整改，感谢您的监督。"
                ),
                lambda o: services.work_order_conclude(work_order=o, actor=manager),
                lambda o: services.work_order_visit(
                    work_order=o, actor=manager, note="回访：群众认可答复。"
                ),
                lambda o: services.work_order_rate(
                    work_order=o, actor=manager, satisfaction=Satisfaction.SATISFIED
                ),
            )
            for move in moves[: steps - 1]:
                order = move(order)
        self.stdout.write(self.style.SUCCESS(f"{len(DEMO_ORDERS)} demo work orders added."))
