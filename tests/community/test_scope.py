"""A member of branch A cannot read branch B's board, threads, posts, letters or suggestions by any page,
API route or search. The members' routes are the caller's own (``permission.own()``: the scope walker
does not walk them), so this test walks every community route itself, as a member of branch A, with
the ids of branch B's objects and with a search for B's words."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import get_resolver

from sanxin.api import api
from sanxin.community import services
from sanxin.community.api import router
from tests.helpers import ApiClient

SECRET = "司机之家秘密"  # in every text of branch B


@pytest.fixture
def b_side(cw):
    thread = services.thread_create(
        actor=cw.driver, board=cw.board_b, title=f"{SECRET}主题", body=f"{SECRET}正文"
    )
    reply = services.reply_create(actor=cw.driver, thread=thread, body=f"{SECRET}回复")
    letter = services.letter_send(
        actor=cw.driver, org=cw.branch_b, subject=f"{SECRET}来信", body=f"{SECRET}内容写清楚"
    )
    suggestion = services.suggestion_propose(
        actor=cw.driver,
        org=cw.branch_b,
        title=f"{SECRET}建议",
        body=f"{SECRET}建议内容写够十个字",
        category="other",
    )
    return {
        "board_id": cw.board_b.pk,
        "thread_id": thread.pk,
        "post_id": reply.pk,
        "letter_id": letter.pk,
        "suggestion_id": suggestion.pk,
        "word_id": 0,
    }


def _api_routes():
    prefix = next(p for p, r in api._routers if r is router)
    for path, view in router.path_operations.items():
        for op in view.operations:
            for method in op.methods:
                yield method, f"/api/v1{prefix}{path}"


def _page_routes():
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if str(pattern.pattern) == "community/":
            for p in pattern.url_patterns:
                yield "/community/" + re.sub(r"<int:(\w+)>", r"{\1}", str(p.pattern))


QUERY = SECRET[:4]  # a search for B's words; the page echoes the query, never the whole text
BODIES = {"like": {"like": True}, "report": {"reason": "举报理由"}, "followup": {"body": "补充内容"},
          "posts": {"body": "回复内容"}, "threads": {"title": "标题", "body": "内容"},
          "moderate": {"action": "hide", "reason": "隐藏原因"}, "set": {"pinned": True}, "reply": {"body": "回复"},
          "reveal": {"reason": "查看理由写够六个字"}, "decide": {"action": "answer", "text": "答复内容"},
          "forward": {"to_org_id": 1, "note": "转交说明"}, "second": {}}  # fmt: skip


def test_a_member_of_branch_a_reads_nothing_of_branch_b_by_any_api_route(cw, b_side):
    api_client = ApiClient(cw.rider)
    walked = 0
    for method, template in _api_routes():
        params = re.findall(r"{(\w+)}", template)
        url = template.format(**{p: b_side[p] for p in params})
        if method == "GET":
            r = api_client.get(url, {"q": QUERY} if "search" in url or not params else None)
        elif method == "DELETE":
            r = api_client.delete(url)
        else:
            r = api_client.post(url, BODIES.get(url.rstrip("/").rsplit("/", 1)[-1], {}))
        walked += 1
        assert SECRET not in r.content.decode(), f"{method} {template} shows branch B's text"
        if params:
            assert r.status_code in (403, 404), f"{method} {template} answered {r.status_code}"
    assert walked >= 30


def test_a_member_of_branch_a_reads_nothing_of_branch_b_by_any_page(cw, b_side):
    page = Client()
    page.force_login(cw.rider)
    walked = 0
    for template in _page_routes():
        params = re.findall(r"{(\w+)}", template)
        url = template.format(**{p: b_side[p] for p in params})
        for method in ("GET", "POST"):
            r = (
                page.get(url, {"q": QUERY})
                if method == "GET"
                else page.post(url, {"action": "like", "body": "x"})
            )
            walked += 1
            assert SECRET not in r.content.decode(), f"{method} {template} shows branch B's text"
            if params and r.status_code != 405:
                assert r.status_code in (403, 404), f"{method} {template} answered {r.status_code}"
    assert walked >= 30


def test_lists_and_search_hold_only_what_the_member_may_read(cw, b_side):
    own = services.thread_create(actor=cw.rider2, board=cw.board_a, title="骑手支部的帖子", body="大家好")
    rider = ApiClient(cw.rider)
    boards = {b["id"] for b in rider.get("/api/v1/community/boards").json()}
    assert boards == {cw.board_a.pk, cw.board_x.pk, cw.board_city.pk}  # branch, committee, region-wide
    assert [t["id"] for t in rider.get("/api/v1/community/search", {"q": "骑手支部"}).json()] == [own.pk]
    assert rider.get("/api/v1/community/search", {"q": QUERY}).json() == []
    assert [s["title"] for s in rider.get("/api/v1/community/suggestions").json()["items"]] == []
    assert rider.get("/api/v1/community/mailbox/letters").json()["items"] == []
    # the committee above branch B sees B's board; committee X's office does not
    assert cw.board_b.pk not in {
        b["id"] for b in ApiClient(cw.committee_x_office).get("/api/v1/community/boards").json()
    }
    # branch B's member reads the region-wide board and their own, not branch A's
    driver_boards = {b["id"] for b in ApiClient(cw.driver).get("/api/v1/community/boards").json()}
    assert driver_boards == {cw.board_b.pk, cw.board_city.pk}
