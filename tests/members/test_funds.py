"""党组织经费: the ledger's services refuse what they must (each refusal), the ledger is append-only,
balances and monthly totals come from the database, scope holds both ways."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, InternalError, OperationalError, ProgrammingError, transaction
from django.utils import timezone

from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.models import AuditLog, StoredFile
from sanxin.members import services as member_services
from sanxin.members.dues import Basis
from sanxin.members.funds import selectors, services
from sanxin.members.funds.models import FundEntry, FundKind
from sanxin.orgs import services as org_services
from sanxin.orgs.models import OrgType
from tests.world import build_world

pytestmark = pytest.mark.django_db

D = dt.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
PDF = b"%PDF-1.7\n" + b"x" * 100


def receipt(content=PNG, name="发票.png"):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def w():
    return build_world()


JAN10, FEB1 = D(2025, 1, 10), D(2025, 2, 1)


def income(org, amount="1000", on=JAN10, actor=None, kind=FundKind.OTHER_INCOME):
    return services.entry_record(actor=actor, org=org, kind=kind, amount=amount, occurred_on=on, note="收入")


def spend(org, amount="100", on=FEB1, actor=None, **kw):
    kw.setdefault("receipt_upload", receipt())
    return services.entry_record(
        actor=actor,
        org=org,
        kind=FundKind.SPENDING,
        category=kw.pop("category", "activity"),
        amount=amount,
        occurred_on=on,
        counterpart="新河文具店",
        **kw,
    )


def test_income_and_spending_make_the_balance_and_are_audited(w):
    e = income(w.branch_a, "1000.50", actor=w.secretary_a)
    s = spend(w.branch_a, "200.25", actor=w.secretary_a)
    assert e.amount == Decimal("1000.50") and s.amount == Decimal("-200.25")
    assert selectors.balance(w.branch_a) == Decimal("800.25")
    assert selectors.balance(w.branch_a, D(2025, 1, 31)) == Decimal("1000.50")
    assert s.receipt.purpose == services.RECEIPT_PURPOSE and s.receipt.content_type == "image/png"
    for entry in (e, s):
        assert AuditLog.objects.filter(
            object_type="members.fundentry",
            object_id=str(entry.pk),
            action="create",
            actor_id=w.secretary_a.pk,
        ).exists()


def test_spending_without_a_receipt_or_category_is_refused(w):
    income(w.branch_a)
    with pytest.raises(InvalidInput) as e:
        spend(w.branch_a, receipt_upload=None)
    assert e.value.code == "no_receipt" and "凭证" in e.value.message
    with pytest.raises(InvalidInput) as e:
        spend(w.branch_a, category="")
    assert e.value.field == "category"
    with pytest.raises(InvalidInput) as e:  # a receipt must be an image or a PDF, by its content
        spend(w.branch_a, receipt_upload=receipt(b"plain text, not a receipt", "发票.png"))
    assert e.value.code == "bad_type"
    assert (
        spend(w.branch_a, receipt_upload=receipt(PDF, "收据.pdf")).receipt.content_type == "application/pdf"
    )
    assert FundEntry.objects.filter(kind=FundKind.SPENDING).count() == 1


def test_receipt_is_size_limited(w, settings):
    income(w.branch_a)
    big = PNG + b"\x00" * services.RECEIPT_MAX_BYTES
    with pytest.raises(InvalidInput) as e:
        spend(w.branch_a, receipt_upload=receipt(big))
    assert e.value.code == "too_large"
    assert not FundEntry.objects.filter(kind=FundKind.SPENDING).exists()


def test_spending_beyond_the_balance_is_refused_also_when_backdated(w):
    income(w.branch_a, "100", on=D(2025, 3, 1))
    with pytest.raises(RuleViolation) as e:
        spend(w.branch_a, "100.01", on=D(2025, 3, 2))
    assert e.value.code == "insufficient_balance" and "余额不足" in e.value.message
    # the money arrived on 1 March: a spending dated February would overdraw February
    with pytest.raises(RuleViolation):
        spend(w.branch_a, "50", on=D(2025, 2, 20))
    spend(w.branch_a, "60", on=D(2025, 3, 5))
    # a backdated spending must leave every later day's balance non-negative: 100 on 1 March, 40 after
    with pytest.raises(RuleViolation):
        spend(w.branch_a, "41", on=D(2025, 3, 2))
    spend(w.branch_a, "40", on=D(2025, 3, 2))
    assert selectors.balance(w.branch_a) == Decimal("0.00")
    assert (
        not StoredFile.objects.filter(purpose=services.RECEIPT_PURPOSE)
        .exclude(pk__in=FundEntry.objects.values("receipt"))
        .exists()
    )  # refused spendings stored no receipt


@pytest.mark.parametrize(
    ("amount", "field"),
    [("0", "amount"), ("-5", "amount"), ("1.234", "amount"), ("abc", "amount"), ("1000000000", "amount")],
)
def test_bad_amounts_get_chinese_errors(w, amount, field):
    with pytest.raises(InvalidInput) as e:
        income(w.branch_a, amount)
    assert e.value.field == field and any("\u4e00" <= ch <= "\u9fff" for ch in e.value.message)


def test_other_refusals(w):
    with pytest.raises(InvalidInput):  # the future
        income(w.branch_a, on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(InvalidInput) as e:  # an allocation out is not recorded by hand
        income(w.branch_a, kind=FundKind.ALLOCATION_OUT)
    assert e.value.code == "wrong_form"
    with pytest.raises(InvalidInput):
        income(w.branch_a, kind="bonus")
    with pytest.raises(InvalidInput):  # only spending has a category
        services.entry_record(
            actor=None,
            org=w.branch_a,
            kind="other_income",
            amount="5",
            occurred_on=D(2025, 1, 1),
            category="care",
        )
    group = org_services.org_create(
        actor=None,
        parent=w.branch_a,
        name="第一党小组",
        org_type=OrgType.GROUP,
        region=w.branch_a.region,
        founded_on=D(2022, 1, 1),
    )
    with pytest.raises(RuleViolation) as e:
        income(group)
    assert e.value.code == "group_no_ledger"


def test_the_ledger_is_append_only(w):
    e = income(w.branch_a)
    with pytest.raises(ValueError):
        e.save()
    with pytest.raises(ValueError):
        e.delete()
    # the database refuses an UPDATE that bypasses the model (both databases) ...
    with pytest.raises((IntegrityError, InternalError, OperationalError, ProgrammingError)):
        with transaction.atomic():
            FundEntry.objects.filter(pk=e.pk).update(amount=Decimal("9999"))
    assert FundEntry.objects.get(pk=e.pk).amount == Decimal("1000.00")


def test_the_ledger_refuses_delete_on_postgresql(w, db_vendor):
    if db_vendor != "postgresql":
        assert db_vendor == "sqlite"  # SQLite keeps DELETE for the test runner's flush, as for the audit log
        return
    e = income(w.branch_a)
    with pytest.raises((IntegrityError, InternalError, OperationalError, ProgrammingError)):
        with transaction.atomic():
            FundEntry.objects.filter(pk=e.pk)._raw_delete(FundEntry.objects.db)
    assert FundEntry.objects.filter(pk=e.pk).exists()


def test_reversal_corrects_by_a_new_entry_once(w):
    e = income(w.branch_a, "300")
    s = spend(w.branch_a, "100")
    [r] = services.entry_reverse(actor=w.secretary_a, entry=s, reason="金额记错")
    assert r.reverses == s and r.amount == Decimal("100.00") and r.kind == FundKind.SPENDING
    assert r.receipt is None and "金额记错" in r.note
    assert selectors.balance(w.branch_a) == Decimal("300.00")
    assert FundEntry.objects.get(pk=s.pk).amount == Decimal("-100.00")  # the original stays as it was
    assert AuditLog.objects.filter(action="reverse", object_id=str(r.pk), actor_id=w.secretary_a.pk).exists()
    with pytest.raises(RuleViolation) as err:
        services.entry_reverse(actor=None, entry=s, reason="再次")
    assert err.value.code == "already_reversed"
    with pytest.raises(RuleViolation) as err:
        services.entry_reverse(actor=None, entry=r, reason="冲销冲销")
    assert err.value.code == "is_reversal"
    with pytest.raises(InvalidInput):
        services.entry_reverse(actor=None, entry=e, reason=" ")
    spend(w.branch_a, "250", on=timezone.localdate())  # the reversal gave the 100 back today
    with pytest.raises(RuleViolation) as err:  # taking the income back would overdraw
        services.entry_reverse(actor=None, entry=e, reason="退回")
    assert err.value.code == "insufficient_balance"


def test_allocation_writes_both_sides_and_reverses_together(w):
    income(w.committee_x, "5000")
    out, into = services.funds_allocate(
        actor=w.industry_x, source=w.committee_x, target=w.branch_a, amount="1200", occurred_on=D(2025, 4, 1)
    )
    assert (out.org, out.amount, out.kind) == (w.committee_x, Decimal("-1200.00"), FundKind.ALLOCATION_OUT)
    assert (into.org, into.amount, into.kind) == (w.branch_a, Decimal("1200.00"), FundKind.ALLOCATION_IN)
    assert out.transfer == into.transfer and into.counterpart == w.committee_x.name
    assert selectors.balance(w.committee_x) == Decimal("3800.00")
    with pytest.raises(RuleViolation) as e:  # more than the committee holds
        services.funds_allocate(
            actor=None, source=w.committee_x, target=w.branch_a, amount="3800.01", occurred_on=D(2025, 4, 2)
        )
    assert e.value.code == "insufficient_balance"
    with pytest.raises(RuleViolation) as e:  # only downwards
        services.funds_allocate(
            actor=None, source=w.branch_a, target=w.committee_x, amount="1", occurred_on=D(2025, 4, 2)
        )
    assert e.value.code == "not_below"
    with pytest.raises(NotFound):  # a committee of another side
        services.funds_allocate(
            actor=w.industry_x, source=w.committee_x, target=w.branch_b, amount="1", occurred_on=D(2025, 4, 2)
        )
    with pytest.raises(NotFound):  # the branch secretary has no scope over the committee
        services.funds_allocate(
            actor=w.secretary_a,
            source=w.committee_x,
            target=w.branch_a,
            amount="1",
            occurred_on=D(2025, 4, 2),
        )
    with pytest.raises(NotFound):  # reversing an allocation needs both sides in scope
        services.entry_reverse(actor=w.secretary_a, entry=into, reason="错拨")
    reversal = services.entry_reverse(actor=w.industry_x, entry=into, reason="错拨")
    assert {r.reverses_id for r in reversal} == {out.pk, into.pk}
    assert selectors.balance(w.committee_x) == Decimal("5000.00") and selectors.balance(w.branch_a) == 0


def test_dues_return_is_proposed_from_collected_dues(w, settings):
    m = w.member_a
    member_services.income_declare(
        actor=None, member=m, basis=Basis.SALARY, amount="4500", month=D(2025, 1, 1)
    )
    for month, paid in [
        (D(2025, 1, 1), D(2025, 1, 5)),
        (D(2025, 2, 1), D(2025, 2, 5)),
        (D(2025, 3, 1), D(2025, 4, 2)),
    ]:
        member_services.dues_pay(actor=None, member=m, month_from=month, channel="wechat", paid_on=paid)
    # collected with a payment date in the quarter: January and February (45 each); March was paid in April
    p = selectors.dues_return_proposal(w.branch_a, D(2025, 1, 1), D(2025, 3, 31))
    assert (p.collected, p.share, p.amount) == (Decimal("90.00"), Decimal("0.50"), Decimal("45.00"))
    settings.DUES_RETURN_SHARE = "0.3"
    assert selectors.dues_return_proposal(w.branch_a, D(2025, 1, 1), D(2025, 3, 31)).amount == Decimal(
        "27.00"
    )
    e = services.dues_return_record(
        actor=w.secretary_a,
        org=w.branch_a,
        period_from=D(2025, 1, 1),
        period_to=D(2025, 3, 1),
        occurred_on=D(2025, 4, 10),
    )
    assert (e.kind, e.amount, e.period_from, e.period_to) == (
        FundKind.DUES_RETURN,
        Decimal("27.00"),
        D(2025, 1, 1),
        D(2025, 3, 31),
    )
    with pytest.raises(RuleViolation) as err:
        services.dues_return_record(
            actor=None,
            org=w.branch_a,
            period_from=D(2025, 3, 1),
            period_to=D(2025, 4, 1),
            occurred_on=D(2025, 5, 1),
        )
    assert err.value.code == "already_returned"
    with pytest.raises(RuleViolation) as err:
        services.dues_return_record(
            actor=None,
            org=w.branch_a,
            period_from=D(2025, 4, 1),
            period_to=D(2025, 4, 1),
            occurred_on=D(2025, 5, 1),
            amount="46",
        )
    assert err.value.code == "over_collected"
    with pytest.raises(RuleViolation) as err:
        services.dues_return_record(
            actor=None,
            org=w.branch_a,
            period_from=D(2024, 1, 1),
            period_to=D(2024, 1, 1),
            occurred_on=D(2025, 5, 1),
        )
    assert err.value.code == "nothing_collected"
    with pytest.raises(InvalidInput):
        services.dues_return_record(
            actor=None,
            org=w.branch_a,
            period_from=D(2025, 4, 1),
            period_to=D(2025, 4, 1),
            occurred_on=D(2025, 5, 1),
            share="1.5",
        )
    # a reversed return frees its period
    services.entry_reverse(actor=None, entry=e, reason="比例有误")
    again = services.dues_return_record(
        actor=None,
        org=w.branch_a,
        period_from=D(2025, 1, 1),
        period_to=D(2025, 3, 1),
        occurred_on=D(2025, 4, 12),
        share="0.5",
    )
    assert again.amount == Decimal("45.00")


def test_monthly_totals_and_running_balance(w):
    income(w.branch_a, "1000", on=D(2024, 12, 20))
    income(w.branch_a, "500", on=D(2025, 1, 10))
    s = spend(w.branch_a, "200", on=D(2025, 1, 15))
    spend(w.branch_a, "300", on=D(2025, 3, 2), category="care")
    services.entry_reverse(actor=None, entry=s, reason="退款", occurred_on=D(2025, 3, 5))
    rows = selectors.monthly(w.branch_a, 2025)
    assert [r["month"] for r in rows] == [D(2025, 1, 1), D(2025, 3, 1)]
    jan, mar = rows
    assert (jan["other_income"], jan["spending"], jan["net"], jan["closing"]) == (
        Decimal("500.00"),
        Decimal("-200.00"),
        Decimal("300.00"),
        Decimal("1300.00"),
    )
    assert (mar["spending"], mar["outflow"], mar["closing"]) == (
        Decimal("-100.00"),
        Decimal("100.00"),
        Decimal("1200.00"),
    )
    totals = selectors.year_totals(rows)
    assert totals["income"] == Decimal("500.00") and totals["net"] == Decimal("200.00")
    opening, qs = selectors.with_running_balance(w.branch_a, date_from=D(2025, 1, 1))
    assert opening == Decimal("1000.00")
    assert [e.running for e in qs] == [Decimal("1500"), Decimal("1300"), Decimal("1000"), Decimal("1200")]


def test_scope_of_reads_and_writes(w):
    income(w.branch_a)
    income(w.branch_b)
    from sanxin.core.scope import scope_for

    for user, own, other in [
        (w.secretary_a, w.branch_a, w.branch_b),
        (w.industry_x, w.branch_a, w.branch_b),
        (w.secretary_b, w.branch_b, w.branch_a),
    ]:
        seen = set(selectors.entries(scope_for(user, "people", "view")).values_list("org_id", flat=True))
        assert own.pk in seen and other.pk not in seen
        with pytest.raises(NotFound):
            income(other, actor=user)
        income(own, actor=user)
    assert not selectors.entries(scope_for(w.instructor_1, "people", "view")).exists()
    assert [o.pk for o in selectors.overview(scope_for(w.secretary_a, "people", "view"), 2025)] == [
        w.branch_a.pk
    ]
    office = {o.pk: o for o in selectors.overview(scope_for(w.industry_x, "people", "view"), 2025)}
    assert w.branch_a.pk in office and w.branch_b.pk not in office
    assert office[w.branch_a.pk].balance == Decimal("3000.00")  # one by the system, two by the users


def test_the_scope_walker_finds_no_leak_on_the_funds_routes(w):
    from sanxin.api import api
    from tests.accounts.walker import Walker, api_routes, page_routes

    routes = [r for r in api_routes(api) + page_routes() if "/funds/" in r.template]
    assert len(routes) >= 12
    walker = Walker(w)
    leaks = walker.walk(routes)
    assert leaks == [], "\n".join(leaks)
    assert walker.checked > 40


def test_demo_step_builds_a_year_of_ledgers(demo_db):
    from sanxin.demo.registry import DemoContext, steps
    from sanxin.members.demo import MOBILE_BRANCHES
    from sanxin.orgs.models import Org

    ctx = DemoContext(progress=lambda s: None)
    branches = list(Org.objects.filter(name__in=[b[0] for b in MOBILE_BRANCHES]))
    assert len(branches) == 10
    today = timezone.localdate()
    for b in branches:
        kinds = set(FundEntry.objects.filter(org=b).values_list("kind", flat=True))
        assert {FundKind.ALLOCATION_IN, FundKind.SPENDING, FundKind.DUES_RETURN} <= kinds, b.name
        dates = FundEntry.objects.filter(org=b).order_by("occurred_on").values_list("occurred_on", flat=True)
        assert (dates.last() - dates.first()).days > 300
        # never below zero on any day of the year
        assert selectors.available_on(b, dates.first()) >= 0
    assert not FundEntry.objects.filter(
        kind=FundKind.SPENDING, reverses__isnull=True, receipt__isnull=True
    ).exists()
    assert FundEntry.objects.filter(reverses__isnull=False).exists()
    assert (
        FundEntry.objects.filter(kind=FundKind.ALLOCATION_OUT).count()
        == FundEntry.objects.filter(kind=FundKind.ALLOCATION_IN, transfer__isnull=False).count()
    )
    assert max(FundEntry.objects.values_list("occurred_on", flat=True)) <= today
    n = FundEntry.objects.count()
    for st in steps():
        if st.name == "funds":
            st.func(ctx)  # idempotent
    assert FundEntry.objects.count() == n
