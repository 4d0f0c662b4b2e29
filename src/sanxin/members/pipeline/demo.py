"""发展党员 in the demo: applicants at every stage in the mobile branches and a few others, quotas for
their committees with a share reserved for new-employment workers, one 发展对象 whose 公示 is running
and a probationary member due for conversion. Everything through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sanxin.core import notices
from sanxin.core.models import Event
from sanxin.demo.registry import DemoContext, step
from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus, OrgType

from .. import services as member_services
from ..demo import MOBILE_BRANCHES, _People
from ..models import WorkKind
from . import services
from .models import DevelopmentCase, Stage

# (stage reached, days ago: applied, activist, candidate, admitted, converted; notice running?)
PLAN = [
    ("applicant", (60,)),
    ("activist", (500, 420)),
    ("candidate", (900, 800, 40)),
    ("probationary", (1000, 900, 300, 250)),
    ("full", (1300, 1200, 700, 600, 230)),
]


def _admit(case, on: dt.date) -> DevelopmentCase:
    notice = services.case_notice_open(
        actor=None, case=case, starts_on=on - dt.timedelta(days=20), window_days=5
    )
    notices.notice_close(actor=None, notice=notice, on=notice.ends_on + dt.timedelta(days=1))
    # the subscriber runs after commit; the demo step needs the outcome now (it acts once either way)
    services.notice_closed(Event.objects.get(key=f"notice_closed:{notice.pk}"))
    case.refresh_from_db()
    return services.case_advance(actor=None, case=case, stage=Stage.PROBATIONARY, on=on)


@step(order=55, name="pipeline")
def build_pipeline(ctx: DemoContext) -> None:
    if DevelopmentCase.objects.exists():
        return
    today = timezone.localdate()
    p = _People(20261203)
    mobile = [Org.objects.get(name=b[0], status=OrgStatus.ACTIVE) for b in MOBILE_BRANCHES[:5]]
    others = list(
        Org.objects.filter(status=OrgStatus.ACTIVE, org_type__in=BRANCH_TYPES)
        .exclude(org_type=OrgType.GROUP)
        .exclude(pk__in=[o.pk for o in mobile])
        .exclude(name__in=[b[0] for b in MOBILE_BRANCHES])
        .order_by("pk")[:3]
    )
    branches = mobile + others
    for committee in {services.committee_of(b) for b in branches} - {None}:
        for year in range(today.year - 4, today.year + 1):
            services.quota_set(actor=None, committee=committee, year=year, total=30, reserved=12)
    for n, org in enumerate(branches):
        worker = org in mobile
        for stage, ago in PLAN:
            person = p.person(org, org.region_id, age=(22, 34))
            if worker:
                member_services.employment_record(
                    actor=None,
                    person=person,
                    kind=WorkKind.RIDER,
                    since=today - dt.timedelta(days=1500),
                    employer_name="蜂行快送",
                    work_region=org.region,
                )
            dates = [today - dt.timedelta(days=d + n) for d in ago]
            docs = [{"name": "入党申请书", "number": "", "date": dates[0]}]
            case = services.case_create(
                actor=None, person=person, org=org, applied_on=dates[0], documents=docs
            )
            if len(dates) > 1:
                case = services.case_advance(actor=None, case=case, stage=Stage.ACTIVIST, on=dates[1])
            if len(dates) > 2:
                case = services.case_advance(actor=None, case=case, stage=Stage.CANDIDATE, on=dates[2])
            if len(dates) > 3:
                case = _admit(case, dates[3])
            if len(dates) > 4:
                services.case_advance(actor=None, case=case, stage=Stage.FULL, on=dates[4])
            if stage == "candidate" and n == 0:  # the 公示 running now
                services.case_notice_open(
                    actor=None, case=case, starts_on=today - dt.timedelta(days=1), window_days=5
                )
    # a probationary member whose year is over: due for conversion
    org = mobile[0]
    person = p.person(org, org.region_id, age=(24, 30))
    case = services.case_create(
        actor=None, person=person, org=org, applied_on=today - dt.timedelta(days=1200)
    )
    services.case_advance(actor=None, case=case, stage=Stage.ACTIVIST, on=today - dt.timedelta(days=1100))
    case = services.case_advance(
        actor=None, case=case, stage=Stage.CANDIDATE, on=today - dt.timedelta(days=500)
    )
    _admit(case, today - dt.timedelta(days=380))
    ctx.progress(f"发展党员：{DevelopmentCase.objects.count()} 人，{len(branches)} 个党支部")
