"""Writes of the points module. Each takes the acting user (None for the system), checks the points
scope on the org concerned (404 outside it, as for reads), applies the rules, records the step and
audits it; every change of points goes through ``ledger``.

Who does what:

- a committee (``points.catalogue``) publishes versions of its catalogue; it confirms claims
  (``points.confirm``, 党委认定), settles claims objected to in their 公示, reverses a wrong credit, and
  keeps its partners' offers (``points.partners``);
- the branch (``points.review``, 党支部审核) approves, returns or rejects its members' claims — never
  a claim of the reviewer's own;
- a member declares, resubmits and withdraws their claims, objects to a claim in a 公示 of their branch,
  buys and cancels vouchers, on routes of their own;
- a partner's staff (``points.redeem``) redeem the vouchers of their offers.

Refusal codes (``RuleViolation``): ``no_catalogue``, ``not_in_catalogue`` (the item is not in the
catalogue in force on the day of the deed), ``automatic_item``, ``too_late``, ``evidence_required``,
``cap_reached``, ``wrong_status``, ``own_claim``, ``insufficient_points``, ``out_of_stock``,
``offer_closed``, ``not_for_you``, ``voucher_used``, ``voucher_expired``, ``already_reversed``.

Events: ``points.credited`` (entry_id, member_id, item_code, category, points, on).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sanxin.core import audit, events, notices, notify, uploads, workdays
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.models import Objection, PublicNotice, StoredFile
from sanxin.core.scope import scope_for
from sanxin.core.services import full_clean, model_create, model_update
from sanxin.members.models import Member, MemberStatus, OrgRelation, RelationKind
from sanxin.members.selectors import member_of
from sanxin.orgs.models import COMMITTEE_TYPES, Org

from . import ledger
from .models import (
    AutoRule,
    Catalogue,
    Claim,
    ClaimStatus,
    ClaimStep,
    Entry,
    EntryKind,
    Evidence,
    Item,
    Mode,
    Offer,
    Partner,
    Voucher,
    VoucherStatus,
)
from .sources import SOURCES, matches

DECLARE_WITHIN_DAYS = 90  # a deed is declared within three months
REVIEW_DAYS = 5  # working days for the branch's review, and again for the committee's
NOTICE_DAYS = 5  # working days of 积分公示
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 10

WAITING_KIND = "points.waiting"
PROGRESS_KIND = "points.progress"
notify.register_kind(WAITING_KIND, "积分审核待办")
notify.register_kind(PROGRESS_KIND, "我的积分申报进展")


# --- checks ---------------------------------------------------------------------------------------


def _check(actor, obj, action: str) -> None:
    if actor is not None and not scope_for(actor, "points", action).contains(obj):
        raise NotFound()


def _own_member(actor) -> Member:
    member = member_of(actor)
    if member is None:
        raise PermissionDenied("只有党员本人可以申报积分和兑换服务")
    return member


def _today() -> dt.date:
    return timezone.localdate()


def _step(claim: Claim, action: str, actor, note: str = "", on: dt.date | None = None) -> None:
    """Record a step; ``on`` (the system recording history, e.g. the demo) dates it that day."""
    at = timezone.now()
    if on is not None and on != _today():
        at = dt.datetime.combine(on, dt.time(10), tzinfo=timezone.get_current_timezone())
    ClaimStep.objects.create(
        claim=claim,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:300],
        at=at,
    )


def _lock_claim(claim: Claim) -> Claim:
    return (
        Claim.objects.select_for_update(of=("self",))
        .select_related("member__person", "item__catalogue__org", "branch", "committee")
        .get(pk=claim.pk)
    )


def _status(claim: Claim, *allowed: str) -> None:
    if claim.status not in allowed:
        raise RuleViolation(
            f"该申报当前为“{claim.get_status_display()}”，不能办理此环节", code="wrong_status"
        )


def _not_own(actor, claim: Claim) -> None:
    if actor is not None and claim.member.person.user_id == actor.pk:
        raise RuleViolation("不能审核或认定本人的积分申报", code="own_claim")


def _reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and len(reason) < 2:
        raise InvalidInput("请填写理由", field="reason")
    return reason


# --- catalogue --------------------------------------------------------------------------------------


ITEM_FIELDS = (
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


@transaction.atomic
def catalogue_publish(
    *, actor, org: Org, title: str, start_on: dt.date, items: list[dict], note: str = ""
) -> Catalogue:
    """A new version of ``org``'s catalogue from ``start_on``; the version in force then ends that day.
    ``items``: dicts of the Item fields, with ``auto`` (a list of {event, conditions, member_key,
    date_key}) for automatic items. Deeds before ``start_on`` keep being judged by the older version."""
    _check(actor, org, "catalogue")
    if org.org_type not in COMMITTEE_TYPES:
        raise RuleViolation("积分细则由党委（行业党委）制定", code="not_committee", field="org")
    if not items:
        raise InvalidInput("积分细则至少要有一个项目", field="items")
    codes = [str(i.get("code", "")).strip() for i in items]
    if len(set(codes)) != len(codes):
        raise InvalidInput("项目编号不能重复", field="items")
    current = Catalogue.objects.select_for_update().filter(org=org).order_by("-start_on").first()
    if current is not None and start_on <= current.start_on:
        raise RuleViolation(
            f"新版本的施行日期应晚于现行版本（{current.start_on:%Y-%m-%d}）",
            code="date_order",
            field="start_on",
        )
    version = (current.version + 1) if current else 1
    catalogue = model_create(
        Catalogue, actor=actor, org=org, version=version, title=title.strip(), start_on=start_on, note=note
    )
    for order, data in enumerate(items):
        auto = data.get("auto") or []
        fields = {k: data[k] for k in ITEM_FIELDS if k in data}
        for cap in ("month_cap", "year_cap"):
            fields[cap] = fields.get(cap) or None
        item = Item(catalogue=catalogue, order=order, **fields)
        try:
            full_clean(item, exclude=["catalogue"])
        except InvalidInput as exc:
            raise InvalidInput(
                f"第{order + 1}项（{data.get('name', '')}）：{exc.message}", field="items"
            ) from exc
        if auto and item.mode != Mode.AUTOMATIC:
            raise InvalidInput(f"第{order + 1}项：个人申报项目不能有自动计分规则", field="items")
        if item.mode == Mode.AUTOMATIC and not auto:
            raise InvalidInput(f"第{order + 1}项：自动计分项目须指明来源事件", field="items")
        item.save()
        for rule in auto:
            event_name = rule.get("event", "")
            if event_name not in SOURCES:
                raise InvalidInput(f"第{order + 1}项：未知的来源事件“{event_name}”", field="items")
            if not isinstance(rule.get("conditions", {}), dict):
                raise InvalidInput(f"第{order + 1}项：条件应为键值对", field="items")
            AutoRule.objects.create(
                item=item,
                event_name=event_name,
                conditions=rule.get("conditions") or {},
                member_key=rule.get("member_key") or "member_id",
                date_key=rule.get("date_key") or "on",
            )
    if current is not None and (current.end_on is None or current.end_on > start_on):
        model_update(current, actor=actor, data={"end_on": start_on}, action="supersede")
    return catalogue


def catalogue_items(catalogue: Catalogue) -> list[dict]:
    """A catalogue's items as ``catalogue_publish`` takes them (to start the next version from)."""
    out = []
    for item in catalogue.items.prefetch_related("auto_rules"):
        row = {k: getattr(item, k) for k in ITEM_FIELDS}
        row["auto"] = [
            {
                "event": r.event_name,
                "conditions": r.conditions,
                "member_key": r.member_key,
                "date_key": r.date_key,
            }
            for r in item.auto_rules.all()
        ]
        out.append(row)
    return out


# --- claims -----------------------------------------------------------------------------------------


MAX_EVIDENCE = 6


def _kinds(files: list[StoredFile], uploads_: list) -> list[str]:
    """The content types of the evidence: stored files' as stored, uploads' sniffed from their bytes."""
    out = [f.content_type for f in files]
    for u in uploads_:
        head = u.read(512)
        u.seek(0)
        out.append(uploads.sniff(head, u.name) or "")
    return out


def _evidence_check(item: Item, kinds: list[str], record_ref: str) -> None:
    if len(kinds) > MAX_EVIDENCE:
        raise InvalidInput(f"证明材料最多{MAX_EVIDENCE}个", field="evidence")
    if item.evidence == Evidence.PHOTO and not any(k.startswith("image/") for k in kinds):
        raise RuleViolation("该项目须上传照片作为证明", code="evidence_required", field="evidence")
    if item.evidence == Evidence.DOCUMENT and not kinds:
        raise RuleViolation("该项目须上传证明材料（照片或PDF）", code="evidence_required", field="evidence")
    if item.evidence == Evidence.RECORD and not record_ref.strip():
        raise RuleViolation("该项目须填写系统记录编号", code="evidence_required", field="record_ref")


def _store(actor, uploads_: list) -> list[StoredFile]:
    """Store the uploaded evidence, last, once every other check has passed (a type refused by the
    purpose raises before anything of the claim is written)."""
    return [
        uploads.store_uploaded_file(actor=actor, purpose_name="points.evidence", uploaded=u) for u in uploads_
    ]


def _cap_check(
    member_id: int, item: Item, on: dt.date, points: int, exclude_claim: int | None = None
) -> None:
    room = ledger.room(member_id, item, on, exclude_claim=exclude_claim)
    if room.month is not None and room.month < abs(points):
        raise RuleViolation(
            f"“{item.name}”每月最多{item.month_cap}分，{on:%Y年%m月}已达上限", code="cap_reached"
        )
    if room.year is not None and room.year < abs(points):
        raise RuleViolation(f"“{item.name}”每年最多{item.year_cap}分，{on:%Y年}已达上限", code="cap_reached")


def _files(actor, files) -> list[StoredFile]:
    files = list(files or [])
    for f in files:
        if f.purpose != "points.evidence" or (actor is not None and f.owner_id not in (None, actor.pk)):
            raise InvalidInput("证明材料无效，请重新上传", field="evidence")
    return files


@transaction.atomic
def claim_declare(
    *,
    actor,
    item: Item,
    deed_on: dt.date,
    description: str,
    evidence: list[StoredFile] | None = None,
    uploads_: list | None = None,
    record_ref: str = "",
    member: Member | None = None,
    on: dt.date | None = None,
) -> Claim:
    """个人申报: the member (``actor``; the system may name ``member``) declares a deed for an item of the
    catalogue in force on the day of the deed for their branch. Evidence: files already stored for
    ``points.evidence`` (``evidence``) and/or uploaded files (``uploads_``, stored only if the claim
    passes its checks). ``on``, for the system only, is the day of the declaration (recording history)."""
    if member is None or actor is not None:
        member = _own_member(actor)
        on = None
    if member.status != MemberStatus.ACTIVE:
        raise RuleViolation("党籍状态不正常，不能申报积分", code="not_active")
    today = on or _today()
    if deed_on > today:
        raise InvalidInput("事项日期不能晚于今天", field="deed_on")
    if (today - deed_on).days > DECLARE_WITHIN_DAYS:
        raise RuleViolation(f"请在事项发生后{DECLARE_WITHIN_DAYS}天内申报", code="too_late", field="deed_on")
    description = (description or "").strip()
    if len(description) < 5:
        raise InvalidInput("请写明事项经过（至少5个字）", field="description")
    branch = ledger.branch_of(member, deed_on)
    catalogue = ledger.catalogue_for(branch, deed_on) if branch else None
    if catalogue is None:
        raise RuleViolation("您所在组织在该日期没有施行的积分细则", code="no_catalogue")
    if item.catalogue_id != catalogue.pk:
        raise RuleViolation(
            f"该项目不属于{deed_on:%Y-%m-%d}施行的《{catalogue.title}》，请按当日细则申报",
            code="not_in_catalogue",
            field="item",
        )
    if item.mode != Mode.DECLARED or item.points < 0:
        raise RuleViolation("该项目由系统自动计分，无需申报", code="automatic_item", field="item")
    files = _files(actor, evidence)
    uploads_ = list(uploads_ or [])
    _evidence_check(item, _kinds(files, uploads_), record_ref)
    ledger.lock(member)
    _cap_check(member.pk, item, deed_on, item.points)
    files += _store(actor, uploads_)
    claim = model_create(
        Claim,
        actor=actor,
        member=member,
        branch=branch,
        committee=catalogue.org,
        item=item,
        deed_on=deed_on,
        description=description,
        record_ref=record_ref.strip(),
        points=item.points,
        due_on=workdays.add_working_days(today, REVIEW_DAYS),
        action="declare",
    )
    claim.evidence.set(files)
    _step(claim, ClaimStep.Action.DECLARE, actor, on=on)
    return claim


@transaction.atomic
def claim_resubmit(
    *, actor, claim: Claim, description: str, evidence=None, uploads_=None, record_ref: str = ""
) -> Claim:
    """补充材料后重新提交 a returned claim: the new uploads are added to the evidence it had."""
    claim = _lock_claim(claim)
    if claim.member != member_of(actor):
        raise NotFound()
    _status(claim, ClaimStatus.RETURNED)
    description = (description or "").strip()
    if len(description) < 5:
        raise InvalidInput("请写明事项经过（至少5个字）", field="description")
    files = _files(actor, evidence) if evidence is not None else list(claim.evidence.all())
    uploads_ = list(uploads_ or [])
    _evidence_check(claim.item, _kinds(files, uploads_), record_ref or claim.record_ref)
    files += _store(actor, uploads_)
    model_update(
        claim,
        actor=actor,
        data={
            "description": description,
            "record_ref": (record_ref or claim.record_ref).strip(),
            "status": ClaimStatus.SUBMITTED,
            "reason": "",
            "due_on": workdays.add_working_days(_today(), REVIEW_DAYS),
        },
        action="resubmit",
    )
    claim.evidence.set(files)
    _step(claim, ClaimStep.Action.RESUBMIT, actor)
    return claim


@transaction.atomic
def claim_withdraw(*, actor, claim: Claim) -> Claim:
    claim = _lock_claim(claim)
    if actor is not None and claim.member != member_of(actor):
        raise NotFound()
    _status(claim, ClaimStatus.SUBMITTED, ClaimStatus.RETURNED)
    model_update(
        claim, actor=actor, data={"status": ClaimStatus.WITHDRAWN, "due_on": None}, action="withdraw"
    )
    _step(claim, ClaimStep.Action.WITHDRAW, actor)
    return claim


REVIEW_DECISIONS = {"approve", "return", "reject"}


@transaction.atomic
def claim_review(*, actor, claim: Claim, decision: str, reason: str = "", on: dt.date | None = None) -> Claim:
    """党支部审核: approve (to the committee), return for more evidence, or reject with a reason. ``on``:
    the day of the review when the system records history."""
    if decision not in REVIEW_DECISIONS:
        raise InvalidInput("审核意见应为通过、退回或不予通过", field="decision")
    claim = _lock_claim(claim)
    _check(actor, claim.branch, "review")
    _status(claim, ClaimStatus.SUBMITTED)
    _not_own(actor, claim)
    reason = _reason(reason, required=decision != "approve")
    if decision == "approve":
        data = {
            "status": ClaimStatus.APPROVED,
            "due_on": workdays.add_working_days(on or _today(), REVIEW_DAYS),
            "reason": "",
        }
        step = ClaimStep.Action.APPROVE
    elif decision == "return":
        data = {"status": ClaimStatus.RETURNED, "due_on": None, "reason": reason}
        step = ClaimStep.Action.RETURN
    else:
        data = {"status": ClaimStatus.REJECTED, "due_on": None, "reason": reason}
        step = ClaimStep.Action.REJECT
    model_update(claim, actor=actor, data=data, action=f"review_{decision}", message=reason)
    _step(claim, step, actor, reason, on=on)
    _tell_member(claim)
    return claim


CONFIRM_DECISIONS = {"confirm", "reject"}


@transaction.atomic
def claim_confirm(
    *,
    actor,
    claim: Claim,
    decision: str = "confirm",
    reason: str = "",
    window_days: int = NOTICE_DAYS,
    on: dt.date | None = None,
) -> Claim:
    """党委认定: confirm (the points are held against the caps and the 公示 to the branch opens) or
    reject with a reason."""
    if decision not in CONFIRM_DECISIONS:
        raise InvalidInput("认定意见应为认定或不予认定", field="decision")
    claim = _lock_claim(claim)
    _check(actor, claim.committee, "confirm")
    _status(claim, ClaimStatus.APPROVED)
    _not_own(actor, claim)
    reason = _reason(reason, required=decision == "reject")
    if decision == "reject":
        model_update(
            claim,
            actor=actor,
            data={"status": ClaimStatus.REJECTED, "due_on": None, "reason": reason},
            action="confirm_reject",
            message=reason,
        )
        _step(claim, ClaimStep.Action.REJECT, actor, reason, on=on)
        _tell_member(claim)
        return claim
    if not 1 <= int(window_days) <= 15:
        raise InvalidInput("公示期为1至15个工作日", field="window_days")
    ledger.lock(claim.member)  # the member's other confirmations wait here: the cap holds under races
    _cap_check(claim.member_id, claim.item, claim.deed_on, claim.points, exclude_claim=claim.pk)
    person = claim.member.person
    notice = notices.notice_open(
        actor=actor,
        title=f"积分公示：{person.name}·{claim.item.name}（{claim.points:+d}分）",
        body=(
            f"{claim.branch.name}{person.name}同志申报“{claim.item.name}”（{claim.item.get_category_display()}，"
            f"{claim.item.get_tier_display()}），事项日期{claim.deed_on:%Y年%m月%d日}：{claim.description}\n"
            f"经党支部审核、{claim.committee.name}认定，拟计{claim.points}分，现予公示。"
        ),
        subject=claim,
        audience=claim.branch,
        window_days=int(window_days),
        starts_on=on,
    )
    model_update(
        claim,
        actor=actor,
        data={"status": ClaimStatus.NOTICE, "notice": notice, "due_on": notice.ends_on, "reason": ""},
        action="confirm",
    )
    _step(claim, ClaimStep.Action.CONFIRM, actor, reason, on=on)
    _tell_member(claim)
    return claim


def _bulk(fn, claims, **kwargs) -> list[Claim | Exception]:
    """Apply ``fn`` to each claim in its own transaction; a refusal is returned in its place."""
    out: list[Claim | Exception] = []
    for claim in claims:
        try:
            out.append(fn(claim=claim, **kwargs))
        except (RuleViolation, InvalidInput, NotFound, PermissionDenied) as exc:
            out.append(exc)
    return out


def claims_review_bulk(*, actor, claims, decision: str = "approve", reason: str = "") -> list:
    return _bulk(claim_review, claims, actor=actor, decision=decision, reason=reason)


def claims_confirm_bulk(*, actor, claims, decision: str = "confirm", reason: str = "") -> list:
    return _bulk(claim_confirm, claims, actor=actor, decision=decision, reason=reason)


@transaction.atomic
def claim_object(*, actor, claim: Claim, reason: str, anonymous: bool = False) -> Objection:
    """An objection to a claim in its 公示, by anyone in the branch (the core 公示 service checks)."""
    claim = Claim.objects.select_related("notice").get(pk=claim.pk)
    if claim.status != ClaimStatus.NOTICE or claim.notice is None:
        raise RuleViolation("该申报不在公示期内", code="notice_closed")
    return notices.objection_raise(actor=actor, notice=claim.notice, reason=reason, anonymous=anonymous)


def _credit(claim: Claim, *, decided_by=None) -> Entry | None:
    entry = ledger.award(
        member=claim.member,
        item=claim.item,
        on=claim.deed_on,
        reason=f"{claim.item.name}：{claim.description}"[:200],
        source_key=f"claim:{claim.pk}",
        branch=claim.branch,
        claim=claim,
        decided_by=decided_by,
    )
    if entry is not None:
        _announce(entry)
    return entry


def _confirmer(claim: Claim):
    step = claim.steps.filter(action=ClaimStep.Action.CONFIRM).order_by("-at").first()
    return step.actor if step else None


@transaction.atomic
def notice_closed(event) -> None:
    """``core.notice_closed``: the 公示 of a claim ended. Without objections the points are credited
    (the committee's confirmation is the decision); with one it goes back to the committee."""
    payload = event.payload
    if payload.get("subject_type") != ContentType.objects.get_for_model(Claim).pk:
        return
    claim = Claim.objects.filter(pk=payload.get("subject_id")).first()
    if claim is None:
        return
    claim = _lock_claim(claim)
    if claim.status != ClaimStatus.NOTICE or claim.notice_id != payload.get("notice_id"):
        return
    notice = PublicNotice.objects.get(pk=claim.notice_id)
    if notice.status == PublicNotice.Status.PASSED:
        _credit(claim, decided_by=_confirmer(claim))
        model_update(
            claim, actor=None, data={"status": ClaimStatus.CREDITED, "due_on": None}, action="credit"
        )
        _step(claim, ClaimStep.Action.CREDIT, None, on=notice.ends_on + dt.timedelta(days=1))
        _tell_member(claim)
    else:
        model_update(
            claim,
            actor=None,
            data={"status": ClaimStatus.OBJECTED, "due_on": workdays.add_working_days(_today(), REVIEW_DAYS)},
            action="objected",
        )
        _step(claim, ClaimStep.Action.OBJECTED, None)
        _tell_committee(claim)


@transaction.atomic
def claim_settle(*, actor, claim: Claim, credit: bool, resolution: str) -> Claim:
    """The committee's finding on the objections to a claim: unfounded (the points are credited) or
    founded (the claim is rejected). Pending objections are resolved with the same finding."""
    claim = _lock_claim(claim)
    _check(actor, claim.committee, "confirm")
    _status(claim, ClaimStatus.OBJECTED)
    _not_own(actor, claim)
    resolution = _reason(resolution, required=True)
    for objection in Objection.objects.filter(notice_id=claim.notice_id, status=Objection.Status.PENDING):
        notices.objection_resolve(actor=actor, objection=objection, upheld=not credit, resolution=resolution)
    if credit:
        _credit(claim, decided_by=actor)
        data = {"status": ClaimStatus.CREDITED, "due_on": None}
        step = ClaimStep.Action.SETTLE_CREDIT
    else:
        data = {"status": ClaimStatus.REJECTED, "due_on": None, "reason": resolution}
        step = ClaimStep.Action.SETTLE_REJECT
    model_update(claim, actor=actor, data=data, action="settle", message=resolution)
    _step(claim, step, actor, resolution)
    _tell_member(claim)
    return claim


def _announce(entry: Entry) -> None:
    events.publish(
        "points.credited",
        {
            "entry_id": entry.pk,
            "member_id": entry.member_id,
            "item_code": entry.item_code,
            "category": entry.category,
            "points": entry.points,
            "on": entry.on.isoformat(),
        },
        key=f"points.credited.{entry.pk}",
    )


# --- automatic credits ---------------------------------------------------------------------------


def _payload_date(value, fallback: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return fallback


@transaction.atomic
def apply_auto_rules(event) -> list[Entry]:
    """The one subscriber of automatic credits: for each rule naming ``event``'s name in the catalogue
    in force for the member on the day of the deed, whose conditions the payload meets, credit its item
    with the event as evidence. The same event credits an item at most once, however often delivered."""
    rules = list(AutoRule.objects.filter(event_name=event.name).select_related("item__catalogue__org"))
    out: list[Entry] = []
    by_member: dict[tuple[int, dt.date], list[AutoRule]] = {}
    fallback = timezone.localdate(event.created_at)
    for rule in rules:
        member_id = event.payload.get(rule.member_key)
        if member_id is None or not matches(rule.conditions, event.payload):
            continue
        on = _payload_date(event.payload.get(rule.date_key), fallback)
        by_member.setdefault((int(member_id), on), []).append(rule)
    ident = event.key or str(event.pk)
    label = SOURCES[event.name].label if event.name in SOURCES else event.name
    for (member_id, on), member_rules in by_member.items():
        member = Member.objects.select_related("person").filter(pk=member_id).first()
        if member is None:
            continue
        branch = ledger.branch_of(member, on)
        catalogue = ledger.catalogue_for(branch, on) if branch else None
        if catalogue is None:
            continue
        seen: set[str] = set()
        for rule in member_rules:
            item = rule.item
            if item.catalogue_id != catalogue.pk or item.code in seen:
                continue
            seen.add(item.code)
            entry = ledger.award(
                member=member,
                item=item,
                on=on,
                reason=f"{label}（{item.name}）",
                source_key=f"event:{ident}:{item.code}",
                branch=branch,
                event=event,
            )
            if entry is not None:
                out.append(entry)
                if entry.kind == EntryKind.CREDIT:
                    _announce(entry)
    return out


def backfill(events) -> int:
    """Apply the automatic rules to past events in bulk — when the points module or a catalogue is
    adopted after the events happened (the demo does this for its year of meetings). The same rules,
    catalogue-of-the-day, caps and keys as ``apply_auto_rules`` (an event later delivered again credits
    nothing more), read in a few queries per chunk; a backfill does not announce each credit. Returns
    the number of rows written."""
    rules_by_name: dict[str, list[AutoRule]] = {}
    for rule in AutoRule.objects.select_related("item__catalogue__org"):
        rules_by_name.setdefault(rule.event_name, []).append(rule)
    catalogues = list(Catalogue.objects.select_related("org"))
    written = 0
    chunk: list = []
    for event in events:
        chunk.append(event)
        if len(chunk) == 2000:
            written += _backfill_chunk(chunk, rules_by_name, catalogues)
            chunk = []
    if chunk:
        written += _backfill_chunk(chunk, rules_by_name, catalogues)
    return written


def _backfill_chunk(events, rules_by_name, catalogues) -> int:
    wanted = []  # (event, rule, member_id, on)
    for event in events:
        fallback = timezone.localdate(event.created_at)
        for rule in rules_by_name.get(event.name, ()):
            member_id = event.payload.get(rule.member_key)
            if member_id is None or not matches(rule.conditions, event.payload):
                continue
            wanted.append(
                (event, rule, int(member_id), _payload_date(event.payload.get(rule.date_key), fallback))
            )
    if not wanted:
        return 0
    member_ids = {m for _, _, m, _ in wanted}
    relations: dict[int, list] = {}
    for rel in OrgRelation.objects.filter(member_id__in=member_ids, kind=RelationKind.FORMAL).select_related(
        "org"
    ):
        relations.setdefault(rel.member_id, []).append(rel)
    current = dict(Member.objects.filter(pk__in=member_ids).values_list("pk", "person__org_id"))
    orgs = {o.pk: o for o in Org.objects.filter(pk__in=[v for v in current.values() if v])}

    def branch(member_id: int, on: dt.date):
        for rel in relations.get(member_id, ()):
            if rel.active_on(on):
                return rel.org
        return orgs.get(current.get(member_id))

    def catalogue(org, on: dt.date):
        found = [c for c in catalogues if c.active_on(on) and org.path.startswith(c.org.path)]
        return max(found, key=lambda c: (c.org.depth, c.start_on)) if found else None

    awards = []
    seen: set[str] = set()
    for event, rule, member_id, on in wanted:
        if member_id not in current:
            continue
        org = branch(member_id, on)
        cat = catalogue(org, on) if org else None
        item = rule.item
        key = f"event:{event.key or event.pk}:{item.code}"
        if cat is None or item.catalogue_id != cat.pk or key in seen:
            continue
        seen.add(key)
        label = SOURCES[event.name].label if event.name in SOURCES else event.name
        awards.append(ledger.Award(member_id, item, on, f"{label}（{item.name}）", key, org.pk, event.pk))
    return len(ledger.award_many(awards))


# --- corrections -----------------------------------------------------------------------------------


@transaction.atomic
def entry_reverse(*, actor, entry: Entry, reason: str) -> Entry:
    """冲正: the committee that manages the points takes back a wrong credit or deduction with a reason."""
    entry = Entry.objects.select_related("committee").get(pk=entry.pk)
    _check(actor, entry.committee, "confirm")
    if entry.kind not in (EntryKind.CREDIT, EntryKind.DEDUCTION):
        raise RuleViolation("只能冲正加分或扣分记录", code="not_reversible")
    if Entry.objects.filter(reverses=entry).exists():
        raise RuleViolation("该记录已冲正", code="already_reversed")
    reason = _reason(reason, required=True)
    row = ledger.reverse(entry, reason=f"冲正：{reason}", decided_by=actor)
    audit.record(actor=actor, action="reverse", obj=entry, message=reason)
    return row


# --- partners, offers, vouchers ------------------------------------------------------------------------


@transaction.atomic
def partner_save(*, actor, partner: Partner | None = None, org: Org | None = None, **data) -> Partner:
    if partner is None:
        _check(actor, org, "partners")
        return model_create(Partner, actor=actor, org=org, **data)
    _check(actor, partner.org, "partners")
    return model_update(
        partner,
        actor=actor,
        data=data,
        fields=["name", "kind", "contact_name", "contact_phone", "address", "active"],
    )[0]


OFFER_FIELDS = [
    "kind",
    "title",
    "description",
    "price",
    "stock",
    "valid_from",
    "valid_to",
    "voucher_days",
    "active",
]


@transaction.atomic
def offer_save(*, actor, offer: Offer | None = None, partner: Partner | None = None, **data) -> Offer:
    if offer is None:
        _check(actor, partner.org, "partners")
        data.setdefault("kind", partner.kind)
        return model_create(Offer, actor=actor, partner=partner, **data)
    offer = Offer.objects.select_for_update().select_related("partner__org").get(pk=offer.pk)
    _check(actor, offer.partner.org, "partners")
    return model_update(offer, actor=actor, data=data, fields=OFFER_FIELDS)[0]


def offer_open_to(offer: Offer, branch: Org | None, on: dt.date) -> bool:
    return bool(
        branch is not None
        and branch.path.startswith(offer.partner.org.path)
        and offer.active
        and offer.partner.active
        and offer.valid_from <= on <= offer.valid_to
    )


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Voucher.objects.filter(code=code).exists():
            return code


@transaction.atomic
def voucher_buy(*, actor, offer: Offer, member: Member | None = None, on: dt.date | None = None) -> Voucher:
    """积分兑换: the member spends ``offer.price`` points of their spendable balance for one of its
    stock; a one-time voucher code is issued. The system (``actor`` None) names the ``member`` and may
    date the purchase (``on``) when recording history."""
    if actor is not None or member is None:
        member = _own_member(actor)
        on = None
    balance = ledger.lock(member)  # balance first, then the offer, on every path
    offer = Offer.objects.select_for_update().select_related("partner__org").get(pk=offer.pk)
    today = on or _today()
    branch = ledger.branch_of(member, today)
    if branch is None or not branch.path.startswith(offer.partner.org.path):
        raise NotFound()
    if not offer_open_to(offer, branch, today):
        raise RuleViolation("该服务当前不可兑换", code="offer_closed")
    if offer.stock < 1:
        raise RuleViolation("该服务已兑完", code="out_of_stock")
    if balance.spendable < offer.price:
        raise RuleViolation(
            f"可用积分不足：需要{offer.price}分，您有{balance.spendable}分", code="insufficient_points"
        )
    Offer.objects.filter(pk=offer.pk).update(stock=F("stock") - 1)
    voucher = Voucher.objects.create(
        offer=offer,
        member=member,
        code=_new_code(),
        price=offer.price,
        expires_on=today + dt.timedelta(days=offer.voucher_days),
        created_by=actor,
    )
    ledger.post(
        balance,
        kind=EntryKind.SPEND,
        points=0,
        spendable=-offer.price,
        on=today,
        reason=f"兑换：{offer.title}",
        branch=branch,
        committee=offer.partner.org,
        voucher=voucher,
        source_key=f"voucher:{voucher.pk}:spend",
        decided_by=actor,
    )
    audit.record(actor=actor, action="buy", obj=voucher, after=audit.snapshot(voucher))
    return voucher


def _give_back(voucher: Voucher, status: str, actor, today: dt.date) -> Voucher:
    balance = ledger.lock(voucher.member_id)
    voucher = Voucher.objects.select_for_update().select_related("offer__partner__org").get(pk=voucher.pk)
    if voucher.status != VoucherStatus.ISSUED:
        raise RuleViolation(f"该兑换券{voucher.get_status_display()}", code="voucher_used")
    Offer.objects.select_for_update().filter(pk=voucher.offer_id).first()
    Offer.objects.filter(pk=voucher.offer_id).update(stock=F("stock") + 1)
    Voucher.objects.filter(pk=voucher.pk).update(status=status, updated_at=timezone.now())
    voucher.status = status
    ledger.post(
        balance,
        kind=EntryKind.REFUND,
        points=0,
        spendable=voucher.price,
        on=today,
        reason=f"{'取消兑换' if status == VoucherStatus.CANCELLED else '兑换券过期'}：{voucher.offer.title}",
        branch=ledger.branch_of(voucher.member, today) or voucher.offer.partner.org,
        committee=voucher.offer.partner.org,
        voucher=voucher,
        source_key=f"voucher:{voucher.pk}:refund",
        decided_by=actor,
    )
    audit.record(actor=actor, action="cancel" if status == VoucherStatus.CANCELLED else "expire", obj=voucher)
    return voucher


@transaction.atomic
def voucher_cancel(*, actor, voucher: Voucher, on: dt.date | None = None) -> Voucher:
    """The member cancels an unused voucher: the points and the stock come back. (The system may date
    it, ``on``, recording history.)"""
    if actor is not None and voucher.member != member_of(actor):
        raise NotFound()
    return _give_back(voucher, VoucherStatus.CANCELLED, actor, (on if actor is None else None) or _today())


def vouchers_expire(today: dt.date | None = None) -> int:
    """Unused vouchers past their date expire: the points and the stock come back."""
    today = today or _today()
    n = 0
    for voucher in Voucher.objects.filter(status=VoucherStatus.ISSUED, expires_on__lt=today):
        with transaction.atomic():
            try:
                _give_back(voucher, VoucherStatus.EXPIRED, None, today)
                n += 1
            except RuleViolation:
                pass
    return n


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def voucher_find(*, actor, code: str) -> Voucher:
    """The voucher with ``code`` among the partner's own (404 otherwise)."""
    code = normalize_code(code)
    if not code:
        raise InvalidInput("请输入兑换码", field="code")
    return scope_for(actor, "points", "redeem").get(
        Voucher.objects.select_related("offer__partner", "member__person"), code=code
    )


@transaction.atomic
def voucher_redeem(*, actor, code: str, at: dt.datetime | None = None) -> Voucher:
    """核销: the partner's staff redeem a voucher once, before it expires. (``at``: the system's record of
    a past redemption.)"""
    voucher = voucher_find(actor=actor, code=code)
    voucher = (
        Voucher.objects.select_for_update(of=("self",))
        .select_related("offer__partner", "member__person")
        .get(pk=voucher.pk)
    )
    if voucher.status != VoucherStatus.ISSUED:
        raise RuleViolation(f"该兑换券{voucher.get_status_display()}，不能再次核销", code="voucher_used")
    if voucher.expires_on < _today():
        raise RuleViolation(f"该兑换券已于{voucher.expires_on:%Y-%m-%d}过期", code="voucher_expired")
    before = audit.snapshot(voucher)
    voucher.status = VoucherStatus.REDEEMED
    voucher.redeemed_at = (at if actor is None else None) or timezone.now()
    voucher.redeemed_by = actor
    voucher.save(update_fields=["status", "redeemed_at", "redeemed_by", "updated_at"])
    audit.record(actor=actor, action="redeem", obj=voucher, before=before, after=audit.snapshot(voucher))
    return voucher


# --- reminders ---------------------------------------------------------------------------------------


def _tell_member(claim: Claim) -> None:
    user_id = claim.member.person.user_id
    if user_id:
        transaction.on_commit(
            lambda: notify.notify(
                recipient=user_id,
                kind=PROGRESS_KIND,
                title=f"您申报的“{claim.item.name}”：{claim.get_status_display()}",
                body=claim.reason,
                url="/points/me/",
            )
        )


def _waiting_users(claim: Claim, cache: dict | None = None) -> list[int]:
    """The users who act for the org the claim waits for (``cache``: per (org, action), for a batch)."""
    from sanxin.accounts.actors import actors_for

    org, action = (
        (claim.branch, "review") if claim.status == ClaimStatus.SUBMITTED else (claim.committee, "confirm")
    )
    if cache is None:
        return actors_for(org, "points", action)
    if (org.pk, action) not in cache:
        cache[(org.pk, action)] = actors_for(org, "points", action)
    return cache[(org.pk, action)]


def _tell_committee(claim: Claim) -> None:
    for user_id in _waiting_users(claim):
        notify.notify(
            recipient=user_id,
            kind=WAITING_KIND,
            title=f"积分公示有异议：{claim.member.person.name}·{claim.item.name}",
            url=f"/points/claims/{claim.pk}/",
            key=f"{WAITING_KIND}:{claim.pk}:objected",
        )


def remind_overdue(today: dt.date | None = None) -> int:
    """Tell the reviewers of claims waiting past their step's deadline (once a day per claim)."""
    today = today or _today()
    n = 0
    waiting = Claim.objects.filter(
        status__in=[ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.OBJECTED], due_on__lt=today
    ).select_related("member__person", "item", "branch", "committee")
    actors: dict = {}
    for claim in waiting:
        for user_id in _waiting_users(claim, actors):
            n += bool(
                notify.notify(
                    recipient=user_id,
                    kind=WAITING_KIND,
                    title=f"积分申报逾期未办：{claim.member.person.name}·{claim.item.name}（{claim.get_status_display()}）",
                    body=f"办理期限{claim.due_on:%Y-%m-%d}",
                    url=f"/points/claims/{claim.pk}/",
                    level="warning",
                    key=f"{WAITING_KIND}:{claim.pk}:{claim.status}:{today.isoformat()}",
                )
            )
    return n
