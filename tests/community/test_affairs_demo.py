"""The demo's 党务公开, 协商议事 and 示范岗/责任区: notices in every demo branch and committee with read
receipts, a 公示 whose objection period is running with an objection waiting, one consultation in progress
(a meeting held with minutes, follow-ups with one overdue) and one closed, posts and areas with deeds and
one change of holder — and the secretary's and the rider's pages show them."""

from django.test import Client
from django.utils import timezone

from sanxin.accounts.models import Grant
from sanxin.community.affairs.models import (
    AffairsNotice,
    Consultation,
    Deed,
    Designation,
    Holding,
    NoticeRead,
    Opinion,
)
from sanxin.core.models import Objection, PublicNotice
from sanxin.orgs.models import Org


def test_demo_affairs(demo_db):
    m1 = Org.objects.get(pk=Grant.objects.get(user__username="shuji", anchor="org").org_id)
    branches = (
        AffairsNotice.objects.filter(org__org_type__in=["mobile_branch", "branch"]).values("org").distinct()
    )
    assert branches.count() >= 5
    assert (
        AffairsNotice.objects.filter(org__org_type__in=["industry_committee"]).exists()
        or AffairsNotice.objects.filter(org__depth__lte=2).exists()
    )
    running = AffairsNotice.objects.get(org=m1, kind="development")
    today = timezone.localdate()
    assert running.public_notice.status == PublicNotice.Status.OPEN
    assert running.public_notice.starts_on <= today <= running.public_notice.ends_on
    assert Objection.objects.filter(notice=running.public_notice, status="pending").count() == 1
    assert (
        AffairsNotice.objects.get(org=m1, kind="selection").public_notice.status == PublicNotice.Status.PASSED
    )
    assert AffairsNotice.objects.filter(org=m1, withdrawn=True).count() == 1
    assert NoticeRead.objects.count() > 50
    c = Consultation.objects.get(org=m1, topic="派单算法与高温天休息")
    assert c.status == "following" and c.enterprise_id is not None
    assert set(c.parties.values_list("side", flat=True)) == {"enterprise", "workers", "union", "party"}
    meeting = c.meetings.get()
    assert meeting.minutes and meeting.attended.count() == c.parties.count()
    assert Opinion.objects.filter(consultation=c).count() == 4  # four riders of the branch
    overdue = [f for f in c.followups.all() if f.is_overdue(today)]
    assert len(overdue) == 1 and c.followups.filter(done_on__isnull=False).count() == 1
    assert Consultation.objects.filter(status="closed").count() == 1
    assert Consultation.objects.filter(status="proposed", meetings__mode="online").exists()
    assert (
        Designation.objects.filter(kind="post").count() >= 3
        and Designation.objects.filter(kind="area").count() >= 3
    )
    assert Deed.objects.count() >= 10
    changed = Designation.objects.get(org=m1, kind="post")
    assert Holding.objects.filter(designation=changed).count() == 2
    # the secretary's desktop and a rider's phone
    shuji = Client()
    shuji.force_login(Grant.objects.get(user__username="shuji", anchor="org").user)
    page = shuji.get(f"/community/affairs/manage/consultations/{c.pk}/").content.decode()
    assert "派单算法与高温天休息" in page and 'data-testid="overdue"' in page
    assert "已读" in shuji.get(f"/community/affairs/manage/notices/{running.pk}/").content.decode()
    rider = Client()
    rider.force_login(c.opinions.first().author)
    home = rider.get("/community/affairs/").content.decode()
    assert running.title in home
    assert (
        'data-testid="objection-form"'
        in rider.get(f"/community/affairs/notices/{running.pk}/").content.decode()
    )
