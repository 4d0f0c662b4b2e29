"""The authorization matrix: role × module × action → the anchor kinds over which it is allowed.

This one table is the source of truth for pages and API alike (``core.permissions.permission``
consults it through ``scope_for``), and the page /accounts/matrix/ shows it to offices. Every route
declares a (module, action); a test fails when a route names a pair that has no row here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ORG_DEPARTMENT = "org_department", _("组织部门")
    SECURITY_ADMIN = "security_admin", _("组织部门安全管理员")
    INDUSTRY_COMMITTEE = "industry_committee", _("行业党委")
    STREET = "street", _("街道社区党(工)委")
    PLATFORM_COMMITTEE = "platform_committee", _("平台企业党委")
    BRANCH_SECRETARY = "branch_secretary", _("支部书记/支委")
    INSTRUCTOR = "instructor", _("党建指导员")
    PARTY_LIAISON = "party_liaison", _("党建联络员")
    MEMBER_LIAISON = "member_liaison", _("党员联络员")
    DEPARTMENT = "department", _("主管部门")
    MEMBER = "member", _("党员")
    WORKER = "worker", _("新就业群体从业者")
    STATION_KEEPER = "station_keeper", _("驿站管理员")
    PARTNER = "partner", _("服务合作方")
    MODERATOR = "moderator", _("版主")
    HOTLINE = "hotline", _("热线受理员")


class Anchor(models.TextChoices):
    ORG = "org", _("组织及其下级")
    REGION = "region", _("行政区划范围")
    INDUSTRY = "industry", _("行业")
    ASSIGNMENT = "assignment", _("指定对象清单")


MODULES = {
    "orgs": "组织体系",
    "people": "人员信息",
    "registry": "新兴领域组织",
    "accounts": "账号与授权",
    "system": "系统管理",
    "transfers": "组织关系转接",
    "meetings": "组织生活",
    "points": "积分管理",
    "appeals": "诉求办理",
    "stations": "服务阵地",
    "learning": "学习教育",
    "community": "互动交流",
}

ACTIONS = {
    "view": "查看",
    "create": "新建",
    "change": "修改",
    "event": "生命周期事项",
    "export": "导出",
    "reveal": "查看敏感信息原文",
    "grant": "授权",
    "visit": "走访记录",
    "flags": "口袋/隐形党员标记",
    "find": "双找（导入名单、查看发现）",
    "verify": "双核·组织部门核实",
    "verify_industry": "双核·行业核实",
    "approve": "审批（接收预备党员、转正）",
    "quota": "下达发展党员名额",
    "apply": "申请（组织关系转接）",
    "escalate": "上级审批（组织关系转接）",
    "accept": "接收（组织关系转接）",
    "rules": "设定组织生活制度",
    "review": "党支部审核（积分申报）",
    "confirm": "党委认定（积分）",
    "catalogue": "制定积分细则",
    "partners": "管理积分兑换服务",
    "redeem": "核销兑换券",
    "handle": "办理诉求（受理、转办、答复）",
    "intake": "代为登记诉求（联络员、热线、驿站）",
    "classify": "诉求人工分类",
    "supervise": "督办（超时诉求、延期审核）",
    "hardship": "困难帮扶",
    "coordinate": "协调会",
    "keep": "站点日常管理（开放时间、到站登记）",
    "publish": "审核发布（学习课程）",
    "moderate": "论坛版主（审核、隐藏、锁定、置顶、敏感词）",
    "mailbox": "书记信箱（阅读、回复本组织的来信）",
    "suggest": "办理建言献策（答复、采纳、转交）",
    "activities": "组织活动与志愿服务（需求征集、活动、签到、评估、志愿队伍）",
    "awards": "评选表彰与四亮（提名审核、投票、结果、证书）",
    "affairs": "党务公开、协商议事、党员示范岗与责任区",
}

ORG, REG, IND, ASG = Anchor.ORG, Anchor.REGION, Anchor.INDUSTRY, Anchor.ASSIGNMENT
_OFFICES = {  # the four-level chain's offices: 组织部门抓总 → 行业主管各司 → 街道社区兜底 → 平台企业具体管理
    Role.ORG_DEPARTMENT: {ORG, REG},
    Role.INDUSTRY_COMMITTEE: {ORG, IND},
    Role.STREET: {ORG, REG},
    Role.PLATFORM_COMMITTEE: {ORG},
}

MATRIX: dict[tuple[str, str, str], frozenset[str]] = {}


def allow(role: str, module: str, action: str, anchors: set[str]) -> None:
    if module not in MODULES or action not in ACTIONS:
        raise ValueError(f"unknown module/action {module}.{action}")
    key = (str(role), module, action)
    MATRIX[key] = frozenset(MATRIX.get(key, frozenset()) | {str(a) for a in anchors})


for _role, _anchors in _OFFICES.items():
    for _action in ("view", "create", "change", "event", "export"):
        allow(_role, "orgs", _action, _anchors)
    for _action in ("view", "change", "export"):
        allow(_role, "people", _action, _anchors)
    for _action in ("view", "create", "change", "export", "visit"):
        allow(_role, "registry", _action, _anchors)
allow(Role.BRANCH_SECRETARY, "orgs", "view", {ORG})
allow(Role.BRANCH_SECRETARY, "orgs", "change", {ORG})
allow(Role.BRANCH_SECRETARY, "people", "view", {ORG})
allow(Role.BRANCH_SECRETARY, "people", "change", {ORG})
allow(Role.BRANCH_SECRETARY, "people", "export", {ORG})  # the branch's own ledgers (党费收缴台账)
allow(Role.MEMBER_LIAISON, "orgs", "view", {ORG})
allow(Role.PARTY_LIAISON, "orgs", "view", {ASG})
allow(Role.INSTRUCTOR, "orgs", "view", {REG, ASG})
allow(Role.INSTRUCTOR, "registry", "view", {REG, ASG})
allow(Role.INSTRUCTOR, "registry", "visit", {ASG})
allow(Role.PARTY_LIAISON, "registry", "view", {ASG})
allow(Role.DEPARTMENT, "registry", "view", {REG, IND})
allow(Role.DEPARTMENT, "orgs", "view", {REG, IND})
allow(Role.MEMBER, "orgs", "view", {ORG})
allow(Role.SECURITY_ADMIN, "people", "reveal", {ORG, REG})
# 口袋党员/隐形党员 label people who have not chosen to show themselves: the organization department only.
allow(Role.ORG_DEPARTMENT, "people", "flags", {ORG, REG})
# 双找双核 (members.findings): a secretary or an office imports a platform's worker list and sees the
# findings of what it started (and, offices, of its region or industry); each finding is checked by the
# organization department and by the industry regulator — the industry committee (管行业必须管党建) or
# the competent department, by industry. The platform's own users hold none of these: findings never
# go back to the employer.
allow(Role.BRANCH_SECRETARY, "people", "find", {ORG})
for _role in (Role.ORG_DEPARTMENT, Role.INDUSTRY_COMMITTEE, Role.STREET):
    allow(_role, "people", "find", _OFFICES[_role])
allow(Role.DEPARTMENT, "people", "find", {IND})
allow(Role.ORG_DEPARTMENT, "people", "verify", {ORG, REG})
allow(Role.INDUSTRY_COMMITTEE, "people", "verify_industry", {IND})
allow(Role.DEPARTMENT, "people", "verify_industry", {IND})
# 发展党员: the committee above the branch approves admissions and conversions (上级党委审批); the
# organization department sets the committees' yearly quotas.
for _role in _OFFICES:
    allow(_role, "people", "approve", {ORG} | ({REG} if _role == Role.ORG_DEPARTMENT else set()))
allow(Role.ORG_DEPARTMENT, "people", "quota", {ORG, REG})
# 组织关系转接: the branch applies for its members, approves what leaves it and accepts what comes to it;
# the committees and offices do the same over their subtree (or region/industry) and give the higher
# level's approval of transfers that cross committees or leave the platform. A member applies for
# themself and follows their own transfers through routes of their own (owner rows), not the matrix.
for _action in ("view", "apply", "approve", "accept", "export"):
    allow(Role.BRANCH_SECRETARY, "transfers", _action, {ORG})
for _role, _anchors in _OFFICES.items():
    for _action in ("view", "apply", "approve", "accept", "escalate", "export"):
        allow(_role, "transfers", _action, _anchors)
# 组织生活: the branch schedules, holds and records its meetings; the committees and offices above see
# and oversee them over their subtree (or region/industry) and may hold meetings of their own; the
# organization department sets the rules (by org type, for the whole platform). A member checks in, asks for leave and does
# a make-up on routes of their own (owner rows).
for _action in ("view", "create", "change", "export"):
    allow(Role.BRANCH_SECRETARY, "meetings", _action, {ORG})
    for _role, _anchors in _OFFICES.items():
        allow(_role, "meetings", _action, _anchors)
allow(Role.MEMBER_LIAISON, "meetings", "view", {ORG})
allow(Role.ORG_DEPARTMENT, "meetings", "rules", {ORG, REG})
# 积分管理: the branch reviews its members' claims (党支部审核); the committee that runs the catalogue
# confirms them (党委认定), settles objections, keeps the catalogue and the partners' offers; offices
# above see and export over their subtree (or region/industry). A partner's staff redeem the vouchers of
# their own offers (assignment grant, kind ``points_partners``). A member declares, objects, buys and
# cancels on routes of their own (owner rows).
for _action in ("view", "review", "export"):
    allow(Role.BRANCH_SECRETARY, "points", _action, {ORG})
for _role, _anchors in _OFFICES.items():
    for _action in ("view", "export"):
        allow(_role, "points", _action, _anchors)
    for _action in ("confirm", "catalogue", "partners"):
        allow(_role, "points", _action, {ORG})
allow(Role.MEMBER_LIAISON, "points", "view", {ORG})
allow(Role.PARTNER, "points", "redeem", {ASG})
# 诉求办理 (连心桥): the holder on the three-level chain acts — the branch's 党员联络员 (and its
# secretary), the platform enterprise committee's 诉求处理小组, a department's staff (assignment grant,
# kind ``appeals_departments``); the organization department oversees everything in its region, the
# industry committee its industry, the street what happens in its area; the supervision (督办) and the
# extensions are theirs and the department's own desk's. Liaisons, hotline operators and station keepers
# register appeals for others. A worker submits, follows, answers, rates and withdraws their own on
# routes of their own (owner rows); an anonymous author is revealed only to the security administrator.
for _role in (Role.MEMBER_LIAISON, Role.BRANCH_SECRETARY):
    for _action in ("view", "handle", "intake", "classify", "hardship"):
        allow(_role, "appeals", _action, {ORG})
allow(Role.PLATFORM_COMMITTEE, "appeals", "handle", {ORG})
allow(Role.PLATFORM_COMMITTEE, "appeals", "classify", {ORG})
allow(Role.PLATFORM_COMMITTEE, "appeals", "coordinate", {ORG})
for _role, _anchors in _OFFICES.items():
    for _action in ("view", "export", "hardship"):
        allow(_role, "appeals", _action, _anchors)
for _role in (Role.ORG_DEPARTMENT, Role.INDUSTRY_COMMITTEE, Role.STREET):
    allow(_role, "appeals", "supervise", _OFFICES[_role])
    allow(_role, "appeals", "coordinate", _OFFICES[_role])
allow(Role.ORG_DEPARTMENT, "appeals", "classify", {ORG, REG})
for _action in ("view", "handle", "supervise", "export"):
    allow(Role.DEPARTMENT, "appeals", _action, {ASG})
allow(Role.HOTLINE, "appeals", "intake", {REG})
allow(Role.HOTLINE, "appeals", "classify", {REG})
allow(Role.HOTLINE, "appeals", "view", {REG})

# 服务阵地: the offices keep the ledger of the stations their orgs manage, and may do what a keeper does; a
# station's keepers (驿站管理员, an assignment list of kind ``stations``) set its hours and closures and
# register visits at the desk.
# Finding the nearest station and checking in is every signed-in user's (reference and own routes).
for _role, _anchors in _OFFICES.items():
    for _action in ("view", "create", "change", "export", "keep"):
        allow(_role, "stations", _action, _anchors)
allow(Role.BRANCH_SECRETARY, "stations", "view", {ORG})
for _action in ("view", "keep"):
    allow(Role.STATION_KEEPER, "stations", _action, {ASG})

# 学习教育: an org's publishers draft and submit courses for its subtree; the committees and offices above
# review, publish and archive them (never the one who submitted: four eyes) and see their orgs' courses;
# a secretary sees who in the branch is behind on the year's hours. A member learns on routes of their
# own (the courses of the orgs on their ancestor chain), not through the matrix.
for _role, _anchors in _OFFICES.items():
    for _action in ("view", "create", "change", "publish"):
        allow(_role, "learning", _action, _anchors)
for _action in ("view", "create", "change"):
    allow(Role.BRANCH_SECRETARY, "learning", _action, {ORG})

# 互动交流: an org's boards are moderated by its secretary and the offices above (and 版主 anchored at
# it); its mailbox is read by the grants anchored at that very org (the scope maps letters to their org
# exactly: the offices above get counts, never contents); its suggestions are handled by it and the
# offices above. Members read, post, write and propose on routes of their own (their org chain). Only the
# security administrator may reveal an anonymous letter's author.
for _role, _anchors in _OFFICES.items():
    for _action in ("view", "moderate", "suggest"):
        allow(_role, "community", _action, _anchors)
    allow(_role, "community", "mailbox", {ORG})
for _action in ("view", "moderate", "mailbox", "suggest"):
    allow(Role.BRANCH_SECRETARY, "community", _action, {ORG})
# Activities, awards and the org's public affairs: run by the org (its secretary) and the offices above,
# each over its subtree, and exported by the offices. Members take part on routes of their own.
for _role, _anchors in _OFFICES.items():
    for _action in ("activities", "awards", "affairs", "export"):
        allow(_role, "community", _action, _anchors)
for _action in ("activities", "awards", "affairs"):
    allow(Role.BRANCH_SECRETARY, "community", _action, {ORG})
allow(Role.MODERATOR, "community", "moderate", {ORG})
allow(Role.SECURITY_ADMIN, "community", "reveal", {ORG, REG})

allow(Role.STATION_KEEPER, "appeals", "intake", {REG, ASG})
allow(Role.SECURITY_ADMIN, "appeals", "reveal", {ORG, REG})
allow(Role.SECURITY_ADMIN, "system", "view", {ORG, REG})
allow(Role.ORG_DEPARTMENT, "system", "view", {ORG, REG})
allow(Role.ORG_DEPARTMENT, "system", "change", {ORG, REG})
allow(Role.ORG_DEPARTMENT, "accounts", "view", {ORG, REG})
allow(Role.ORG_DEPARTMENT, "accounts", "grant", {ORG, REG})
allow(Role.SECURITY_ADMIN, "accounts", "view", {ORG, REG})


def anchors_for(role: str, module: str, action: str) -> frozenset[str]:
    return MATRIX.get((str(role), module, action), frozenset())


def has_row(module: str, action: str) -> bool:
    return any(m == module and a == action for (_, m, a) in MATRIX)


def anchors_of_role(role: str) -> frozenset[str]:
    out: set[str] = set()
    for (r, _module, _action), anchors in MATRIX.items():
        if r == str(role):
            out |= anchors
    return frozenset(out)


def table() -> list[dict]:
    """Rows for the matrix page: one per (module, action), a cell per role."""
    rows = []
    for module, mlabel in MODULES.items():
        for action, alabel in ACTIONS.items():
            cells = [anchors_for(role, module, action) for role in Role]
            if any(cells):
                rows.append(
                    {
                        "module": mlabel,
                        "action": alabel,
                        "key": f"{module}.{action}",
                        "cells": [sorted(Anchor(a).label for a in c) for c in cells],
                    }
                )
    return rows
