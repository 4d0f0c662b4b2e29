"""书记信箱: a letter reaches the recipients of its org's mailbox only; an anonymous letter's author is
hidden from the secretary everywhere — page, API, notifications, the audit log — still gets the reply,
and is revealed only through the security administrator's audited break-glass; overdue letters show on
the secretary's home and in the committee's counts (counts only)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import Client
from django.utils import timezone

from sanxin.community import services
from sanxin.community.models import Letter
from sanxin.core.models import AuditLog, Notification
from tests.helpers import ApiClient, assert_error


def _page(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_an_anonymous_letters_author_is_hidden_from_the_secretary_and_revealed_only_by_break_glass(cw):
    api = ApiClient(cw.rider)
    targets = [o["id"] for o in api.get("/api/v1/community/mailbox/targets").json()]
    assert cw.branch_a.pk in targets and cw.committee_x.pk in targets and cw.branch_b.pk not in targets
    r = api.post(
        "/api/v1/community/mailbox/letters",
        {"org_id": cw.branch_a.pk, "subject": "站长克扣补贴", "body": "我们站长每月扣两百元的雨天补贴，不敢实名反映。", "anonymous": True},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    letter = Letter.objects.get(pk=r.json()["id"])
    assert letter.author_id is None and "李晨阳" in letter.sealed
    with connection.cursor() as cursor:  # stored encrypted
        cursor.execute("SELECT sealed FROM community_letter WHERE id = %s", [letter.pk])
        raw = cursor.fetchone()[0]
    assert raw and "李晨阳" not in raw and str(cw.rider.pk) not in raw.split(":")[0]
    # the secretary: the letter, never the name — API, page, notification
    sec = ApiClient(cw.secretary_a)
    inbox = sec.get("/api/v1/community/mailbox/inbox").json()["items"]
    assert [x["author"] for x in inbox] == ["匿名"]
    one = sec.get(f"/api/v1/community/mailbox/inbox/{letter.pk}")
    assert one.status_code == 200 and "李晨阳" not in one.content.decode() and one.json()["author"] == "匿名"
    for url in ("/community/mailbox/inbox/", f"/community/mailbox/inbox/{letter.pk}/"):
        page = _page(cw.secretary_a).get(url)
        assert page.status_code == 200 and "李晨阳" not in page.content.decode(), url
    told = Notification.objects.filter(recipient=cw.secretary_a, title__contains="站长克扣补贴")
    assert told.count() == 1 and "李晨阳" not in told.get().title and "匿名" in told.get().title
    # the audit log names no one for the sending
    sent = AuditLog.objects.get(action="letter_send", object_id=str(letter.pk))
    assert sent.actor_id is None and sent.actor_repr == "匿名来信人" and "李晨阳" not in str(sent.after)
    # the secretary replies; the anonymous author still gets it
    assert (
        sec.post(
            f"/api/v1/community/mailbox/inbox/{letter.pk}/reply", {"body": "已核实，下月补发。"}
        ).status_code
        == 201
    )
    assert Notification.objects.filter(recipient=cw.rider, title__contains="有了回复").exists()
    mine = api.get(f"/api/v1/community/mailbox/letters/{letter.pk}").json()
    assert mine["status"] == "replied" and mine["messages"][0]["body"] == "已核实，下月补发。"
    # the secretary (and the committee's office) cannot break the glass
    assert_error(
        sec.post(f"/api/v1/community/mailbox/letters/{letter.pk}/reveal", {"reason": "想知道是谁写的"}), 403
    )
    assert (
        _page(cw.secretary_a)
        .post(f"/community/mailbox/inbox/{letter.pk}/reveal/", {"reason": "想知道是谁"})
        .status_code
        == 403
    )
    assert_error(
        ApiClient(cw.committee_x_office).post(
            f"/api/v1/community/mailbox/letters/{letter.pk}/reveal", {"reason": "核查线索需要"}
        ),
        403,
    )
    # the security administrator can, with a reason, and it is audited
    admin = ApiClient(cw.security)
    assert_error(admin.post(f"/api/v1/community/mailbox/letters/{letter.pk}/reveal", {"reason": "看看"}), 422)
    assert not AuditLog.objects.filter(action="letter_reveal").exists()
    r = admin.post(
        f"/api/v1/community/mailbox/letters/{letter.pk}/reveal",
        {"reason": "来信涉及人身安全威胁，需联系本人核实"},
    )
    assert r.status_code == 200 and r.json()["name"] == "李晨阳" and r.json()["user_id"] == cw.rider.pk
    log = AuditLog.objects.get(action="letter_reveal", object_id=str(letter.pk))
    assert log.actor_id == cw.security.pk and "人身安全" in log.after["reason"]
    # the security administrator does not read the mailbox itself
    assert_error(admin.get(f"/api/v1/community/mailbox/inbox/{letter.pk}"), 403)


def test_a_named_letter_shows_its_author_and_goes_only_to_its_org(cw):
    letter = services.letter_send(
        actor=cw.rider, org=cw.branch_a, subject="想转正式党员", body="请问转正需要准备哪些材料？"
    )
    assert (
        ApiClient(cw.secretary_a).get(f"/api/v1/community/mailbox/inbox/{letter.pk}").json()["author"]
        == "李晨阳"
    )
    # the committee above and the other branch's secretary cannot open it (the mailbox is the branch's)
    assert_error(ApiClient(cw.committee_x_office).get(f"/api/v1/community/mailbox/inbox/{letter.pk}"), 404)
    assert_error(ApiClient(cw.secretary_b).get(f"/api/v1/community/mailbox/inbox/{letter.pk}"), 404)
    assert _page(cw.secretary_b).get(f"/community/mailbox/inbox/{letter.pk}/").status_code == 404
    # nor another member, through their own routes
    assert_error(ApiClient(cw.rider2).get(f"/api/v1/community/mailbox/letters/{letter.pk}"), 404)
    assert _page(cw.driver).get(f"/community/mailbox/mine/{letter.pk}/").status_code == 404
    # a member of branch B cannot write to branch A's secretary
    assert_error(
        ApiClient(cw.driver).post("/api/v1/community/mailbox/letters", {"org_id": cw.branch_a.pk, "subject": "你好", "body": "想问个问题啊"}),
        404,
    )  # fmt: skip


def test_overdue_letters_surface_on_the_secretarys_home_and_as_counts_for_the_committee(cw, settings):
    settings.COMMUNITY_LETTER_REPLY_DAYS = 5
    old = services.letter_send(
        actor=cw.rider,
        org=cw.branch_a,
        subject="夜间送餐照明",
        body="小区夜里路灯坏了很久，送餐摔过好几次。",
        anonymous=True,
    )
    Letter.objects.filter(pk=old.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=8), waiting_since=timezone.now() - dt.timedelta(days=8)
    )
    services.letter_send(actor=cw.rider2, org=cw.branch_a, subject="新来的", body="刚写的信，还没到期限。")
    home = _page(cw.secretary_a).get("/").content.decode()
    assert 'data-testid="card-letters-overdue">1 封超过 5 天未回复' in home
    assert (
        ApiClient(cw.secretary_a).get("/api/v1/community/mailbox/inbox", {"overdue": "true"}).json()["count"]
        == 1
    )
    rows = ApiClient(cw.committee_x_office).get("/api/v1/community/oversight").json()
    row = next(r for r in rows if r["org_id"] == cw.branch_a.pk)
    assert (row["letters"], row["waiting"], row["overdue"]) == (2, 2, 1)
    page = _page(cw.committee_x_office).get("/community/oversight/").content.decode()
    assert "夜间送餐照明" not in page and "刚写的信" not in page  # counts only
    assert "夜间送餐照明" not in str(rows)
    # a reply ends the lateness
    services.letter_reply(actor=cw.secretary_a, letter=old, body="已联系物业修路灯。")
    row = next(
        r
        for r in ApiClient(cw.committee_x_office).get("/api/v1/community/oversight").json()
        if r["org_id"] == cw.branch_a.pk
    )
    assert row["overdue"] == 0
    # the other committee sees no row of branch A
    other = ApiClient(cw.secretary_b).get("/api/v1/community/oversight").json()
    assert cw.branch_a.pk not in [r["org_id"] for r in other]


def test_letters_are_rate_limited_per_day(cw, settings):
    settings.COMMUNITY_LETTERS_PER_DAY = 2
    api = ApiClient(cw.rider)
    body = {"org_id": cw.branch_a.pk, "subject": "反映情况", "body": "这里写具体的情况说明。"}
    assert api.post("/api/v1/community/mailbox/letters", body).status_code == 201
    assert api.post("/api/v1/community/mailbox/letters", body | {"anonymous": True}).status_code == 201
    err = assert_error(api.post("/api/v1/community/mailbox/letters", body), 429, "rate_limited")
    assert "每天最多 2 条" in err["message"]


def test_the_inbox_reads_in_a_fixed_number_of_queries(cw, settings):
    from tests.helpers import assert_max_queries

    settings.COMMUNITY_LETTERS_PER_DAY = 50
    for i in range(3):
        services.letter_send(
            actor=cw.rider, org=cw.branch_a, subject=f"第{i}封", body="这里写具体的情况说明。"
        )
    api = ApiClient(cw.secretary_a)
    api.get("/api/v1/community/mailbox/inbox")  # warm the token's user
    with assert_max_queries(12):
        first = api.get("/api/v1/community/mailbox/inbox")
    for i in range(3, 12):
        services.letter_send(
            actor=cw.rider2 if i % 2 else cw.rider,
            org=cw.branch_a,
            subject=f"第{i}封",
            body="这里写具体的情况说明。",
        )
    with assert_max_queries(12):
        more = api.get("/api/v1/community/mailbox/inbox")
    assert first.json()["count"] == 3 and more.json()["count"] == 12
