"""Pages of the member registry: the scoped member list and a member's file (membership history,
mobility, work, dues). Views stay thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core.audit import record as audit_record
from sanxin.core.crypto import mask, mask_phone
from sanxin.core.errors import ServiceError
from sanxin.core.excel.export import Ledger, workbook_response
from sanxin.core.pages import form_error, paginate, render_form
from sanxin.core.permissions import permission
from sanxin.core.scope import has_permission, scope_for
from sanxin.orgs import services as org_services
from sanxin.orgs.models import BRANCH_TYPES, Org, OrgStatus, Person

from . import selectors, services
from .dues import Basis
from .forms import (
    BulkForm,
    DeclarationForm,
    EnrolForm,
    LedgerForm,
    MemberFilterForm,
    PaymentForm,
    PhoneForm,
    StatusForm,
)
from .imports import roster_ledger
from .models import Member


@permission("people", "view")
@require_safe
def member_list(request):
    """The scoped member list with its filters; ``?export=xlsx`` downloads the filtered roster in the
    import's layout (identifiers masked; ``&identifiers=1`` in full, for holders of ``people.reveal``,
    audited as a reveal)."""
    form = MemberFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    org = None
    if data.get("org"):
        org = scope_for(request.user, "orgs", "view").filter(Org.objects.filter(code=data["org"])).first()
        if org is None:
            form.add_error("org", "没有找到该组织，或它不在您的管理范围内")
    today = timezone.localdate()
    qs = selectors.member_list(
        request.scope,
        org=org,
        standing=data.get("standing", ""),
        mobile=data.get("mobile", ""),
        q=data.get("q", ""),
        arrears_only=bool(data.get("arrears")),
        work_kind=data.get("work_kind", ""),
        employer=data.get("employer", ""),
        age_band=data.get("age_band", ""),
        status=data.get("status", ""),
        on=today,
    )
    if request.GET.get("export") == "xlsx":
        return _roster_export(request, qs, org)
    return render(
        request,
        "members/list.html",
        {
            "form": form,
            "page": paginate(request, qs, 50),
            "can_change": has_permission(request.user, "people", "change"),
            "can_export": has_permission(request.user, "people", "export"),
            "can_reveal": has_permission(request.user, "people", "reveal"),
            "query": request.GET.urlencode(),
        },
    )


def _roster_export(request, qs, org):
    if not has_permission(request.user, "people", "export"):
        return render(request, "403.html", status=403)
    identifiers = request.GET.get("identifiers") == "1"
    if identifiers and not has_permission(request.user, "people", "reveal"):
        return render(request, "403.html", status=403)
    title = f"{org.name if org else '党员'}名册（{timezone.localdate():%Y年%m月%d日}）"
    audit_record(
        actor=request.user,
        action="reveal" if identifiers else "export",
        obj=org,
        object_type="" if org else Member._meta.label_lower,
        message=title + ("（含证件号码原文）" if identifiers else ""),
    )
    ledger = roster_ledger(selectors.with_current_job(qs), title=title, identifiers=identifiers)
    return workbook_response(ledger.close(), filename=title)


@permission("people", "change")
@require_http_methods(["GET", "POST"])
def member_bulk(request):
    """Bulk actions on the members ticked in the list (their ids in the query): 调整组织关系 or 登记外出,
    all or none, each member through the same service as one at a time."""
    ids = [int(i) for i in request.GET.getlist("ids") + request.POST.getlist("ids") if i.isdigit()]
    members = list(
        request.scope.filter(
            Member.objects.select_related("person", "person__org").filter(pk__in=ids)
        ).order_by("person__name")
    )
    form = BulkForm(request.POST or None, user=request.user, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "move":
                target = scope_for(request.user, "people", "change").get(Org.objects.all(), code=data["org"])
                services.members_move_bulk(
                    actor=request.user, members=members, org=target, on=data["on"], note=data["note"]
                )
                messages.success(request, f"已为{len(members)}名党员调整组织关系到“{target.name}”")
            else:
                services.members_mobile_out_bulk(
                    actor=request.user,
                    members=members,
                    on=data["on"],
                    destination=data["destination"],
                    expected_return=data["expected_return"],
                )
                messages.success(request, f"已为{len(members)}名党员登记外出")
        except ServiceError as exc:
            form_error(form, exc)
        else:
            return redirect("members:list")
    return render_form(request, "members/bulk.html", {"form": form, "members": members})


@permission("people", "change")
@require_http_methods(["GET", "POST"])
def member_enrol(request):
    """登记党员: a new person and their membership in one form; every identifier error in Chinese on its
    field, nothing typed lost."""
    form = EnrolForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = scope_for(request.user, "people", "change").get(Org.objects.all(), code=data["org"])
            member = services.member_enrol(
                actor=request.user,
                org=org,
                profile={k: data[k] for k in EnrolForm.PROFILE},
                joined_on=data["joined_on"],
                standing=data["standing"],
                converted_on=data["converted_on"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已登记党员“{member.person.name}”")
            return redirect("members:detail", member.pk)
    return render_form(request, "members/enrol.html", {"form": form})


@permission("people", "change", model=Member, lookup="member_id")
@require_http_methods(["GET", "POST"])
def member_declare(request, member_id):
    """申报收入: the basis of the member's dues from a month on."""
    member = request.scope.get(Member.objects.select_related("person"), pk=member_id)
    form = DeclarationForm(request.POST or None, initial={"month": f"{timezone.localdate():%Y-%m}"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.income_declare(
                actor=request.user,
                member=member,
                basis=data["basis"],
                amount=data["amount"] or None,
                month=data["month"],
                note=data["note"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已登记收入申报")
            return redirect("members:detail", member.pk)
    return render_form(request, "members/declare.html", {"form": form, "member": member})


@permission("people", "change", model=Member, lookup="member_id")
@require_http_methods(["GET", "POST"])
def member_status(request, member_id):
    """停止党籍, 恢复党籍 and 党籍终止 (去世, 退党, 除名, 开除党籍): the branch records a death, the committee
    above decides the rest (the service checks ``people.approve``)."""
    member = request.scope.get(Member.objects.select_related("person__org"), pk=member_id)
    can_decide = member.person.org is not None and scope_for(request.user, "people", "approve").contains(
        member.person.org
    )
    form = StatusForm(
        request.POST or None, member=member, can_decide=can_decide, initial={"on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = data.pop("action")
        try:
            if action == "suspend":
                services.member_suspend(actor=request.user, member=member, **data)
            elif action == "restore":
                services.member_restore(actor=request.user, member=member, **data)
            else:
                services.member_exit(actor=request.user, member=member, how=action, **data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已登记：{dict(StatusForm.ACTIONS)[action]}")
            return redirect("members:detail", member.pk)
    return render_form(request, "members/status.html", {"form": form, "member": member})


@permission("people", "view", model=Member, lookup="member_id")
@require_safe
def member_detail(request, member_id):
    member = request.scope.get(
        Member.objects.select_related("person", "person__org").prefetch_related(
            "declarations", "payments", "relations__org", "mobilities__host", "person__employments"
        ),
        pk=member_id,
    )
    today = timezone.localdate()
    person = member.person
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "person": person,
            "phone_masked": mask_phone(person.phone or ""),
            "resident_id_masked": mask(person.resident_id or ""),
            "relations": selectors.history(member),
            "mobilities": member.mobilities.all(),
            "employments": person.employments.all(),
            "declarations": member.declarations.all(),
            "payments": member.payments.all(),
            "arrears": selectors.arrears(member, today),
            "sees_flags": has_permission(request.user, "people", "flags"),
            "can_change": has_permission(request.user, "people", "change"),
        },
    )


@permission("people", "change", model=Member, lookup="member_id")
@require_http_methods(["GET", "POST"])
def member_pay(request, member_id):
    """登记党费交纳: whole months, to the member's formal org, never a month twice."""
    member = request.scope.get(Member.objects.select_related("person"), pk=member_id)
    today = timezone.localdate()
    form = PaymentForm(request.POST or None, initial={"month_from": f"{today:%Y-%m}", "paid_on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.dues_pay(
                actor=request.user,
                member=member,
                month_from=data["month_from"],
                month_to=data["month_to"],
                amount=data["amount"] or None,
                channel=data["channel"],
                paid_on=data["paid_on"],
                receipt_no=data["receipt_no"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已登记党费交纳 {payment.amount} 元")
            return redirect("members:detail", member.pk)
    arrears = selectors.arrears(member, today)
    return render_form(request, "members/pay.html", {"form": form, "member": member, "arrears": arrears})


LEDGER_COLUMNS = [
    "姓名",
    "党员类别",
    "计算方式",
    "申报金额（元）",
    "应交（元）",
    "实交（元）",
    "交纳方式",
    "交纳日期",
    "欠交月数",
]


@permission("people", "view")
@require_safe
def dues_ledger(request):
    """The branch's monthly dues ledger (党费收缴台账), on the page and as Excel."""
    form = LedgerForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    month = data.get("month") or today.replace(day=1)
    orgs = scope_for(request.user, "people", "view").filter(
        Org.objects.filter(org_type__in=BRANCH_TYPES, status=OrgStatus.ACTIVE)
    )
    org = orgs.filter(code=data["org"]).first() if data.get("org") else orgs.order_by("path").first()
    if data.get("org") and org is None:
        form.add_error("org", "没有找到该组织，或它不在您的管理范围内")
    rows = selectors.dues_ledger(org, month, today) if org is not None else []
    values = [
        [
            r.member.person.name,
            r.member.get_standing_display(),
            Basis(r.declaration.basis).label if r.declaration else "未申报",
            r.declaration.amount if r.declaration else None,
            r.due,
            r.payment.amount if r.payment else None,
            r.payment.get_channel_display() if r.payment else "未交",
            r.payment.paid_on if r.payment else None,
            r.arrears,
        ]
        for r in rows
    ]
    if request.GET.get("export") == "xlsx" and org is not None:
        if not has_permission(request.user, "people", "export"):
            return render(request, "403.html", status=403)
        title = f"{org.name}党费收缴台账（{month:%Y年%m月}）"
        audit_record(actor=request.user, action="export", obj=org, message=title)
        ledger = Ledger(title=title, columns=LEDGER_COLUMNS, sheet_name=f"{month:%Y-%m}")
        for v in values:
            ledger.add(v)
        return workbook_response(ledger.close(), filename=title)
    return render(
        request,
        "members/ledger.html",
        {"form": form, "org": org, "month": month, "columns": LEDGER_COLUMNS, "rows": values},
    )


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def my_record(request):
    """A person sees their own record and corrects their own contact details (PIPL's right to see and
    correct); nothing else here is theirs to change."""
    person = Person.objects.select_related("org").filter(user=request.user).first()
    if person is None:
        return render(request, "members/me.html", {"person": None})
    member = Member.objects.filter(person=person).first()
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.person_phone_update(
                actor=request.user, person=person, phone=form.cleaned_data["phone"]
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "手机号码已更新")
            return redirect("members:me")
    context = {
        "person": person,
        "member": member,
        "relations": selectors.history(member) if member else [],
        "phone_masked": mask_phone(person.phone or ""),
        "resident_id_masked": mask(person.resident_id or ""),
        "form": form,
    }
    return render_form(request, "members/me.html", context)


@permission("people", "view", model=Member, lookup="member_id")
@require_safe
def member_archive(request, member_id):
    """成长档案: the member's timeline from the modules' sources (``members.timeline``), newest first,
    a page of whole days at a time."""
    from . import timeline

    member = request.scope.get(Member.objects.select_related("person"), pk=member_id)
    error = ""
    try:
        cursor = timeline.parse_cursor(request.GET.get("on_or_before"))
    except ServiceError as exc:
        cursor, error = None, exc.message
    page = timeline.page(member, viewer=request.user, on_or_before=cursor)
    context = {"member": member, "person": member.person, "page": page, "cursor": cursor, "error": error}
    return render(request, "members/timeline.html", context, status=400 if error else 200)
