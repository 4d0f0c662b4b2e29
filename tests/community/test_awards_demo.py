"""The demo's awards: 2025年度“最美红骑手” published with its certificates, the award events and a story
in the learning library; 2026年度“最美货车司机” in its vote window with votes of today; 四亮 records of
the demo branches, shown to the secretary and to the member."""

from django.test import Client
from django.utils import timezone

from sanxin.community.awards.models import AwardCertificate, AwardSelection, AwardVote, SiliangRecord
from sanxin.core.models import Event


def test_demo_awards(demo_db):
    done = AwardSelection.objects.get(title="2025年度“最美红骑手”")
    assert done.status == "published"
    assert AwardCertificate.objects.filter(candidate__selection=done).count() == done.awardees == 3
    assert Event.objects.filter(name="community.award_won").count() == 3
    assert done.votes.filter(flagged=True, review="voided").count() == 3
    assert done.candidates.filter(rank=1, story_course__isnull=False).exists()
    running = AwardSelection.objects.get(title__endswith="“最美货车司机”")
    assert running.phase() == "vote"
    assert AwardVote.objects.filter(selection=running, day=timezone.localdate()).exists()
    assert running.candidates.filter(status="rejected").exclude(review_reason="").exists()
    assert SiliangRecord.objects.filter(kind="flag").count() >= 10
    assert {k for k in SiliangRecord.objects.values_list("kind", flat=True)} == {
        "flag",
        "identity",
        "mark",
        "pledge",
    }
    assert not SiliangRecord.objects.filter(kind="mark", photo__isnull=True).exists()
    # the public verification of an awardee's certificate
    cert = AwardCertificate.objects.filter(candidate__selection=done).order_by("number").first()
    assert Client().get(f"/community/awards/verify/{cert.token}/").status_code == 200
    # the demo member sees the running selection and their 四亮
    from django.contrib.auth import get_user_model

    member = Client()
    member.force_login(get_user_model().objects.get(username="dangyuan"))
    assert "最美货车司机" in member.get("/community/awards/").content.decode()
    assert member.get(f"/community/awards/selections/{running.pk}/").status_code == 200
    assert member.get("/community/awards/siliang/").status_code == 200
