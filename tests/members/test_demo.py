"""The demo's member registry: the 239 new-employment members of the 10 mobile branches, members of
other branches, 流动党员 both ways, non-member workers, dues with some arrears — all through the
services, so the registry's invariants hold for it."""

from django.utils import timezone

from sanxin.members import selectors
from sanxin.members.demo import MOBILE_BRANCHES, WORKERS
from sanxin.members.models import Direction, Employment, Member, Mobility, OrgRelation
from sanxin.orgs.models import Person


def test_demo_members(demo_db):
    names = [b[0] for b in MOBILE_BRANCHES]
    # the 239 registered by the members step; applicants the pipeline admitted come on top
    registered = Member.objects.filter(person__org__name__in=names, person__development_cases__isnull=True)
    assert registered.count() == 239
    assert Member.objects.exclude(person__org__name__in=names).count() > 50
    # one open formal and one open activity relation each, and Person.org is the formal one
    for kind in ("formal", "activity"):
        assert OrgRelation.objects.filter(kind=kind, end_on__isnull=True).count() == Member.objects.count()
    formal = dict(
        OrgRelation.objects.filter(kind="formal", end_on__isnull=True).values_list("member_id", "org_id")
    )
    assert all(formal[m.pk] == m.person.org_id for m in Member.objects.select_related("person"))
    assert Mobility.objects.filter(direction=Direction.OUT, end_on__isnull=True).exists()
    hosted = Mobility.objects.filter(direction=Direction.IN, end_on__isnull=True)
    assert hosted.exists()
    for m in hosted.select_related("member"):
        assert selectors.org_on(m.member, timezone.localdate(), "activity") == m.host
    workers = Person.objects.filter(member__isnull=True, employments__isnull=False).distinct()
    assert workers.count() >= WORKERS
    assert Employment.objects.filter(person__member__isnull=False).count() >= 239
    today = timezone.localdate()
    members = list(Member.objects.prefetch_related("payments", "relations", "declarations"))
    behind = [m for m in members if len(selectors.arrears(m, today)) >= 3]
    assert 0 < len(behind) < len(members) // 4  # some in arrears, most paid up
    assert Person.objects.get(user__username="dangyuan").member.standing == "full"
