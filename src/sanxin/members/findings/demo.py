"""The demo's side of 双找双核: the people 蜂行快送's rider list (``riderlist``, committed under
``src/sanxin/demo/data/``) must find in the registry.

The member registry's demo invents its 2,000 workers with identifiers that depend on the year the demo
is built (birth years count back from today), so a committed list cannot name them. This step instead
adds the list's known people through the services: riders on 蜂行快送 whom the list calls members and
the registry does not know (口袋党员 candidates: workers only), members of a 快递外卖 branch whose
riding is not recorded (找新就业), and riders the list calls 群众 (matched, nothing to find). The list
itself is not imported here: that is the secretary's first step (``/members/findings/upload/``)."""

from __future__ import annotations

import datetime as dt

from sanxin.core.crypto import blind_index
from sanxin.core.models import Region
from sanxin.demo.registry import DemoContext, step
from sanxin.orgs import services as org_services
from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus, OrgType, Person
from sanxin.registry.models import Organization

from .. import services
from ..models import WorkKind
from . import riderlist

D = dt.date


def _branch() -> Org | None:
    """A branch other than the 10 mobile branches (whose 239 members the demo counts), 快递外卖 first:
    its members ride, unrecorded."""
    from ..demo import MOBILE_BRANCHES

    qs = (
        Org.objects.filter(status=OrgStatus.ACTIVE, org_type__in=BRANCH_TYPES)
        .exclude(name__in=[b[0] for b in MOBILE_BRANCHES])
        .exclude(org_type=OrgType.GROUP)
        .order_by("pk")
    )
    return qs.filter(industry_id="express").first() or qs.first()


@step(order=57, name="findings")
def build_findings(ctx: DemoContext) -> None:
    known = riderlist.known()
    first = next(r for r in known if r.resident_id)
    if Person.objects.filter(
        resident_id_index=blind_index(first.resident_id, purpose="resident_id")
    ).exists():
        return
    platform = Organization.objects.filter(name=riderlist.PLATFORM_NAME).first()
    region = Region.objects.filter(code="390102001000").first() or (platform.region if platform else None)
    branch = _branch()
    added = 0
    for row in known:
        if row.role == "unrecorded" and branch is None:
            continue
        person, _ = org_services.person_create(
            actor=None,
            name=row.name,
            org=None,
            phone=row.phone,
            resident_id=row.resident_id,
        )
        born = person.birth_date or D(1990, 1, 1)
        if row.role == "unrecorded":
            joined = max(D(2016, 7, 1), D(born.year + 19, born.month, 1))
            services.member_register(
                actor=None,
                person=person,
                org=branch,
                joined_on=joined,
                standing="full",
                converted_on=services.add_years(joined, 1),
            )
        else:
            services.employment_record(
                actor=None,
                person=person,
                kind=WorkKind.RIDER,
                since=D(2024, 3, 1),
                platform=platform,
                employer_name="" if platform else "蜂行快送",
                work_region=region,
                work_area=row.station,
            )
        added += 1
    ctx.progress(
        f"双找双核：平台骑手名单 {len(riderlist.people())} 行（src/sanxin/demo/data/{riderlist.FILE_NAME}），"
        f"本库可匹配 {added} 人"
    )
