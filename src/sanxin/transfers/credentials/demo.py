"""The demo's member credentials: the demo member ``dangyuan`` holds a valid one; a few members of the
first branches too, one of them reissued (its first credential revoked as 已换发) and one revoked by
hand as 遗失."""

from __future__ import annotations

from sanxin.demo.registry import DemoContext, step
from sanxin.members.models import Member

from . import services
from .models import Revocation


@step(order=64, name="credentials")
def build_credentials(ctx: DemoContext) -> None:
    active = Member.objects.filter(relations__kind="formal", relations__end_on__isnull=True).select_related(
        "person"
    )
    own = list(active.filter(person__user__username="dangyuan")[:1])
    others = list(active.exclude(person__user__username="dangyuan").order_by("pk")[:6])
    issued = 0
    for member in own + others:
        services.credential_issue(actor=None, member=member)
        issued += 1
    if len(others) >= 2:
        services.credential_issue(actor=None, member=others[0])  # reissued: the first one is revoked
        services.credentials_revoke_for(
            member_id=others[1].pk, category=Revocation.LOST, note="演示：本人报告手机遗失"
        )
    ctx.progress(f"党员数字身份证：签发 {issued} 张（含换发 1 张、注销 1 张）")
