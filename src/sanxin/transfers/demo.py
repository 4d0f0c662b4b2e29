"""Demo transfers: one in every state — waiting for the out-org, for the higher level (crossing
committees), for the receiving branch, accepted and waiting for the report, reported, rejected,
returned, cancelled, expired (the scheduled task closes it) — one out of the platform waiting for its
receipt, and a 流出 and a 流入 through the workflow. The mobile branches' members are left alone. All through the services, dated in the past so the tracking pages and the
overdue view have something to show."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sanxin.demo.registry import DemoContext, step
from sanxin.members.demo import MOBILE_BRANCHES
from sanxin.members.models import Member, MemberStatus, Mobility
from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus, OrgType

from . import services
from .models import Kind, Transfer


def _branches() -> list[Org]:
    """Branches other than the 10 mobile branches, whose 239 members the registry's demo counts."""
    return list(
        Org.objects.filter(status=OrgStatus.ACTIVE, org_type__in=BRANCH_TYPES)
        .exclude(org_type=OrgType.GROUP)
        .exclude(name__in=[b[0] for b in MOBILE_BRANCHES])
        .order_by("path")
    )


def _members(org: Org, before: dt.date) -> list[Member]:
    """Members of ``org`` whose formal relation began before ``before``, at home, without a login (the
    demo logins keep their own story)."""
    return list(
        Member.objects.filter(
            relations__org=org,
            relations__kind="formal",
            relations__end_on__isnull=True,
            relations__start_on__lt=before,
            person__user__isnull=True,
            status=MemberStatus.ACTIVE,
        )
        .exclude(pk__in=Mobility.objects.filter(end_on__isnull=True).values("member_id"))
        .exclude(pk__in=Transfer.objects.values("member_id"))
        .select_related("person")
        .order_by("pk")
    )


@step(order=60, name="transfers")
def build_transfers(ctx: DemoContext) -> None:
    if Transfer.objects.exists():
        return
    today = timezone.localdate()
    ago = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    floor = ago(200)
    branches = [b for b in _branches() if _members(b, floor)]
    if len(branches) < 3:
        ctx.progress("组织关系转接：演示数据缺少党支部，跳过")
        return
    committee = {b.pk: getattr(services.committee_of(b), "pk", None) for b in branches}
    home = branches[0]
    same = next((b for b in branches[1:] if committee[b.pk] == committee[home.pk]), branches[1])
    across = next((b for b in branches if committee[b.pk] != committee[home.pk]), branches[-1])
    pool = {b.pk: _members(b, floor) for b in (home, same, across)}

    def member(org: Org) -> Member:
        return pool[org.pk].pop(0)

    def apply(org, kind, *, to_org=None, to_name="", to_code="", days=30, reason="工作调动"):
        return services.transfer_apply(
            actor=None,
            member=member(org),
            kind=kind,
            to_org=to_org,
            to_name=to_name,
            to_code=to_code,
            reason=reason,
            on=ago(days),
        )

    made = []
    # waiting for the out-org (and overdue by now)
    made.append(apply(home, Kind.OUT, to_org=same, days=20, reason="到新站点送单"))
    # crossing committees: approved by the out-org, waiting for the higher level
    t = apply(home, Kind.OUT, to_org=across, days=15)
    made.append(services.transfer_approve(actor=None, transfer=t, on=ago(12)))
    # waiting for the receiving branch
    t = apply(same, Kind.OUT, to_org=home, days=10)
    made.append(services.transfer_approve(actor=None, transfer=t, on=ago(8)))
    # accepted, waiting for the report; and one reported
    for report in (False, True):
        t = apply(home, Kind.OUT, to_org=same, days=40)
        t = services.transfer_approve(actor=None, transfer=t, on=ago(38))
        t = services.transfer_accept(actor=None, transfer=t, on=ago(35))
        if report:
            t = services.transfer_report(actor=None, transfer=t, on=ago(30))
        made.append(t)
    # across committees, all the way through the higher level
    t = apply(same, Kind.OUT, to_org=across, days=60)
    t = services.transfer_approve(actor=None, transfer=t, on=ago(58))
    t = services.transfer_escalation_approve(actor=None, transfer=t, on=ago(55))
    t = services.transfer_accept(actor=None, transfer=t, on=ago(50))
    made.append(services.transfer_report(actor=None, transfer=t, on=ago(45)))
    # rejected, returned, cancelled
    t = apply(across, Kind.OUT, to_org=home, days=25)
    made.append(
        services.transfer_reject(actor=None, transfer=t, reason="材料不全，请补充党费交纳证明", on=ago(22))
    )
    t = apply(across, Kind.OUT, to_org=same, days=28)
    t = services.transfer_approve(actor=None, transfer=t, on=ago(26))
    t = services.transfer_escalation_approve(actor=None, transfer=t, on=ago(24))
    made.append(services.transfer_return(actor=None, transfer=t, reason="接收组织信息有误", on=ago(21)))
    t = apply(home, Kind.OUT, to_org=across, days=18)
    made.append(services.transfer_cancel(actor=None, transfer=t, reason="本人不再调动", on=ago(16)))
    # expired: the letter ran out before anyone accepted; the scheduled task closes it
    t = apply(same, Kind.OUT, to_org=home, days=130)
    services.transfer_approve(actor=None, transfer=t, on=ago(125))
    services.transfers_expire(today=today)
    made.append(Transfer.objects.get(pk=t.pk))
    # out of the platform, approved by the higher level, waiting for the receipt (回执): the member stays a
    # member here until the out-org records it
    t = apply(across, Kind.EXTERNAL, to_name="南岭省安平县城关镇第一党支部", to_code="NL0012", days=30)
    t = services.transfer_approve(actor=None, transfer=t, on=ago(28))
    made.append(services.transfer_escalation_approve(actor=None, transfer=t, on=ago(26)))
    # 流出 to a branch of the platform and 流入 from another, through the workflow
    t = apply(home, Kind.MOBILE_OUT, to_org=across, days=50, reason="外出务工")
    t = services.transfer_approve(actor=None, transfer=t, on=ago(49))
    made.append(services.transfer_accept(actor=None, transfer=t, on=ago(47)))
    t = apply(across, Kind.MOBILE_IN, to_org=home, days=33, reason="在本站点送单，参加组织生活")
    t = services.transfer_approve(actor=None, transfer=t, on=ago(32))
    t = services.transfer_accept(actor=None, transfer=t, on=ago(30))
    made.append(services.transfer_report(actor=None, transfer=t, on=ago(29)))
    states = sorted({x.get_state_display() for x in made})
    ctx.progress(f"组织关系转接：{len(made)} 件（{'、'.join(states)}）")
