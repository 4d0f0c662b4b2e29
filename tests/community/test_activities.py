"""Community activities: needs and votes, activities with a waitlist, check-in by code and by roster,
ratings, volunteer hours, statistics and their export, teams, and the scope of it all."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from sanxin.community.activities import selectors, services
from sanxin.community.activities.models import (
    Activity,
    NeedStatus,
    Participation,
    ParticipationStatus,
)
from sanxin.core.models import AuditLog, Event, Notification
from sanxin.stations import services as station_services
from sanxin.stations.hours import Interval
from tests.helpers import ApiClient, assert_error, assert_max_queries
from tests.meetings.conftest import member

API = "/api/v1/community/activities"
NOW = timezone.now


def _station(org, name="暖蜂驿站·江汉路"):
    week = [Interval(d, dt.time(0), dt.time(0)) for d in range(7)]
    return station_services.station_create(
        actor=None, org=org, name=name, kind="nuanfeng", address="江汉路 88 号", lat=30.58, lng=114.3,
        amenities=["water"], hours=week,
    )  # fmt: skip


def _activity(cw, *, org=None, actor=None, capacity=10, starts_in=dt.timedelta(days=2), hours="2", **kw):
    start = NOW() + starts_in
    return services.activity_create(
        actor=actor or cw.secretary_a, org=org or cw.branch_a, title=kw.pop("title", "夏季送清凉进站点"),
        description="为高温下奔波的骑手送去绿豆汤和防暑药品", kind="activity", starts_at=start,
        ends_at=start + dt.timedelta(hours=3), capacity=capacity, hours=hours, place="江汉路口", **kw,
    )  # fmt: skip


def _riders(cw, n):
    return [member(cw.branch_a, f"骑手{i}")[1] for i in range(n)]


# --- needs --------------------------------------------------------------------------------------------


def test_need_propose_vote_rank_and_adopt(cw):
    rider = ApiClient(cw.rider)
    r = rider.post(f"{API}/needs", {"org_id": cw.branch_a.pk, "title": "夏季送清凉", "kind": "activity",
                                    "body": "高温天气希望在驿站提供绿豆汤、藿香正气水"})  # fmt: skip
    assert r.status_code == 201, r.json()
    need_id = r.json()["id"]
    other = services.need_propose(actor=cw.rider2, org=cw.branch_a, title="电动车安全检查", kind="service",
                                  body="请组织一次电动车电池和刹车的免费检查")  # fmt: skip
    # the proposer does not vote for their own need
    assert_error(rider.post(f"{API}/needs/{need_id}/vote"), 409, "own_need")
    r = ApiClient(cw.rider2).post(f"{API}/needs/{need_id}/vote")
    assert r.status_code == 200 and r.json()["votes"] == 1 and r.json()["voted"]
    err = assert_error(ApiClient(cw.rider2).post(f"{API}/needs/{need_id}/vote"), 409, "already_voted")
    assert err["message"] == "您已为这条需求投过票"
    ranked = [n["id"] for n in rider.get(f"{API}/needs").json()["items"]]
    assert ranked.index(need_id) < ranked.index(other.pk)
    # declining needs a reason; adopting tells the proposer
    secretary = ApiClient(cw.secretary_a)
    err = assert_error(secretary.post(f"{API}/manage/needs/{need_id}/decide", {"action": "decline"}), 422)
    assert "不予采纳的理由" in err["message"]
    r = secretary.post(f"{API}/manage/needs/{need_id}/decide", {"action": "adopt", "reason": "本月开展"})
    assert r.status_code == 200 and r.json()["status"] == NeedStatus.ADOPTED
    assert Notification.objects.filter(recipient=cw.rider, title__contains="夏季送清凉").exists()
    assert_error(secretary.post(f"{API}/manage/needs/{need_id}/decide", {"action": "adopt"}), 409, "closed")


def test_need_voting_window_is_enforced(cw):
    n = services.need_propose(actor=cw.rider, org=cw.branch_a, title="骑手子女暑期托管", kind="service",
                              body="暑假孩子没人看管，希望支部协调托管班", vote_ends=NOW() + dt.timedelta(days=1))  # fmt: skip
    with pytest.raises(Exception) as exc:
        services.need_vote(actor=cw.rider2, need=n, now=NOW() + dt.timedelta(days=2))
    assert exc.value.message == "投票已截止"
    assert services.need_vote(actor=cw.rider2, need=n).votes == 1


def test_need_page_errors_are_chinese_and_keep_the_input(cw, client):
    client.force_login(cw.rider)
    r = client.post("/community/activities/needs/", {"org": cw.branch_a.pk, "title": "短", "body": "希望多组织些活动吧",
                                                      "kind": "activity"})  # fmt: skip
    assert r.status_code == 400
    body = r.content.decode()
    assert "请填写需求名称（至少 4 个字）" in body and "希望多组织些活动吧" in body


# --- sign-up, waitlist ---------------------------------------------------------------------------------


def test_no_overbooking_and_a_cancel_promotes_the_first_waitlisted(cw):
    a = _activity(cw, capacity=2)
    r1, r2, r3 = cw.rider, cw.rider2, _riders(cw, 1)[0]
    statuses = [
        ApiClient(u).post(f"{API}/activities/{a.pk}/signup").json()["mine"]["status"] for u in (r1, r2, r3)
    ]
    assert statuses == ["signed_up", "signed_up", "waitlisted"]
    assert Participation.objects.filter(activity=a, status=ParticipationStatus.SIGNED_UP).count() == 2
    detail = ApiClient(r3).get(f"{API}/activities/{a.pk}").json()
    assert detail["mine"]["waitlist_position"] == 1 and detail["taken"] == 2 and detail["waiting"] == 1
    assert_error(ApiClient(r1).post(f"{API}/activities/{a.pk}/signup"), 409, "already")
    r = ApiClient(r1).post(f"{API}/activities/{a.pk}/cancel-signup")
    assert r.status_code == 200 and r.json()["mine"]["status"] == "cancelled"
    assert Participation.objects.get(activity=a, user=r3).status == ParticipationStatus.SIGNED_UP
    assert Notification.objects.filter(recipient=r3, title__startswith="候补成功").exists()
    # signing up again after a cancel joins the end of the queue
    assert ApiClient(r1).post(f"{API}/activities/{a.pk}/signup").json()["mine"]["status"] == "waitlisted"


def test_signup_after_the_deadline_or_outside_the_audience_is_refused(cw):
    a = _activity(cw, signup_deadline=NOW() + dt.timedelta(hours=1))
    with pytest.raises(Exception) as exc:
        services.activity_signup(actor=cw.rider, activity=a, now=NOW() + dt.timedelta(hours=2))
    assert exc.value.message == "报名已截止"
    # branch B's member does not even see it
    assert_error(ApiClient(cw.driver).post(f"{API}/activities/{a.pk}/signup"), 404)


# --- check-in, hours, rating ----------------------------------------------------------------------------


def test_checkin_code_wrong_or_outside_the_window_is_refused_in_chinese(cw):
    a = _activity(cw, starts_in=dt.timedelta(minutes=10))
    ApiClient(cw.rider).post(f"{API}/activities/{a.pk}/signup")
    err = assert_error(ApiClient(cw.rider).post(f"{API}/activities/{a.pk}/checkin", {"code": "000000x"}), 422)
    assert err["message"] == "签到码不正确"
    later = _activity(cw, title="电动车安全检查服务", starts_in=dt.timedelta(days=1))
    services.activity_signup(actor=cw.rider, activity=later)
    err = assert_error(
        ApiClient(cw.rider).post(f"{API}/activities/{later.pk}/checkin", {"code": later.checkin_code}), 409
    )
    assert err["message"].startswith("签到尚未开始")
    with pytest.raises(Exception) as exc:
        services.checkin_code(actor=cw.rider, activity=later, code=later.checkin_code,
                              now=later.ends_at + dt.timedelta(minutes=1))  # fmt: skip
    assert exc.value.message.startswith("活动已结束")
    # the right code in the window checks in and credits the hours
    r = ApiClient(cw.rider).post(f"{API}/activities/{a.pk}/checkin", {"code": a.checkin_code})
    assert r.status_code == 200 and r.json()["mine"]["hours"] == "2.0"
    # a waitlisted or absent person cannot check in
    err = assert_error(
        ApiClient(cw.rider2).post(f"{API}/activities/{a.pk}/checkin", {"code": a.checkin_code}), 409
    )
    assert "没有报名成功" in err["message"]


def test_hours_event_is_published_once_per_participation(cw):
    a = _activity(cw, starts_in=dt.timedelta(minutes=10), hours="1.5")
    for u in (cw.rider, cw.rider2):
        services.activity_signup(actor=u, activity=a)
    services.checkin_code(actor=cw.rider, activity=a, code=a.checkin_code)
    secretary = ApiClient(cw.secretary_a)
    r = secretary.post(f"{API}/manage/activities/{a.pk}/checkin", {"user_ids": [cw.rider.pk, cw.rider2.pk]})
    assert r.status_code == 200
    assert services.checkin_roster(actor=cw.secretary_a, activity=a, user_ids=[cw.rider2.pk]) == 0
    events = Event.objects.filter(name="community.volunteer_hours", payload__activity_id=a.pk)
    assert events.count() == 2
    p = Participation.objects.get(activity=a, user=cw.rider)
    e = events.get(key=f"community.volunteer_hours:{p.pk}")
    assert e.payload["hours"] == 1.5 and e.payload["user_id"] == cw.rider.pk
    assert e.payload["member_id"] == cw.rider.person.pk and e.payload["org_id"] == cw.branch_a.pk
    with pytest.raises(Exception) as exc:
        services.checkin_code(actor=cw.rider, activity=a, code=a.checkin_code)
    assert exc.value.message == "您已签到"
    assert selectors.my_hours(cw.rider)["total"] == Decimal("1.5")


def test_a_second_rating_is_refused(cw):
    a = _activity(cw, starts_in=dt.timedelta(minutes=10))
    services.activity_signup(actor=cw.rider, activity=a)
    client = ApiClient(cw.rider)
    err = assert_error(client.post(f"{API}/activities/{a.pk}/rate", {"rating": 5}), 409, "not_checked_in")
    assert err["message"] == "签到参加活动后才能评价"
    services.checkin_code(actor=cw.rider, activity=a, code=a.checkin_code)
    assert_error(client.post(f"{API}/activities/{a.pk}/rate", {"rating": 6}), 422)
    r = client.post(f"{API}/activities/{a.pk}/rate", {"rating": 5, "comment": "绿豆汤很解暑"})
    assert r.status_code == 200 and r.json()["mine"]["rating"] == 5
    err = assert_error(client.post(f"{API}/activities/{a.pk}/rate", {"rating": 3}), 409, "already_rated")
    assert err["message"] == "您已评价过这个活动"
    assert Participation.objects.get(activity=a, user=cw.rider).rating == 5


def test_the_activity_page_checks_in_and_rates_with_chinese_errors(cw, client):
    a = _activity(cw, starts_in=dt.timedelta(minutes=10))
    client.force_login(cw.rider)
    url = f"/community/activities/{a.pk}/"
    assert client.post(url, {"action": "signup"}).status_code == 302
    r = client.post(url, {"action": "checkin", "code": "123"})
    assert r.status_code == 400 and "签到码不正确" in r.content.decode()
    assert client.post(url, {"action": "checkin", "code": a.checkin_code}).status_code == 302
    r = client.post(url, {"action": "rate", "rating": "", "comment": "很好"})
    assert (
        r.status_code == 400
        and "请选择 1 到 5 星的评分" in r.content.decode()
        and "很好" in r.content.decode()
    )
    assert client.post(url, {"action": "rate", "rating": "4"}).status_code == 302
    r = client.post(url, {"action": "rate", "rating": "5"})
    assert r.status_code == 400 and "您已评价过这个活动" in r.content.decode()
    r = client.get("/community/activities/mine/")
    assert "2.0" in r.content.decode()


# --- the organizer --------------------------------------------------------------------------------------


def test_create_from_a_need_at_a_station_and_refusals(cw, client):
    station = _station(cw.branch_a)
    foreign = _station(cw.branch_b, name="货车司机之家")
    need = services.need_propose(actor=cw.rider, org=cw.branch_a, title="夏季送清凉", kind="activity",
                                 body="高温天气希望在驿站提供绿豆汤、藿香正气水")  # fmt: skip
    client.force_login(cw.secretary_a)
    r = client.get(f"/community/activities/manage/new/?need={need.pk}")
    assert r.status_code == 200 and "夏季送清凉" in r.content.decode()
    start = timezone.localtime(NOW() + dt.timedelta(days=3)).replace(second=0, microsecond=0)
    form = {"need": need.pk, "org": cw.branch_a.pk, "title": "夏季送清凉", "kind": "activity",
            "description": "高温天气在驿站为骑手提供绿豆汤和防暑药品", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": start.strftime("%Y-%m-%dT%H:%M"), "station": foreign.pk, "capacity": "30", "hours": "2"}  # fmt: skip
    r = client.post("/community/activities/manage/new/", form)
    assert r.status_code == 400 and "结束时间应晚于开始时间" in r.content.decode()
    form["ends_at"] = (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    r = client.post("/community/activities/manage/new/", form)
    assert r.status_code == 400 and "请选择本组织或上级组织管理的、在运营的驿站" in r.content.decode()
    form["station"] = station.pk
    r = client.post("/community/activities/manage/new/", form)
    assert r.status_code == 302, r.content.decode()[-3000:]
    a = Activity.objects.get(need=need)
    assert a.station == station and a.organizer == cw.secretary_a
    need.refresh_from_db()
    assert need.status == NeedStatus.ADOPTED
    r = client.post("/community/activities/manage/new/", form)
    assert r.status_code == 400 and "该需求已开展过活动" in r.content.decode()
    # API errors in Chinese too
    api = ApiClient(cw.secretary_a)
    body = {"org_id": cw.branch_a.pk, "title": "夏季送清凉", "kind": "activity", "description": "高温天气送清凉到站点",
            "starts_at": start.isoformat(), "ends_at": (start + dt.timedelta(hours=2)).isoformat(), "capacity": 0}  # fmt: skip
    err = assert_error(api.post(f"{API}/manage/activities", body), 422)
    assert err["message"] == "名额应在 1 到 1000 人之间"
    # another branch's secretary cannot create for branch A
    assert_error(ApiClient(cw.secretary_b).post(f"{API}/manage/activities", body | {"capacity": 5}), 404)


def test_summary_after_the_end_and_cancellation_tells_everyone(cw, client):
    a = _activity(cw, capacity=1)
    services.activity_signup(actor=cw.rider, activity=a)
    services.activity_signup(actor=cw.rider2, activity=a)
    client.force_login(cw.secretary_a)
    url = f"/community/activities/manage/{a.pk}/"
    r = client.post(url, {"action": "summary", "summary": "活动开展顺利，共送出绿豆汤两百份"})
    assert r.status_code == 400 and "活动结束后才能填写总结" in r.content.decode()
    r = client.post(url, {"action": "cancel", "reason": ""})
    assert r.status_code == 400 and "请填写取消原因" in r.content.decode()
    assert client.post(url, {"action": "cancel", "reason": "台风预警，活动延期"}).status_code == 302
    for u in (cw.rider, cw.rider2):
        assert Notification.objects.filter(recipient=u, title__contains="台风预警").exists()
    err = assert_error(ApiClient(cw.secretary_a).post(f"{API}/manage/activities/{a.pk}/cancel", {"reason": "再次取消"}),
                       409)  # fmt: skip
    assert "不能取消" in err["message"]
    past = _activity(cw, title="往期慰问活动", starts_in=dt.timedelta(days=-1))
    r = ApiClient(cw.secretary_a).post(f"{API}/manage/activities/{past.pk}/summary",
                                       {"summary": "慰问一线骑手八十人，发放清凉包"})  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "finished"


# --- statistics and export -----------------------------------------------------------------------------


def test_statistics_equal_the_rows_and_export(cw, client):
    riders = [cw.rider, cw.rider2, *_riders(cw, 2)]
    a = _activity(cw, capacity=3, starts_in=dt.timedelta(minutes=5), hours="2")
    for u in riders:
        services.activity_signup(actor=u, activity=a)
    services.checkin_roster(actor=cw.secretary_a, activity=a, user_ids=[riders[0].pk, riders[1].pk])
    services.participation_rate(actor=riders[0], activity=a, rating=5)
    services.participation_rate(actor=riders[1], activity=a, rating=4)
    b = _activity(cw, title="电动车安全检查服务", capacity=5, starts_in=dt.timedelta(minutes=5), hours="1")
    services.activity_signup(actor=riders[2], activity=b)
    services.checkin_roster(actor=cw.secretary_a, activity=b, user_ids=[riders[2].pk])
    services.participation_rate(actor=riders[2], activity=b, rating=3)
    office = ApiClient(cw.committee_x_office)
    with assert_max_queries(12):
        data = office.get(f"{API}/stats").json()
    rows = {r["activity_id"]: r for r in data["activities"]}
    assert (rows[a.pk]["signed_up"], rows[a.pk]["waitlisted"], rows[a.pk]["checked_in"]) == (3, 1, 2)
    assert rows[a.pk]["rate"] == round(100 * 2 / 3, 1) and rows[a.pk]["rating"] == 4.5
    assert Decimal(rows[a.pk]["hours"]) == Decimal("4")
    for r in data["activities"]:
        ps = Participation.objects.filter(activity_id=r["activity_id"])
        assert r["signed_up"] == ps.filter(status="signed_up").count()
        assert r["checked_in"] == ps.filter(checked_in_at__isnull=False).count()
    org = next(o for o in data["orgs"] if o["org_id"] == cw.branch_a.pk)
    assert (org["activities"], org["signed_up"], org["checked_in"]) == (2, 4, 3)
    assert org["rating"] == 4.0 and Decimal(org["hours"]) == Decimal("5")
    month = timezone.localtime(a.starts_at).strftime("%Y-%m")
    assert office.get(f"{API}/stats", {"month": "1999-01"}).json()["totals"]["activities"] == 0
    assert office.get(f"{API}/stats", {"month": month}).json()["totals"]["activities"] == 2
    # the page, and its export by the office (audited); a branch secretary sees but does not export
    client.force_login(cw.committee_x_office)
    r = client.get("/community/activities/stats/", {"export": "activities"})
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    assert AuditLog.objects.filter(action="export", object_type="community.activities").exists()
    client.force_login(cw.secretary_a)
    assert client.get("/community/activities/stats/").status_code == 200
    assert client.get("/community/activities/stats/", {"export": "orgs"}).status_code == 403
    # branch B's secretary sees none of it
    assert ApiClient(cw.secretary_b).get(f"{API}/stats").json()["totals"]["activities"] == 0


# --- scope ----------------------------------------------------------------------------------------------


def test_branch_a_member_cannot_see_branch_b_needs_or_activities(cw, client):
    need_b = services.need_propose(actor=cw.driver, org=cw.branch_b, title="司机之家夜间开放", kind="service",
                                   body="夜间跑车的司机希望驿站夜间也能休息")  # fmt: skip
    act_b = _activity(cw, org=cw.branch_b, actor=cw.secretary_b, title="货车司机安全驾驶讲座")
    rider = ApiClient(cw.rider)
    assert_error(rider.get(f"{API}/needs/{need_b.pk}"), 404)
    assert_error(rider.post(f"{API}/needs/{need_b.pk}/vote"), 404)
    assert_error(rider.get(f"{API}/activities/{act_b.pk}"), 404)
    assert need_b.pk not in [n["id"] for n in rider.get(f"{API}/needs").json()["items"]]
    assert act_b.pk not in [a["id"] for a in rider.get(f"{API}/activities").json()["items"]]
    client.force_login(cw.rider)
    assert client.get(f"/community/activities/needs/{need_b.pk}/").status_code == 404
    assert client.get(f"/community/activities/{act_b.pk}/").status_code == 404
    assert "货车司机安全驾驶讲座" not in client.get("/community/activities/").content.decode()
    assert "司机之家夜间开放" not in client.get("/community/activities/needs/").content.decode()
    # the secretary of A cannot manage B's
    assert_error(ApiClient(cw.secretary_a).get(f"{API}/manage/activities/{act_b.pk}"), 404)
    client.force_login(cw.secretary_a)
    assert client.get(f"/community/activities/manage/{act_b.pk}/").status_code == 404
    assert client.get(f"/community/activities/manage/needs/{need_b.pk}/").status_code == 404


def test_lists_have_no_n_plus_one(cw):
    for i in range(4):
        a = _activity(cw, title=f"志愿服务第{i}期", capacity=1)
        services.activity_signup(actor=cw.rider, activity=a)
        services.activity_signup(actor=cw.rider2, activity=a)
        services.need_propose(actor=cw.rider, org=cw.branch_a, title=f"活动需求第{i}条", kind="activity",
                              body="希望组织更多的骑手交流活动")  # fmt: skip
    rider = ApiClient(cw.rider)
    with assert_max_queries(12):
        assert len(rider.get(f"{API}/activities").json()["items"]) == 4
    with assert_max_queries(12):
        assert len(rider.get(f"{API}/needs").json()["items"]) == 4
    with assert_max_queries(14):
        assert ApiClient(cw.secretary_a).get(f"{API}/manage/activities").status_code == 200


# --- teams ------------------------------------------------------------------------------------------------


def test_team_members_join_leave_and_hours(cw):
    api = ApiClient(cw.secretary_a)
    r = api.post(f"{API}/manage/teams", {"org_id": cw.branch_a.pk, "name": "水乡红骑手"})
    assert r.status_code == 201
    team_id = r.json()["id"]
    err = assert_error(api.post(f"{API}/manage/teams", {"org_id": cw.branch_a.pk, "name": "水乡红骑手"}), 409)
    assert err["message"] == "该党组织已有同名服务队"
    r = api.post(f"{API}/manage/teams/{team_id}/members", {"user_id": cw.rider.pk})
    assert r.status_code == 200 and [m["name"] for m in r.json()["members"]] == ["李晨阳"]
    err = assert_error(api.post(f"{API}/manage/teams/{team_id}/members", {"user_id": cw.driver.pk}), 422)
    assert "只能吸收" in err["message"]
    from sanxin.community.activities.models import Team

    team = Team.objects.get(pk=team_id)
    a = _activity(cw, team=team, starts_in=dt.timedelta(minutes=5), hours="3")
    services.activity_signup(actor=cw.rider, activity=a)
    services.checkin_code(actor=cw.rider, activity=a, code=a.checkin_code)
    r = ApiClient(cw.rider).get(f"{API}/teams/{team_id}").json()
    assert Decimal(r["hours"]) == Decimal("3") and Decimal(r["members"][0]["hours"]) == Decimal("3")
    membership = r["members"][0]["membership_id"]
    r = api.post(f"{API}/manage/teams/memberships/{membership}/leave", {})
    assert r.status_code == 200 and r.json()["members"][0]["left_on"] is not None
    assert_error(ApiClient(cw.driver).get(f"{API}/teams/{team_id}"), 404)
    assert_error(ApiClient(cw.secretary_b).post(f"{API}/manage/teams/{team_id}/members", {"user_id": cw.driver.pk}),
                 404)  # fmt: skip


def test_cancelling_a_signup_and_leaving_a_team_say_why_they_are_refused(cw):
    rider = ApiClient(cw.rider)
    a = _activity(cw, starts_in=dt.timedelta(minutes=10))
    err = assert_error(rider.post(f"{API}/activities/{a.pk}/cancel-signup"), 409, "not_signed_up")
    assert err["message"] == "您没有报名这个活动"
    assert rider.post(f"{API}/activities/{a.pk}/signup").status_code == 200
    services.checkin_code(actor=cw.rider, activity=a, code=a.checkin_code)
    err = assert_error(rider.post(f"{API}/activities/{a.pk}/cancel-signup"), 409, "checked_in")
    assert err["message"] == "已签到，不能取消报名"
    assert Participation.objects.get(activity=a, user=cw.rider).checked_in_at is not None

    team = services.team_create(actor=cw.secretary_a, org=cw.branch_a, name="水乡红骑手")
    m = services.team_join(actor=cw.secretary_a, team=team, user=cw.rider)
    api = ApiClient(cw.secretary_a)
    url = f"{API}/manage/teams/memberships/{m.pk}/leave"
    before = (m.joined_on - dt.timedelta(days=1)).isoformat()
    err = assert_error(api.post(url, {"left_on": before}), 422)
    assert err["message"] == "退出日期不能早于加入日期" and err["details"][0]["loc"] == ["left_on"]
    assert api.post(url, {}).status_code == 200
    err = assert_error(api.post(url, {}), 409, "left")
    assert err["message"] == "已退出服务队"
