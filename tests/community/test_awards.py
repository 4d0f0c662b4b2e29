"""评选表彰: a committee's selection with eligibility rules, nomination by the nominee's secretary (each
failed rule named), review, the public vote — once a person a day, rate limited, duplicate devices
refused and their earlier votes flagged — closing, the flagged votes' review, results with certificates
and their public verification, the award as a domain event and in the growth archive, and the scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sanxin.community.awards import services
from sanxin.community.awards.models import (
    AwardCandidate,
    AwardCertificate,
    AwardSelection,
    AwardVote,
    SelectionStatus,
)
from sanxin.core.models import AuditLog, Event
from sanxin.members.models import Employment, WorkKind
from tests.helpers import ApiClient, assert_error, assert_max_queries
from tests.meetings.conftest import member

TODAY = timezone.localdate
REASONS = "常年坚守在城区配送一线，雨雪天主动帮助老人代购药品，多次拾金不昧，带动身边骑手参与志愿服务。"


def _selection(cw, org=None, *, phase="vote", **rules) -> AwardSelection:
    """A selection of committee X (or ``org``) whose dates put today in ``phase``."""
    t = TODAY()
    d = dt.timedelta
    dates = {
        "nominate": (t - d(3), t + d(3), t + d(5), t + d(10)),
        "vote": (t - d(20), t - d(10), t - d(2), t + d(5)),
        "over": (t - d(30), t - d(20), t - d(10), t - d(1)),
    }[phase]
    return AwardSelection.objects.create(
        org=org or cw.committee_x,
        title=rules.pop("title", f"{t.year}年度“最美红骑手”"),
        year=t.year,
        awardees=rules.pop("awardees", 1),
        nominate_from=dates[0],
        nominate_until=dates[1],
        vote_from=dates[2],
        vote_until=dates[3],
        **rules,
    )


def _approved(selection, person, org=None) -> AwardCandidate:
    return AwardCandidate.objects.create(
        selection=selection, person=person, org=org or person.org, reasons=REASONS, status="approved"
    )


# --- create and nominate --------------------------------------------------------------------------------


def test_create_selection_checks_dates_on_api_and_page(cw):
    office = ApiClient(cw.committee_x_office)
    body = {
        "org_id": cw.committee_x.pk, "title": "2026年度“最美红骑手”", "year": 2026, "awardees": 3,
        "work_kinds": ["rider"], "members_only": True,
        "nominate_from": "2026-05-01", "nominate_until": "2026-05-20", "vote_from": "2026-05-10", "vote_until": "2026-05-30",
    }  # fmt: skip
    err = assert_error(office.post("/api/v1/community/awards/manage/selections", body), 422)
    assert err["message"] == "投票开始日期应晚于提名截止日期（中间留出资格审核）"
    r = office.post(
        "/api/v1/community/awards/manage/selections",
        body | {"vote_from": "2026-06-01", "vote_until": "2026-06-10"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["work_kinds"] == ["rider"] and r.json()["status"] == "running"
    # a secretary cannot create one for the committee above
    assert_error(ApiClient(cw.secretary_a).post("/api/v1/community/awards/manage/selections", body), 404)
    page = Client()
    page.force_login(cw.committee_x_office)
    form = {
        "org": cw.committee_x.pk, "title": "最美货车司机", "year": "2026", "awardees": "2",
        "nominate_from": "2026-07-01", "nominate_until": "2026-06-01", "vote_from": "2026-07-10", "vote_until": "2026-07-20",
    }  # fmt: skip
    r = page.post("/community/awards/manage/", form)
    assert r.status_code == 400
    assert "提名截止日期不能早于提名开始日期" in r.content.decode() and "最美货车司机" in r.content.decode()
    r = page.post("/community/awards/manage/", form | {"nominate_until": "2026-07-05"})
    assert r.status_code == 302
    assert AwardSelection.objects.filter(title="最美货车司机").exists()


def test_an_ineligible_nominee_is_refused_with_each_failed_rule(cw):
    s = _selection(cw, phase="nominate", members_only=True, work_kinds=["truck"], min_party_years=20)
    sec = ApiClient(cw.secretary_a)
    body = {"selection_id": s.pk, "person_id": cw.rider.person.pk, "reasons": REASONS}
    err = assert_error(sec.post("/api/v1/community/awards/manage/nominations", body), 409, "ineligible")
    assert "被提名人目前不是本次评选的从业类型（货车司机）" in err["message"]
    assert "党龄不足 20 年" in err["message"]
    assert {d["rule"] for d in err["details"]} == {"work_kind", "party_years"}
    assert not AwardCandidate.objects.exists()
    # the page shows the same reasons, keeps the text
    page = Client()
    page.force_login(cw.secretary_a)
    r = page.post(
        "/community/awards/manage/nominate/",
        {"selection": s.pk, "person": cw.rider.person.pk, "reasons": REASONS},
    )
    assert r.status_code == 409
    assert "党龄不足 20 年" in r.content.decode() and REASONS in r.content.decode()
    # with a truck job of the right length and the rule relaxed, the nomination goes through
    Employment.objects.create(person=cw.rider.person, kind=WorkKind.TRUCK, start_on=dt.date(2018, 3, 1))
    AwardSelection.objects.filter(pk=s.pk).update(min_party_years=5, min_job_years=3)
    r = sec.post("/api/v1/community/awards/manage/nominations", body)
    assert r.status_code == 201, r.content
    assert r.json()["status"] == "pending"
    assert_error(sec.post("/api/v1/community/awards/manage/nominations", body), 409, "duplicate")


def test_nomination_is_by_the_nominees_secretary_and_review_needs_a_reason(cw):
    s = _selection(cw, phase="nominate")
    # branch B's secretary may not nominate a member of branch A, nor see committee X's selection
    assert_error(
        ApiClient(cw.secretary_b).post(
            "/api/v1/community/awards/manage/nominations",
            {"selection_id": s.pk, "person_id": cw.rider.person.pk, "reasons": REASONS},
        ),
        404,
    )
    sec = ApiClient(cw.secretary_a)
    short = sec.post(
        "/api/v1/community/awards/manage/nominations",
        {"selection_id": s.pk, "person_id": cw.rider.person.pk, "reasons": "表现好"},
    )
    assert assert_error(short, 422)["message"] == "请填写推荐理由（至少 20 个字）"
    c = sec.post(
        "/api/v1/community/awards/manage/nominations",
        {"selection_id": s.pk, "person_id": cw.rider.person.pk, "reasons": REASONS},
    ).json()
    office = ApiClient(cw.committee_x_office)
    url = f"/api/v1/community/awards/manage/candidates/{c['id']}/review"
    assert assert_error(office.post(url, {"decision": "reject"}), 422)["message"].startswith(
        "请填写不通过的理由"
    )
    assert_error(sec.post(url, {"decision": "approve"}), 404)  # the organiser reviews, not the branch
    page = Client()
    page.force_login(cw.committee_x_office)
    r = page.post(
        f"/community/awards/manage/{s.pk}/", {"action": "reject", "candidate": c["id"], "reason": ""}
    )
    assert r.status_code == 400 and "请填写不通过的理由" in r.content.decode()
    r = page.post(f"/community/awards/manage/{s.pk}/", {"action": "approve", "candidate": c["id"]})
    assert r.status_code == 302
    assert AwardCandidate.objects.get(pk=c["id"]).status == "approved"
    assert AuditLog.objects.filter(action="award_approve").exists()


# --- the vote -------------------------------------------------------------------------------------------


def test_a_second_vote_on_the_same_day_is_refused_with_a_reason(cw):
    s = _selection(cw)
    a = _approved(s, cw.rider.person)
    b = _approved(s, cw.rider2.person)
    voter = ApiClient(cw.secretary_a)
    url = f"/api/v1/community/awards/selections/{s.pk}/vote"
    assert voter.post(url, {"candidate_id": a.pk}).status_code == 201
    err = assert_error(voter.post(url, {"candidate_id": b.pk}), 409, "already_voted")
    assert err["message"] == "您今天已为李晨阳投过票：每人每天限投一票，请明天再来"
    # the page: the same refusal, shown on the page
    page = Client()
    page.force_login(cw.rider)
    assert page.get(f"/community/awards/selections/{s.pk}/").status_code == 200
    assert page.post(f"/community/awards/selections/{s.pk}/", {"candidate": b.pk}).status_code == 302
    r = page.post(f"/community/awards/selections/{s.pk}/", {"candidate": a.pk})
    assert r.status_code == 409
    assert "您今天已为王小骑投过票：每人每天限投一票，请明天再来" in r.content.decode()
    assert AwardVote.objects.filter(selection=s).count() == 2
    # tomorrow the same person votes again
    services.vote_cast(
        actor=cw.rider,
        selection=s,
        candidate_id=a.pk,
        device_id="x",
        now=timezone.now() + dt.timedelta(days=1),
    )
    assert AwardVote.objects.filter(selection=s, voter=cw.rider).count() == 2


def test_a_hundred_requests_in_a_second_are_rate_limited_and_count_one_vote(cw):
    s = _selection(cw)
    a = _approved(s, cw.rider.person)
    voter = ApiClient(cw.rider2)
    url = f"/api/v1/community/awards/selections/{s.pk}/vote"
    answers = [voter.post(url, {"candidate_id": a.pk}) for _ in range(100)]
    codes = [r.status_code for r in answers]
    assert codes[0] == 201 and 429 in codes
    err = assert_error(answers[-1], 429, "rate_limited")
    assert err["message"].startswith("投票请求太频繁：每分钟最多 10 次")
    assert err["details"][0]["retry_after"] >= 1
    assert AwardVote.objects.filter(selection=s, voter=cw.rider2).count() == 1
    # the page: the same limit
    page = Client()
    page.force_login(cw.rider)
    answers = [page.post(f"/community/awards/selections/{s.pk}/", {"candidate": a.pk}) for _ in range(100)]
    assert answers[0].status_code == 302 and answers[-1].status_code == 429
    assert "投票请求太频繁" in answers[-1].content.decode()
    assert AwardVote.objects.filter(selection=s, voter=cw.rider).count() == 1


def test_votes_outside_the_window_or_the_audience_are_refused(cw):
    early = _selection(cw, phase="nominate")
    a = _approved(early, cw.rider.person)
    voter = ApiClient(cw.rider2)
    err = assert_error(
        voter.post(f"/api/v1/community/awards/selections/{early.pk}/vote", {"candidate_id": a.pk}),
        409,
        "vote_closed",
    )
    assert err["message"].startswith("投票尚未开始")
    late = _selection(cw, phase="over", title="往届评选")
    b = _approved(late, cw.rider.person)
    err = assert_error(
        voter.post(f"/api/v1/community/awards/selections/{late.pk}/vote", {"candidate_id": b.pk}),
        409,
        "vote_closed",
    )
    assert err["message"].startswith("投票已于")
    page = Client()
    page.force_login(cw.rider2)
    r = page.post(f"/community/awards/selections/{late.pk}/", {"candidate": b.pk})
    assert r.status_code == 409 and "投票已于" in r.content.decode()
    assert not AwardVote.objects.exists()


def test_branch_a_cannot_see_a_selection_of_committee_y(cw):
    s = _selection(cw, org=cw.committee_y, title="最美货车司机")
    c = _approved(s, cw.driver.person)
    rider = ApiClient(cw.rider)
    assert_error(rider.get(f"/api/v1/community/awards/selections/{s.pk}"), 404)
    assert_error(rider.post(f"/api/v1/community/awards/selections/{s.pk}/vote", {"candidate_id": c.pk}), 404)
    assert rider.get("/api/v1/community/awards/selections").json()["count"] == 0
    page = Client()
    page.force_login(cw.rider)
    assert page.get(f"/community/awards/selections/{s.pk}/").status_code == 404
    assert "最美货车司机" not in page.get("/community/awards/").content.decode()
    # the driver of branch B sees and votes
    driver = ApiClient(cw.driver)
    assert driver.get(f"/api/v1/community/awards/selections/{s.pk}").json()["can_vote"] is True
    assert_error(
        ApiClient(cw.committee_x_office).get(f"/api/v1/community/awards/manage/selections/{s.pk}"), 404
    )
    # a worker of committee X's chain cannot vote in committee X's selection of another org either
    assert not AwardVote.objects.exists()


def test_duplicate_devices_are_refused_flagged_reviewed_and_the_result_published(cw):
    s = _selection(cw, awardees=1)
    a = _approved(s, cw.rider.person)
    b = _approved(s, cw.rider2.person)
    _, third = member(cw.branch_a, "孙小跑")
    _, fourth = member(cw.branch_a, "周快送")
    url = f"/api/v1/community/awards/selections/{s.pk}/vote"
    for user in (cw.rider, cw.rider2, third):  # three accounts on one phone
        c = ApiClient(user)
        r = c.client.post(
            url, f'{{"candidate_id": {a.pk}}}', content_type="application/json",
            headers=c._headers() | {"X-Device-Id": "phone-1"},
        )  # fmt: skip
        assert r.status_code == 201, r.content
    c = ApiClient(fourth)
    r = c.client.post(
        url, f'{{"candidate_id": {a.pk}}}', content_type="application/json",
        headers=c._headers() | {"X-Device-Id": "phone-1"},
    )  # fmt: skip
    err = assert_error(r, 409, "device_limit")
    assert err["message"].startswith("同一设备当天已有 3 个账号投票")
    assert AwardVote.objects.filter(selection=s, flagged=True).count() == 3
    # a vote from another device counts normally
    r = c.client.post(
        url, f'{{"candidate_id": {b.pk}}}', content_type="application/json",
        headers=c._headers() | {"X-Device-Id": "phone-2"},
    )  # fmt: skip
    assert r.status_code == 201
    office = ApiClient(cw.committee_x_office)
    detail = office.get(f"/api/v1/community/awards/manage/selections/{s.pk}").json()
    tally = {x["name"]: (x["votes"], x["counted"], x["flagged"]) for x in detail["candidates"]}
    assert tally == {"李晨阳": (0, 3, 3), "王小骑": (1, 1, 0)}
    assert detail["flagged_pending"] == 3
    # publishing waits for the close and for the flagged votes' review
    base = f"/api/v1/community/awards/manage/selections/{s.pk}"
    assert_error(office.post(f"{base}/publish"), 409, "bad_state")
    assert office.post(f"{base}/close").json()["status"] == "closed"
    assert (
        assert_error(office.post(f"{base}/publish"), 409, "flags_pending")["message"]
        == "还有 3 张疑似刷票的投票待复核"
    )
    flagged = office.get(f"{base}/flagged").json()["items"]
    ids = [v["id"] for v in flagged]
    assert office.post(f"{base}/flagged", {"vote_ids": ids[:1], "keep": True}).json() == {"reviewed": 1}
    assert office.post(f"{base}/flagged", {"vote_ids": ids[1:], "keep": False}).json() == {"reviewed": 2}
    r = office.post(f"{base}/publish")
    assert r.status_code == 200, r.content
    ranked = sorted(r.json()["candidates"], key=lambda x: x["rank"])
    assert [(x["name"], x["votes"], x["awarded"]) for x in ranked] == [
        ("李晨阳", 1, True),
        ("王小骑", 1, False),
    ]
    cert = AwardCertificate.objects.get()
    assert cert.candidate_id == a.pk and cert.number == f"PX{s.year}-{s.pk:04d}-001"
    event = Event.objects.get(name="community.award_won")
    assert event.payload["member_id"] == cw.rider.person.pk and event.payload["rank"] == 1
    assert AuditLog.objects.filter(action="award_publish").exists()
    s.refresh_from_db()
    assert s.status == SelectionStatus.PUBLISHED


def test_certificates_verification_and_the_growth_archive(cw):
    from sanxin.members import timeline

    s = _selection(cw, phase="over")
    a = _approved(s, cw.rider.person)
    services.vote_cast(
        actor=cw.rider2, selection=s, candidate_id=a.pk, now=timezone.now() - dt.timedelta(days=2)
    )
    services.selection_close(actor=cw.committee_x_office, selection=s)
    services.selection_publish(actor=cw.committee_x_office, selection=s)
    cert = AwardCertificate.objects.get()
    mine = ApiClient(cw.rider).get("/api/v1/community/awards/certificates/mine").json()
    assert [c["number"] for c in mine] == [cert.number]
    page = Client()
    page.force_login(cw.rider)
    r = page.get(f"/community/awards/certificates/{cert.pk}/")
    assert r.status_code == 200 and cert.number in r.content.decode() and "<svg" in r.content.decode()
    other = Client()
    other.force_login(cw.rider2)
    assert other.get(f"/community/awards/certificates/{cert.pk}/").status_code == 404
    public = Client().get(f"/community/awards/verify/{cert.token}/")
    assert (
        public.status_code == 200
        and "李**" in public.content.decode()
        and "李晨阳" not in public.content.decode()
    )
    assert Client().get("/community/awards/verify/nope/").status_code == 404
    assert (
        ApiClient(cw.rider2).get(f"/api/v1/community/awards/verify/{cert.token}").json()["holder"] == "李**"
    )
    events = timeline.page(cw.rider.person.member, viewer=cw.secretary_a).events
    assert any(e.kind == "award" and s.title in e.title for e in events)


def test_the_story_goes_to_the_learning_library_for_review(cw):
    from sanxin.learning.models import Course

    s = _selection(cw, phase="over")
    a = _approved(s, cw.rider.person)
    services.selection_close(actor=cw.committee_x_office, selection=s)
    services.selection_publish(actor=cw.committee_x_office, selection=s)
    office = ApiClient(cw.committee_x_office)
    url = f"/api/v1/community/awards/manage/candidates/{a.pk}/story"
    assert assert_error(office.post(url, {"title": "风雨中的骑手", "body": "太短"}), 422)[
        "message"
    ].startswith("请填写故事正文")
    body = "李晨阳是骑手流动党员党支部的一名党员。" * 5
    r = office.post(url, {"title": "风雨中的红骑手李晨阳", "body": body})
    assert r.status_code == 201, r.content
    course = Course.objects.get(pk=r.json()["course_id"])
    assert (
        course.column == "stories"
        and course.publisher_id == cw.committee_x.pk
        and course.lessons.count() == 1
    )
    assert r.json()["status"] == course.status != "draft"
    assert_error(office.post(url, {"title": "风雨中的红骑手李晨阳", "body": body}), 409, "duplicate")


def test_candidate_lists_have_no_n_plus_one(cw):
    from sanxin.orgs import services as org_services

    s = _selection(cw)
    for i in range(12):
        p, _ = org_services.person_create(actor=None, name=f"候选{i}", org=cw.branch_a)
        _approved(s, p)
    rider = ApiClient(cw.rider)
    rider.get(f"/api/v1/community/awards/selections/{s.pk}")
    with assert_max_queries(14):
        r = rider.get(f"/api/v1/community/awards/selections/{s.pk}")
    assert len(r.json()["candidates"]) == 12
    office = ApiClient(cw.committee_x_office)
    with assert_max_queries(14):
        assert (
            len(office.get(f"/api/v1/community/awards/manage/selections/{s.pk}").json()["candidates"]) == 12
        )


def test_the_selection_export_is_audited(cw):
    import io

    from openpyxl import load_workbook

    s = _selection(cw)
    a = _approved(s, cw.rider.person)
    services.vote_cast(actor=cw.rider2, selection=s, candidate_id=a.pk)
    page = Client()
    page.force_login(cw.committee_x_office)
    r = page.get(f"/community/awards/manage/{s.pk}/export/")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert wb.sheetnames == ["提名", "投票", "结果"]
    assert wb["结果"].cell(row=2, column=2).value == "李晨阳"
    assert AuditLog.objects.filter(action="export", actor_id=cw.committee_x_office.pk).count() == 1
    sec = Client()
    sec.force_login(cw.secretary_a)
    assert sec.get(f"/community/awards/manage/{s.pk}/export/").status_code == 403


@pytest.mark.parametrize("who", ["rider"])
def test_the_home_page_lists_the_chain_selections(cw, who):
    s = _selection(cw)
    page = Client()
    page.force_login(getattr(cw, who))
    r = page.get("/community/awards/")
    assert r.status_code == 200 and s.title in r.content.decode()


def test_nomination_photos_are_read_by_the_audience_only(cw):
    import base64

    from tests.accounts.walker import PNG_1PX

    s = _selection(cw, phase="nominate")
    photo = {"name": "送药.png", "content_base64": base64.b64encode(PNG_1PX).decode()}
    sec = ApiClient(cw.secretary_a)
    r = sec.post(
        "/api/v1/community/awards/manage/nominations",
        {"selection_id": s.pk, "person_id": cw.rider.person.pk, "reasons": REASONS, "photos": [photo]},
    )
    assert r.status_code == 201, r.content
    url = r.json()["photos"][0]
    services.candidate_review(
        actor=cw.committee_x_office, candidate=AwardCandidate.objects.get(), decision="approve"
    )
    rider2 = Client()
    rider2.force_login(cw.rider2)
    assert rider2.get(url).status_code == 200
    driver = Client()
    driver.force_login(cw.driver)
    assert driver.get(url).status_code == 404
