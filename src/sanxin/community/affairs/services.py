"""Writes of community affairs: 党务公开 (publish, pin, withdraw, read receipts, the 公示's objections),
协商议事 (consultations, parties, meetings, the workers' opinions, the outcome, follow-ups) and
示范岗/责任区 (designations, a change of holder as a new dated row, deeds). Every function takes the
acting user and checks again what they may do (the offices and the org's secretary through
``community.affairs``; members on their own routes through their org chain), audits, and tells the
people concerned."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from sanxin.accounts.actors import actors_for
from sanxin.community.selectors import audience_paths
from sanxin.core import audit, events, notices, notify, uploads
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.models import Objection, PublicNotice
from sanxin.core.query import prefix_q
from sanxin.core.scope import scope_for
from sanxin.orgs.models import BRANCH_TYPES, Org, Person

from . import selectors
from .models import (
    DECIDED,
    OBJECTION_KINDS,
    OPEN_FOR_OPINIONS,
    AffairsNotice,
    Consultation,
    ConsultationMeeting,
    ConsultationParty,
    ConsultationStatus,
    Deed,
    Designation,
    DesignationKind,
    FollowUp,
    Holding,
    MeetingMode,
    NoticeKind,
    NoticeRead,
    Opinion,
    PartySide,
)

ATTACHMENT_PURPOSE = "community.affairs"
PHOTO_PURPOSE = "community.affairs_photo"
MAX_ATTACHMENTS = 9


def _text(value, *, field: str, label: str, min_len: int, max_len: int) -> str:
    value = (value or "").strip()
    if len(value) < min_len:
        raise InvalidInput(f"请填写{label}（至少 {min_len} 个字）", field=field, code="too_short")
    if len(value) > max_len:
        raise InvalidInput(
            f"{label}不能超过 {max_len} 字（现有 {len(value)} 字）", field=field, code="too_long"
        )
    return value


def _date(value, *, field: str, label: str, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise InvalidInput(f"请填写{label}", field=field)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{label}格式不对，应为 年-月-日", field=field) from None


def _require_signed_in(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录")


def _require_manager(actor, obj) -> None:
    """``community.affairs`` over the object (or the org of a new one); ``None`` is the system (demo)."""
    if actor is not None and not scope_for(actor, "community", "affairs").contains(obj):
        raise NotFound()


def _tell(user_ids, *, title: str, url: str, key: str) -> None:
    for user_id in sorted(set(user_ids)):
        notify.notify(recipient=user_id, kind="community", title=title, url=url, key=f"{key}:{user_id}")


# --- 党务公开 -------------------------------------------------------------------------------------------


def _notice_url(n: AffairsNotice) -> str:
    return f"/community/affairs/notices/{n.pk}/"


@transaction.atomic
def notice_publish(
    *,
    actor,
    org: Org,
    kind: str,
    title: str,
    body: str,
    published_on=None,
    expires_on=None,
    pinned: bool = False,
    window_days: int = 5,
    attachments=(),
) -> AffairsNotice:
    """Publish to the org's members. A 公示 kind opens the core 公示 over ``window_days`` working days
    from the publishing day, its audience the notice's own (so members may object). Members of a branch
    are told; a committee's notice waits on the boards of its subtree, marked unread."""
    _require_manager(actor, org)
    if kind not in NoticeKind.values:
        raise InvalidInput("请选择公开类别", field="kind")
    title = _text(title, field="title", label="标题", min_len=4, max_len=100)
    body = _text(body, field="body", label="正文", min_len=10, max_len=20000)
    today = timezone.localdate()
    published_on = _date(published_on, field="published_on", label="发布日期", required=False) or today
    expires_on = _date(expires_on, field="expires_on", label="有效期", required=False)
    if published_on < today - dt.timedelta(days=366):
        raise InvalidInput("发布日期不能早于一年前", field="published_on")
    if expires_on is not None and expires_on < published_on:
        raise InvalidInput("有效期不能早于发布日期", field="expires_on")
    if org.status != "active":
        raise RuleViolation("该党组织已撤销，不能发布", code="org_inactive")
    try:
        window_days = int(window_days)
    except (TypeError, ValueError):
        raise InvalidInput("公示期应为 1 至 15 个工作日", field="window_days") from None
    if kind in OBJECTION_KINDS and not 1 <= window_days <= 15:
        raise InvalidInput("公示期应为 1 至 15 个工作日", field="window_days")
    attachments = list(attachments or [])
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput(f"附件最多 {MAX_ATTACHMENTS} 个", field="attachments")
    n = AffairsNotice.objects.create(
        org=org,
        kind=kind,
        title=title,
        body=body,
        published_on=published_on,
        expires_on=expires_on,
        pinned=bool(pinned),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if kind in OBJECTION_KINDS:
        n.public_notice = notices.notice_open(
            actor=actor,
            title=title,
            body=body,
            subject=n,
            audience=n,
            starts_on=published_on,
            window_days=window_days,
        )
        n.save(update_fields=["public_notice"])
    if attachments:
        stored = uploads.store_all(actor=actor, purpose_name=ATTACHMENT_PURPOSE, files=attachments)
        n.attachments.add(*stored)
    audit.record(
        actor=actor,
        action="affairs_notice_publish",
        obj=n,
        after={"org": org.pk, "kind": kind, "published_on": published_on.isoformat(), "pinned": n.pinned},
    )
    if org.org_type in BRANCH_TYPES and published_on <= today:
        _tell(
            selectors.audience_user_ids(org) - {getattr(actor, "pk", None)},
            title=f"{org.name}党务公开：{title}",
            url=_notice_url(n),
            key=f"community:affairs:notice:{n.pk}",
        )
    return n


def _lock_notice(actor, notice: AffairsNotice) -> AffairsNotice:
    n = (
        AffairsNotice.objects.select_for_update(of=("self",))
        .select_related("org")
        .filter(pk=notice.pk)
        .first()
    )
    if n is None:
        raise NotFound()
    _require_manager(actor, n)
    return n


@transaction.atomic
def notice_pin(*, actor, notice: AffairsNotice, pinned: bool) -> AffairsNotice:
    n = _lock_notice(actor, notice)
    if n.withdrawn:
        raise RuleViolation("已撤回的公开事项不能置顶", code="withdrawn")
    before = {"pinned": n.pinned}
    n.pinned = bool(pinned)
    n.save(update_fields=["pinned", "updated_at"])
    audit.record(actor=actor, action="affairs_notice_pin", obj=n, before=before, after={"pinned": n.pinned})
    return n


@transaction.atomic
def notice_withdraw(*, actor, notice: AffairsNotice, reason: str) -> AffairsNotice:
    """Withdraw with a reason: the notice stays in the history, marked withdrawn; an open 公示 ends as
    withdrawn (its objections kept)."""
    n = _lock_notice(actor, notice)
    reason = _text(reason, field="reason", label="撤回原因", min_len=4, max_len=300)
    if n.withdrawn:
        raise RuleViolation("该公开事项已撤回", code="withdrawn")
    n.withdrawn, n.withdrawn_reason, n.withdrawn_at, n.pinned = True, reason, timezone.now(), False
    n.save(update_fields=["withdrawn", "withdrawn_reason", "withdrawn_at", "pinned", "updated_at"])
    if n.public_notice_id:
        pn = PublicNotice.objects.select_for_update().get(pk=n.public_notice_id)
        if pn.status == PublicNotice.Status.OPEN:
            pn.status, pn.closed_at = PublicNotice.Status.WITHDRAWN, timezone.now()
            pn.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(
        actor=actor, action="affairs_notice_withdraw", obj=n, before={"withdrawn": False},
        after={"withdrawn": True, "reason": reason},
    )  # fmt: skip
    return n


def notice_read(*, user, notice: AffairsNotice) -> bool:
    """Record ``user``'s read receipt once (a unique constraint); True when it is the first read."""
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        with transaction.atomic():
            NoticeRead.objects.create(notice_id=notice.pk, user=user)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def notice_object(*, actor, notice: AffairsNotice, reason: str, anonymous: bool = False) -> Objection:
    """An objection to a 公示 by someone of its audience, through the core 公示 service (which checks
    the period and the audience); the org's managers are told."""
    _require_signed_in(actor)
    n = selectors.notice_get(actor, notice.pk)
    if n.public_notice_id is None:
        raise RuleViolation("该公开事项不是公示，不能提出异议", code="not_a_notice")
    if n.withdrawn:
        raise RuleViolation("该公示已撤回", code="withdrawn")
    if not selectors.in_audience(actor, n):
        raise RuleViolation("您不在本次公示的范围内", code="not_in_audience")
    objection = notices.objection_raise(
        actor=actor, notice=n.public_notice, reason=reason, anonymous=bool(anonymous)
    )
    audit.record(actor=actor, action="affairs_notice_object", obj=n, after={"objection": objection.pk})
    _tell(
        actors_for(n.org, "community", "affairs"),
        title=f"公示“{n.title}”收到异议",
        url=f"/community/affairs/manage/notices/{n.pk}/",
        key=f"community:affairs:objection:{objection.pk}",
    )
    return objection


@transaction.atomic
def objection_resolve(
    *, actor, notice: AffairsNotice, objection_id: int, upheld: bool, resolution: str
) -> Objection:
    n = _lock_notice(actor, notice)
    objection = (
        Objection.objects.filter(pk=objection_id, notice_id=n.public_notice_id).first()
        if n.public_notice_id
        else None
    )
    if objection is None:
        raise NotFound("没有这条异议")
    resolution = _text(resolution, field="resolution", label="核实结果", min_len=4, max_len=2000)
    objection = notices.objection_resolve(
        actor=actor, objection=objection, upheld=bool(upheld), resolution=resolution
    )
    audit.record(
        actor=actor, action="affairs_objection_resolve", obj=n,
        after={"objection": objection.pk, "upheld": bool(upheld)},
    )  # fmt: skip
    notify.notify(
        recipient=objection.author_id,
        kind="community",
        title=f"您对“{n.title}”的异议已核实：{objection.get_status_display()}",
        url=_notice_url(n),
        key=f"community:affairs:objection:{objection.pk}:resolved",
    )
    return objection


# --- 协商议事 -------------------------------------------------------------------------------------------


def _consultation_url(c: Consultation) -> str:
    return f"/community/affairs/consultations/{c.pk}/"


def _tell_consultation(c: Consultation, title: str, key: str, *, exclude=None) -> None:
    """The parties with an account and the org's managers."""
    ids = set(c.parties.filter(user__isnull=False).values_list("user_id", flat=True))
    ids |= set(actors_for(c.org, "community", "affairs"))
    ids.discard(getattr(exclude, "pk", None))
    _tell(ids, title=title, url=_consultation_url(c), key=key)


def _enterprise_check(actor, enterprise) -> None:
    if enterprise is None or actor is None:
        return
    scope = scope_for(actor, "community", "affairs")
    from sanxin.registry.models import Organization

    if not scope.filter(Organization.objects.filter(pk=enterprise.pk)).exists():
        raise NotFound("没有这个企业，或不在您的管辖范围内")


def _party_values(org: Org, side, name, user_id=None) -> tuple[str, str, int | None]:
    """A party's row; its platform user, if any, must be a person of the org's subtree."""
    if side not in PartySide.values:
        raise InvalidInput("请选择参与方身份", field="side")
    name = _text(name, field="name", label="参与方名称或姓名", min_len=2, max_len=60)
    if user_id:
        known = Person.objects.filter(prefix_q("org__path", org.path), user_id=user_id).exists()
        if not known:
            raise InvalidInput("参与方的平台账号应为本组织（含下级组织）的人员", field="user_id")
    return side, name, user_id or None


@transaction.atomic
def consultation_create(
    *, actor, org: Org, topic: str, background: str, enterprise=None, parties=()
) -> Consultation:
    """A consultation of ``org`` on workers' major interests; ``parties`` are (side, name, user_id)."""
    _require_manager(actor, org)
    topic = _text(topic, field="topic", label="议题", min_len=4, max_len=100)
    background = _text(background, field="background", label="背景情况", min_len=10, max_len=10000)
    _enterprise_check(actor, enterprise)
    rows = [_party_values(org, *p) for p in parties]
    if len({r[1] for r in rows}) != len(rows):
        raise InvalidInput("参与方名称不能重复", field="parties")
    c = Consultation.objects.create(
        org=org,
        topic=topic,
        background=background,
        enterprise=enterprise,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    for side, name, user_id in rows:
        ConsultationParty.objects.create(consultation=c, side=side, name=name, user_id=user_id)
    audit.record(
        actor=actor, action="affairs_consultation_create", obj=c,
        after={"org": org.pk, "enterprise": getattr(enterprise, "pk", None), "parties": [r[1] for r in rows]},
    )  # fmt: skip
    _tell_consultation(c, f"协商议事：{topic}", f"community:affairs:consultation:{c.pk}", exclude=actor)
    return c


def _lock_consultation(actor, consultation: Consultation) -> Consultation:
    c = (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("org")
        .filter(pk=consultation.pk)
        .first()
    )
    if c is None:
        raise NotFound()
    _require_manager(actor, c)
    return c


def _touch(c: Consultation) -> None:
    Consultation.objects.filter(pk=c.pk).update(updated_at=timezone.now())


@transaction.atomic
def party_add(
    *, actor, consultation: Consultation, side: str, name: str, user_id: int | None = None
) -> ConsultationParty:
    c = _lock_consultation(actor, consultation)
    if c.status == ConsultationStatus.CLOSED:
        raise RuleViolation("协商已办结，不能再增加参与方", code="closed")
    side, name, user_id = _party_values(c.org, side, name, user_id)
    if c.parties.filter(name=name).exists():
        raise RuleViolation(f"参与方“{name}”已在名单中", code="duplicate_party")
    p = ConsultationParty.objects.create(consultation=c, side=side, name=name, user_id=user_id)
    _touch(c)
    audit.record(actor=actor, action="affairs_party_add", obj=c, after={"party": name, "side": side})
    if user_id:
        notify.notify(
            recipient=user_id, kind="community", title=f"您已被列为协商议事“{c.topic}”的参与方",
            url=_consultation_url(c), key=f"community:affairs:party:{p.pk}",
        )  # fmt: skip
    return p


@transaction.atomic
def meeting_add(
    *,
    actor,
    consultation: Consultation,
    held_at,
    mode: str,
    link: str = "",
    place: str = "",
    minutes: str = "",
    attended_ids=(),
) -> ConsultationMeeting:
    """A meeting: online (云议事, with its link) or offline (with its place); minutes and the parties
    present may be written then or later (a meeting added with minutes moves a proposed consultation to
    协商中)."""
    c = _lock_consultation(actor, consultation)
    if c.status not in OPEN_FOR_OPINIONS:
        raise RuleViolation("协商已形成结果，不能再安排协商会议", code="decided")
    if mode not in MeetingMode.values:
        raise InvalidInput("请选择会议方式", field="mode")
    if isinstance(held_at, str):
        try:
            held_at = dt.datetime.fromisoformat(held_at)
        except ValueError:
            raise InvalidInput("会议时间格式不对", field="held_at") from None
    if not isinstance(held_at, dt.datetime):
        raise InvalidInput("请填写会议时间", field="held_at")
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    link, place = (link or "").strip(), (place or "").strip()
    if mode == MeetingMode.ONLINE and not link.startswith(("https://", "http://")):
        raise InvalidInput("线上会议（云议事）请填写以 https:// 开头的会议链接", field="link")
    if mode == MeetingMode.OFFLINE and len(place) < 2:
        raise InvalidInput("线下会议请填写地点", field="place")
    if len(link) > 200 or len(place) > 120:
        raise InvalidInput("链接或地点过长", field="link" if len(link) > 200 else "place")
    minutes = (minutes or "").strip()
    if len(minutes) > 20000:
        raise InvalidInput("会议纪要不能超过 20000 字", field="minutes")
    parties = list(c.parties.filter(pk__in=[int(i) for i in attended_ids or []]))
    if len(parties) != len(set(attended_ids or [])):
        raise InvalidInput("出席方不在本次协商的参与方名单中", field="attended")
    m = ConsultationMeeting.objects.create(
        consultation=c, held_at=held_at, mode=mode, link=link if mode == "online" else "",
        place=place if mode == "offline" else "", minutes=minutes,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    m.attended.set(parties)
    if c.status == ConsultationStatus.PROPOSED and minutes:
        c.status = ConsultationStatus.CONSULTING
        c.save(update_fields=["status", "updated_at"])
    else:
        _touch(c)
    audit.record(
        actor=actor, action="affairs_meeting_add", obj=c,
        after={"meeting": m.pk, "mode": mode, "held_at": held_at.isoformat(), "attended": [p.name for p in parties]},
    )  # fmt: skip
    when = timezone.localtime(held_at)
    _tell_consultation(
        c, f"协商议事“{c.topic}”{when:%m月%d日 %H:%M}{m.get_mode_display()}会议",
        f"community:affairs:meeting:{m.pk}", exclude=actor,
    )  # fmt: skip
    return m


@transaction.atomic
def meeting_minutes(*, actor, consultation: Consultation, meeting_id: int, minutes: str, attended_ids=()):
    c = _lock_consultation(actor, consultation)
    m = c.meetings.filter(pk=meeting_id).first()
    if m is None:
        raise NotFound("没有这次会议")
    minutes = _text(minutes, field="minutes", label="会议纪要", min_len=10, max_len=20000)
    parties = list(c.parties.filter(pk__in=[int(i) for i in attended_ids or []]))
    m.minutes = minutes
    m.save(update_fields=["minutes", "updated_at"])
    m.attended.set(parties)
    if c.status == ConsultationStatus.PROPOSED:
        c.status = ConsultationStatus.CONSULTING
        c.save(update_fields=["status", "updated_at"])
    audit.record(actor=actor, action="affairs_meeting_minutes", obj=c, after={"meeting": m.pk})
    return m


# The moves of a consultation: target → the states it may come from.
MOVES = {
    ConsultationStatus.CONSULTING: {ConsultationStatus.PROPOSED},
    ConsultationStatus.AGREED: {ConsultationStatus.PROPOSED, ConsultationStatus.CONSULTING},
    ConsultationStatus.NOT_AGREED: {ConsultationStatus.PROPOSED, ConsultationStatus.CONSULTING},
    ConsultationStatus.FOLLOWING: {ConsultationStatus.AGREED, ConsultationStatus.NOT_AGREED},
    ConsultationStatus.CLOSED: {
        ConsultationStatus.AGREED,
        ConsultationStatus.NOT_AGREED,
        ConsultationStatus.FOLLOWING,
    },
}


@transaction.atomic
def consultation_advance(*, actor, consultation: Consultation, to: str, outcome: str = "") -> Consultation:
    """协商中; 达成一致 / 未达成一致 with the outcome (the agreement text, or what stands between the
    parties); 跟踪落实; 办结 (refused while a follow-up is open). Announced as
    ``community.consultation_decided`` when an outcome is reached."""
    c = _lock_consultation(actor, consultation)
    if to not in MOVES:
        raise InvalidInput("未知的操作", field="to")
    target = ConsultationStatus(to)
    if c.status not in MOVES[target]:
        raise RuleViolation(
            f"协商当前为“{c.get_status_display()}”，不能改为“{target.label}”", code="bad_transition"
        )
    before = {"status": c.status}
    now = timezone.now()
    if target in (ConsultationStatus.AGREED, ConsultationStatus.NOT_AGREED):
        label = "协议内容" if target == ConsultationStatus.AGREED else "协商情况及分歧"
        c.outcome = _text(outcome, field="outcome", label=label, min_len=10, max_len=20000)
        c.decided_at = now
    if target == ConsultationStatus.FOLLOWING and not c.followups.exists():
        raise RuleViolation("请先添加跟踪落实事项", code="no_followups")
    if target == ConsultationStatus.CLOSED:
        open_items = c.followups.filter(done_on__isnull=True).count()
        if open_items:
            raise RuleViolation(f"还有 {open_items} 项跟踪落实事项未完成，不能办结", code="open_followups")
        c.closed_at = now
    c.status = target
    c.save()
    audit.record(
        actor=actor, action="affairs_consultation_advance", obj=c, before=before, after={"status": c.status}
    )
    _tell_consultation(
        c, f"协商议事“{c.topic}”：{c.get_status_display()}", f"community:affairs:consultation:{c.pk}:{target}",
        exclude=actor,
    )  # fmt: skip
    if target in (ConsultationStatus.AGREED, ConsultationStatus.NOT_AGREED):
        events.publish(
            "community.consultation_decided",
            {
                "consultation_id": c.pk,
                "org_id": c.org_id,
                "enterprise_id": c.enterprise_id,
                "agreed": target == ConsultationStatus.AGREED,
                "on": timezone.localdate(now).isoformat(),
            },
            key=f"community.consultation_decided:{c.pk}",
        )
    return c


@transaction.atomic
def opinion_submit(*, actor, consultation: Consultation, text: str) -> Opinion:
    """A worker's opinion (意见) before or while consulting, by someone of the consultation's audience."""
    _require_signed_in(actor)
    c = selectors.consultation_get(actor, consultation.pk)
    if c.org.path not in audience_paths(actor) and not scope_for(actor, "community", "affairs").contains(c):
        raise RuleViolation("只有本组织的党员和职工可以提出意见", code="not_in_audience")
    if c.status not in OPEN_FOR_OPINIONS:
        raise RuleViolation("协商已形成结果，不再征求意见", code="decided")
    text = _text(text, field="text", label="意见", min_len=5, max_len=2000)
    if Opinion.objects.filter(consultation=c, author=actor).count() >= 5:
        raise RuleViolation("每人对同一议题最多提 5 条意见", code="too_many_opinions")
    o = Opinion.objects.create(consultation=c, author=actor, text=text)
    audit.record(actor=actor, action="affairs_opinion_submit", obj=c, after={"opinion": o.pk})
    _tell(
        actors_for(c.org, "community", "affairs"),
        title=f"协商议事“{c.topic}”收到职工意见",
        url=f"/community/affairs/manage/consultations/{c.pk}/",
        key=f"community:affairs:opinion:{o.pk}",
    )
    return o


@transaction.atomic
def followup_add(*, actor, consultation: Consultation, what: str, who: str, due_on) -> FollowUp:
    c = _lock_consultation(actor, consultation)
    if c.status not in DECIDED or c.status == ConsultationStatus.CLOSED:
        raise RuleViolation("形成协商结果后才能添加跟踪落实事项（办结后不能再添加）", code="not_decided")
    what = _text(what, field="what", label="落实事项", min_len=4, max_len=200)
    who = _text(who, field="who", label="责任方", min_len=2, max_len=60)
    due_on = _date(due_on, field="due_on", label="完成期限")
    f = FollowUp.objects.create(
        consultation=c, what=what, who=who, due_on=due_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    _touch(c)
    audit.record(
        actor=actor, action="affairs_followup_add", obj=c,
        after={"followup": f.pk, "what": what, "due_on": due_on.isoformat()},
    )  # fmt: skip
    _tell_consultation(
        c, f"协商议事“{c.topic}”新增落实事项：{what}", f"community:affairs:followup:{f.pk}", exclude=actor
    )
    return f


@transaction.atomic
def followup_done(
    *, actor, consultation: Consultation, followup_id: int, note: str, done_on=None
) -> FollowUp:
    c = _lock_consultation(actor, consultation)
    f = c.followups.select_for_update().filter(pk=followup_id).first()
    if f is None:
        raise NotFound("没有这项落实事项")
    if f.done_on is not None:
        raise RuleViolation("该事项已完成", code="already_done")
    note = _text(note, field="note", label="完成情况", min_len=4, max_len=500)
    done_on = _date(done_on, field="done_on", label="完成日期", required=False) or timezone.localdate()
    if done_on > timezone.localdate():
        raise InvalidInput("完成日期不能晚于今天", field="done_on")
    f.done_on, f.note = done_on, note
    f.save(update_fields=["done_on", "note", "updated_at"])
    _touch(c)
    audit.record(
        actor=actor, action="affairs_followup_done", obj=c,
        after={"followup": f.pk, "done_on": done_on.isoformat()},
    )  # fmt: skip
    _tell_consultation(
        c,
        f"协商议事“{c.topic}”落实事项已完成：{f.what}",
        f"community:affairs:followup:{f.pk}:done",
        exclude=actor,
    )
    return f


# --- 示范岗 and 责任区 ------------------------------------------------------------------------------------


def _holder_check(org: Org, person: Person | None) -> Person:
    if person is None:
        raise InvalidInput("请选择党员", field="person")
    ok = selectors.candidates(org).filter(pk=person.pk).exists()
    if not ok:
        raise InvalidInput("只能由本组织（含下级组织）的党员担任", field="person")
    return person


@transaction.atomic
def designation_create(
    *,
    actor,
    org: Org,
    kind: str,
    name: str,
    place: str,
    stands_for: str = "",
    person: Person | None = None,
    start_on=None,
) -> Designation:
    """A 示范岗 or 责任区 of ``org``, held by ``person`` from ``start_on`` (or vacant until assigned)."""
    _require_manager(actor, org)
    if kind not in DesignationKind.values:
        raise InvalidInput("请选择示范岗或责任区", field="kind")
    name = _text(name, field="name", label="名称", min_len=2, max_len=60)
    place = _text(place, field="place", label="地点或区域", min_len=2, max_len=200)
    stands_for = (stands_for or "").strip()
    if len(stands_for) > 300:
        raise InvalidInput("承诺与职责不能超过 300 字", field="stands_for")
    if person is not None:
        person = _holder_check(org, person)
    start_on = _date(start_on, field="start_on", label="上岗日期", required=False) or timezone.localdate()
    if Designation.objects.filter(org=org, kind=kind, name=name, ended_on__isnull=True).exists():
        raise RuleViolation(f"本组织已有名为“{name}”的{DesignationKind(kind).label}", code="duplicate")
    d = Designation.objects.create(
        org=org, kind=kind, name=name, place=place, stands_for=stands_for,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    if person is not None:
        Holding.objects.create(designation=d, person=person, start_on=start_on)
    audit.record(
        actor=actor, action="affairs_designation_create", obj=d,
        after={"org": org.pk, "kind": kind, "person": getattr(person, "pk", None), "start_on": start_on.isoformat()},
    )  # fmt: skip
    if person is not None and person.user_id:
        notify.notify(
            recipient=person.user_id, kind="community", title=f"您被确定为{d.get_kind_display()}“{name}”的责任党员",
            url=f"/community/affairs/mine/{d.pk}/", key=f"community:affairs:holding:{d.pk}:{person.pk}",
        )  # fmt: skip
    return d


def _lock_designation(actor, designation: Designation) -> Designation:
    d = (
        Designation.objects.select_for_update(of=("self",))
        .select_related("org")
        .filter(pk=designation.pk)
        .first()
    )
    if d is None:
        raise NotFound()
    _require_manager(actor, d)
    if d.ended_on is not None:
        raise RuleViolation("该示范岗（责任区）已撤销", code="ended")
    return d


@transaction.atomic
def designation_assign(*, actor, designation: Designation, person: Person | None, start_on=None) -> Holding:
    """A new holder from ``start_on``: the current holding ends that day (kept as history), a new row
    begins."""
    d = _lock_designation(actor, designation)
    person = _holder_check(d.org, person)
    start_on = _date(start_on, field="start_on", label="上岗日期", required=False) or timezone.localdate()
    current = d.holdings.select_for_update().filter(end_on__isnull=True).first()
    if current is not None:
        if current.person_id == person.pk:
            raise RuleViolation(f"{person.name}已在岗", code="same_holder")
        if start_on <= current.start_on:
            raise InvalidInput(
                f"上岗日期应晚于现任的上岗日期（{current.start_on:%Y-%m-%d}）", field="start_on"
            )
        current.end_on = start_on
        current.save(update_fields=["end_on", "updated_at"])
    h = Holding.objects.create(designation=d, person=person, start_on=start_on)
    audit.record(
        actor=actor, action="affairs_designation_assign", obj=d,
        before={"person": current.person_id if current else None},
        after={"person": person.pk, "start_on": start_on.isoformat()},
    )  # fmt: skip
    if person.user_id:
        notify.notify(
            recipient=person.user_id, kind="community", title=f"您被确定为{d.get_kind_display()}“{d.name}”的责任党员",
            url=f"/community/affairs/mine/{d.pk}/", key=f"community:affairs:holding:{h.pk}",
        )  # fmt: skip
    return h


@transaction.atomic
def designation_end(*, actor, designation: Designation, on=None) -> Designation:
    d = _lock_designation(actor, designation)
    on = _date(on, field="ended_on", label="撤销日期", required=False) or timezone.localdate()
    current = d.holdings.select_for_update().filter(end_on__isnull=True).first()
    if current is not None:
        if on <= current.start_on:
            raise InvalidInput("撤销日期应晚于现任的上岗日期", field="ended_on")
        current.end_on = on
        current.save(update_fields=["end_on", "updated_at"])
    d.ended_on = on
    d.save(update_fields=["ended_on", "updated_at"])
    audit.record(actor=actor, action="affairs_designation_end", obj=d, after={"ended_on": on.isoformat()})
    return d


@transaction.atomic
def deed_record(*, actor, designation: Designation, done_on, text: str, photo=None) -> Deed:
    """What was done at the post or in the area: by its holder (own route) or the org's managers; the
    deed is the current holder's. Announced as ``community.designation_deed``."""
    if actor is not None:
        _require_signed_in(actor)
    d = Designation.objects.select_related("org").filter(pk=designation.pk).first()
    if d is None:
        raise NotFound()
    holding = selectors.holder_of(d)
    holds = (
        actor is not None
        and holding is not None
        and getattr(getattr(actor, "person", None), "pk", None) == holding.person_id
    )
    if not holds:
        _require_manager(actor, d)
    if d.ended_on is not None:
        raise RuleViolation("该示范岗（责任区）已撤销", code="ended")
    if holding is None:
        raise RuleViolation("该示范岗（责任区）暂无在岗党员", code="no_holder")
    done_on = _date(done_on, field="done_on", label="日期")
    if done_on > timezone.localdate():
        raise InvalidInput("日期不能晚于今天", field="done_on")
    if done_on < holding.start_on:
        raise InvalidInput(f"日期不能早于上岗日期（{holding.start_on:%Y-%m-%d}）", field="done_on")
    text = _text(text, field="text", label="履职内容", min_len=5, max_len=2000)
    stored = None
    if photo is not None:
        stored = uploads.store_uploaded_file(actor=actor, purpose_name=PHOTO_PURPOSE, uploaded=photo)
    deed = Deed.objects.create(
        designation=d, person_id=holding.person_id, done_on=done_on, text=text, photo=stored,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    audit.record(
        actor=actor, action="affairs_deed_record", obj=d,
        after={"deed": deed.pk, "done_on": done_on.isoformat(), "person": holding.person_id},
    )  # fmt: skip
    events.publish(
        "community.designation_deed",
        {
            "deed_id": deed.pk,
            "designation_id": d.pk,
            "kind": d.kind,
            "org_id": d.org_id,
            "person_id": holding.person_id,
            "member_id": holding.person_id,
            "on": done_on.isoformat(),
        },
        key=f"community.designation_deed:{deed.pk}",
    )
    return deed
