"""Contests: who sees them, the paper drawn and timed on the server, marking, the time limit (a paper
handed in after the deadline gains nothing and is recorded expired), one paper a member, the answer
key kept from the browser while a paper runs, rankings with masked names, certificates."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from sanxin.core.errors import RuleViolation
from sanxin.core.models import AuditLog
from sanxin.learning.quiz import selectors, services
from sanxin.learning.quiz.models import Attempt, AttemptStatus, Certificate, CertificateKind
from tests.helpers import ApiClient, assert_error
from tests.learning.quizkit import build, right_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def qw(lw):
    return build(lw)


def _start(api, contest):
    resp = api.post(f"/api/v1/learning/quiz/contests/{contest.pk}/start")
    assert resp.status_code == 201, resp.content
    return resp.json()


def test_a_member_sees_the_contests_of_the_orgs_above_and_nobody_elses(qw):
    mine = ApiClient(qw.lw.users[1]).get("/api/v1/learning/quiz/contests").json()
    assert [c["id"] for c in mine] == [qw.contest.pk]
    assert mine[0]["phase"] == "open" and mine[0]["max_score"] == 90
    outsider = ApiClient(qw.lw.outsider_user)
    assert outsider.get("/api/v1/learning/quiz/contests").json() == []
    assert outsider.get(f"/api/v1/learning/quiz/contests/{qw.contest.pk}").status_code == 404
    assert_error(outsider.post(f"/api/v1/learning/quiz/contests/{qw.contest.pk}/start"), 404)
    assert not Attempt.objects.exists()


def test_the_running_paper_carries_no_answer_key_in_json_or_html(qw):
    api = ApiClient(qw.lw.users[1])
    paper = _start(api, qw.contest)
    attempt = Attempt.objects.get(pk=paper["id"])
    assert len(paper["questions"]) == 8 and paper["seconds_left"] == 600
    assert {q["kind"] for q in paper["questions"]} == {"single", "multiple", "judge", "fill"}
    # the stored key exists, and none of it is in what the browser gets
    for body in (
        json.dumps(paper, ensure_ascii=False),
        api.get(f"/api/v1/learning/quiz/attempts/{attempt.pk}").content.decode(),
    ):
        assert "answer" not in body and "explanation" not in body and "解析" not in body
        for entry in attempt.key:
            if entry["answer"][0] in ("民主集中制", "三十"):  # fill-in answers are text
                assert entry["answer"][0] not in body
    client = Client()
    client.force_login(qw.lw.users[1])
    html = client.get(f"/learning/quiz/attempts/{attempt.pk}/").content.decode()
    assert "data-quiz-clock" in html and attempt.questions[0]["stem"] in html
    assert "解析" not in html and "正确答案" not in html
    for entry in attempt.key:
        assert entry["explanation"] not in html


def test_marking_on_the_server_and_the_result_with_explanations(qw):
    api = ApiClient(qw.lw.users[1])
    paper = _start(api, qw.contest)
    attempt = Attempt.objects.get(pk=paper["id"])
    answers = right_answers(attempt)
    wrong = next(q for q in attempt.questions if q["kind"] == "multiple")
    answers[wrong["id"]] = ["A"]  # one letter short: no partial credit
    fill = next(q for q in attempt.questions if q["kind"] == "fill")
    answers[fill["id"]] = " " + attempt.key[attempt.questions.index(fill)]["answer"][-1] + " "
    resp = api.post(f"/api/v1/learning/quiz/attempts/{attempt.pk}/submit", {"answers": answers})
    assert resp.status_code == 200, resp.content
    result = resp.json()
    assert result["status"] == "submitted" and result["score"] == 90 - 15 and result["passed"] is True
    assert result["rank"] == 1 and result["branch_rank"] == 1
    by_id = {q["id"]: q for q in result["questions"]}
    assert by_id[wrong["id"]]["correct"] is False and by_id[wrong["id"]]["earned"] == 0
    assert by_id[fill["id"]]["correct"] is True
    assert all(q["explanation"].startswith("解析：") and q["answer"] for q in result["questions"])
    assert AuditLog.objects.filter(action="contest_submit", object_id=str(attempt.pk)).exists()
    # handing in twice changes nothing
    assert_error(
        api.post(f"/api/v1/learning/quiz/attempts/{attempt.pk}/submit", {"answers": {}}), 409, "submitted"
    )
    assert Attempt.objects.get(pk=attempt.pk).score == 75


def test_a_submission_after_the_time_limit_gains_no_score_and_is_recorded_expired(qw, settings):
    settings.LEARNING_CONTEST_GRACE_SECONDS = 15
    api = ApiClient(qw.lw.users[1])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        paper = _start(api, qw.contest)
        attempt = Attempt.objects.get(pk=paper["id"])
        assert attempt.deadline == attempt.started_at + dt.timedelta(minutes=10)
        clock.shift(dt.timedelta(minutes=10, seconds=16))  # past the deadline and its grace
        resp = api.post(
            f"/api/v1/learning/quiz/attempts/{attempt.pk}/submit", {"answers": right_answers(attempt)}
        )
        err = assert_error(resp, 409, "time_up")
        assert err["details"][0]["grace_s"] == 15
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED and attempt.score is None and attempt.passed is None
    assert selectors.ranking(qw.contest).count() == 0
    # and no second try either
    assert_error(api.post(f"/api/v1/learning/quiz/contests/{qw.contest.pk}/start"), 409, "already_attempted")


def test_a_submission_inside_the_grace_still_counts_with_the_time_capped(qw, settings):
    settings.LEARNING_CONTEST_GRACE_SECONDS = 15
    api = ApiClient(qw.lw.users[2])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = Attempt.objects.get(pk=_start(api, qw.contest)["id"])
        clock.shift(dt.timedelta(minutes=10, seconds=10))  # network latency after the countdown's zero
        resp = api.post(
            f"/api/v1/learning/quiz/attempts/{attempt.pk}/submit", {"answers": right_answers(attempt)}
        )
    assert resp.status_code == 200, resp.content
    assert resp.json()["score"] == 90 and resp.json()["seconds_used"] == 600


def test_the_deadline_never_passes_the_contest_close(qw):
    closes = qw.contest.closes_at
    member = qw.lw.members[1]
    attempt = services.contest_start(actor=None, contest=qw.contest, member=member,
                                     now=closes - dt.timedelta(minutes=3))  # fmt: skip
    assert attempt.deadline == closes


def test_a_second_attempt_is_refused_and_the_database_holds_one_paper_a_member(qw):
    api = ApiClient(qw.lw.users[1])
    first = _start(api, qw.contest)
    again = _start(api, qw.contest)  # a reload while running: the same paper, the same deadline
    assert again["id"] == first["id"] and again["deadline"] == first["deadline"]
    services.attempt_submit(actor=qw.lw.users[1], attempt=Attempt.objects.get(pk=first["id"]), answers={})
    assert_error(api.post(f"/api/v1/learning/quiz/contests/{qw.contest.pk}/start"), 409, "already_attempted")
    client = Client()
    client.force_login(qw.lw.users[1])
    page = client.post(f"/learning/quiz/contests/{qw.contest.pk}/")
    assert page.status_code == 400 and "只能答题一次" in page.content.decode()
    existing = Attempt.objects.get(pk=first["id"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            member=existing.member, branch=existing.branch, contest=qw.contest, questions=[], key=[],
            started_at=timezone.now(), max_score=0,
        )  # fmt: skip
    assert Attempt.objects.filter(contest=qw.contest).count() == 1


def test_a_paper_cannot_start_outside_the_window(qw):
    member = qw.lw.members[1]
    with pytest.raises(RuleViolation) as exc:
        services.contest_start(actor=None, contest=qw.contest, member=member,
                               now=qw.contest.opens_at - dt.timedelta(seconds=1))  # fmt: skip
    assert exc.value.code == "not_open"
    with pytest.raises(RuleViolation) as exc:
        services.contest_start(actor=None, contest=qw.contest, member=member, now=qw.contest.closes_at)
    assert exc.value.code == "not_open"


def test_each_participant_gets_a_random_draw_by_kind_counts(qw):
    import random

    papers = [
        services.contest_start(actor=None, contest=qw.contest, member=m, rng=random.Random(i))
        for i, m in enumerate(qw.lw.members)
    ]
    for p in papers:
        kinds = [q["kind"] for q in p.questions]
        assert kinds == ["single"] * 3 + ["multiple"] * 2 + ["judge"] * 2 + ["fill"]
        assert len({q["id"] for q in p.questions}) == 8 and p.max_score == 90
    assert len({tuple(q["id"] for q in p.questions) for p in papers}) > 1


def _finish(qw, scores_and_times):
    """Members of branch A hand in papers reaching the given (right answers, seconds) at once."""
    now = timezone.now()
    out = []
    for member, (right, seconds) in zip(qw.lw.members, scores_and_times, strict=False):
        attempt = services.contest_start(actor=None, contest=qw.contest, member=member, now=now)
        key = right_answers(attempt)
        answers = {qid: (ans if i < right else []) for i, (qid, ans) in enumerate(key.items())}
        out.append(services.attempt_submit(actor=None, member=member, attempt=attempt, answers=answers,
                                           now=now + dt.timedelta(seconds=seconds)))  # fmt: skip
    return out


def test_ranking_by_score_then_time_with_names_masked_for_the_others(qw):
    a, b, c, d = _finish(qw, [(8, 300), (8, 200), (5, 100), (8, 200)])
    ranked = list(selectors.ranking(qw.contest).values_list("member_id", "rank"))
    assert (
        ranked[0][1] == 1 and ranked[1][1] == 1 and {ranked[0][0], ranked[1][0]} == {b.member_id, d.member_id}
    )
    assert ranked[2] == (a.member_id, 3) and ranked[3] == (c.member_id, 4)
    assert selectors.rank_of(a) == 3 and selectors.rank_of(a, qw.lw.branch_a) == 3
    api = ApiClient(qw.lw.users[0])
    mine = api.get(f"/api/v1/learning/quiz/contests/{qw.contest.pk}/ranking").json()
    assert mine["my_rank"] == 3 and mine["participants"] == 4
    names = {row["name"] for row in mine["top"]}
    assert "李书记" in names  # their own name
    assert not names & {"王骑手", "张骑手", "陈骑手"} and {"王**", "张**", "陈**"} <= names
    client = Client()
    client.force_login(qw.lw.users[0])
    html = client.get(f"/learning/quiz/contests/{qw.contest.pk}/ranking/").content.decode()
    assert "王**" in html and "王骑手" not in html
    # the organisers see the names, by branch and committee
    office = ApiClient(qw.lw.publisher)
    full = office.get(f"/api/v1/learning/quiz/manage/contests/{qw.contest.pk}/ranking").json()
    assert full["count"] == 4 and "王骑手" in {r["name"] for r in full["items"]}
    part = office.get(f"/api/v1/learning/quiz/manage/contests/{qw.contest.pk}/participation").json()
    assert part["submitted"] == 4 and part["by_branch"][0]["name"] == qw.lw.branch_a.name
    assert part["by_committee"][0]["started"] == 4
    assert (
        ApiClient(qw.lw.outsider_user)
        .get(f"/api/v1/learning/quiz/contests/{qw.contest.pk}/ranking")
        .status_code
        == 404
    )


def test_certificates_after_the_close_with_a_public_verification_of_facts_only(qw):
    papers = _finish(qw, [(8, 300), (7, 200), (2, 100), (6, 250)])  # 90, 80, 20 and 70 points
    with pytest.raises(RuleViolation) as exc:
        services.certificates_issue(actor=qw.lw.reviewer, contest=qw.contest)
    assert exc.value.code == "not_closed"
    after = qw.contest.closes_at + dt.timedelta(hours=1)
    assert services.certificates_issue(actor=qw.lw.reviewer, contest=qw.contest, now=after) == 3
    assert services.certificates_issue(actor=qw.lw.reviewer, contest=qw.contest, now=after) == 0
    kinds = dict(Certificate.objects.values_list("member_id", "kind"))
    assert kinds[papers[0].member_id] == kinds[papers[1].member_id] == CertificateKind.AWARD
    assert kinds[papers[3].member_id] == CertificateKind.PARTICIPATION and papers[2].member_id not in kinds
    cert = Certificate.objects.get(member_id=papers[0].member_id)
    client = Client()
    client.force_login(qw.lw.users[0])
    page = client.get(f"/learning/quiz/certificates/{cert.pk}/").content.decode()
    assert cert.number in page and "<svg" in page and f"/learning/quiz/verify/{cert.token}/" in page
    public = Client().get(f"/learning/quiz/verify/{cert.token}/")
    body = public.content.decode()
    assert public.status_code == 200 and cert.number in body and "李**" in body and "李书记" not in body
    assert qw.lw.branch_a.name not in body
    assert Client().get("/learning/quiz/verify/not-a-token/").status_code == 404
    other = Client()
    other.force_login(qw.lw.users[1])
    assert other.get(f"/learning/quiz/certificates/{cert.pk}/").status_code == 404


def test_results_export_in_the_ledger_format(qw):
    import io

    from openpyxl import load_workbook

    _finish(qw, [(8, 300), (4, 200)])
    resp = ApiClient(qw.lw.publisher).get(f"/api/v1/learning/quiz/manage/contests/{qw.contest.pk}/export")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(resp.streaming_content)))
    rows = list(wb.active.values)
    assert rows[0][:4] == ("名次", "姓名", "所在支部", "状态") and len(rows) == 3
    assert rows[1][0] == 1 and rows[1][4] == 90


def test_the_organiser_pages_create_publish_and_follow_a_contest(qw):
    client = Client()
    client.force_login(qw.lw.publisher)
    assert "题库与竞赛" in client.get("/learning/quiz/manage/").content.decode()
    opens = timezone.localtime() + dt.timedelta(hours=1)
    form = {
        "organiser": qw.lw.committee_x.pk, "bank": qw.bank.pk, "title": "安全骑行知识竞赛",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (opens + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "minutes": "15", "draw_single": "4", "points_single": "25", "pass_score": "60", "award_top": "1",
    }  # fmt: skip
    bad = client.post("/learning/quiz/manage/contests/new/", {**form, "draw_single": "9"})
    assert bad.status_code == 400 and "单选题只有 6 道" in bad.content.decode()
    resp = client.post("/learning/quiz/manage/contests/new/", form)
    assert resp.status_code == 302
    contest = qw.contest.__class__.objects.get(title="安全骑行知识竞赛")
    assert contest.time_limit_s == 900 and contest.max_score == 100 and contest.status == "draft"
    assert AuditLog.objects.filter(action="contest_create", object_id=str(contest.pk)).exists()
    reviewer = Client()
    reviewer.force_login(qw.lw.reviewer)
    assert reviewer.post(resp["Location"], {"action": "publish"}).status_code == 302
    contest.refresh_from_db()
    assert contest.status == "published"
    _finish(qw, [(8, 300)])
    page = client.get(f"/learning/quiz/manage/contests/{qw.contest.pk}/").content.decode()
    assert "李书记" in page and qw.lw.branch_a.name in page and "参与情况" in page
    export = client.get(f"/learning/quiz/manage/contests/{qw.contest.pk}/?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
