"""Pages of the transfer workflow: the queues and the scoped list, applying for a member, a transfer's
tracking page (steps, who holds it and since when, the letter) with the forms of the step that waits
for the viewer, the office's overdue view, and the member's own page. Thin: selectors read, services
write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core.audit import record as audit_record
from sanxin.core.errors import RuleViolation, ServiceError
from sanxin.core.excel.export import workbook_response
from sanxin.core.pages import form_error, paginate, render_form
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.members.models import Member
from sanxin.orgs.models import Org

from . import exports, selectors, services
from .forms import ActionForm, ApplyForm, FilterForm, MyApplyForm, OverdueForm
from .models import State, Transfer

NOT_FOUND_ORG = "没有找到该接收组织，请核对组织编码"


@permission("transfers", "view")
@require_safe
def transfer_list(request):
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.transfer_list(
        request.scope, state=data.get("state", ""), kind=data.get("kind", ""), q=data.get("q", "")
    )
    if request.GET.get("export") == "xlsx":
        return _export(request, qs, title="组织关系转接台账")
    queues = [(key, label, list(q[:20]), q.count()) for key, label, q in selectors.queues(request.user)]
    return render(
        request,
        "transfers/list.html",
        {
            "form": form,
            "page": paginate(request, qs, 50),
            "queues": queues,
            "can_apply": has_permission(request.user, "transfers", "apply"),
            "can_export": has_permission(request.user, "transfers", "export"),
            "query": _without_export(request),
        },
    )


def _without_export(request) -> str:
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("page", None)
    return query.urlencode()


def _export(request, rows, *, title: str, waited: bool = False):
    """The page's rows as a ledger (``transfers.export``), audited."""
    if not has_permission(request.user, "transfers", "export"):
        return render(request, "403.html", status=403)
    audit_record(actor=request.user, action="export", object_type=Transfer._meta.label_lower, message=title)
    return workbook_response(
        exports.transfer_ledger(rows, title=title, waited=waited).close(), filename=title
    )


def _to_org(code: str) -> Org | None:
    code = (code or "").strip()
    if not code:
        return None
    org = Org.objects.filter(code=code).first()
    if org is None:
        raise RuleViolation(NOT_FOUND_ORG, code="not_found", field="to_org")
    return org


@permission("transfers", "apply")
@require_http_methods(["GET", "POST"])
def transfer_new(request):
    """A secretary applies for a member of their org (the member's own application is on /mine/)."""
    members = _members_for(request.user)
    form = ApplyForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = next(m for m in members if str(m.pk) == data["member"])
        try:
            transfer = services.transfer_apply(
                actor=request.user,
                member=member,
                kind=data["kind"],
                reason=data["reason"],
                to_org=_to_org(data["to_org"]),
                to_name=data["to_name"],
                to_code=data["to_code"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已为{member.person.name}提交组织关系转接申请")
            return redirect("transfers:detail", transfer.pk)
    return render_form(request, "transfers/new.html", {"form": form})


def _members_for(user) -> list[Member]:
    """The members whose formal org lies in the user's apply scope (the people scope reads them)."""
    orgs = scope_for(user, "transfers", "apply").filter(Org.objects.all()).values("pk")
    return list(
        Member.objects.filter(
            relations__kind="formal", relations__end_on__isnull=True, relations__org__in=orgs
        )
        .select_related("person", "person__org")
        .order_by("person__org__path", "person__name")[:500]
    )


def _offers(request, transfer: Transfer) -> list[str]:
    """The actions the viewer may take on the transfer now."""
    user = request.user

    def may(action: str, org) -> bool:
        return org is not None and scope_for(user, "transfers", action).contains(org)

    out = []
    if transfer.state == State.APPLIED and may("approve", transfer.from_org):
        out += ["approve", "reject"]
    if transfer.state == State.ESCALATED and may("escalate", transfer.approver):
        out += ["escalation_approve", "escalation_reject"]
    if transfer.state == State.APPROVED and may("accept", services.receiver_of(transfer)):
        out += ["accept", "return"]
    if transfer.state == State.ACCEPTED and may("accept", transfer.to_org):
        out += ["report"]
    if transfer.is_open and may("apply", transfer.from_org):
        out += ["cancel"]
    return out


def _act(request, transfer: Transfer, data: dict) -> str:
    action, kw = data["action"], {"actor": request.user, "transfer": transfer, "on": data.get("on")}
    if action == "approve":
        services.transfer_approve(**kw, valid_days=data.get("valid_days"), note=data.get("note", ""))
        return "已审批同意并开具介绍信"
    if action in ("reject", "escalation_reject"):
        services.transfer_reject(**kw, reason=data["reason"], higher_level=action == "escalation_reject")
        return "已作出不予批准的决定"
    if action == "escalation_approve":
        services.transfer_escalation_approve(**kw, note=data.get("note", ""))
        return "上级审批已同意"
    if action == "accept":
        services.transfer_accept(**kw, note=data.get("note", ""))
        return "已接收，组织关系已转入"
    if action == "return":
        services.transfer_return(**kw, reason=data["reason"])
        return "已退回"
    if action == "report":
        services.transfer_report(**kw, note=data.get("note", ""))
        return "已登记报到"
    services.transfer_cancel(**kw, reason=data["reason"])
    return "已撤销"


ACTION_LABELS = dict(ActionForm.base_fields["action"].choices)


@permission("transfers", "view", model=Transfer, lookup="transfer_id")
@require_http_methods(["GET", "POST"])
def transfer_detail(request, transfer_id):
    """Where the transfer is, who holds it and since when, the letter, the steps; and the form of
    the step that waits for the viewer."""
    transfer = request.scope.get(selectors._base(), pk=transfer_id)
    form = ActionForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            done = _act(request, transfer, form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("transfers:detail", transfer.pk)
    offers = _offers(request, transfer)
    context = {
        "transfer": transfer,
        "letter": getattr(transfer, "letter", None) if _has_letter(transfer) else None,
        "steps": selectors.steps(transfer),
        "offers": [(a, ACTION_LABELS[a]) for a in offers],
        "form": form,
        "waited": selectors.with_waited([transfer])[0].waited if transfer.holder_id else None,
    }
    return render_form(request, "transfers/detail.html", context)


def _has_letter(transfer: Transfer) -> bool:
    try:
        return transfer.letter is not None
    except Transfer.letter.RelatedObjectDoesNotExist:
        return False


@permission("transfers", "view")
@require_safe
def transfer_overdue(request):
    """The office's view of steps waiting longer than N working days, by who holds them."""
    form = OverdueForm(request.GET or None)
    days = (form.cleaned_data.get("days") if form.is_valid() else None) or selectors.OVERDUE_DAYS
    if request.GET.get("export") == "xlsx":
        rows = selectors.with_waited(selectors.overdue(request.scope, days=days))
        return _export(request, rows, title=f"组织关系转接超期未办（超过{days}个工作日）", waited=True)
    page = paginate(request, selectors.overdue(request.scope, days=days), 50)
    rows = selectors.with_waited(page.object_list)
    return render(
        request,
        "transfers/overdue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "days": days,
            "can_export": has_permission(request.user, "transfers", "export"),
            "query": _without_export(request),
        },
        status=200 if not form.errors else 400,
    )


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def my_transfers(request):
    """A member's own transfers: apply for themself, follow where it is, report or withdraw."""
    member = Member.objects.select_related("person", "person__org").filter(person__user=request.user).first()
    mine = list(selectors.mine(request.user)[:20]) if member else []
    current = next(
        (t for t in mine if t.state in (State.APPLIED, State.ESCALATED, State.APPROVED, State.ACCEPTED)), None
    )
    action = request.POST.get("action", "apply") if request.method == "POST" else ""
    apply_form = MyApplyForm(request.POST if action == "apply" else None)
    step_form = ActionForm(request.POST if action in ("report", "cancel") else None)
    if member is not None and request.method == "POST":
        form = apply_form if action == "apply" else step_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "apply":
                    services.transfer_apply(
                        actor=request.user,
                        member=member,
                        kind=data["kind"],
                        reason=data["reason"],
                        to_org=_to_org(data["to_org"]),
                        to_name=data["to_name"],
                        to_code=data["to_code"],
                    )
                    done = "已提交组织关系转接申请"
                elif current is None:
                    raise RuleViolation("您没有正在办理的组织关系转接", code="wrong_state")
                elif action == "report":
                    services.transfer_report(actor=request.user, transfer=current, on=data.get("on"))
                    done = "已登记报到"
                else:
                    services.transfer_cancel(actor=request.user, transfer=current, reason=data["reason"])
                    done = "已撤销申请"
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(request, done)
                return redirect("transfers:mine")
    context = {
        "member": member,
        "transfers": mine,
        "current": current,
        "steps": selectors.steps(current) if current else [],
        "letter": current.letter if current is not None and _has_letter(current) else None,
        "apply_form": apply_form,
        "step_form": step_form,
    }
    return render_form(request, "transfers/mine.html", context)
