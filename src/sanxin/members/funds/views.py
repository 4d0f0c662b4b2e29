"""Pages of 党组织经费: the orgs' balances, an org's ledger (running balance, monthly summary, filters,
Excel), and the forms that append to it. Views stay thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core.audit import record as audit_record
from sanxin.core.errors import ServiceError
from sanxin.core.excel.export import Ledger, workbook_response
from sanxin.core.pages import form_error, paginate, render_form
from sanxin.core.permissions import permission
from sanxin.core.query import prefix_q
from sanxin.core.scope import has_permission, scope_for
from sanxin.orgs.models import Org, OrgStatus, OrgType

from . import selectors, services
from .forms import AllocationForm, DuesReturnForm, EntryForm, LedgerFilterForm, OverviewForm, ReverseForm
from .models import FundEntry, FundKind


@permission("people", "view")
@require_safe
def funds_overview(request):
    """The orgs in scope with their balance and the year's income and outflow."""
    form = OverviewForm(request.GET or None)
    year = (form.cleaned_data.get("year") if form.is_valid() else None) or timezone.localdate().year
    page = paginate(request, selectors.overview(request.scope, year), 50)
    return render(request, "members/funds/overview.html", {"form": form, "year": year, "page": page})


LEDGER_COLUMNS = [
    "日期",
    "类别",
    "支出用途",
    "收入（元）",
    "支出（元）",
    "余额（元）",
    "对方单位/个人",
    "摘要",
    "凭证",
    "冲销",
]
SUMMARY_COLUMNS = ["月份", *[str(k.label) for k in FundKind], "收入合计", "支出合计", "月末余额"]


def _ledger_values(e, running) -> list:
    income = e.amount if e.amount > 0 else None
    outflow = -e.amount if e.amount < 0 else None
    reversal = getattr(e, "reversal", None)
    flag = "冲销记录" if e.reverses_id else ("已冲销" if reversal is not None else "")
    return [
        e.occurred_on,
        e.get_kind_display(),
        e.get_category_display() if e.category else "",
        income,
        outflow,
        running,
        e.counterpart,
        e.note,
        e.receipt.original_name if e.receipt_id else "",
        flag,
    ]


def _summary_values(r) -> list:
    return [
        f"{r['month']:%Y-%m}",
        *[r[k.value] for k in FundKind],
        r["income"],
        r["outflow"],
        r["closing"],
    ]


@permission("people", "view", model=Org, lookup="org_id")
@require_safe
def funds_ledger(request, org_id):
    """An org's ledger: entries with the running balance (filters by kind and dates), the monthly
    summary of a year, and the same as Excel (people ``export``, audited)."""
    org = request.scope.get(Org, pk=org_id)
    form = LedgerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    year = data.get("year") or today.year
    kind, category = data.get("kind", ""), data.get("category", "")
    date_from, date_to = data.get("date_from"), data.get("date_to")
    running = not (kind or category)
    if running:
        opening, qs = selectors.with_running_balance(org, date_from=date_from, date_to=date_to)
    else:
        opening = None
        qs = selectors.entries(
            request.scope, org=org, kind=kind, category=category, date_from=date_from, date_to=date_to
        )
    months = selectors.monthly(org, year)
    totals = selectors.year_totals(months)
    if request.GET.get("export") == "xlsx":
        if not scope_for(request.user, "people", "export").contains(org):
            return render(request, "403.html", status=403)
        title = f"{org.name}党组织经费台账"
        audit_record(actor=request.user, action="export", obj=org, message=title)
        ledger = Ledger(title=title, columns=LEDGER_COLUMNS, sheet_name="收支明细")
        for e in qs.iterator(chunk_size=2000):
            ledger.add(_ledger_values(e, getattr(e, "running", None)))
        ledger.sheet(f"{year}年月度汇总", SUMMARY_COLUMNS)
        for r in months:
            ledger.add(_summary_values(r))
        return workbook_response(ledger.close(), filename=title)
    change = scope_for(request.user, "people", "change").contains(org)
    return render(
        request,
        "members/funds/ledger.html",
        {
            "org": org,
            "form": form,
            "page": paginate(request, qs, 100),
            "running": running,
            "opening": opening,
            "balance": selectors.balance(org),
            "year": year,
            "months": months,
            "totals": totals,
            "kinds": list(FundKind),
            "can_change": change,
            "can_allocate": change and org.org_type not in {OrgType.GROUP} and not org.is_leaf(),
            "can_export": has_permission(request.user, "people", "export"),
            "query": request.GET.urlencode(),
        },
    )


def _form_page(request, org, form, title, template="members/funds/form.html", **extra):
    return render_form(request, template, {"org": org, "form": form, "title": title, **extra})


@permission("people", "change", model=Org, lookup="org_id")
@require_http_methods(["GET", "POST"])
def funds_entry_new(request, org_id):
    org = request.scope.get(Org, pk=org_id)
    form = EntryForm(
        request.POST or None, request.FILES or None, initial={"occurred_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            entry = services.entry_record(
                actor=request.user,
                org=org,
                kind=d["kind"],
                amount=d["amount"],
                occurred_on=d["occurred_on"],
                category=d["category"],
                counterpart=d["counterpart"],
                note=d["note"],
                receipt_upload=d["receipt"] if d["kind"] == FundKind.SPENDING else None,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已登记{entry.get_kind_display()} {abs(entry.amount)} 元")
            return redirect("members:funds_ledger", org.pk)
    return _form_page(request, org, form, f"{org.name} · 登记收支", multipart=True)


def _allocation_targets(request, org):
    """Active orgs below ``org`` (no 党小组) that the user may write to."""
    below = Org.objects.filter(prefix_q("path", org.path), status=OrgStatus.ACTIVE).exclude(pk=org.pk)
    return (
        scope_for(request.user, "people", "change")
        .filter(below.exclude(org_type=OrgType.GROUP))
        .order_by("path")
    )


@permission("people", "change", model=Org, lookup="org_id")
@require_http_methods(["GET", "POST"])
def funds_allocate(request, org_id):
    org = request.scope.get(Org, pk=org_id)
    targets = list(_allocation_targets(request, org)[:500])
    form = AllocationForm(
        request.POST or None, targets=targets, initial={"occurred_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        target = next(o for o in targets if str(o.pk) == d["target"])
        try:
            services.funds_allocate(
                actor=request.user,
                source=org,
                target=target,
                amount=d["amount"],
                occurred_on=d["occurred_on"],
                note=d["note"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已向{target.name}下拨经费")
            return redirect("members:funds_ledger", org.pk)
    return _form_page(request, org, form, f"{org.name} · 下拨经费", balance=selectors.balance(org))


def _proposal(org, period_from, period_to, share):
    """The proposal for the period typed so far (nothing while it is incomplete or malformed)."""
    from django import forms

    from sanxin.members.dues import money

    from .forms import _month

    try:
        first, last = _month(period_from), _month(period_to)
        share = money(share, "share") if (share or "").strip() else None
    except (forms.ValidationError, ServiceError):
        return None
    if first is None or last is None or last < first or (share is not None and not 0 < share <= 1):
        return None
    return selectors.dues_return_proposal(org, first, selectors.month_end(last), share)


@permission("people", "change", model=Org, lookup="org_id")
@require_http_methods(["GET", "POST"])
def funds_dues_return(request, org_id):
    """党费返还: the proposal (collected dues of the period × the return share) is shown once the
    period is given; the amount may be changed, never above what was collected."""
    org = request.scope.get(Org, pk=org_id)
    source = request.POST if request.method == "POST" else request.GET
    initial = {
        "occurred_on": timezone.localdate(),
        **{k: source.get(k, "") for k in ("period_from", "period_to")},
    }
    form = DuesReturnForm(request.POST or None, initial=initial)
    proposal = _proposal(org, source.get("period_from"), source.get("period_to"), source.get("share"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.dues_return_record(
                actor=request.user,
                org=org,
                period_from=d["period_from"],
                period_to=d["period_to"],
                occurred_on=d["occurred_on"],
                amount=d["amount"] or None,
                share=d["share"] or None,
                counterpart=d["counterpart"],
                note=d["note"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已登记党费返还")
            return redirect("members:funds_ledger", org.pk)
    return _form_page(
        request,
        org,
        form,
        f"{org.name} · 党费返还",
        template="members/funds/dues_return.html",
        proposal=proposal,
        share=selectors.return_share(),
    )


@permission("people", "change", model=FundEntry, lookup="entry_id")
@require_http_methods(["GET", "POST"])
def funds_entry_reverse(request, entry_id):
    entry = request.scope.get(FundEntry.objects.select_related("org", "receipt"), pk=entry_id)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_reverse(
                actor=request.user,
                entry=entry,
                reason=form.cleaned_data["reason"],
                occurred_on=form.cleaned_data["occurred_on"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已冲销")
            return redirect("members:funds_ledger", entry.org_id)
    return _form_page(
        request,
        entry.org,
        form,
        f"{entry.org.name} · 冲销",
        template="members/funds/reverse.html",
        entry=entry,
    )
