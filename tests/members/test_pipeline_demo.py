"""The demo's 发展党员: every stage in the demo branches (the mobile ones among them), quotas with a
reserved share, one 公示 running and a probationary member due for conversion — all through the
services, so the members they admitted are in the registry."""

from django.utils import timezone

from sanxin.members.demo import MOBILE_BRANCHES
from sanxin.members.models import Member
from sanxin.members.pipeline.models import DevelopmentCase, DevelopmentQuota, Stage


def test_demo_pipeline(demo_db):
    stages = set(DevelopmentCase.objects.values_list("stage", flat=True))
    assert stages == set(Stage.values)
    mobile = DevelopmentCase.objects.filter(org__name__in=[b[0] for b in MOBILE_BRANCHES])
    assert mobile.values("org").distinct().count() >= 3
    assert DevelopmentQuota.objects.filter(reserved__gt=0).exists()
    assert DevelopmentCase.objects.filter(notice__status="open", stage=Stage.CANDIDATE).count() == 1
    today = timezone.localdate()
    assert DevelopmentCase.objects.filter(stage=Stage.PROBATIONARY, next_due_on__lte=today).exists()
    admitted = DevelopmentCase.objects.filter(member__isnull=False)
    assert admitted.count() == Member.objects.filter(development_case__isnull=False).count() > 0
    for case in admitted.select_related("member"):
        assert case.member.joined_on == case.admitted_on
