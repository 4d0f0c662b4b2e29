"""Pages of points: the member's phone page (balance by category, history with reasons, declare a
deed with photos, claims, what I can buy, my vouchers with their QR), the 公示 board with objections,
the review queues with bulk approval, a claim's page with its decisions, the rankings with the Excel
积分登记表, the catalogue, and the partner's redemption page. Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core import qr
from sanxin.core.errors import NotFound, PermissionDenied, ServiceError
from sanxin.core.excel.export import workbook_response
from sanxin.core.pages import form_error, message_error, paginate, render_form
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.orgs.models import BRANCH_TYPES, COMMITTEE_TYPES, Org

from . import exports, selectors, services
from .forms import CodeForm, DeclareForm, RankingForm, ReasonForm
from .models import Claim, ClaimStatus, Mode, VoucherStatus

# --- the member's own -------------------------------------------------------------------------------------


def _me(request):
    member = services.member_of(request.user)
    if member is None:
        raise PermissionDenied("只有党员本人可以使用积分")
    return member


def _declarable(member):
    catalogue = selectors.catalogue_of(member)
    if catalogue is None:
        return None, []
    return catalogue, [i for i in catalogue.items.all() if i.mode == Mode.DECLARED and i.points > 0]


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def my_points(request):
    """The member's phone page. POST actions: declare (the form), withdraw, buy, cancel."""
    member = _me(request)
    catalogue, items = _declarable(member)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = DeclareForm(request.POST if action == "declare" else None, request.FILES or None, items=items)
    if request.method == "POST":
        try:
            if action == "declare":
                if form.is_valid():
                    d = form.cleaned_data
                    item = next(i for i in items if i.pk == d["item"])
                    services.claim_declare(
                        actor=request.user,
                        item=item,
                        deed_on=d["deed_on"],
                        description=d["description"],
                        record_ref=d["record_ref"],
                        uploads_=d["evidence"],
                    )
                    messages.success(request, "申报已提交，等待党支部审核")
                    return redirect("points:me")
            elif action == "withdraw":
                claim = selectors.my_claims(member).filter(pk=request.POST.get("claim") or 0).first()
                if claim is None:
                    return HttpResponseNotFound()
                services.claim_withdraw(actor=request.user, claim=claim)
                messages.success(request, "申报已撤回")
                return redirect("points:me")
            elif action == "buy":
                offer = selectors.offers_for(member).filter(pk=request.POST.get("offer") or 0).first()
                if offer is None:
                    return HttpResponseNotFound()
                voucher = services.voucher_buy(actor=request.user, offer=offer)
                messages.success(request, f"兑换成功：{offer.title}，兑换码 {voucher.code}")
                return redirect(f"{request.path}#voucher-{voucher.pk}")
            elif action == "cancel":
                voucher = selectors.my_vouchers(member).filter(pk=request.POST.get("voucher") or 0).first()
                if voucher is None:
                    return HttpResponseNotFound()
                services.voucher_cancel(actor=request.user, voucher=voucher)
                messages.success(request, f"已取消兑换，{voucher.price}分已退回")
                return redirect("points:me")
            else:
                messages.error(request, "未知的操作")
        except ServiceError as exc:
            if action == "declare":
                form_error(form, exc)
            else:
                message_error(request, exc)
    summary = selectors.summary(member)
    context = {
        "summary": summary,
        "catalogue": catalogue,
        "form": form,
        "history": paginate(request, selectors.history(member), 20),
        "claims": list(selectors.my_claims(member)[:20]),
        "offers": list(selectors.offers_for(member)),
        "vouchers": list(selectors.my_vouchers(member)[:20]),
        "issued": VoucherStatus.ISSUED,
        "withdrawable": (ClaimStatus.SUBMITTED, ClaimStatus.RETURNED),
    }
    if request.method == "POST":
        return render_form(request, "points/me.html", context)
    return render(request, "points/me.html", context)


@permission.own()
@login_required
@require_safe
def voucher_qr(request, voucher_id: int):
    """The QR of one of the member's own vouchers (the partner scans the code)."""
    voucher = selectors.my_vouchers(_me(request)).filter(pk=voucher_id).first()
    if voucher is None:
        return HttpResponseNotFound()
    return HttpResponse(qr.svg_document(voucher.code), content_type="image/svg+xml")


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def notice_board(request):
    """积分公示: the claims in 公示 of the user's branch; anyone in it may object with a reason."""
    board = selectors.notice_board(request.user, scope_for(request.user, "points", "view"))
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        claim = board.filter(pk=request.POST.get("claim") or 0).first()
        if claim is None:
            return HttpResponseNotFound()
        if form.is_valid():
            try:
                services.claim_object(
                    actor=request.user,
                    claim=claim,
                    reason=form.cleaned_data["reason"],
                    anonymous=request.POST.get("anonymous") == "1",
                )
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "异议已提交，党委将核实处理")
                return redirect("points:notices")
    context = {
        "claims": list(board.prefetch_related("evidence")[:200]),
        "form": form,
        "objecting": request.POST.get("claim") if request.method == "POST" else None,
    }
    if request.method == "POST":
        return render_form(request, "points/notices.html", context)
    return render(request, "points/notices.html", context)


# --- the queues -----------------------------------------------------------------------------------------


@permission("points", "view")
@require_safe
def queue(request):
    """The reviewer's desk: claims waiting for the branch (bulk approve) and for the committee (bulk
    confirm), and every claim in the scope by status."""
    user = request.user
    review = scope_for(user, "points", "review")
    confirm = scope_for(user, "points", "confirm")
    status = request.GET.get("status", "")
    if status not in ClaimStatus.values:
        status = ""
    context = {
        "to_review": list(selectors.review_queue(review, user)[:200]) if not review.is_empty else None,
        "to_confirm": list(selectors.confirm_queue(confirm, user)[:200]) if not confirm.is_empty else None,
        "page": paginate(
            request, selectors.claims(request.scope, status=status, q=request.GET.get("q", "")[:50]), 30
        ),
        "status": status,
        "statuses": ClaimStatus.choices,
        "today": timezone.localdate(),
    }
    return render(request, "points/queue.html", context)


def _ids(request) -> set[int]:
    return {int(i) for i in request.POST.getlist("claim") if i.isdigit()}


@permission("points", "review")
@require_http_methods(["POST"])
def bulk_review(request):
    """批量审核通过 the ticked claims; one outside the scope refuses the whole request (404)."""
    ids = _ids(request)
    claims = list(request.scope.filter(Claim.objects.filter(pk__in=ids)))
    if len(claims) != len(ids):
        raise NotFound()
    if claims:
        _bulk_message(request, services.claims_review_bulk(actor=request.user, claims=claims), "审核通过")
    else:
        messages.error(request, "请勾选申报")
    return redirect("points:queue")


@permission("points", "confirm")
@require_http_methods(["POST"])
def bulk_confirm(request):
    """批量认定 the ticked claims (each opens its 公示); one outside the scope refuses the request (404)."""
    ids = _ids(request)
    claims = [
        c
        for c in Claim.objects.filter(pk__in=ids).select_related("committee")
        if request.scope.contains(c.committee)
    ]
    if len(claims) != len(ids):
        raise NotFound()
    if claims:
        _bulk_message(
            request, services.claims_confirm_bulk(actor=request.user, claims=claims), "认定并开始公示"
        )
    else:
        messages.error(request, "请勾选申报")
    return redirect("points:queue")


def _bulk_message(request, results, verb: str) -> None:
    done = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    if done:
        messages.success(request, f"已{verb}{len(done)}条")
    for exc in refused[:5]:
        messages.error(request, getattr(exc, "message", str(exc)))


@permission("points", "view", model=Claim, lookup="claim_id")
@require_http_methods(["GET", "POST"])
def claim_detail(request, claim_id: int):
    claim = request.scope.get(
        Claim.objects.select_related("member__person", "item__catalogue", "branch", "committee", "notice"),
        pk=claim_id,
    )
    user = request.user
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        reason = request.POST.get("reason", "")
        try:
            if action in ("approve", "return", "reject") and claim.status == ClaimStatus.SUBMITTED:
                services.claim_review(actor=user, claim=claim, decision=action, reason=reason)
            elif action in ("confirm", "confirm_reject"):
                services.claim_confirm(
                    actor=user,
                    claim=claim,
                    decision="confirm" if action == "confirm" else "reject",
                    reason=reason,
                )
            elif action in ("settle_credit", "settle_reject"):
                services.claim_settle(
                    actor=user, claim=claim, credit=action == "settle_credit", resolution=reason
                )
            else:
                messages.error(request, "未知的操作")
                return redirect("points:claim", claim_id=claim.pk)
        except NotFound as exc:
            raise PermissionDenied("没有该操作的权限") from exc
        except ServiceError as exc:
            message_error(request, exc)
        else:
            messages.success(request, "已办理")
        return redirect("points:claim", claim_id=claim.pk)
    is_own = claim.member.person.user_id == user.pk
    objections = list(claim.notice.objections.select_related("author")) if claim.notice_id else []
    context = {
        "claim": claim,
        "steps": list(claim.steps.select_related("actor")),
        "evidence": list(claim.evidence.all()),
        "objections": objections,
        "form": form,
        "can_review": not is_own
        and claim.status == ClaimStatus.SUBMITTED
        and scope_for(user, "points", "review").contains(claim.branch),
        "can_confirm": not is_own
        and claim.status in (ClaimStatus.APPROVED, ClaimStatus.OBJECTED)
        and scope_for(user, "points", "confirm").contains(claim.committee),
        "entry": claim.entries.first(),
    }
    return render(request, "points/claim.html", context)


# --- rankings, ledger, catalogue -------------------------------------------------------------------------


def _ranking_orgs(scope) -> list[Org]:
    types = set(COMMITTEE_TYPES) | set(BRANCH_TYPES)
    return list(scope.filter(Org.objects.filter(org_type__in=types)).order_by("path")[:300])


@permission("points", "view")
@require_safe
def ranking(request):
    orgs = _ranking_orgs(request.scope)
    form = RankingForm(request.GET or None, orgs=orgs)
    d = form.cleaned_data if form.is_valid() else {}
    org = next((o for o in orgs if o.pk == d.get("org")), orgs[0] if orgs else None)
    period = d.get("period") or "month"
    on = d.get("on") or timezone.localdate()
    start, end, label = selectors.period_bounds(period, on)
    rows = []
    if org is not None:
        rows = selectors.ranking(
            org, start, end, by=d.get("by") or "member", category=d.get("category") or "", scope=request.scope
        )
    context = {
        "form": form,
        "org": org,
        "rows": rows,
        "label": label,
        "by": d.get("by") or "member",
        "categories": selectors.Category.choices,
        "can_export": has_permission(request.user, "points", "export"),
        "query": request.GET.urlencode(),
    }
    return render(request, "points/ranking.html", context)


@permission("points", "export")
@require_safe
def ledger_export(request):
    """积分登记表 and the ledger's rows for an org's subtree and a period, as Excel."""
    scope = request.scope
    org = scope.get(Org, pk=request.GET.get("org") or 0)
    period = request.GET.get("period") if request.GET.get("period") in ("month", "year") else "year"
    try:
        on = (
            dt.date.fromisoformat(request.GET.get("on", ""))
            if request.GET.get("on")
            else timezone.localdate()
        )
    except ValueError:
        on = timezone.localdate()
    start, end, label = selectors.period_bounds(period, on)
    path = exports.ledger_workbook(scope, org, start, end, label, actor=request.user)
    return workbook_response(path, filename=f"{org.name}{label}积分登记表.xlsx")


@permission.own()
@login_required
@require_safe
def catalogue(request):
    """The catalogues in the user's points scope; a member without one sees the version in force for
    them (their own page links here)."""
    scope = scope_for(request.user, "points", "view")
    member = services.member_of(request.user)
    if scope.is_empty and member is None:
        raise PermissionDenied()
    catalogues = list(
        scope.filter(
            selectors.Catalogue.objects.select_related("org").prefetch_related("items__auto_rules")
        ).order_by("org__path", "-start_on")[:50]
    )
    if not catalogues and member is not None:
        mine = selectors.catalogue_of(member)
        catalogues = [mine] if mine else []
    may_revise = scope_for(request.user, "points", "catalogue")
    revisable = set()
    if not may_revise.is_empty:
        revisable = set(
            may_revise.filter(Org.objects.filter(pk__in={c.org_id for c in catalogues})).values_list(
                "pk", flat=True
            )
        )
    context = {"catalogues": catalogues, "today": timezone.localdate(), "revisable": revisable}
    return render(request, "points/catalogue.html", context)


# --- the partner ------------------------------------------------------------------------------------------


@permission("points", "redeem")
@require_http_methods(["GET", "POST"])
def redeem(request):
    """The partner's page: enter (or scan) a code, see the service and a masked name, redeem once."""
    form = CodeForm(request.POST or request.GET or None)
    voucher = None
    if form.is_bound and form.is_valid():
        try:
            if request.method == "POST" and request.POST.get("action") == "redeem":
                voucher = services.voucher_redeem(actor=request.user, code=form.cleaned_data["code"])
                messages.success(request, f"核销成功：{voucher.offer.title}")
                return redirect("points:redeem")
            voucher = services.voucher_find(actor=request.user, code=form.cleaned_data["code"])
        except NotFound:
            form.add_error("code", "没有该兑换码（或不是本单位的服务）")
        except ServiceError as exc:
            form_error(form, exc)
    context = {
        "form": form,
        "voucher": voucher,
        "holder": (voucher.member.person.name[:1] + "**") if voucher else "",
        "recent": list(selectors.partner_vouchers(request.scope)[:20]),
        "issued": VoucherStatus.ISSUED,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "points/redeem.html", context, status=status)


# --- revising a catalogue ---------------------------------------------------------------------------------

ROW_FIELDS = (
    "code",
    "name",
    "category",
    "tier",
    "points",
    "month_cap",
    "year_cap",
    "evidence",
    "mode",
    "description",
)
BLANK_ROWS = 3


def _int_or_none(text: str, label: str, errors: list[str]) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        errors.append(f"“{label}”应为整数：{text}")
        return None


def _posted_rows(request) -> list[dict]:
    columns = {f: request.POST.getlist(f) for f in ROW_FIELDS}
    dropped = set(request.POST.getlist("drop"))
    n = max((len(v) for v in columns.values()), default=0)
    return [
        {f: (columns[f][i] if i < len(columns[f]) else "") for f in ROW_FIELDS} | {"drop": str(i) in dropped}
        for i in range(n)
    ]


@permission("points", "catalogue")
@require_http_methods(["GET", "POST"])
def catalogue_revise(request):
    """修订积分细则: a committee publishes a new version from the current one (items edited, added or
    dropped; automatic items keep their source events by code), effective from the date it names."""
    from .models import Category, Evidence, Tier

    org = request.scope.get(
        Org.objects.filter(org_type__in=COMMITTEE_TYPES), pk=(request.POST or request.GET).get("org") or 0
    )
    current = selectors.Catalogue.objects.filter(org=org).order_by("-start_on").first()
    today = timezone.localdate()
    errors: list[str] = []
    if request.method == "POST":
        rows = _posted_rows(request)
        auto = {r["code"]: r["auto"] for r in services.catalogue_items(current)} if current else {}
        items = []
        for r in rows:
            code = r["code"].strip()
            if not code or r["drop"]:
                continue
            label = r["name"] or code
            item = {k: r[k].strip() for k in ("code", "name", "category", "tier", "evidence", "description")}
            item["mode"] = "automatic" if r["mode"] == "automatic" and auto.get(code) else "declared"
            item["points"] = _int_or_none(r["points"], f"{label}·分值", errors)
            item["month_cap"] = _int_or_none(r["month_cap"], f"{label}·每月上限", errors)
            item["year_cap"] = _int_or_none(r["year_cap"], f"{label}·每年上限", errors)
            if item["points"] is None:
                errors.append(f"请填写“{label}”的分值")
            if item["mode"] == "automatic":
                item["auto"] = auto[code]
            items.append(item)
        try:
            start_on = dt.date.fromisoformat(request.POST.get("start_on", ""))
        except ValueError:
            errors.append("请填写施行日期（YYYY-MM-DD）")
            start_on = None
        title = request.POST.get("title", "").strip()[:100]
        if not title:
            errors.append("请填写细则名称")
        if not errors:
            try:
                catalogue = services.catalogue_publish(
                    actor=request.user,
                    org=org,
                    title=title,
                    start_on=start_on,
                    items=items,
                    note=request.POST.get("note", "")[:2000],
                )
            except ServiceError as exc:
                if isinstance(exc, NotFound | PermissionDenied):
                    raise
                errors.append(exc.message)
            else:
                messages.success(
                    request, f"已发布第{catalogue.version}版，{catalogue.start_on:%Y-%m-%d}起施行"
                )
                return redirect("points:catalogue")
        context = {
            "rows": rows,
            "title": title,
            "start_on": request.POST.get("start_on", ""),
            "note": request.POST.get("note", ""),
        }
    else:
        rows = services.catalogue_items(current) if current else []
        nxt = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        context = {
            "rows": rows,
            "title": current.title if current else f"{org.name}党员积分细则",
            "start_on": nxt.isoformat(),
            "note": "",
        }
    context["rows"] = list(context["rows"]) + [{"mode": "declared"} for _ in range(BLANK_ROWS)]
    context |= {
        "org": org,
        "current": current,
        "errors": errors,
        "categories": Category.choices,
        "tiers": Tier.choices,
        "evidences": Evidence.choices,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "points/revise.html", context, status=status)
