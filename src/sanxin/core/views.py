from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from . import notify, registry, selectors, uploads, workdays
from .audit import record as audit_record
from .errors import ServiceError
from .forms import AuditFilterForm, CalendarDayForm
from .models import CalendarDay
from .pages import form_error, paginate, render_form, render_page
from .permissions import permission
from .scope import has_permission

# The organization department's system pages (audit log, calendar, imports).
office_required = permission("system", "view")


@permission.own()
@login_required
@require_safe
def home(request):
    return render(request, "core/home.html", {"cards": registry.cards_for(request)})


@permission.public()
@require_GET
def healthz(request):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@permission.own()
@login_required
@require_safe
def notifications(request):
    qs = notify.inbox(request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = paginate(request, qs, 20)
    return render_page(
        request, "core/notifications.html", {"page": page}, partial="core/_notification_list.html"
    )


@permission.own()
@login_required
@require_POST
def notifications_read(request):
    ids = [int(x) for x in request.POST.getlist("id") if x.isdigit()] or None
    notify.mark_read(user=request.user, ids=ids)
    if request.htmx:
        qs = notify.inbox(request.user)
        response = render(request, "core/_notification_list.html", {"page": paginate(request, qs, 20)})
        response["HX-Trigger"] = json.dumps(
            {"notificationsChanged": {"unread": notify.unread_count(request.user)}}
        )
        return response
    return redirect("core:notifications")


@permission.own()
@login_required
@require_http_methods(["GET", "POST"])
def notification_prefs(request):
    kinds = notify.kinds()
    chans = [(notify.IN_APP, "站内消息", True)] + [
        (c.name, c.label, c.default_enabled) for c in notify.channels()
    ]
    if request.method == "POST":
        for kind in kinds:
            for name, _, _ in chans:
                notify.set_preference(
                    user=request.user,
                    kind=kind,
                    channel=name,
                    enabled=request.POST.get(f"{kind}:{name}") == "on",
                )
        messages.success(request, "通知偏好已保存")
        return redirect("core:notification_prefs")
    rows = []
    for kind, label in kinds.items():
        rows.append(
            (
                kind,
                label,
                [
                    (name, clabel, notify.is_enabled(request.user.pk, kind, name, default))
                    for name, clabel, default in chans
                ],
            )
        )
    return render(request, "core/notification_prefs.html", {"rows": rows, "channels": chans})


@office_required
@require_safe
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.audit_list(**{k: v for k, v in filters.items() if v})
    if request.GET.get("export") == "xlsx":
        from django.http import HttpResponse

        from .excel.export import ledger_response

        if getattr(request, "htmx", False):
            # The filter form submits through htmx; a file cannot be swapped into the table, so the
            # browser is sent to the same address as a plain navigation, which downloads it.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = request.get_full_path()
            return response
        audit_record(
            actor=request.user,
            action="export",
            object_type="core.auditlog",
            message=f"审计日志导出：{request.GET.urlencode()}"[:500],
        )
        return ledger_response(
            qs.iterator(chunk_size=2000),
            [
                ("at", "时间"),
                ("actor_repr", "操作人"),
                ("action", "操作"),
                ("object_type", "对象类型"),
                ("object_id", "对象ID"),
                ("object_repr", "对象"),
                (lambda r: "、".join(r.changed_fields), "变更字段"),
                ("message", "说明"),
                ("request_id", "请求ID"),
            ],
            title="审计日志",
            filename="审计日志",
        )
    page = paginate(request, qs, 50)
    return render_page(
        request, "core/audit.html", {"form": form, "page": page}, partial="core/_audit_table.html"
    )


@office_required
@require_http_methods(["GET", "POST"])
def calendar(request):
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.localdate().year
    if request.method == "POST":
        if not has_permission(request.user, "system", "change"):
            raise PermissionDenied
        if request.POST.get("delete"):
            try:
                day = dt.date.fromisoformat(request.POST["delete"])
            except ValueError:
                messages.error(request, "日期格式不正确")
            else:
                workdays.remove_day(actor=request.user, date=day)
                messages.success(request, f"已删除 {day} 的调整")
            return redirect(f"{request.path}?year={year}")
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            try:
                workdays.set_day(actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "已保存")
                return redirect(f"{request.path}?year={form.cleaned_data['date'].year}")
    else:
        form = CalendarDayForm()
    overrides = CalendarDay.objects.filter(date__year=year)
    return render_form(
        request,
        "core/calendar.html",
        {
            "form": form,
            "overrides": overrides,
            "year": year,
            "known": workdays.known_year(year),
            "package_knows": workdays.package_knows(year),
        },
    )


@permission.own()  # each upload purpose decides who may read (core.uploads.register_purpose)
@login_required
@require_safe
def file_download(request, file_id):
    f = uploads.get_readable(request.user, file_id)  # NotFound is the 404 page (ServiceErrorMiddleware)
    return uploads.serve(request, f, inline=request.GET.get("inline") == "1")
