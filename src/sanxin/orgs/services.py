"""Writes of the organization tree: creation and the lifecycle events (组建, 换届, 更名, 合并, 拆分,
撤销, 调整隶属), people and posts. Every function takes the acting user (None for system jobs and the
demo), checks it against the scope for the action, keeps the invariants, writes the dated history
(``OrgEvent`` + ``OrgVersion``), audits, and publishes ``orgs.*`` events after commit.

Invariants, each refused with a Chinese message:
- no cycles (an org never moves under itself or its descendants);
- a 党小组 sits only under a branch-type org, and a branch holds only 党小组;
- a dissolved (merged, split) org has no active children and no people;
- events of one org are dated in order (history is appended, never rewritten).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Max

from sanxin.core import audit, events
from sanxin.core import crypto as pii
from sanxin.core.errors import InvalidInput, NotFound, RuleViolation
from sanxin.core.models import Industry, Region
from sanxin.core.scope import scope_for
from sanxin.core.services import full_clean, model_create, model_update
from sanxin.core.validators import check_mobile, check_resident_id, resident_id_birth_date, resident_id_gender

from .models import (
    BRANCH_TYPES,
    DEFAULT_TERM_YEARS,
    EventKind,
    LocatedAt,
    Org,
    OrgCodeSequence,
    OrgEvent,
    OrgStatus,
    OrgType,
    OrgVersion,
    Person,
    Post,
    PostTitle,
    SettingMode,
)

# Checks other modules add: callable(org) -> Chinese reason the org cannot be dissolved, or "".
_dissolve_checks: list[Callable[[Org], str]] = []


def register_dissolve_check(check: Callable[[Org], str]) -> None:
    _dissolve_checks.append(check)


# Movers other modules add for a merge: callable(actor, source, target, on) moving the people whose
# relation the module owns (the member registry moves members through its membership service). The
# people left with ``org=source`` afterwards (holders of no membership) are moved here.
_people_movers: list[Callable] = []


def register_people_mover(mover: Callable) -> None:
    _people_movers.append(mover)


# --- helpers ------------------------------------------------------------------------------------


def _check_scope(actor, action: str, org: Org) -> None:
    """The actor may act on ``org`` (the parent, for creation). Out of scope is 404, as for reads."""
    if not scope_for(actor, "orgs", action).contains(org):
        raise NotFound()


def _lock(org: Org) -> Org:
    """Re-read the row under a lock (PostgreSQL: FOR UPDATE; SQLite: the IMMEDIATE write lock)."""
    return Org.objects.select_for_update().get(pk=org.pk)


def _current_version(org: Org) -> OrgVersion:
    return OrgVersion.objects.select_for_update().get(org=org, valid_to__isnull=True)


def _check_date_order(org: Org, on: dt.date) -> OrgVersion:
    current = _current_version(org)
    if on < current.valid_from:
        raise RuleViolation(
            f"日期不能早于该组织上一次变更的日期（{current.valid_from:%Y-%m-%d}）",
            code="date_order",
            field="on",
        )
    return current


def _new_version(org: Org, on: dt.date, **changes) -> OrgVersion:
    """Close the open version at ``on`` and open one with ``changes``; a second change on the same day
    amends that day's version instead (periods are whole days)."""
    current = _check_date_order(org, on)
    fields = {
        "parent_id": current.parent_id,
        "name": current.name,
        "org_type": current.org_type,
        "status": current.status,
        "region_id": current.region_id,
        "industry_id": current.industry_id,
    } | changes
    if current.valid_from == on:
        for k, v in fields.items():
            setattr(current, k, v)
        current.save()
        return current
    current.valid_to = on
    current.save(update_fields=["valid_to"])
    return OrgVersion.objects.create(org=org, valid_from=on, **fields)


def _check_child_type(parent: Org | None, org_type: str) -> None:
    if org_type == OrgType.GROUP:
        if parent is None or parent.org_type not in BRANCH_TYPES:
            raise InvalidInput("党小组只能设在党支部（含联合、临时、流动党员党支部等）之下", field="org_type")
    elif parent is not None and parent.org_type in BRANCH_TYPES:
        raise InvalidInput(f"{parent.get_org_type_display()}之下只能设立党小组", field="org_type")
    if parent is not None and parent.org_type == OrgType.GROUP:
        raise InvalidInput("党小组之下不能再设立组织", field="parent")


def _allocate_code(region: Region) -> str:
    seq, _ = OrgCodeSequence.objects.select_for_update().get_or_create(region=region)
    if seq.last == 0:
        # Codes may have been given before the sequence row existed (imports): continue after them.
        top = Org.objects.filter(code__startswith=region.code).aggregate(m=Max("code"))["m"]
        seq.last = int(top[len(region.code) :]) if top and top[len(region.code) :].isdigit() else 0
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{region.code}{seq.last:04d}"


def _event(actor, org: Org, kind: str, on: dt.date, *, document_no="", note="", details=None, related=()):
    ev = OrgEvent.objects.create(
        org=org,
        kind=kind,
        date=on,
        document_no=document_no,
        note=note,
        details=details or {},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if related:
        ev.related.set(related)
    return ev


def _publish(kind: str, org: Org, on: dt.date, **extra) -> None:
    events.publish(f"orgs.{kind}", {"org_id": org.pk, "date": on.isoformat(), **extra})


def _validate_choices(**values) -> None:
    choices = {"org_type": OrgType, "setting_mode": SettingMode, "located_at": LocatedAt}
    for name, value in values.items():
        if value and value not in choices[name].values:
            raise InvalidInput(f"“{value}”不是有效的选项", field=name)


def _active(org: Org, what: str = "该组织") -> None:
    if org.status != OrgStatus.ACTIVE:
        raise RuleViolation(f"{what}已撤销或合并，不能办理此事项", code="org_inactive")


# --- creation -----------------------------------------------------------------------------------


@transaction.atomic
def org_create(
    *,
    actor,
    parent: Org | None,
    name: str,
    org_type: str,
    region: Region | str,
    founded_on: dt.date,
    industry: Industry | str | None = None,
    setting_mode: str = "",
    located_at: str = "",
    short_name: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
    term_years: int | None = None,
    document_no: str = "",
    note: str = "",
) -> Org:
    """组建: a new org under ``parent`` (None: a root, superusers and system only)."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写组织名称", field="name")
    _validate_choices(org_type=org_type, setting_mode=setting_mode, located_at=located_at)
    if not org_type:
        raise InvalidInput("请选择组织类别", field="org_type")
    if isinstance(region, str):
        region = Region.objects.filter(code=region).first()
        if region is None:
            raise InvalidInput("所在区划不存在", field="region")
    if isinstance(industry, str):
        industry = Industry.objects.filter(code=industry).first() if industry else None
    if contact_phone:
        try:
            contact_phone = check_mobile(contact_phone).value
        except Exception:
            contact_phone = contact_phone.strip()  # an office landline is fine too
    if parent is None:
        if actor is not None and not actor.is_superuser:
            raise NotFound()
    else:
        _check_scope(actor, "create", parent)
        parent = _lock(parent)
        _active(parent, "上级组织")
        if founded_on < parent.founded_on:
            raise InvalidInput(
                f"成立日期不能早于上级组织的成立日期（{parent.founded_on:%Y-%m-%d}）", field="founded_on"
            )
    _check_child_type(parent, org_type)
    years = term_years or DEFAULT_TERM_YEARS.get(org_type, 3)
    fields = dict(
        name=name,
        short_name=short_name,
        org_type=org_type,
        setting_mode=setting_mode,
        located_at=located_at,
        region=region,
        industry=industry,
        founded_on=founded_on,
        term_years=years,
        term_started_on=founded_on,
        term_ends_on=_add_years(founded_on, years) if org_type != OrgType.GROUP else None,
        contact_name=contact_name,
        contact_phone=contact_phone,
        address=address,
        code=_allocate_code(region),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    full_clean(Org(**fields, path="0", depth=1), exclude=["path", "depth", "numchild", "code"])
    try:
        org = Org.objects.add_child(parent, fields) if parent is not None else Org.objects.add_root(fields)
    except IntegrityError as exc:
        raise RuleViolation("组织代码冲突，请重试", code="conflict") from exc
    OrgVersion.objects.create(
        org=org,
        valid_from=founded_on,
        parent=parent,
        name=name,
        org_type=org_type,
        status=OrgStatus.ACTIVE,
        region=region,
        industry=industry,
    )
    _event(actor, org, EventKind.FOUND, founded_on, document_no=document_no, note=note)
    audit.record(actor=actor, action="create", obj=org, after=audit.snapshot(org))
    _publish("founded", org, founded_on)
    return org


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


# --- lifecycle ----------------------------------------------------------------------------------


@transaction.atomic
def org_rename(
    *, actor, org: Org, name: str, on: dt.date, short_name: str | None = None, document_no="", note=""
):
    _check_scope(actor, "event", org)
    org = _lock(org)
    _active(org)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写新名称", field="name")
    if name == org.name:
        raise InvalidInput("新名称与原名称相同", field="name")
    before = audit.snapshot(org)
    _new_version(org, on, name=name)
    _event(
        actor,
        org,
        EventKind.RENAME,
        on,
        document_no=document_no,
        note=note,
        details={"from": org.name, "to": name},
    )
    org.name = name
    if short_name is not None:
        org.short_name = short_name
    org.save()
    audit.record(actor=actor, action="rename", obj=org, before=before, after=audit.snapshot(org))
    _publish("renamed", org, on)
    return org


@transaction.atomic
def org_renew(*, actor, org: Org, on: dt.date, term_years: int | None = None, document_no="", note=""):
    """换届: a new term starts ``on`` and ends ``term_years`` later."""
    _check_scope(actor, "event", org)
    org = _lock(org)
    _active(org)
    _check_date_order(org, on)
    if org.org_type == OrgType.GROUP:
        raise RuleViolation("党小组不实行换届", code="no_term")
    years = term_years or org.term_years
    if not 1 <= years <= 5:
        raise InvalidInput("每届任期应为1至5年", field="term_years")
    before = audit.snapshot(org)
    org.term_years = years
    org.term_started_on = on
    org.term_ends_on = _add_years(on, years)
    org.save()
    _event(
        actor,
        org,
        EventKind.RENEW,
        on,
        document_no=document_no,
        note=note,
        details={"term_years": years, "term_ends_on": org.term_ends_on.isoformat()},
    )
    audit.record(actor=actor, action="renew", obj=org, before=before, after=audit.snapshot(org))
    _publish("renewed", org, on)
    return org


@transaction.atomic
def org_move(*, actor, org: Org, new_parent: Org, on: dt.date, document_no="", note=""):
    """调整隶属关系: move ``org`` with its whole subtree under ``new_parent``."""
    _check_scope(actor, "event", org)
    _check_scope(actor, "event", new_parent)
    org = _lock(org)
    new_parent = _lock(new_parent)
    _active(org)
    _active(new_parent, "新的上级组织")
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise RuleViolation("不能把组织调整到它自己或它的下级组织之下", code="cycle", field="new_parent")
    old_parent = Org.objects.get_parent(org)
    if old_parent is not None and old_parent.pk == new_parent.pk:
        raise InvalidInput("新的上级组织与原上级相同", field="new_parent")
    _check_child_type(new_parent, org.org_type)
    if on < new_parent.founded_on:
        raise InvalidInput("调整日期不能早于新上级组织的成立日期", field="on")
    before = audit.snapshot(org)
    _new_version(org, on, parent_id=new_parent.pk)
    # treebeard rewrites the paths of the moved subtree in one statement; descendants' versions
    # (their parents) are untouched, so their history is kept.
    Org.objects.move(org, new_parent, pos="last-child")
    org = Org.objects.get(pk=org.pk)
    _event(
        actor,
        org,
        EventKind.MOVE,
        on,
        document_no=document_no,
        note=note,
        details={"from": old_parent.pk if old_parent else None, "to": new_parent.pk},
        related=[p for p in (old_parent, new_parent) if p is not None],
    )
    audit.record(actor=actor, action="move", obj=org, before=before, after=audit.snapshot(org))
    _publish(
        "moved", org, on, old_parent_id=old_parent.pk if old_parent else None, new_parent_id=new_parent.pk
    )
    return org


def dissolve_blockers(org: Org) -> list[str]:
    reasons = []
    active_children = Org.objects.get_children(org).filter(status=OrgStatus.ACTIVE).count()
    if active_children:
        reasons.append(f"还有{active_children}个下级组织未撤销或调整")
    people = Person.objects.filter(org=org).count()
    if people:
        reasons.append(f"还有{people}名人员的组织关系在本组织")
    open_posts = Post.objects.filter(org=org, end_on__isnull=True).count()
    if open_posts:
        reasons.append(f"还有{open_posts}名在任职务人员未办理离任")
    for check in _dissolve_checks:
        reason = check(org)
        if reason:
            reasons.append(reason)
    return reasons


def _end(
    actor, org: Org, on: dt.date, status: str, kind: str, *, document_no, note, details=None, related=()
):
    blockers = dissolve_blockers(org)
    if blockers:
        raise RuleViolation("不能撤销：" + "；".join(blockers), code="not_empty")
    before = audit.snapshot(org)
    _new_version(org, on, status=status)
    org.status = status
    org.ended_on = on
    org.save()
    _event(actor, org, kind, on, document_no=document_no, note=note, details=details, related=related)
    audit.record(actor=actor, action=kind, obj=org, before=before, after=audit.snapshot(org))


@transaction.atomic
def org_dissolve(*, actor, org: Org, on: dt.date, document_no="", note=""):
    """撤销. Refused while active children, people or open posts remain."""
    _check_scope(actor, "event", org)
    org = _lock(org)
    _active(org)
    _end(actor, org, on, OrgStatus.DISSOLVED, EventKind.DISSOLVE, document_no=document_no, note=note)
    _publish("dissolved", org, on)
    return org


@transaction.atomic
def org_merge(*, actor, sources: list[Org], target: Org, on: dt.date, document_no="", note=""):
    """合并: every source's active children move under ``target``, its people and open posts follow
    (posts end), and the source closes as merged."""
    if not sources:
        raise InvalidInput("请选择被合并的组织", field="sources")
    _check_scope(actor, "event", target)
    target = _lock(target)
    _active(target, "合并后的组织")
    for src in sources:
        _check_scope(actor, "event", src)
        if src.pk == target.pk or target.path.startswith(src.path):
            raise RuleViolation("合并后的组织不能是被合并组织本身或其下级", code="cycle", field="target")
    for src in sources:
        src = _lock(src)
        _active(src, f"“{src.name}”")
        if src.org_type in BRANCH_TYPES and target.org_type not in BRANCH_TYPES:
            raise RuleViolation("党支部只能并入党支部", code="type_mismatch", field="target")
        for child in Org.objects.get_children(src).filter(status=OrgStatus.ACTIVE):
            org_move(
                actor=actor,
                org=child,
                new_parent=target,
                on=on,
                document_no=document_no,
                note=f"因合并调整：{note}",
            )
            src = Org.objects.get(pk=src.pk)
        moved = list(Person.objects.filter(org=src).values_list("pk", flat=True))
        for mover in _people_movers:
            mover(actor, src, target, on)
        Person.objects.filter(org=src).update(org=target)
        Post.objects.filter(org=src, end_on__isnull=True).update(end_on=on)
        _end(
            actor,
            src,
            on,
            OrgStatus.MERGED,
            EventKind.MERGE,
            document_no=document_no,
            note=note,
            details={"into": target.pk, "people": len(moved)},
            related=[target],
        )
        _publish("merged", src, on, into_id=target.pk, person_ids=moved)
    _event(
        actor,
        target,
        EventKind.MERGE,
        on,
        document_no=document_no,
        note=note,
        details={"from": [s.pk for s in sources]},
        related=sources,
    )
    return Org.objects.get(pk=target.pk)


@transaction.atomic
def org_split(
    *, actor, org: Org, parts: list[dict], on: dt.date, close_source: bool = True, document_no="", note=""
) -> list[Org]:
    """拆分: new orgs (``parts``: name, optionally org_type, region, setting_mode, located_at) are
    founded beside ``org`` under its parent. With ``close_source`` the source closes as split, which
    needs its children and people moved to the parts first (see ``dissolve_blockers``)."""
    _check_scope(actor, "event", org)
    org = _lock(org)
    _active(org)
    if len(parts) < (2 if close_source else 1):
        raise InvalidInput(
            "拆分至少要产生两个组织" if close_source else "请至少填写一个新组织", field="parts"
        )
    parent = Org.objects.get_parent(org)
    if parent is None:
        raise RuleViolation("顶层组织不能拆分", code="root")
    if close_source:
        blockers = dissolve_blockers(org)
        if blockers:
            raise RuleViolation("拆分前请先调整：" + "；".join(blockers), code="not_empty")
    created = []
    for part in parts:
        created.append(
            org_create(
                actor=actor,
                parent=parent,
                name=part.get("name", ""),
                org_type=part.get("org_type") or org.org_type,
                region=part.get("region") or org.region,
                industry=part.get("industry", org.industry),
                founded_on=on,
                setting_mode=part.get("setting_mode", org.setting_mode),
                located_at=part.get("located_at", org.located_at),
                document_no=document_no,
                note=f"由“{org.name}”拆分设立",
            )
        )
    org = Org.objects.get(pk=org.pk)
    if close_source:
        _end(
            actor,
            org,
            on,
            OrgStatus.SPLIT,
            EventKind.SPLIT,
            document_no=document_no,
            note=note,
            details={"into": [c.pk for c in created]},
            related=created,
        )
    else:
        _event(
            actor,
            org,
            EventKind.SPLIT,
            on,
            document_no=document_no,
            note=note,
            details={"into": [c.pk for c in created]},
            related=created,
        )
    _publish("split", org, on, into_ids=[c.pk for c in created])
    return created


ORG_EDITABLE = [
    "short_name",
    "setting_mode",
    "located_at",
    "contact_name",
    "contact_phone",
    "address",
    "term_years",
]


@transaction.atomic
def org_update(*, actor, org: Org, data: dict) -> Org:
    """Facts that are not history (contacts, address, setting mode...). Name, parent, type and status
    change only through lifecycle events."""
    _check_scope(actor, "change", org)
    org = _lock(org)
    _validate_choices(**{k: v for k, v in data.items() if k in {"setting_mode", "located_at"}})
    org, _ = model_update(org, actor=actor, data=data, fields=ORG_EDITABLE)
    return org


# --- people and posts ---------------------------------------------------------------------------


def _person_scope_check(actor, org: Org | None, action: str = "change") -> None:
    if org is None:
        if actor is not None and not actor.is_superuser:
            raise InvalidInput("请选择所在组织", field="org")
        return
    if not scope_for(actor, "people", action).contains(org) and not scope_for(actor, "orgs", action).contains(
        org
    ):
        raise NotFound()


@transaction.atomic
def person_create(
    *,
    actor,
    name: str,
    org: Org | None = None,
    gender: str = "",
    birth_date: dt.date | None = None,
    phone: str = "",
    resident_id: str = "",
    user=None,
    ethnicity: str = "",
    education: str = "",
    household_place: str = "",
) -> tuple[Person, list[str]]:
    """Returns the person and warnings (e.g. an area code not in the reference table)."""
    _person_scope_check(actor, org)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写姓名", field="name")
    warnings: list[str] = []
    data = {
        "name": name,
        "org": org,
        "gender": gender,
        "birth_date": birth_date,
        "user": user,
        "ethnicity": ethnicity,
        "education": education,
        "household_place": (household_place or "").strip(),
    }
    if phone:
        try:
            phone = check_mobile(phone).value
        except Exception as exc:
            raise InvalidInput(exc.messages[0], field="phone") from exc
        data |= {"phone": phone, "phone_index": pii.blind_index(phone, purpose="phone")}
    if resident_id:
        try:
            checked = check_resident_id(resident_id)
        except Exception as exc:
            raise InvalidInput(exc.messages[0], field="resident_id") from exc
        warnings += list(checked.warnings)
        index = pii.blind_index(checked.value, purpose="resident_id")
        if Person.objects.filter(resident_id_index=index).exclude(resident_id_index="").exists():
            raise RuleViolation("该公民身份号码已登记", code="duplicate", field="resident_id")
        data |= {"resident_id": checked.value, "resident_id_index": index}
        data["birth_date"] = birth_date or resident_id_birth_date(checked.value)
        data["gender"] = gender or resident_id_gender(checked.value)
    person = model_create(Person, actor=actor, **data)
    return person, warnings


# What a person's record keeps besides identifiers, which have their own paths (validated, encrypted,
# blind-indexed) and the org, which only the member registry's membership service moves.
PERSON_PROFILE = ("name", "gender", "birth_date", "ethnicity", "education", "household_place")


@transaction.atomic
def person_update(*, actor, person: Person, data: dict) -> Person:
    """Correct a person's profile (name, gender, birth date, 民族, 学历, 户籍所在地)."""
    unknown = set(data) - set(PERSON_PROFILE)
    if unknown:
        raise InvalidInput(f"不允许修改字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    _person_scope_check(actor, person.org)
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
        if not data["name"]:
            raise InvalidInput("请填写姓名", field="name")
    if "household_place" in data:
        data["household_place"] = (data["household_place"] or "").strip()
    person, _ = model_update(Person.objects.select_for_update().get(pk=person.pk), actor=actor, data=data)
    return person


@transaction.atomic
def person_phone_update(*, actor, person: Person, phone: str) -> Person:
    """Correct a phone number: a person their own (the right to correct one's data), or whoever holds
    the people scope over their org. Validated, encrypted, blind-indexed, audited masked."""
    if actor is None or person.user_id != actor.pk:
        _person_scope_check(actor, person.org)
    phone = (phone or "").strip()
    data = {"phone": "", "phone_index": ""}
    if phone:
        try:
            phone = check_mobile(phone).value
        except Exception as exc:
            raise InvalidInput(exc.messages[0], field="phone") from exc
        data = {"phone": phone, "phone_index": pii.blind_index(phone, purpose="phone")}
    person, _ = model_update(
        Person.objects.select_for_update().get(pk=person.pk), actor=actor, data=data, action="phone_update"
    )
    return person


def person_reveal(*, actor, person: Person, field: str, reason: str) -> str:
    """The clear value of an encrypted identifier, for an audited reason."""
    if field not in {"resident_id", "phone"}:
        raise InvalidInput("不支持的字段", field="field")
    if len((reason or "").strip()) < 4:
        raise InvalidInput("请写明查看原因", field="reason")
    if person.org is None or not scope_for(actor, "people", "reveal").contains(person.org):
        raise NotFound()
    audit.record(actor=actor, action="reveal", obj=person, message=f"{field}: {reason.strip()}")
    return getattr(person, field)


@transaction.atomic
def post_assign(*, actor, org: Org, person: Person, title: str, start_on: dt.date, note: str = "") -> Post:
    _check_scope(actor, "change", org)
    org = _lock(org)
    _active(org)
    if title not in PostTitle.values:
        raise InvalidInput("无效的职务", field="title")
    if start_on < org.founded_on:
        raise InvalidInput("任职日期不能早于组织成立日期", field="start_on")
    if title == PostTitle.SECRETARY:
        current = Post.objects.filter(org=org, title=title, end_on__isnull=True).first()
        if current is not None:
            raise RuleViolation(
                f"该组织已有在任书记（{current.person.name}），请先办理离任",
                code="one_secretary",
                field="title",
            )
        overlapping = Post.objects.filter(org=org, title=title, end_on__gt=start_on).exists()
        if overlapping:
            raise RuleViolation("任职日期与前任书记的任期重叠", code="one_secretary", field="start_on")
    if Post.objects.filter(org=org, person=person, title=title, end_on__isnull=True).exists():
        raise RuleViolation("该人员已担任此职务", code="duplicate", field="title")
    try:
        with transaction.atomic():
            post = model_create(
                Post, actor=actor, org=org, person=person, title=title, start_on=start_on, note=note
            )
    except IntegrityError as exc:  # a concurrent assignment won the race
        raise RuleViolation(
            "该组织已有在任书记，请先办理原书记离任", code="one_secretary", field="title"
        ) from exc
    events.publish(
        "orgs.post_assigned", {"post_id": post.pk, "org_id": org.pk, "person_id": person.pk, "title": title}
    )
    return post


@transaction.atomic
def post_end(*, actor, post: Post, end_on: dt.date, note: str = "") -> Post:
    _check_scope(actor, "change", post.org)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.end_on is not None:
        raise RuleViolation("该职务已离任", code="already_ended")
    if end_on < post.start_on:
        raise InvalidInput("离任日期不能早于任职日期", field="end_on")
    post, _ = model_update(
        post, actor=actor, data={"end_on": end_on, "note": note or post.note}, action="end"
    )
    return post
