"""组织关系转接 in a real browser (新河市 demo): the rider 李晨阳 (``dangyuan``) shows their 党员数字身份证 on
the phone, applies to move their relation to a sibling branch under the same platform committee, the
branch secretary approves and issues the letter, the 快递外卖 industry committee accepts for the
receiving branch, the member reports there; the old credential then verifies as revoked, and each side
was told through the in-app notifications."""

from __future__ import annotations

from django.utils import timezone

from sanxin.core.models import Notification
from sanxin.members.models import Member, OrgRelation, RelationKind
from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus
from sanxin.transfers import services
from sanxin.transfers.credentials.models import Credential
from sanxin.transfers.models import Kind, State, Transfer
from tests.e2e.conftest import DESKTOP, PHONE, login, open_page

BRANCH = "蜂行快送城关站流动党员党支部"
NAME = "李晨阳"
REASON = "工作站点调整，便于就近参加组织生活"
WAIT = 30000  # pages that do work (sign, switch the relation, notify) on a busy machine


def _sibling(branch: Org) -> Org:
    """An active branch under the same parent as ``branch``: a move inside one committee, so no higher
    level's approval is inserted."""
    sibling = (
        Org.objects.filter(
            path__startswith=branch.path[: -Org.steplen],
            depth=branch.depth,
            status=OrgStatus.ACTIVE,
            org_type__in=BRANCH_TYPES,
        )
        .exclude(pk=branch.pk)
        .order_by("path")
        .first()
    )
    assert sibling is not None, f"no sibling branch of {branch.name} in the demo"
    assert services.approver_for(Kind.OUT, branch, sibling) is None
    return sibling


def _verify(browser, base_url: str, token: str):
    """The public verification page, without a login, as a stranger scanning the QR would; returns
    the verdict's status and text."""
    stranger = open_page(browser, base_url, PHONE)
    try:
        stranger.goto("/transfers/credentials/verify/")
        form = stranger.locator('[data-testid="verify-form"]')
        form.get_by_label("身份证编码").fill(token)
        with stranger.expect_navigation():
            form.get_by_role("button", name="核验", exact=True).click()
        verdict = stranger.locator('[data-testid="verdict"]')
        verdict.wait_for(timeout=WAIT)
        result = verdict.get_attribute("data-status"), verdict.inner_text()
        assert stranger.console_errors == [] and stranger.csp_violations == []
        return result
    finally:
        stranger.context.close()


def _holder(page) -> str:
    return page.locator('[data-testid="holder"]').inner_text()


def _not_400(errors: list[str]) -> list[str]:
    # a refused form answers 400, and the browser logs that; nothing else may go wrong
    return [e for e in errors if "status of 400" not in e]


def test_member_transfers_to_a_sibling_branch_reports_and_the_old_credential_is_revoked(
    phone_page, page, browser, live_server, demo
):
    today = f"{timezone.localdate():%Y-%m-%d}"
    member = Member.objects.select_related("person").get(person__user__username="dangyuan")
    assert member.person.name == NAME
    old = Org.objects.get(name=BRANCH)
    new = _sibling(old)

    # 1. The member shows their credential on the phone; a stranger verifies it without logging in.
    me = phone_page
    login(me, "dangyuan")
    me.goto("/transfers/credentials/mine/")
    issue = me.locator('[data-testid="issue-form"]')
    if issue.get_by_role("button", name="申领党员数字身份证").count():
        with me.expect_navigation():
            issue.get_by_role("button", name="申领党员数字身份证").click()
        me.get_by_text("已签发新的党员数字身份证").first.wait_for(timeout=WAIT)
    card = me.locator('[data-testid="my-credential"]')
    assert "有效" in card.get_by_role("status").inner_text()
    qr = card.get_by_role("img", name="党员数字身份证二维码")
    qr.wait_for()
    me.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert any(s == 200 and "/transfers/credentials/mine/qr.png" in u for s, u in me.responses)
    claims = card.locator('[data-testid="credential-claims"]').inner_text()
    assert NAME in claims and BRANCH in claims
    card.get_by_text("身份证编码（文字）").click()
    token = card.locator("details code").inner_text().strip()
    credential = Credential.objects.get(member=member, revoked_at__isnull=True)
    assert token == credential.token and token.startswith("SX1:")
    status, text = _verify(browser, live_server.url, token)
    assert status == "valid" and "有效" in text and NAME in text
    assert me.console_errors == [] and me.csp_violations == []

    # 2. The member applies on /transfers/mine/: a wrong org code first, then the sibling branch's.
    me.goto("/transfers/mine/")
    form = me.locator('[data-testid="my-apply"]')
    assert BRANCH in form.inner_text()
    form.get_by_label("转接类型").select_option(label="转出（平台内）")
    form.get_by_label("接收组织编码（平台内）").fill("NO-SUCH-ORG")
    form.get_by_label("转接原因").fill(REASON)
    with me.expect_navigation():
        form.get_by_role("button", name="提交申请").click()
    form = me.locator('[data-testid="my-apply"]')
    assert "没有找到该接收组织，请核对组织编码" in form.get_by_role("alert").first.inner_text()
    assert form.get_by_label("转接类型").input_value() == Kind.OUT
    assert form.get_by_label("接收组织编码（平台内）").input_value() == "NO-SUCH-ORG"
    assert form.get_by_label("转接原因").input_value() == REASON
    assert not Transfer.objects.filter(member=member).exists()
    form.get_by_label("接收组织编码（平台内）").fill(new.code)
    with me.expect_navigation():
        form.get_by_role("button", name="提交申请").click()
    me.get_by_text("已提交组织关系转接申请").first.wait_for(timeout=WAIT)
    transfer = Transfer.objects.get(member=member)
    assert (transfer.state, transfer.from_org, transfer.to_org, transfer.approver) == (
        State.APPLIED,
        old,
        new,
        None,
    )
    tracking = me.locator('[data-testid="tracking"]').inner_text()
    assert "待转出组织审批" in tracking and new.name in tracking and REASON in tracking
    assert f"{old.name}，自{today}起" in _holder(me)
    assert _not_400(me.console_errors) == [] and me.csp_violations == []

    # 6 (after the application). The secretary is told it waits for them; the member of the progress.
    shuji = Notification.objects.filter(recipient__username="shuji", kind="transfers.waiting")
    assert any(NAME in n.title for n in shuji), [n.title for n in shuji]
    assert Notification.objects.filter(recipient__username="dangyuan", kind="transfers.progress").exists()

    # 3. The branch secretary finds it in their queue, approves it and issues the letter.
    login(page, "shuji")
    page.goto("/notifications/")
    told = page.locator('[data-testid="notification"]').filter(has_text=NAME).first
    assert "待" in told.inner_text()
    page.goto("/transfers/")
    queue = page.locator('[data-testid="queue-approve"]')
    queue.get_by_role("link", name=NAME, exact=True).click()
    page.locator('[data-testid="tracking"]').wait_for()
    assert f"{old.name}，自{today}起" in _holder(page)
    approve = page.locator('[data-testid="action-approve"]')
    with page.expect_navigation():
        approve.get_by_role("button", name="审批同意并开具介绍信").click()
    page.get_by_text("已审批同意并开具介绍信").first.wait_for(timeout=WAIT)
    transfer.refresh_from_db()
    assert transfer.state == State.APPROVED and transfer.holder == new
    letter = page.locator('[data-testid="letter"]').inner_text()
    assert transfer.letter.number in letter and f"{today}开具" in letter
    assert "待接收" in page.locator('[data-testid="tracking"]').inner_text()
    assert f"{new.name}，自{today}起" in _holder(page)
    steps = page.locator('[data-testid="steps"]').inner_text()
    assert "提出申请" in steps and "转出组织审批同意" in steps and "开具介绍信" in steps
    # the out-org may still withdraw it, nothing else
    forms = page.locator('[data-testid^="action-"]')
    assert [forms.nth(i).get_attribute("data-testid") for i in range(forms.count())] == ["action-cancel"]
    assert page.console_errors == [] and page.csp_violations == []

    # 4. The receiving branch has no demo login: the 快递外卖 industry committee, whose subtree holds
    # it, accepts; the relation switches now.
    assert services.receiver_of(transfer) == new
    office = open_page(browser, live_server.url, DESKTOP)
    try:
        login(office, "kuaidi")
        office.goto("/transfers/")
        office.locator('[data-testid="queue-accept"]').get_by_role("link", name=NAME, exact=True).click()
        office.locator('[data-testid="tracking"]').wait_for()
        assert f"{new.name}，自{today}起" in _holder(office)
        accept = office.locator('[data-testid="action-accept"]')
        with office.expect_navigation():
            accept.get_by_role("button", name="接收", exact=True).click()
        office.get_by_text("已接收，组织关系已转入").first.wait_for(timeout=WAIT)
        assert "已接收，待报到" in office.locator('[data-testid="tracking"]').inner_text()
        assert f"{new.name}，自{today}起" in _holder(office)
        assert "接收组织同意接收" in office.locator('[data-testid="steps"]').inner_text()
        assert office.console_errors == [] and office.csp_violations == []
    finally:
        office.context.close()
    transfer.refresh_from_db()
    assert transfer.state == State.ACCEPTED

    # 5. The member sees it accepted and reports to the new branch.
    me.goto("/transfers/mine/")
    tracking = me.locator('[data-testid="tracking"]').inner_text()
    assert "已接收，待报到" in tracking
    assert f"{new.name}，自{today}起" in _holder(me)
    report = me.locator('[data-testid="my-report"]')
    with me.expect_navigation():
        report.get_by_role("button", name="登记报到").click()
    me.get_by_text("已登记报到").first.wait_for(timeout=WAIT)
    row = me.get_by_role("row").filter(has_text=new.name)
    assert "已报到" in row.inner_text()
    transfer.refresh_from_db()
    assert transfer.state == State.REPORTED and transfer.holder is None
    formal = OrgRelation.objects.get(member=member, kind=RelationKind.FORMAL, end_on__isnull=True)
    assert formal.org == new
    assert OrgRelation.objects.get(member=member, kind=RelationKind.FORMAL, org=old).end_on is not None
    status, text = _verify(browser, live_server.url, token)
    assert status == "revoked" and "组织关系已转出" in text
    me.goto("/transfers/credentials/mine/")
    assert "您还没有有效的党员数字身份证" in me.get_by_role("main").inner_text()

    # 6. The member was told of each step, on the bell's page too.
    progress = [
        n.title
        for n in Notification.objects.filter(recipient__username="dangyuan", kind="transfers.progress")
    ]
    for state in ("待转出组织审批", "待接收", "已接收，待报到", "已报到"):
        assert any(state in title for title in progress), (state, progress)
    me.goto("/notifications/")
    inbox = me.locator('[data-testid="notification"]')
    assert inbox.filter(has_text="您的组织关系转接").count() >= len(progress)

    assert _not_400(me.console_errors) == [] and me.csp_violations == []
    assert page.console_errors == [] and page.csp_violations == []
