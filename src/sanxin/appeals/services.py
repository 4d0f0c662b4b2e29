"""Writes of the appeals module. Each takes the acting user (None for the system), locks the appeal
row, checks who may act, records a ``Step`` and audits.

Who does what:

- anyone signed in submits an appeal for themself (``appeal_submit``), follows it, answers a question,
  rates the reply and withdraws it — on routes of their own; a 党员联络员, a hotline operator or a
  station keeper (``appeals.intake``) registers one for someone else (``on_behalf`` or a name and a
  phone); an enterprise's party org asks for professional help the same way (``service``);
- the holder's people (``routing.handlers``: grants anchored at the branch or the platform committee,
  or the department's staff) accept, ask for information, transfer, escalate, resolve, call back,
  ask for more time, merge a duplicate — anyone else who sees the appeal gets 409 ``not_holder``;
- an office (``appeals.supervise``) supervises (督办) and decides extensions; ``appeals.classify``
  picks the category of an appeal the classifier was not sure of;
- the scheduled ``escalate_overdue`` moves an appeal up a level the day after a missed deadline (and
  at the department, supervises it), once per deadline; ``close_unrated`` closes replies nobody rated.

Refusal codes (``RuleViolation``): ``wrong_status``, ``not_holder``, ``not_yours``, ``no_next_level``,
``platform_skipped``, ``too_late``, ``pending_extension``, ``not_duplicate``, ``no_route``.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from rapidfuzz import fuzz

from sanxin.accounts.actors import actors_for
from sanxin.core import audit, crypto, geo, notify, uploads
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.models import Region
from sanxin.core.scope import scope_for
from sanxin.orgs.models import Org, Person

from . import deadlines, inference, routing
from .models import (
    DONE,
    LEVEL_ORDER,
    OPEN,
    Action,
    Aid,
    AidKind,
    Appeal,
    Category,
    CategorySource,
    Channel,
    Coordination,
    CoordinationItem,
    Department,
    Extension,
    ExtensionStatus,
    Hardship,
    HardshipKind,
    Kind,
    Label,
    Level,
    Rating,
    Service,
    Status,
    Step,
)

MAX_TEXT = 2000
MIN_TEXT = 5
MAX_PHOTOS = 9
DUPLICATE_DAYS = 7
DUPLICATE_SIMILARITY = 80
UNRATED_CLOSE_DAYS = 7
_NOISE = re.compile(r"[\s，。！？、；：“”‘’（）()《》【】…,.!?;:'\"~～-]+")


def _now() -> dt.datetime:
    return timezone.now()


def _locked(appeal: Appeal) -> Appeal:
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("category", "branch", "platform", "department")
        .get(pk=appeal.pk)
    )


def _step(
    appeal: Appeal, action: str, *, actor, at=None, note: str = "", to=None, key: str | None = None
) -> Step:
    to_level, to_unit = to if to is not None else ("", None)
    return Step.objects.create(
        appeal=appeal,
        action=action,
        at=at or _now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        level=appeal.level,
        unit=routing.unit_name(appeal.holder),
        to_level=to_level,
        to_unit=routing.unit_name(to_unit),
        note=note,
        key=key,
    )


def _audit(actor, action: str, appeal: Appeal, before: dict | None = None, after: dict | None = None) -> None:
    audit.record(actor=actor, action=f"appeal_{action}", obj=appeal, before=before, after=after)


def _state(appeal: Appeal) -> dict:
    return {
        "status": appeal.status,
        "level": appeal.level,
        "holder": routing.unit_name(appeal.holder),
        "category": appeal.category_id,
        "resolve_due": appeal.resolve_due.isoformat() if appeal.resolve_due else None,
    }


def _tell_submitter(appeal: Appeal, title: str, key: str) -> None:
    user_id = appeal.submitter_id or sealed_user_id(appeal)
    if user_id:
        notify.notify(
            recipient=user_id, kind="appeals", title=title, url=f"/appeals/mine/{appeal.pk}/", key=key
        )


def _tell_holder(appeal: Appeal, title: str, key: str) -> None:
    for user_id in routing.handlers(appeal.level, appeal.holder):
        notify.notify(
            recipient=user_id,
            kind="appeals",
            title=title,
            url=f"/appeals/{appeal.pk}/",
            key=f"{key}:{user_id}",
        )


def _sealed(appeal: Appeal) -> dict:
    return json.loads(appeal.sealed) if appeal.sealed else {}


def sealed_user_id(appeal: Appeal) -> int | None:
    """The account behind an anonymous appeal — for the author's own routes and notices only."""
    return _sealed(appeal).get("user_id")


def owner_index(user) -> str:
    return crypto.blind_index(f"user:{user.pk}", purpose="appeals.owner")


def is_owner(user, appeal: Appeal) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return appeal.submitter_id == user.pk or (
        bool(appeal.owner_index) and appeal.owner_index == owner_index(user)
    )


def _require_holder(actor, appeal: Appeal) -> None:
    if not routing.is_handler(actor, appeal):
        raise RuleViolation(
            f"本诉求目前由{routing.unit_name(appeal.holder)}办理，只有承办单位可以操作", code="not_holder"
        )


def _require_visible(actor, appeal: Appeal, action: str) -> None:
    if actor is not None and not scope_for(actor, "appeals", action).contains(appeal):
        raise NotFound()


def _require_status(appeal: Appeal, allowed, message: str) -> None:
    if appeal.status not in allowed:
        raise RuleViolation(f"{message}（当前状态：{appeal.get_status_display()}）", code="wrong_status")


def _normal(text: str) -> str:
    return _NOISE.sub("", text)


# --- intake -------------------------------------------------------------------------------------------


def check_text(text: str) -> str:
    text = (text or "").strip()
    if len(_normal(text)) < MIN_TEXT:
        raise InvalidInput(f"请把遇到的问题写清楚，至少 {MIN_TEXT} 个字", field="text", code="too_short")
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"诉求内容不能超过 {MAX_TEXT} 字（现有 {len(text)} 字），请精简后再提交，详细材料可拍照上传",
            field="text",
            code="too_long",
        )
    return text


def _check_location(lat, lng) -> tuple:
    if lat in (None, "") and lng in (None, ""):
        return None, None
    try:
        lat_f, lng_f = float(lat), float(lng)
    except (TypeError, ValueError):
        raise InvalidInput("位置坐标无效，请重新定位或不填位置", field="lat", code="bad_location") from None
    if not (-90 <= lat_f <= 90 and -180 <= lng_f <= 180) or not geo.in_china(lat_f, lng_f):
        raise InvalidInput("位置不在我国境内，请重新定位或不填位置", field="lat", code="outside_china")
    return round(lat_f, 6), round(lng_f, 6)


def _duplicate_of(*, submitter_id, owner_idx: str, phone_idx: str, text: str, now) -> Appeal | None:
    who = Q(pk__in=[])
    if submitter_id:
        who |= Q(submitter_id=submitter_id)
    if owner_idx:
        who |= Q(owner_index=owner_idx)
    if phone_idx:
        who |= Q(phone_index=phone_idx)
    recent = Appeal.objects.filter(who, received_at__gte=now - dt.timedelta(days=DUPLICATE_DAYS)).exclude(
        status__in=[Status.MERGED, Status.WITHDRAWN]
    )
    mine = _normal(text)
    best, score = None, DUPLICATE_SIMILARITY
    for pk, other in recent.order_by("-received_at").values_list("pk", "text")[:20]:
        s = fuzz.ratio(mine, _normal(other))
        if s >= score:
            best, score = pk, s
    return Appeal.objects.get(pk=best) if best else None


def _first_holder(appeal: Appeal, *, on) -> tuple[str, object]:
    if appeal.skip_platform or appeal.is_order or appeal.service:
        department = (
            routing.service_department(appeal.service, appeal.region)
            if appeal.service
            else routing.department_for(appeal.category, appeal.region, appeal.industry_id)
        )
        if department is None:
            raise RuleViolation("本地区尚未设置承办此类诉求的部门，请改由联络员或热线提交", code="no_route")
        return Level.DEPARTMENT, department
    if appeal.channel == Channel.LIAISON and appeal.branch is not None:
        return Level.LIAISON, appeal.branch
    platform_matter = appeal.category_id is None or appeal.category_id in routing.PLATFORM_CATEGORIES
    if platform_matter:
        platform = routing.platform_committee(organization=appeal.about, branch=appeal.branch, on=on)
        if platform is not None and routing.has_handlers(Level.PLATFORM, platform):
            return Level.PLATFORM, platform
    if appeal.branch is not None and routing.has_handlers(Level.LIAISON, appeal.branch):
        return Level.LIAISON, appeal.branch
    department = routing.department_for(appeal.category, appeal.region, appeal.industry_id)
    if department is None:
        raise RuleViolation("本地区尚未设置承办此类诉求的部门，请改由联络员或热线提交", code="no_route")
    return Level.DEPARTMENT, department


def _place(level: str, unit, appeal: Appeal) -> None:
    appeal.level = level
    if level == Level.LIAISON:
        appeal.branch = unit
    elif level == Level.PLATFORM:
        appeal.platform = unit
    else:
        appeal.department = unit


def appeal_submit(
    *,
    actor,
    text: str,
    kind: str,
    urgent: bool = False,
    category: str | None = None,
    service: str = "",
    channel: str = Channel.APP,
    lat=None,
    lng=None,
    address: str = "",
    region: str | None = None,
    about=None,
    anonymous: bool = False,
    needs_contact: bool = False,
    consent_platform: bool = False,
    skip_platform: bool = False,
    consent: bool = False,
    photos: list | None = None,
    voice=None,
    on_behalf: Person | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    station=None,
    now: dt.datetime | None = None,
) -> Appeal:
    """Register an appeal and send it to its first holder. ``photos`` and ``voice`` are uploaded
    files (anything with ``name`` and ``chunks()``), stored only once every other check has passed.
    ``category`` set means a service ordered directly (点单式) or, from an intake desk, a category the
    operator chose; otherwise the classifier decides or, when unsure, leaves it to a person."""
    now = now or _now()
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录后再提交诉求")
    text = check_text(text)
    if kind not in Kind.values:
        raise InvalidInput("请选择诉求性质（求助、咨询、投诉或建议）", field="kind")
    if service and service not in Service.values:
        raise InvalidInput("未知的专业服务类型", field="service")
    if channel not in Channel.values:
        raise InvalidInput("未知的诉求渠道", field="channel")
    lat, lng = _check_location(lat, lng)
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"最多上传 {MAX_PHOTOS} 张照片", field="photos")
    if not consent:
        raise InvalidInput(
            "请阅读并同意《诉求个人信息处理说明》后提交", field="consent", code="consent_required"
        )
    on_someone_else = channel != Channel.APP or on_behalf is not None or bool(contact_name)
    if on_someone_else:
        intake = scope_for(actor, "appeals", "intake")
        if intake.is_empty:
            raise PermissionDenied("只有党员联络员、热线或驿站受理人员可以代为登记诉求")
        if on_behalf is None and not (contact_name.strip() and contact_phone.strip()):
            raise InvalidInput("代为登记时请选择诉求人，或填写诉求人姓名和联系电话", field="contact_name")
        if on_behalf is not None and not intake.contains(on_behalf):
            raise NotFound()
    if contact_phone:
        from sanxin.core.validators import check_mobile

        try:
            check_mobile(contact_phone)
        except Exception as exc:
            raise InvalidInput("联系电话格式不正确", field="contact_phone") from exc
    cat = None
    if category:
        cat = Category.objects.filter(pk=category).first()
        if cat is None:
            raise InvalidInput("未知的诉求类别", field="category")
    region_row = Region.objects.filter(pk=region).first() if region else None
    if region and region_row is None:
        raise InvalidInput("未知的行政区划", field="region")
    if station is not None:
        # A station's desk registers where it stands: the keeper's own station, whose street it is.
        if channel != Channel.STATION:
            raise InvalidInput("只有驿站窗口登记的诉求可以注明受理驿站", field="station_id")
        if not scope_for(actor, "stations", "keep").contains(station):
            raise PermissionDenied("只能以自己管理的驿站登记诉求")
        if region_row is None and station.region_id:
            region_row = station.region
    if on_someone_else:
        person = on_behalf
    else:
        person = Person.objects.filter(user=actor).first()
    if anonymous and skip_platform is False and channel != Channel.APP:
        anonymous = False  # an intake desk registers named appeals; anonymity is the worker's choice
    today = deadlines.local_day(now)

    appeal = Appeal(
        channel=channel,
        kind=kind,
        urgent=bool(urgent),
        service=service or "",
        is_order=bool(cat) and channel == Channel.APP,
        text=text,
        lat=lat,
        lng=lng,
        address=address.strip()[:200],
        anonymous=bool(anonymous),
        needs_contact=bool(needs_contact) and not anonymous,
        consent_platform=bool(consent_platform) and not skip_platform,
        skip_platform=bool(skip_platform),
        consented_at=now,
        entered_by=actor if on_someone_else else None,
        station=station,
        received_at=now,
    )
    # What it is about and where.
    if about is not None:
        appeal.about = about
    else:
        appeal.about = routing.named_organization(text)
        if appeal.about is None and routing.refers_to_employer(text):
            appeal.about = routing.employer_of(person, today)
    if appeal.about is not None:
        appeal.about_hq = appeal.about.hq or appeal.about
    branch = routing.branch_of(person, today)
    if channel == Channel.LIAISON and branch is None:
        branch = Org.objects.filter(
            pk__in=[g.org_id for g in actor.grants.filter(role="member_liaison", org__isnull=False)]
        ).first()
    if not appeal.skip_platform:
        appeal.branch = branch  # the worker skipping the platform skips its branch's liaison too
    appeal.region = (
        region_row or (branch.region if branch else None) or (appeal.about.region if appeal.about else None)
    )
    if appeal.region is None:
        raise InvalidInput("请选择诉求发生地所在的街道（乡镇）", field="region")
    appeal.industry_id = (
        (appeal.about.industry_id if appeal.about else None)
        or (branch.industry_id if branch else None)
        or None
    )
    # What kind of matter.
    if cat is not None:
        appeal.category = cat
        appeal.category_source = CategorySource.ORDER if appeal.is_order else CategorySource.HUMAN
    else:
        guess = inference.classify(text)
        appeal.classifier = guess.version
        appeal.confidence = guess.confidence
        if guess.confidence >= settings.APPEALS_CLASSIFY_THRESHOLD:
            appeal.category_id = guess.code
            appeal.category_source = CategorySource.MODEL
        else:
            appeal.suggested_id = guess.code
    # Who asked.
    phone = contact_phone.strip() or (person.phone if person is not None else "")
    appeal.phone_index = crypto.blind_index(phone, purpose="phone") if phone else ""
    if appeal.anonymous:
        appeal.sealed = json.dumps(
            {
                "user_id": actor.pk,
                "person_id": person.pk if person else None,
                "name": person.name if person else (actor.display_name or actor.username),
                "phone": phone,
            },
            ensure_ascii=False,
        )
        appeal.owner_index = owner_index(actor)
    else:
        appeal.submitter = None if on_someone_else else actor
        appeal.person = person
        appeal.contact_name = contact_name.strip() or (person.name if person else (actor.display_name or ""))
        appeal.contact_phone = phone
    rule = deadlines.rule_for(kind=kind, category_id=appeal.category_id, urgent=appeal.urgent)
    appeal.respond_due = deadlines.respond_by(now, rule)
    appeal.stage_due = appeal.respond_due
    appeal.resolve_due = deadlines.resolve_by(now, rule)
    level, unit = _first_holder(appeal, on=today)
    _place(level, unit, appeal)
    appeal.duplicate_of = _duplicate_of(
        submitter_id=appeal.submitter_id,
        owner_idx=appeal.owner_index,
        phone_idx=appeal.phone_index,
        text=text,
        now=now,
    )
    with transaction.atomic():
        appeal.number = f"tmp-{crypto.blind_index(f'{actor.pk}:{now.isoformat()}:{text}', purpose='n')[:16]}"
        appeal.save()
        appeal.number = f"SQ{timezone.localtime(now):%Y%m%d}{appeal.pk:07d}"
        appeal.save(update_fields=["number"])
        _step(appeal, Action.SUBMIT, actor=actor, at=now, note=appeal.get_channel_display())
        _audit(actor, "submit", appeal, after=_state(appeal))
        # Files last: nothing is stored for an appeal that was refused.
        stored = uploads.store_all(actor=actor, purpose_name="appeals.photo", files=photos)
        if stored:
            appeal.photos.set(stored)
        if voice is not None:
            appeal.voice = uploads.store_all(actor=actor, purpose_name="appeals.voice", files=[voice])[0]
            appeal.save(update_fields=["voice"])
        _tell_holder(appeal, f"新诉求 {appeal.number}：{appeal.summary}", f"appeal:{appeal.pk}:new")
    return appeal


# --- handling ---------------------------------------------------------------------------------------


def _responded(appeal: Appeal, now) -> list[str]:
    changed = ["stage_due"]
    appeal.stage_due = None
    if appeal.responded_at is None:
        appeal.responded_at = now
        changed.append("responded_at")
    return changed


@transaction.atomic
def appeal_accept(*, actor, appeal: Appeal, note: str = "", now=None) -> Appeal:
    now = now or _now()
    appeal = _locked(appeal)
    _require_visible(actor, appeal, "handle")
    _require_holder(actor, appeal)
    _require_status(appeal, [Status.RECEIVED], "只有待受理的诉求可以受理")
    before = _state(appeal)
    appeal.status = Status.HANDLING
    appeal.save(update_fields=["status", *_responded(appeal, now)])
    _step(appeal, Action.ACCEPT, actor=actor, at=now, note=note.strip())
    _audit(actor, "accept", appeal, before, _state(appeal))
    _tell_submitter(
        appeal,
        f"您的诉求 {appeal.number} 已由{routing.unit_name(appeal.holder)}受理",
        f"appeal:{appeal.pk}:accept:{now.isoformat()}",
    )
    return appeal


@transaction.atomic
def appeal_ask(*, actor, appeal: Appeal, question: str, now=None) -> Appeal:
    """Ask the worker for information: the clock stops until they answer."""
    now = now or _now()
    question = (question or "").strip()
    if len(question) < 4:
        raise InvalidInput("请写明需要补充的情况", field="question")
    appeal = _locked(appeal)
    _require_visible(actor, appeal, "handle")
    _require_holder(actor, appeal)
    _require_status(appeal, [Status.RECEIVED, Status.HANDLING], "办理中的诉求才能请诉求人补充情况")
    if appeal.anonymous is False and appeal.submitter_id is None and not appeal.contact_phone:
        raise RuleViolation("诉求人没有平台账号也没有联系电话，无法请其补充", code="no_contact")
    before = _state(appeal)
    appeal.status = Status.WAITING
    appeal.paused_at = now
    appeal.save(update_fields=["status", "paused_at", *_responded(appeal, now)])
    _step(appeal, Action.ASK, actor=actor, at=now, note=question)
    _audit(actor, "ask", appeal, before, _state(appeal))
    _tell_submitter(
        appeal,
        f"诉求 {appeal.number} 需要您补充情况：{question[:40]}",
        f"appeal:{appeal.pk}:ask:{now.isoformat()}",
    )
    return appeal


@transaction.atomic
def appeal_answer(*, actor, appeal: Appeal, text: str, now=None) -> Appeal:
    """The worker answers; the resolution deadline moves by the time waited."""
    now = now or _now()
    text = check_text(text)
    appeal = _locked(appeal)
    if not is_owner(actor, appeal) and not routing.is_handler(actor, appeal):
        raise NotFound()
    _require_status(appeal, [Status.WAITING], "只有待补充情况的诉求可以补充")
    before = _state(appeal)
    appeal.resolve_due = deadlines.shifted(appeal.resolve_due, appeal.paused_at or now, now)
    appeal.paused_at = None
    appeal.status = Status.HANDLING
    appeal.save(update_fields=["resolve_due", "paused_at", "status"])
    _step(appeal, Action.ANSWER, actor=actor, at=now, note=text)
    _audit(actor, "answer", appeal, before, _state(appeal))
    _tell_holder(
        appeal, f"诉求 {appeal.number} 的诉求人已补充情况", f"appeal:{appeal.pk}:answer:{now.isoformat()}"
    )
    return appeal


def _move(appeal: Appeal, level: str, unit, *, now) -> None:
    """Hand the appeal to ``unit`` at ``level``: it waits for that holder's response."""
    if level == Level.PLATFORM and appeal.skip_platform:
        raise RuleViolation("诉求人选择了不经平台直接报主管部门，不能转给平台", code="platform_skipped")
    rule = deadlines.rule_for(kind=appeal.kind, category_id=appeal.category_id, urgent=appeal.urgent)
    _place(level, unit, appeal)
    appeal.status = Status.RECEIVED
    appeal.stage_due = deadlines.respond_by(now, rule)


def _target(level: str, unit_id: int):
    if level == Level.DEPARTMENT:
        return Department.objects.filter(pk=unit_id, active=True).first()
    if level in (Level.LIAISON, Level.PLATFORM):
        return Org.objects.filter(pk=unit_id, status="active").first()
    return None


@transaction.atomic
def appeal_transfer(*, actor, appeal: Appeal, level: str, unit_id: int, reason: str, now=None) -> Appeal:
    """转办: hand the appeal to another holder (another department, the platform's group, back to a
    branch), with the reason."""
    now = now or _now()
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise InvalidInput("请写明转办理由", field="reason")
    if level not in Level.values:
        raise InvalidInput("未知的办理层级", field="level")
    unit = _target(level, unit_id)
    if unit is None:
        raise InvalidInput("请选择有效的承办单位", field="unit_id")
    appeal = _locked(appeal)
    _require_visible(actor, appeal, "handle")
    _require_holder(actor, appeal)
    _require_status(appeal, OPEN, "已答复或已办结的诉求不能转办")
    if unit == appeal.holder and level == appeal.level:
        raise InvalidInput("不能转给本单位", field="unit_id")
    if not routing.has_handlers(level, unit):
        raise RuleViolation(f"{unit.name}尚无办理人员，不能转办", code="no_route", field="unit_id")
    before = _state(appeal)
    _step(appeal, Action.TRANSFER, actor=actor, at=now, note=reason, to=(level, unit))
    _move(appeal, level, unit, now=now)
    appeal.paused_at = None
    appeal.save()
    _audit(actor, "transfer", appeal, before, _state(appeal))
    _tell_holder(
        appeal,
        f"转办诉求 {appeal.number}：{appeal.summary}",
        f"appeal:{appeal.pk}:transfer:{now.isoformat()}",
    )
    _tell_submitter(
        appeal,
        f"您的诉求 {appeal.number} 已转{unit.name}办理",
        f"appeal:{appeal.pk}:transfer:{now.isoformat()}",
    )
    return appeal


def _escalate(appeal: Appeal, *, actor, now, action: str, note: str, key: str | None = None) -> bool:
    """Up one level, or at the department a 督办; False when this key has acted already."""
    if key is not None and Step.objects.filter(key=key).exists():
        return False
    up = routing.next_level(appeal)
    before = _state(appeal)
    if up is None:
        appeal.supervised_at = now
        appeal.save(update_fields=["supervised_at"])
        _step(appeal, Action.SUPERVISE, actor=actor, at=now, note=note, key=key)
        _audit(actor, "supervise", appeal, before, _state(appeal))
        _supervision_notice(appeal, note, key or f"manual:{now.isoformat()}")
        return True
    level, unit = up
    _step(appeal, action, actor=actor, at=now, note=note, to=(level, unit), key=key)
    _move(appeal, level, unit, now=now)
    appeal.escalations += 1
    appeal.save()
    _audit(actor, "escalate", appeal, before, _state(appeal))
    _supervision_notice(appeal, note, key or f"manual:{now.isoformat()}")
    return True


def _supervision_notice(appeal: Appeal, note: str, key: str) -> None:
    """The 督办 notice: the holder's people, and the offices that oversee (the organization department
    of the appeal's region and the industry committee of its industry)."""
    from sanxin.accounts.models import Grant

    title = f"督办：诉求 {appeal.number}（{appeal.category.name if appeal.category else '待分类'}）{note}"
    recipients = set(routing.handlers(appeal.level, appeal.holder))
    today = timezone.localdate()
    offices = Grant.objects.filter(valid_from__lte=today).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=today)
    )
    near = Q(pk__in=[])
    if appeal.region_id:
        codes = [appeal.region_id[:i] for i in (2, 4, 6, 9, 12)]
        near |= Q(role="org_department", anchor="region", region_id__in=[c.ljust(12, "0") for c in codes])
    if appeal.industry_id:
        near |= Q(role="industry_committee", anchor="industry", industry_id=appeal.industry_id)
    recipients |= set(offices.filter(near).values_list("user_id", flat=True))
    for user_id in sorted(recipients):
        notify.notify(
            recipient=user_id,
            kind="appeals.supervise",
            title=title,
            url=f"/appeals/{appeal.pk}/",
            key=f"{key}:{user_id}",
        )


@transaction.atomic
def appeal_escalate(*, actor, appeal: Appeal, reason: str, now=None) -> Appeal:
    """上报: the holder passes the appeal up a level (a liaison to the platform's group, the group to
    the department)."""
    now = now or _now()
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise InvalidInput("请写明上报理由", field="reason")
    appeal = _locked(appeal)
    _require_visible(actor, appeal, "handle")
    _require_holder(actor, appeal)
    _require_status(appeal, OPEN, "已答复或已办结的诉求不能上报")
    if appeal.level == Level.DEPARTMENT or routing.next_level(appeal) is None:
        raise RuleViolation("已是最高办理层级，请直接办理或转办", code="no_next_level")
    _escalate(appeal, actor=actor, now=now, action=Action.ESCALATE, note=reason)
    return appeal


@transaction.atomic
def appeal_supervise(*, actor, appeal: Appeal, note: str, now=None) -> Appeal:
    """督办 by an office or the department's desk: a notice to the holder, marked on the appeal."""
    now = now or _now()
    note = (note or "").strip()
    if len(note) < 4:
        raise InvalidInput("请写明督办意见", field="note")
    appeal = _locked(appeal)
    _require_visible(actor, appeal, "supervise")
    _require_status(appeal, OPEN, "已答复或已办结的诉求无需督办")
    before = _state(appeal)
    appeal.supervised_at = now
    appeal.save(update_fields=["supervised_at"])
    _step(appeal, Action.SUPERVISE, actor=actor, at=now, note=note)
    _audit(actor, "supervise", appeal, before, _state(appeal))
    _supervision_notice(appeal, note, f"supervise:{appeal.pk}:{now.isoformat()}")
    return appeal


@transaction.atomic
def appeal_resolve(*, actor, appeal: Appeal, reply: str, now=None) -> Appeal:
    now = now or _now()
    reply = (reply or "").strip()
    if len(reply) < 10:
        raise InvalidInput("答复内容至少 10 个字：办理了什么、结果如何、诉求人下一步怎么做", field="reply")
    if len(reply) > MAX_TEXT:
        raise InvalidInput(f"答复不能超过 {MAX_TEXT} 字", field="reply")
    appeal = _locked(appeal)
    _require_visible(actor, appeal, "handle")
    _require_holder(actor, appeal)
    _require_status(appeal, [Status.RECEIVED, Status.HANDLING], "只有办理中的诉求可以答复")
    if appeal.category_id is None:
        raise RuleViolation("请先确定诉求类别再答复", code="unclassified", field="category")
    before = _state(appeal)
    changed = _responded(appeal, now)
    appeal.status = Status.RESOLVED
    appeal.reply = reply
    appeal.resolved_at = now
    appeal.first_resolved_at = appeal.first_resolved_at or now
    appeal.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
    appeal.resolved_level = appeal.level
    appeal.save(
        update_fields=[
            *changed,
            "status",
            "reply",
            "resolved_at",
            "first_resolved_at",
            "resolved_by",
            "resolved_level",
        ]
    )
    _step(appeal, Action.RESOLVE, actor=actor, at=now, note=reply)
    _audit(actor, "resolve", appeal, before, _state(appeal))
    _tell_submitter(
        appeal,
        f"您的诉求 {appeal.number} 已答复，请查看并评价",
        f"appeal:{appeal.pk}:resolve:{now.isoformat()}",
    )
    return appeal


@transaction.atomic
def appeal_callback(*, actor, appeal: Appeal, note: str, now=None) -> Appeal:
    """回访: the handler calls the worker back after the reply and notes what they said."""
    now = now or _now()
    note = (note or "").strip()
    if len(note) < 4:
        raise InvalidInput("请记录回访情况", field="note")
    appeal = _locked(appeal)
    _require_visible(actor, appeal, "handle")
    _require_holder(actor, appeal)
    _require_status(appeal, DONE, "答复之后才能回访")
    appeal.callback_at = now
    appeal.callback_note = note[:500]
    appeal.save(update_fields=["callback_at", "callback_note"])
    _step(appeal, Action.CALLBACK, actor=actor, at=now, note=note)
    _audit(actor, "callback", appeal, after={"callback": note[:500]})
    return appeal


@transaction.atomic
def appeal_rate(*, actor, appeal: Appeal, rating: str, comment: str = "", now=None) -> Appeal:
    """The worker rates the reply. 满意 or 基本满意 closes it; 不满意 reopens it once with the same
    holder, and after that sends it up a level (at the department: a 督办)."""
    now = now or _now()
    if rating not in Rating.values:
        raise InvalidInput("请选择满意、基本满意或不满意", field="rating")
    comment = (comment or "").strip()
    if rating == Rating.UNSATISFIED and len(comment) < 2:
        raise InvalidInput("请说说哪里不满意，便于重新办理", field="comment")
    appeal = _locked(appeal)
    if not is_owner(actor, appeal):
        raise NotFound()
    _require_status(appeal, [Status.RESOLVED], "只有已答复的诉求可以评价")
    before = _state(appeal)
    appeal.rating = rating
    appeal.rating_comment = comment[:500]
    appeal.rated_at = now
    _step(
        appeal,
        Action.RATE,
        actor=actor,
        at=now,
        note=f"{Rating(rating).label}：{comment}" if comment else Rating(rating).label,
    )
    if rating != Rating.UNSATISFIED:
        appeal.status = Status.CLOSED
        appeal.closed_at = now
        appeal.save()
        _step(appeal, Action.CLOSE, actor=None, at=now)
        _audit(actor, "rate", appeal, before, _state(appeal))
        return appeal
    rule = deadlines.rule_for(kind=appeal.kind, category_id=appeal.category_id, urgent=appeal.urgent)
    appeal.resolved_at = None
    appeal.resolve_due = max(appeal.resolve_due, deadlines.resolve_by(now, rule))
    appeal.reopened += 1
    if appeal.reopened == 1:
        appeal.status = Status.HANDLING
        appeal.save()
        _step(
            appeal,
            Action.REOPEN,
            actor=None,
            at=now,
            note=f"诉求人不满意，退回{routing.unit_name(appeal.holder)}重新办理",
        )
        _audit(actor, "rate", appeal, before, _state(appeal))
        _tell_holder(
            appeal,
            f"诉求 {appeal.number} 诉求人不满意，请重新办理",
            f"appeal:{appeal.pk}:reopen:{now.isoformat()}",
        )
        return appeal
    appeal.status = Status.HANDLING
    appeal.save()
    _step(appeal, Action.REOPEN, actor=None, at=now, note="再次不满意，提级办理")
    _escalate(appeal, actor=None, now=now, action=Action.ESCALATE, note="诉求人再次不满意，提级办理")
    _audit(actor, "rate", appeal, before, _state(appeal))
    return appeal


@transaction.atomic
def appeal_withdraw(*, actor, appeal: Appeal, reason: str = "", now=None) -> Appeal:
    now = now or _now()
    appeal = _locked(appeal)
    if not is_owner(actor, appeal):
        raise NotFound()
    _require_status(appeal, OPEN, "只有尚在办理的诉求可以撤回")
    before = _state(appeal)
    appeal.status = Status.WITHDRAWN
    appeal.closed_at = now
    appeal.stage_due = None
    appeal.save(update_fields=["status", "closed_at", "stage_due"])
    _step(appeal, Action.WITHDRAW, actor=actor, at=now, note=(reason or "").strip())
    _audit(actor, "withdraw", appeal, before, _state(appeal))
    return appeal


@transaction.atomic
def appeal_classify(*, actor, appeal: Appeal, category: str, now=None) -> Appeal:
    """A person picks the category (the classifier was unsure, or wrong); the choice becomes training
    data for the next classifier."""
    now = now or _now()
    cat = Category.objects.filter(pk=category).first()
    if cat is None:
        raise InvalidInput("未知的诉求类别", field="category")
    appeal = _locked(appeal)
    _require_visible(actor, appeal, "classify")
    _require_status(appeal, [*OPEN, Status.RESOLVED], "已办结的诉求不再调整类别")
    before = _state(appeal)
    appeal.category = cat
    appeal.category_source = CategorySource.HUMAN
    rule = deadlines.rule_for(kind=appeal.kind, category_id=cat.pk, urgent=appeal.urgent)
    appeal.resolve_due = max(appeal.received_at, deadlines.resolve_by(appeal.received_at, rule))
    appeal.save(update_fields=["category", "category_source", "resolve_due"])
    Label.objects.update_or_create(
        appeal=appeal,
        defaults={"text": appeal.text, "category": cat, "by": actor if getattr(actor, "pk", None) else None},
    )
    _step(appeal, Action.CLASSIFY, actor=actor, at=now, note=cat.name)
    _audit(actor, "classify", appeal, before, _state(appeal))
    return appeal


@transaction.atomic
def appeal_merge(*, actor, appeal: Appeal, into: Appeal, now=None) -> Appeal:
    """A duplicate (same person, similar text) joins the appeal it repeats; the worker follows that one."""
    now = now or _now()
    appeal = _locked(appeal)
    into = _locked(into)
    _require_visible(actor, appeal, "handle")
    _require_holder(actor, appeal)
    if appeal.pk == into.pk:
        raise InvalidInput("不能与自身合并", field="into")
    same_person = (
        (appeal.submitter_id and appeal.submitter_id == into.submitter_id)
        or (appeal.owner_index and appeal.owner_index == into.owner_index)
        or (appeal.phone_index and appeal.phone_index == into.phone_index)
    )
    if not same_person:
        raise RuleViolation("只能合并同一诉求人的重复诉求", code="not_duplicate", field="into")
    _require_status(appeal, OPEN, "只有尚在办理的诉求可以合并")
    if into.status in (Status.MERGED, Status.WITHDRAWN):
        raise RuleViolation("目标诉求已合并或撤回", code="wrong_status", field="into")
    before = _state(appeal)
    appeal.status = Status.MERGED
    appeal.merged_into = into
    appeal.closed_at = now
    appeal.stage_due = None
    appeal.save(update_fields=["status", "merged_into", "closed_at", "stage_due"])
    _step(appeal, Action.MERGE, actor=actor, at=now, note=f"与诉求 {into.number} 合并办理")
    _audit(actor, "merge", appeal, before, _state(appeal))
    return appeal


# --- extensions ---------------------------------------------------------------------------------------


@transaction.atomic
def extension_request(*, actor, appeal: Appeal, days: int, reason: str, now=None) -> Extension:
    now = now or _now()
    reason = (reason or "").strip()
    if not 1 <= int(days) <= 30:
        raise InvalidInput("延期天数应为 1 至 30 个工作日", field="days")
    if len(reason) < 4:
        raise InvalidInput("请写明延期理由", field="reason")
    appeal = _locked(appeal)
    _require_visible(actor, appeal, "handle")
    _require_holder(actor, appeal)
    _require_status(appeal, [Status.RECEIVED, Status.HANDLING], "只有办理中的诉求可以申请延期")
    if now >= appeal.resolve_due:
        raise RuleViolation("已超过办结时限，不能再申请延期", code="too_late")
    if appeal.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise RuleViolation("已有一个延期申请待审核", code="pending_extension")
    ext = Extension.objects.create(
        appeal=appeal, days=int(days), reason=reason, requested_by=actor, requested_at=now
    )
    _step(appeal, Action.EXTEND, actor=actor, at=now, note=f"申请延期 {days} 个工作日：{reason}")
    _audit(actor, "extend", appeal, after={"days": int(days), "reason": reason})
    return ext


@transaction.atomic
def extension_decide(*, actor, extension: Extension, approve: bool, note: str = "", now=None) -> Extension:
    now = now or _now()
    ext = Extension.objects.select_for_update().get(pk=extension.pk)
    appeal = _locked(ext.appeal)
    _require_visible(actor, appeal, "supervise")
    if ext.status != ExtensionStatus.PENDING:
        raise RuleViolation("该延期申请已审核", code="wrong_status")
    if ext.requested_by_id == getattr(actor, "pk", None):
        raise RuleViolation("不能审核自己的延期申请", code="own_request")
    before = _state(appeal)
    ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    ext.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    ext.decided_at = now
    ext.decision_note = (note or "").strip()[:500]
    ext.save()
    if approve and appeal.status in OPEN:
        appeal.resolve_due = deadlines.extended(appeal.resolve_due, ext.days)
        appeal.save(update_fields=["resolve_due"])
    _step(
        appeal,
        Action.EXTEND_DECIDE,
        actor=actor,
        at=now,
        note=("同意" if approve else "不同意") + (f"：{note}" if note else ""),
    )
    _audit(actor, "extend_decide", appeal, before, _state(appeal))
    return ext


# --- reveal -----------------------------------------------------------------------------------------


@transaction.atomic
def appeal_reveal(*, actor, appeal: Appeal, reason: str) -> dict:
    """Break-glass: the security administrator learns who wrote an anonymous appeal, with a reason,
    audited."""
    reason = (reason or "").strip()
    if len(reason) < 6:
        raise InvalidInput("请写明查看匿名诉求人身份的理由（将留痕备查）", field="reason")
    _require_visible(actor, appeal, "reveal")
    if not appeal.anonymous:
        raise RuleViolation("该诉求不是匿名诉求", code="not_anonymous")
    identity = _sealed(appeal)
    _step(appeal, Action.REVEAL, actor=actor, note=reason)
    audit.record(actor=actor, action="reveal", obj=appeal, after={"field": "submitter", "reason": reason})
    return {
        "name": identity.get("name", ""),
        "phone": identity.get("phone", ""),
        "user_id": identity.get("user_id"),
    }


# --- scheduled ------------------------------------------------------------------------------------


def escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Every appeal whose response or resolution deadline passed yesterday or before goes up a level
    (at the department: a 督办), once per deadline — the step's key is the deadline. Idempotent."""
    now = now or _now()
    today_start = deadlines.end_of_day(deadlines.local_day(now) - dt.timedelta(days=1))
    moved = 0
    unresponded = Appeal.objects.filter(status=Status.RECEIVED, stage_due__lte=today_start)
    unresolved = Appeal.objects.filter(
        status__in=[Status.RECEIVED, Status.HANDLING], resolve_due__lte=today_start
    )
    for kind, qs, due_field in (
        ("respond", unresponded, "stage_due"),
        ("resolve", unresolved, "resolve_due"),
    ):
        for pk in qs.order_by("pk").values_list("pk", flat=True):
            with transaction.atomic():
                appeal = _locked(Appeal(pk=pk))
                due = getattr(appeal, due_field)
                if due is None or not deadlines.overdue_since(due, now):
                    continue
                if kind == "respond" and appeal.status != Status.RECEIVED:
                    continue
                if kind == "resolve" and appeal.status not in (Status.RECEIVED, Status.HANDLING):
                    continue
                label = "超过响应时限未受理" if kind == "respond" else "超过办结时限未办结"
                key = f"overdue:{kind}:{appeal.pk}:{due.isoformat()}"
                if _escalate(appeal, actor=None, now=now, action=Action.OVERDUE, note=label, key=key):
                    moved += 1
    return moved


def close_unrated(*, now: dt.datetime | None = None) -> int:
    """Replies nobody rated for ``UNRATED_CLOSE_DAYS`` days are closed (resolved, not rated)."""
    now = now or _now()
    cutoff = now - dt.timedelta(days=UNRATED_CLOSE_DAYS)
    closed = 0
    for pk in Appeal.objects.filter(status=Status.RESOLVED, resolved_at__lte=cutoff).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            appeal = _locked(Appeal(pk=pk))
            if appeal.status != Status.RESOLVED:
                continue
            appeal.status = Status.CLOSED
            appeal.closed_at = now
            appeal.save(update_fields=["status", "closed_at"])
            _step(
                appeal,
                Action.CLOSE,
                actor=None,
                at=now,
                note=f"答复后 {UNRATED_CLOSE_DAYS} 天未评价，自动办结",
            )
            closed += 1
    return closed


# --- 困难帮扶: the hardship register ---------------------------------------------------------------
#
# Kept by the people with ``appeals.hardship`` over the responsible party org: the branch (its
# 党员联络员 and secretary) and the offices above it. An entry is the person's situation (encrypted:
# illness and family circumstances are sensitive), recorded with the person's consent; the aid given
# (money, services, visits) by whom and when; the next follow-up date, of which the keepers are
# reminded that morning; and its end. An appeal of a category that can lead to aid (医疗救助, 工伤,
# 住房…) opens one for its author — never for an anonymous author, whose identity stays sealed.

MAX_SITUATION = 2000


def _hardship_scope_check(actor, org: Org) -> None:
    if actor is not None and not scope_for(actor, "appeals", "hardship").contains(org):
        raise PermissionDenied("该党组织不在你的困难帮扶管理范围内")


def _hardship_text(text: str, field: str, what: str, limit: int = MAX_SITUATION) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(f"请填写{what}", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{what}不能超过 {limit} 字（现有 {len(text)} 字）", field=field)
    return text


def _follow_up(on: dt.date | None, today: dt.date) -> dt.date | None:
    if on is not None and on < today:
        raise InvalidInput("下次跟进日期不能早于今天", field="follow_up_on")
    return on


def hardship_open(
    *,
    actor,
    kind: str,
    situation: str,
    consent: bool,
    person: Person | None = None,
    appeal: Appeal | None = None,
    follow_up_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Hardship:
    """Open an entry for ``person`` or for the author of ``appeal``. The responsible party org is the
    person's own, or the branch the appeal came through; it must be in the actor's scope."""
    now = now or _now()
    today = deadlines.local_day(now)
    if kind not in HardshipKind.values:
        raise InvalidInput("请选择困难类型", field="kind")
    situation = _hardship_text(situation, "situation", "困难情况")
    if not consent:
        raise InvalidInput("登记困难情况须经本人同意", field="consent")
    follow_up_on = _follow_up(follow_up_on, today)
    with transaction.atomic():
        if appeal is not None:
            appeal = _locked(appeal)
            _require_visible(actor, appeal, "view")
            if appeal.category is None or not appeal.category.hardship:
                raise RuleViolation(
                    "只有医疗救助、工伤、住房等类别的诉求可以转入困难帮扶", code="not_hardship_category"
                )
            if appeal.anonymous:
                raise RuleViolation("匿名诉求不能转入困难帮扶：诉求人的身份不公开", code="anonymous")
            if appeal.person_id is None:
                raise RuleViolation(
                    "诉求人尚未在系统中登记，请先登记人员信息再建立帮扶档案", code="no_person"
                )
            person = appeal.person
            org = person.org or appeal.branch
        elif person is None:
            raise InvalidInput("请选择帮扶对象", field="person")
        else:
            org = person.org
        if org is None:
            raise RuleViolation("帮扶对象没有所属党组织，无法确定责任党组织", code="no_org")
        _hardship_scope_check(actor, org)
        if Hardship.objects.filter(person=person, closed_on__isnull=True).exists():
            raise RuleViolation(
                f"{person.name}已有在帮扶的档案，请在原档案中记录", code="already_open", field="person"
            )
        entry = Hardship.objects.create(
            person=person,
            org=org,
            kind=kind,
            situation=situation,
            consented_at=now,
            appeal=appeal,
            opened_by=actor if getattr(actor, "is_authenticated", False) else None,
            follow_up_on=follow_up_on,
        )
        if appeal is not None:
            _step(appeal, Action.HARDSHIP, actor=actor, at=now, note=f"转入{org.name}困难帮扶")
        audit.record(
            actor=actor,
            action="hardship_open",
            obj=entry,
            after=audit.snapshot(entry),  # the situation masked
        )
    return entry


def _locked_hardship(actor, entry: Hardship) -> Hardship:
    entry = Hardship.objects.select_for_update(of=("self",)).select_related("person", "org").get(pk=entry.pk)
    _hardship_scope_check(actor, entry.org)
    if entry.closed_on is not None:
        raise RuleViolation(f"该帮扶档案已于{entry.closed_on:%Y年%m月%d日}结束", code="closed")
    return entry


def aid_record(
    *,
    actor,
    hardship: Hardship,
    kind: str,
    given_on: dt.date,
    given_by: str,
    amount=None,
    note: str = "",
    follow_up_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Aid:
    """Record aid given; ``follow_up_on`` sets the next follow-up (left as it was when not given)."""
    now = now or _now()
    today = deadlines.local_day(now)
    if kind not in AidKind.values:
        raise InvalidInput("请选择帮扶方式", field="kind")
    if given_on is None:
        raise InvalidInput("请填写帮扶日期", field="given_on")
    if given_on > today:
        raise InvalidInput("帮扶日期不能晚于今天", field="given_on")
    given_by = _hardship_text(given_by, "given_by", "帮扶人或单位", 100)
    note = (note or "").strip()
    if len(note) > 500:
        raise InvalidInput("说明不能超过 500 字", field="note")
    if kind == AidKind.MONEY:
        if amount is None or amount <= 0:
            raise InvalidInput("资金救助请填写大于零的金额", field="amount")
    else:
        amount = None
    follow_up_on = _follow_up(follow_up_on, today)
    with transaction.atomic():
        entry = _locked_hardship(actor, hardship)
        aid = Aid.objects.create(
            hardship=entry,
            kind=kind,
            amount=amount,
            given_on=given_on,
            given_by=given_by,
            note=note,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if follow_up_on is not None:
            entry.follow_up_on = follow_up_on
            entry.save(update_fields=["follow_up_on", "updated_at"])
        audit.record(
            actor=actor,
            action="hardship_aid",
            obj=entry,
            after={
                "aid": aid.pk,
                "kind": kind,
                "amount": str(amount) if amount is not None else None,
                "given_on": given_on.isoformat(),
                "follow_up_on": follow_up_on.isoformat() if follow_up_on else None,
            },
        )
    return aid


def hardship_close(*, actor, hardship: Hardship, note: str, now: dt.datetime | None = None) -> Hardship:
    now = now or _now()
    note = _hardship_text(note, "note", "结束帮扶的说明", 500)
    with transaction.atomic():
        entry = _locked_hardship(actor, hardship)
        entry.closed_on = deadlines.local_day(now)
        entry.closing_note = note
        entry.follow_up_on = None
        entry.save(update_fields=["closed_on", "closing_note", "follow_up_on", "updated_at"])
        audit.record(
            actor=actor, action="hardship_close", obj=entry, after={"closed_on": entry.closed_on.isoformat()}
        )
    return entry


def hardship_reminders(*, today: dt.date | None = None) -> int:
    """Each morning: the keepers of an entry whose follow-up falls today or has passed are reminded,
    once per entry and date (the notice's key), so a rerun sends nothing twice."""
    today = today or timezone.localdate()
    sent = 0
    due = Hardship.objects.filter(closed_on__isnull=True, follow_up_on__lte=today).select_related(
        "person", "org"
    )
    for entry in due:
        late = "" if entry.follow_up_on == today else f"（原定{entry.follow_up_on:%m月%d日}）"
        for user_id in actors_for(entry.org, "appeals", "hardship"):
            n = notify.notify(
                recipient=user_id,
                kind="appeals.hardship",
                title=f"困难帮扶跟进：{entry.person.name}{late}",
                url=f"/appeals/hardship/{entry.pk}/",
                key=f"hardship:{entry.pk}:{entry.follow_up_on.isoformat()}:{user_id}",
            )
            sent += n is not None
    return sent


# --- 协调会: coordination meetings over appeals -------------------------------------------------------
#
# Called by an office or a platform committee (``appeals.coordinate``) over appeals one unit cannot
# settle alone: the meeting, who came, the minutes, and per appeal the decision — which also goes on
# the appeal's history, where its author reads it.

MAX_ITEMS = 50


def coordination_record(
    *,
    actor,
    org: Org,
    title: str,
    held_on: dt.date,
    place: str = "",
    attendees: str = "",
    summary: str = "",
    decisions: dict | None = None,
    now: dt.datetime | None = None,
) -> Coordination:
    """``decisions`` maps an appeal (or its id) to the decision taken on it; each appeal must be one
    the actor may coordinate."""
    now = now or _now()
    today = deadlines.local_day(now)
    if actor is not None and not scope_for(actor, "appeals", "coordinate").contains(org):
        raise PermissionDenied("该党组织不在你的协调范围内")
    title = _hardship_text(title, "title", "会议名称", 200)
    if held_on is None:
        raise InvalidInput("请填写召开日期", field="held_on")
    if held_on > today:
        raise InvalidInput("召开日期不能晚于今天：协调会开过后再记录", field="held_on")
    if len(place) > 200:
        raise InvalidInput("地点不能超过 200 字", field="place")
    decisions = decisions or {}
    if not decisions:
        raise InvalidInput("请至少列出一件协调的诉求及议定事项", field="decisions")
    if len(decisions) > MAX_ITEMS:
        raise InvalidInput(f"一次协调会最多记录 {MAX_ITEMS} 件诉求", field="decisions")
    items = []
    for key, decision in decisions.items():
        pk = getattr(key, "pk", key)
        decision = (decision or "").strip()
        if not decision:
            raise InvalidInput("每件诉求都要写明议定事项", field="decisions")
        if len(decision) > 1000:
            raise InvalidInput("议定事项不能超过 1000 字", field="decisions")
        items.append((pk, decision))
    with transaction.atomic():
        visible = (
            scope_for(actor, "appeals", "coordinate").filter(Appeal.objects.all())
            if actor
            else Appeal.objects
        )
        appeals = {a.pk: a for a in visible.filter(pk__in=[pk for pk, _ in items])}
        missing = [pk for pk, _ in items if pk not in appeals]
        if missing:
            raise InvalidInput(f"诉求 {missing[0]} 不存在或不在你的协调范围内", field="decisions")
        meeting = Coordination.objects.create(
            org=org,
            title=title,
            held_on=held_on,
            place=place.strip(),
            attendees=attendees.strip(),
            summary=summary.strip(),
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        CoordinationItem.objects.bulk_create(
            [CoordinationItem(meeting=meeting, appeal_id=pk, decision=d) for pk, d in items]
        )
        for pk, decision in items:
            appeal = _locked(appeals[pk])
            _step(
                appeal,
                Action.COORDINATE,
                actor=actor,
                at=now,
                note=f"{held_on:%Y年%m月%d日}{title}：{decision}",
            )
            _tell_holder(
                appeal, f"诉求 {appeal.number} 经协调会议定，请按议定事项办理", f"coordinate:{meeting.pk}"
            )
        audit.record(
            actor=actor,
            action="coordination_record",
            obj=meeting,
            after={"org": org.pk, "held_on": held_on.isoformat(), "appeals": [pk for pk, _ in items]},
        )
    return meeting


__all__ = [
    name
    for name in dir()
    if name.startswith(("appeal_", "extension_", "hardship_", "aid_", "coordination_"))
    and callable(globals()[name])
] + [
    "close_unrated",
    "escalate_overdue",
    "is_owner",
    "owner_index",
    "LEVEL_ORDER",
]
