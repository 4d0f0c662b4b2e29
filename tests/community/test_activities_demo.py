"""The demo's activities: needs in every state (夏季送清凉 adopted and held at a station), the two teams,
400+ participations with check-ins, ratings and summaries, one hours event per check-in, and the
statistics and a rider's pages showing them."""

from django.db.models import Sum
from django.test import Client

from sanxin.community.activities import selectors
from sanxin.community.activities.models import Activity, Need, NeedStatus, Participation, Team
from sanxin.core.models import Event
from sanxin.core.scope import scope_for


def test_demo_activities(demo_db):
    assert {s for s in Need.objects.values_list("status", flat=True)} == set(NeedStatus.values)
    cool = Need.objects.get(title="夏季送清凉")
    assert cool.status == NeedStatus.ADOPTED and cool.votes >= 2
    activity = Activity.objects.get(need=cool)
    assert activity.station is not None and activity.station.name == "城关暖蜂驿站" and activity.summary
    assert set(Team.objects.values_list("name", flat=True)) >= {"水乡红骑手", "货运“兴”锋队"}
    assert Participation.objects.count() >= 400
    checked = Participation.objects.filter(checked_in_at__isnull=False)
    assert checked.count() >= 300 and checked.filter(checkin_method="code").exists()
    assert Participation.objects.filter(rating__isnull=False).count() >= 200
    assert Participation.objects.filter(status="waitlisted").exists()
    assert Activity.objects.filter(status="finished").exclude(summary="").count() >= 20
    assert Event.objects.filter(name="community.volunteer_hours").count() == checked.count()
    # the office's statistics add up to the rows
    from django.contrib.auth import get_user_model

    kuaidi = get_user_model().objects.get(username="kuaidi")
    stats = selectors.statistics(scope_for(kuaidi, "community", "view"))
    ids = [r["activity_id"] for r in stats["activities"]]
    rows = Participation.objects.filter(activity_id__in=ids)
    assert stats["totals"]["checked_in"] == rows.filter(checked_in_at__isnull=False).count() > 0
    assert stats["totals"]["hours"] == rows.aggregate(h=Sum("hours"))["h"]
    # a rider's pages
    rider = checked.filter(activity__org=activity.org).first().user
    client = Client()
    client.force_login(rider)
    assert client.get("/community/activities/").status_code == 200
    page = client.get("/community/activities/mine/").content.decode()
    assert str(selectors.my_hours(rider)["total"]) in page
