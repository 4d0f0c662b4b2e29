from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanxin.core.errors import ServiceError
from sanxin.core.pages import form_error, paginate, render_form, render_page
from sanxin.core.permissions import permission
from sanxin.core.scope import request_scope

from . import selectors, services
from .forms import OrgCreateForm, OrgEditForm, OrgEventForm
from .models import Org, OrgType


def _as_of(request) -> dt.date | None:
    raw = request.GET.get("on", "")
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        messages.error(request, "日期格式应为 YYYY-MM-DD")
        return None


@permission("orgs", "view")
@require_safe
def tree(request):
    """The tree from the caller's scope roots; children load with htmx. ``?on=`` shows a past date,
    ``?q=`` searches."""
    scope = request.scope
    on = _as_of(request)
    q = request.GET.get("q", "").strip()[:50]
    ctx = {"on": on, "q": q, "today": timezone.localdate()}
    if on is not None:
        ctx["as_of"] = selectors.tree_as_of(scope, on, include_ended=request.GET.get("ended") == "1")
    elif q:
        ctx["results"] = paginate(request, selectors.org_list(scope, q=q).order_by("path"), 50)
    else:
        ctx["roots"] = selectors.scope_roots(scope)
    return render(request, "orgs/tree.html", ctx)


@permission("orgs", "view", model=Org, lookup="org_id")
@require_safe
def tree_children(request, org_id):
    org = selectors.org_get(request.scope, org_id)
    return render(request, "orgs/_children.html", {"nodes": selectors.children(request.scope, org)})


@permission("orgs", "view", model=Org, lookup="org_id")
@require_safe
def detail(request, org_id):
    org = selectors.org_get(request.scope, org_id)
    today = timezone.localdate()
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "ancestors": selectors.ancestors(org),
            "children": selectors.children(request.scope, org, include_ended=True),
            "events": selectors.history(org)[:100],
            "posts": selectors.posts(org),
            "term_state": org.term_state(today),
            "can_change": not request_scope(request, "orgs", "change").is_empty,
            "can_event": not request_scope(request, "orgs", "event").is_empty,
            "can_create": not request_scope(request, "orgs", "create").is_empty
            and org.org_type != OrgType.GROUP,
        },
    )


@permission("orgs", "create", model=Org, lookup="org_id")
@require_http_methods(["GET", "POST"])
def create_child(request, org_id):
    parent = selectors.org_get(request.scope, org_id)
    form = OrgCreateForm(
        request.POST or None, initial={"region": parent.region_id, "industry": parent.industry_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已组建“{org.name}”，组织代码 {org.code}")
            return redirect("orgs:detail", org.pk)
    return render_form(
        request, "orgs/form.html", {"form": form, "parent": parent, "title": f"在“{parent.name}”下组建组织"}
    )


@permission("orgs", "change", model=Org, lookup="org_id")
@require_http_methods(["GET", "POST"])
def edit(request, org_id):
    org = selectors.org_get(request.scope, org_id)
    initial = {f: getattr(org, f) for f in services.ORG_EDITABLE}
    form = OrgEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(actor=request.user, org=org, data=form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("orgs:detail", org.pk)
    return render_form(request, "orgs/form.html", {"form": form, "org": org, "title": f"修改“{org.name}”"})


@permission("orgs", "event", model=Org, lookup="org_id")
@require_http_methods(["GET", "POST"])
def event(request, org_id):
    org = selectors.org_get(request.scope, org_id)
    form = OrgEventForm(
        request.POST or None, initial={"on": timezone.localdate(), "kind": request.GET.get("kind")}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        common = {"actor": request.user, "on": d["on"], "document_no": d["document_no"], "note": d["note"]}
        try:
            target = None
            if d["kind"] in {"move", "merge"}:
                target = request.scope.filter(Org.objects.filter(code=d["target_code"].strip())).first()
                if target is None:
                    raise ServiceError("找不到该代码的组织，或不在您的管理范围内", field="target_code")
            if d["kind"] == "rename":
                services.org_rename(org=org, name=d["name"], **common)
            elif d["kind"] == "renew":
                services.org_renew(org=org, term_years=d["term_years"], **common)
            elif d["kind"] == "move":
                services.org_move(org=org, new_parent=target, **common)
            elif d["kind"] == "merge":
                services.org_merge(sources=[org], target=target, **common)
            elif d["kind"] == "split":
                services.org_split(
                    org=org,
                    parts=[{"name": n} for n in d["part_names"]],
                    close_source=d["close_source"],
                    **common,
                )
            elif d["kind"] == "dissolve":
                services.org_dissolve(org=org, **common)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "事项已办理")
            return redirect("orgs:detail", org.pk)
    return render_form(
        request, "orgs/form.html", {"form": form, "org": org, "title": f"为“{org.name}”办理事项"}
    )


@permission("orgs", "view")
@require_safe
def search(request):
    """Autocomplete for org pickers (htmx): names and codes within the caller's scope."""
    q = request.GET.get("q", "").strip()[:50]
    results = selectors.org_list(request.scope, q=q, status="active").order_by("path")[:20] if q else []
    return render_page(
        request, "orgs/_search.html", {"results": results, "q": q}, partial="orgs/_search.html"
    )
