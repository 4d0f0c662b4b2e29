"""一企一档 as a workbook: one organization's file, a sheet per section of its page (basic facts, the
party orgs covering it, instructors and contacts, visits, its 总部—分支—网点 chain, the history of every
change), for an office to keep or send on. Reads only; the view checks the scope and audits the
export."""

from __future__ import annotations

import datetime as dt

from sanxin.core import audit
from sanxin.core import selectors as core_selectors
from sanxin.core.excel.export import Ledger

from . import selectors
from .models import Organization


def _field_label(name: str) -> str:
    try:
        return str(Organization._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _coverage_state(org: Organization) -> str:
    if org.is_org_covered:
        return "已组织覆盖"
    if org.has_work_contact:
        return "薄弱点（仅工作覆盖）"
    return "空白点"


def dossier_workbook(org: Organization, *, on: dt.date) -> str:
    """The path of a workbook with ``org``'s file as of ``on`` (``org`` comes from
    ``selectors.organization_get``, annotated with its coverage). The caller removes the file."""
    flags = [
        label
        for flag, label in (
            (org.above_scale, "规上企业"),
            (org.leading, "龙头企业"),
            (org.internet_platform, "互联网平台企业"),
            (org.specialized, "专精特新"),
        )
        if flag
    ]
    facts = [
        ("组织名称", org.name),
        ("统一社会信用代码", org.credit_code),
        ("类别", org.get_category_display()),
        ("组织形态", org.get_kind_display()),
        ("上级机构", org.parent.name if org.parent_id else ""),
        ("总部", org.hq.name if org.hq_id and org.hq_id != org.pk else ""),
        ("行业", str(org.industry or "")),
        ("所在区划", str(org.region)),
        ("住所", org.address),
        ("规模", org.get_size_display()),
        ("从业人员数", org.employees),
        ("新就业群体人数", org.new_employment_workers),
        ("重点类别", "、".join(flags)),
        ("状态", org.get_status_display()),
        ("成立/登记日期", org.registered_on),
        ("注销/迁出日期", org.closed_on),
        ("疑似已关闭（待核实）", org.possibly_closed),
        ("两个覆盖", _coverage_state(org)),
        ("数据来源", org.source),
        ("档案日期", on),
    ]
    ledger = Ledger(title=f"{org.name} 一企一档", columns=["项目", "内容"], sheet_name="基本信息")
    try:
        for label, value in facts:
            ledger.add([label, value])
        ledger.sheet("党组织覆盖", ["党组织", "覆盖方式", "起", "止"])
        for c in selectors.coverages(org):
            ledger.add([c.party_org.name, c.get_kind_display(), c.start_on, c.end_on or "至今"])
        ledger.sheet("指导员与联系人", ["姓名", "角色", "起", "止", "孵化进度"])
        for c in selectors.contacts(org):
            ledger.add([c.person.name, c.get_role_display(), c.start_on, c.end_on or "至今", c.incubation])
        ledger.sheet("走访记录", ["日期", "方式", "走访人", "内容", "下一步"])
        for v in selectors.visits(org).iterator():
            ledger.add([v.date, v.get_kind_display(), v.visitor_name, v.content, v.next_step])
        ledger.sheet("总部—分支—网点", ["组织名称", "组织形态", "上级机构", "统一社会信用代码"])
        for o in selectors.chain(org):
            ledger.add([o.name, o.get_kind_display(), o.parent.name if o.parent_id else "", o.credit_code])
        ledger.sheet("变更记录", ["时间", "操作人", "操作", "变更内容", "说明"])
        for h in core_selectors.history(org, limit=1000):
            changes = "；".join(
                f"{_field_label(k)}：{(h.before or {}).get(k, '')} → {(h.after or {}).get(k, '')}"
                for k in h.changed_fields
                if h.object_id  # a batch row's fields describe the batch, not this organization
            )
            ledger.add([h.at, h.actor_repr, audit.action_label(h.action), changes, h.message])
        return ledger.close()
    except BaseException:
        ledger.discard()
        raise
