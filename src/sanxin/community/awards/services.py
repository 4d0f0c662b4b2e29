"""Writes of community awards: selections (create, close, publish), nominations and their review, the
public vote with its anti-fraud rules, the flagged votes' review, certificates, the awardee's story in the
learning library, and 四亮 records. Every function takes the acting user and checks again what they may
do (whatever route called it); refusals say why in Chinese.

The vote: one per person per selection per local day (a unique constraint); a per-user rate limit
counted from ``AwardVoteRequest`` rows in a transaction of its own with the user's row locked (two
requests at once cannot both slip under it, and a refused vote still counts); and a duplicate-device
rule — when more than ``DEVICE_ACCOUNTS`` accounts vote from one device (the device id, or IP + user
agent when there is none; stored hashed) on one day, further votes from it are refused and the ones
already cast are flagged for the organiser, who keeps or voids them before publishing.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from sanxin.accounts.actors import actors_for
from sanxin.community.services import RateLimited
from sanxin.core import audit, crypto, events, notify, uploads
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.members.models import Member, MemberStatus, WorkKind
from sanxin.orgs.models import BRANCH_TYPES, Org, Person

from . import selectors
from .models import (
    AwardCandidate,
    AwardCertificate,
    AwardSelection,
    AwardVote,
    AwardVoteRequest,
    CandidateStatus,
    FlagReview,
    SelectionStatus,
    SiliangKind,
    SiliangRecord,
)

PHOTO_PURPOSE = "community.award_photo"
SILIANG_PURPOSE = "community.siliang_photo"
MAX_PHOTOS = 6
# More than this many vote requests of one user within a minute: 429.
VOTE_REQUESTS_PER_MINUTE = getattr(settings, "COMMUNITY_VOTE_REQUESTS_PER_MINUTE", 10)
# More than this many accounts voting from one device on one day: refused and flagged.
DEVICE_ACCOUNTS = getattr(settings, "COMMUNITY_VOTE_ACCOUNTS_PER_DEVICE", 3)


def _now():
    return timezone.now()


def _text(value: str, *, field: str, label: str, min_len: int, max_len: int) -> str:
    value = (value or "").strip()
    if len(value) < min_len:
        raise InvalidInput(f"请填写{label}（至少 {min_len} 个字）", field=field, code="too_short")
    if len(value) > max_len:
        raise InvalidInput(
            f"{label}不能超过 {max_len} 字（现有 {len(value)} 字）", field=field, code="too_long"
        )
    return value


def _require_signed_in(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录")


def _require_manager(actor, selection: AwardSelection) -> None:
    if actor is not None and not selectors.manage_scope(actor).contains(selection):
        raise NotFound()


def _locked(selection: AwardSelection) -> AwardSelection:
    return AwardSelection.objects.select_for_update(of=("self",)).select_related("org").get(pk=selection.pk)


def _organisers(selection: AwardSelection) -> list[int]:
    return actors_for(selection.org, "community", "awards")


# --- selections -----------------------------------------------------------------------------------------


def _date(value, *, field: str, label: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise InvalidInput(f"请填写{label}（如 2026-05-01）", field=field, code="bad_date") from None


def _small(value, *, field: str, label: str, low: int, high: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{label}应为整数", field=field) from None
    if not low <= n <= high:
        raise InvalidInput(f"{label}应在 {low} 到 {high} 之间", field=field)
    return n


@transaction.atomic
def selection_create(
    *,
    actor,
    org: Org,
    title: str,
    year,
    awardees,
    nominate_from,
    nominate_until,
    vote_from,
    vote_until,
    work_kinds=(),
    members_only: bool = False,
    min_job_years=0,
    min_party_years=0,
    description: str = "",
) -> AwardSelection:
    """A selection of ``org`` for its subtree, with its rules and the dates of its phases."""
    if actor is not None and not selectors.manage_scope(actor).contains(org):
        raise NotFound("该党组织不在你的管理范围内")
    if not org.is_active:
        raise RuleViolation("该党组织已撤销，不能举办评选", code="org_closed")
    title = _text(title, field="title", label="评选名称", min_len=4, max_len=80)
    year = _small(year, field="year", label="年度", low=2000, high=2100)
    awardees = _small(awardees, field="awardees", label="评选名额", low=1, high=100)
    kinds = sorted(set(work_kinds or ()))
    for k in kinds:
        if k not in WorkKind.values:
            raise InvalidInput(f"未知的从业类型：{k}", field="work_kinds")
    min_job_years = _small(min_job_years or 0, field="min_job_years", label="最低从业年限", low=0, high=50)
    min_party_years = _small(min_party_years or 0, field="min_party_years", label="最低党龄", low=0, high=70)
    nf = _date(nominate_from, field="nominate_from", label="提名开始日期")
    nu = _date(nominate_until, field="nominate_until", label="提名截止日期")
    vf = _date(vote_from, field="vote_from", label="投票开始日期")
    vu = _date(vote_until, field="vote_until", label="投票截止日期")
    if nu < nf:
        raise InvalidInput("提名截止日期不能早于提名开始日期", field="nominate_until")
    if vf <= nu:
        raise InvalidInput("投票开始日期应晚于提名截止日期（中间留出资格审核）", field="vote_from")
    if vu < vf:
        raise InvalidInput("投票截止日期不能早于投票开始日期", field="vote_until")
    if AwardSelection.objects.filter(org=org, year=year, title=title).exists():
        raise RuleViolation("本组织该年度已有同名评选", code="duplicate", field="title")
    s = AwardSelection(
        org=org,
        title=title,
        year=year,
        description=(description or "").strip()[:3000],
        work_kinds=kinds,
        members_only=bool(members_only),
        min_job_years=min_job_years,
        min_party_years=min_party_years,
        awardees=awardees,
        nominate_from=nf,
        nominate_until=nu,
        vote_from=vf,
        vote_until=vu,
    )
    if getattr(actor, "is_authenticated", False):
        s.created_by = s.updated_by = actor
    s.save()
    audit.record(actor=actor, action="award_selection_create", obj=s, after=audit.snapshot(s))
    return s


# --- nomination and review ------------------------------------------------------------------------------


def candidate_nominate(
    *, actor, selection: AwardSelection, person: Person, reasons: str, photos=(), today: dt.date | None = None
) -> AwardCandidate:
    """Nominate ``person`` (by their branch's secretary or an office over them) with the reasons and up to
    six photos. Each eligibility rule the person fails is named in the refusal."""
    _require_signed_in(actor)
    today = today or timezone.localdate()
    if not selectors.nominatable(actor, today).filter(pk=selection.pk).exists():
        if selectors.selections_for(actor).filter(pk=selection.pk).exists():
            raise RuleViolation(
                f"不在提名期（{selection.nominate_from:%Y-%m-%d} 至 {selection.nominate_until:%Y-%m-%d}）",
                code="not_open",
            )
        raise NotFound()
    if not selectors.nominees(actor, selection).filter(pk=person.pk).exists():
        raise NotFound("只能提名本人管辖范围内、属于本次评选范围的人员")
    reasons = _text(reasons, field="reasons", label="推荐理由", min_len=20, max_len=3000)
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"照片最多 {MAX_PHOTOS} 张", field="photos")
    failed = selectors.eligibility(selection, person, today)
    if failed:
        message = "不符合评选条件：" + "；".join(f["msg"] for f in failed)
        raise RuleViolation(
            message,
            code="ineligible",
            field="person_id",
            details=[
                {"loc": ["person_id"], "msg": f["msg"], "type": "ineligible", "rule": f["rule"]}
                for f in failed
            ],
        )
    with transaction.atomic():
        if AwardCandidate.objects.filter(selection=selection, person=person).exists():
            raise RuleViolation(f"{person.name}已被提名", code="duplicate", field="person_id")
        stored = uploads.store_all(actor=actor, purpose_name=PHOTO_PURPOSE, files=photos) if photos else []
        try:
            with transaction.atomic():
                c = AwardCandidate.objects.create(
                    selection=selection,
                    person=person,
                    org_id=person.org_id,
                    reasons=reasons,
                    nominated_by=actor,
                    created_by=actor,
                    updated_by=actor,
                )
        except IntegrityError:
            raise RuleViolation(f"{person.name}已被提名", code="duplicate", field="person_id") from None
        if stored:
            c.photos.add(*stored)
        audit.record(
            actor=actor,
            action="award_nominate",
            obj=c,
            after={"selection": selection.pk, "person": person.pk},
        )
        for user_id in _organisers(selection):
            notify.notify(
                recipient=user_id,
                kind="community",
                title=f"“{selection.title}”新的提名：{person.name}",
                url=f"/community/awards/manage/{selection.pk}/",
                key=f"community:award:nominate:{c.pk}:{user_id}",
            )
    return c


@transaction.atomic
def candidate_review(
    *, actor, candidate: AwardCandidate, decision: str, reason: str = "", today: dt.date | None = None
) -> AwardCandidate:
    """The organiser approves a nomination (it goes to the vote) or rejects it with a reason."""
    selection = _locked(candidate.selection)
    _require_manager(actor, selection)
    c = AwardCandidate.objects.select_for_update(of=("self",)).select_related("person").get(pk=candidate.pk)
    if decision not in ("approve", "reject"):
        raise InvalidInput("请选择通过或不通过", field="decision")
    if selection.phase(today) not in ("upcoming", "nominate", "review"):
        raise RuleViolation("投票已开始，不能再审核候选人", code="not_open")
    reason = (reason or "").strip()
    if decision == "reject":
        reason = _text(reason, field="reason", label="不通过的理由", min_len=4, max_len=300)
    before = {"status": c.status}
    c.status = CandidateStatus.APPROVED if decision == "approve" else CandidateStatus.REJECTED
    c.review_reason = reason[:300]
    c.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    c.reviewed_at = _now()
    c.save(update_fields=["status", "review_reason", "reviewed_by", "reviewed_at", "updated_at"])
    audit.record(actor=actor, action=f"award_{decision}", obj=c, before=before, after={"status": c.status})
    if c.nominated_by_id:
        verb = "通过资格审核" if decision == "approve" else f"未通过资格审核：{reason}"
        notify.notify(
            recipient=c.nominated_by_id,
            kind="community",
            title=f"您提名的{c.person.name}{verb}",
            url=f"/community/awards/selections/{selection.pk}/",
            key=f"community:award:review:{c.pk}:{decision}",
        )
    return c


# --- the vote -------------------------------------------------------------------------------------------


def device_hashes(*, device_id: str, ip: str, user_agent: str) -> tuple[str, str]:
    """(device, client) HMACs: the device id when there is one, else IP + user agent; never stored raw."""
    client = crypto.blind_index(f"{ip or '-'}|{(user_agent or '-')[:300]}", purpose="community.vote_client")
    device_id = (device_id or "").strip()[:128]
    device = (
        crypto.blind_index(f"device:{device_id}", purpose="community.vote_device") if device_id else client
    )
    return device, client


def _count_request(actor, now) -> None:
    """Count this vote request, refusing it when the user already made ``VOTE_REQUESTS_PER_MINUTE`` in the
    last minute. Its own transaction with the user's row locked: concurrent requests queue here, and a
    request counts even when the vote is then refused."""
    limit = VOTE_REQUESTS_PER_MINUTE
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
        since = now - dt.timedelta(seconds=60)
        recent = list(
            AwardVoteRequest.objects.filter(user=actor, at__gte=since)
            .order_by("at")
            .values_list("at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            wait = max(1, int((recent[0] + dt.timedelta(seconds=60) - now).total_seconds()) + 1)
            message = f"投票请求太频繁：每分钟最多 {limit} 次，请 {wait} 秒后再试"
            raise RateLimited(
                message, details=[{"loc": [], "msg": message, "type": "rate_limited", "retry_after": wait}]
            )
        AwardVoteRequest.objects.filter(user=actor, at__lt=now - dt.timedelta(days=1)).delete()
        AwardVoteRequest.objects.create(user=actor, at=now)


def vote_cast(
    *,
    actor,
    selection: AwardSelection,
    candidate_id: int,
    device_id: str = "",
    ip: str = "",
    user_agent: str = "",
    now=None,
) -> AwardVote:
    """One vote of ``actor`` for an approved candidate, once a day, in the vote window, from their
    selection's audience. Refusals: 429 (too many requests), 409 with the reason otherwise."""
    _require_signed_in(actor)
    selection = selectors.selection_get(actor, selection.pk)  # 404 before anything is counted
    now = now or _now()
    today = timezone.localdate(now)
    _count_request(actor, now)
    device, client = device_hashes(device_id=device_id, ip=ip, user_agent=user_agent)
    refusal = None
    with transaction.atomic():
        sel = _locked(selection)  # serialises the day's device count of this selection
        if not selectors.in_audience(actor, sel):
            raise RuleViolation(
                f"本次评选由{sel.org.name}举办，只有其所属组织的党员和从业者可以投票", code="not_audience"
            )
        phase = sel.phase(today)
        if phase != "vote":
            if phase in ("upcoming", "nominate", "review"):
                message = f"投票尚未开始（{sel.vote_from:%Y-%m-%d} 开始）"
            elif phase == "counting":
                message = f"投票已于 {sel.vote_until:%Y-%m-%d} 截止"
            else:
                message = "投票已结束"
            raise RuleViolation(message, code="vote_closed")
        candidate = (
            AwardCandidate.objects.filter(pk=candidate_id, selection=sel, status=CandidateStatus.APPROVED)
            .select_related("person")
            .first()
        )
        if candidate is None:
            raise NotFound("没有这位候选人")
        mine = AwardVote.objects.filter(selection=sel, voter=actor, day=today).select_related(
            "candidate__person"
        )
        done = mine.first()
        if done is not None:
            raise RuleViolation(
                f"您今天已为{done.candidate.person.name}投过票：每人每天限投一票，请明天再来",
                code="already_voted",
            )
        same_device = AwardVote.objects.filter(selection=sel, day=today, device_hash=device)
        accounts = same_device.values("voter_id").distinct().count()
        if accounts >= DEVICE_ACCOUNTS:
            reason = f"同一设备当天已有 {accounts} 个账号投票"
            flagged = same_device.filter(flagged=False).update(flagged=True, flag_reason=reason)
            audit.record(
                actor=actor,
                action="award_vote_refused",
                obj=sel,
                after={"reason": "device", "accounts": accounts, "flagged": flagged},
            )
            refusal = RuleViolation(
                f"同一设备当天已有 {accounts} 个账号投票，为防止刷票，该设备今天不能再投票；"
                "已投的票将由主办方复核",
                code="device_limit",
            )
        else:
            try:
                with transaction.atomic():
                    vote = AwardVote.objects.create(
                        selection=sel,
                        candidate=candidate,
                        voter=actor,
                        day=today,
                        at=now,
                        device_hash=device,
                        client_hash=client,
                    )
            except IntegrityError:
                raise RuleViolation(
                    "您今天已经投过票：每人每天限投一票，请明天再来", code="already_voted"
                ) from None
    if refusal is not None:  # raised after the commit: the flags stay
        raise refusal
    return vote


# --- closing, flagged votes, results ---------------------------------------------------------------------


@transaction.atomic
def selection_close(*, actor, selection: AwardSelection, now=None) -> AwardSelection:
    """End the vote (on or after its first day); the flagged votes are reviewed next."""
    now = now or _now()
    s = _locked(selection)
    _require_manager(actor, s)
    phase = s.phase(timezone.localdate(now))
    if phase in ("upcoming", "nominate", "review"):
        raise RuleViolation(f"投票尚未开始（{s.vote_from:%Y-%m-%d} 开始），不能结束投票", code="bad_state")
    if phase in ("closed", "published"):
        raise RuleViolation("投票已经结束", code="bad_state")
    s.status, s.closed_at = SelectionStatus.CLOSED, now
    s.save(update_fields=["status", "closed_at", "updated_at"])
    audit.record(actor=actor, action="award_close", obj=s, after={"status": s.status})
    return s


@transaction.atomic
def votes_review(*, actor, selection: AwardSelection, vote_ids, keep: bool) -> int:
    """Keep (count) or void flagged votes of the selection; returns how many were decided."""
    s = _locked(selection)
    _require_manager(actor, s)
    if s.status == SelectionStatus.PUBLISHED:
        raise RuleViolation("结果已公布，不能再复核投票", code="bad_state")
    ids = sorted({int(i) for i in vote_ids or ()})
    if not ids:
        raise InvalidInput("请选择要复核的投票", field="vote_ids")
    qs = AwardVote.objects.filter(selection=s, flagged=True, pk__in=ids)
    found = list(qs.values_list("pk", flat=True))
    if len(found) != len(ids):
        raise InvalidInput("所选投票不是本次评选中被标记的投票", field="vote_ids")
    review = FlagReview.KEPT if keep else FlagReview.VOIDED
    n = qs.update(review=review, reviewed_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.record(actor=actor, action="award_votes_review", obj=s, after={"votes": found, "review": review})
    return n


def _certificate_number(selection: AwardSelection, seq: int) -> str:
    return f"PX{selection.year}-{selection.pk:04d}-{seq:03d}"


@transaction.atomic
def selection_publish(*, actor, selection: AwardSelection, now=None) -> AwardSelection:
    """Rank the approved candidates by valid votes, award the first ``awardees``, issue their
    certificates, announce ``community.award_won`` for each and tell them."""
    now = now or _now()
    s = _locked(selection)
    _require_manager(actor, s)
    if s.status != SelectionStatus.CLOSED:
        raise RuleViolation("请先结束投票，再公布结果", code="bad_state")
    pending = AwardVote.objects.filter(selection=s, flagged=True, review=FlagReview.PENDING).count()
    if pending:
        raise RuleViolation(f"还有 {pending} 张疑似刷票的投票待复核", code="flags_pending")
    ranked = selectors.ranking(s)
    if not ranked:
        raise RuleViolation("没有审核通过的候选人", code="no_candidates")
    on = timezone.localdate(now)
    seq = AwardCertificate.objects.filter(candidate__selection=s).count()
    winners = []
    for i, c in enumerate(ranked, start=1):
        c.rank, c.votes, c.awarded = i, c.valid, i <= s.awardees
        c.save(update_fields=["rank", "votes", "awarded", "updated_at"])
        if c.awarded:
            winners.append(c)
    for c in winners:
        seq += 1
        AwardCertificate.objects.create(
            candidate=c,
            number=_certificate_number(s, seq),
            token=secrets.token_urlsafe(16)[:22],
            issued_at=now,
        )
        member_id = Member.objects.filter(person_id=c.person_id).values_list("pk", flat=True).first()
        events.publish(
            "community.award_won",
            {
                "selection_id": s.pk,
                "candidate_id": c.pk,
                "org_id": s.org_id,
                "title": s.title,
                "year": s.year,
                "rank": c.rank,
                "votes": c.votes,
                "person_id": c.person_id,
                "member_id": member_id,
                "user_id": c.person.user_id,
                "on": on.isoformat(),
            },
            key=f"community.award_won:{c.pk}",
        )
        if c.person.user_id:
            notify.notify(
                recipient=c.person.user_id,
                kind="community",
                title=f"恭喜您当选{s.title}",
                url=f"/community/awards/certificates/{c.certificate.pk}/",
                key=f"community:award:won:{c.pk}",
            )
    s.status, s.published_at = SelectionStatus.PUBLISHED, now
    s.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(
        actor=actor,
        action="award_publish",
        obj=s,
        after={"awarded": [c.pk for c in winners], "ranked": len(ranked)},
    )
    return s


def story_publish(*, actor, candidate: AwardCandidate, title: str, body: str):
    """The awardee's story as a 先锋故事 course of the organiser, with one article lesson, submitted for
    review in the learning library (its own four-eyes review publishes it)."""
    from sanxin.learning import services as learning
    from sanxin.learning.models import Column, LessonKind

    c = AwardCandidate.objects.select_related("selection__org", "person").get(pk=candidate.pk)
    _require_manager(actor, c.selection)
    if not c.awarded:
        raise RuleViolation("只有当选者的事迹可以发布为先锋故事", code="not_awarded")
    if c.story_course_id:
        raise RuleViolation("该当选者的先锋故事已发布到学习库", code="duplicate")
    title = _text(title, field="title", label="故事标题", min_len=4, max_len=120)
    body = _text(body, field="body", label="故事正文", min_len=50, max_len=20000)
    with transaction.atomic():
        course = learning.course_create(
            actor=actor,
            publisher=c.selection.org,
            title=title,
            column=Column.STORIES,
            summary=f"{c.selection.title}当选者{c.person.name}的先锋故事",
        )
        learning.lesson_add(actor=actor, course=course, title=title, kind=LessonKind.ARTICLE, body=body)
        course = learning.course_submit(actor=actor, course=course)
        AwardCandidate.objects.filter(pk=c.pk).update(story_course=course)
        audit.record(actor=actor, action="award_story", obj=c, after={"course": course.pk})
    return course


# --- 四亮 -------------------------------------------------------------------------------------------------


def _photo(actor, photo):
    if photo is None:
        return None
    return uploads.store_all(actor=actor, purpose_name=SILIANG_PURPOSE, files=[photo])[0]


def _upsert(*, actor, kind: str, org: Org, person: Person | None, fields: dict) -> SiliangRecord:
    lookup = (
        {"kind": kind, "person": person} if person is not None else {"kind": kind, "org": org, "person": None}
    )
    record = SiliangRecord.objects.select_for_update(of=("self",)).filter(**lookup).first()
    created = record is None
    before = {} if created else audit.snapshot(record)
    if created:
        record = SiliangRecord(kind=kind, org=org, person=person)
        if getattr(actor, "is_authenticated", False):
            record.created_by = actor
    record.org = org
    for k, v in fields.items():
        if k == "photo" and v is None and not created:
            continue  # keep the earlier photo
        setattr(record, k, v)
    if getattr(actor, "is_authenticated", False):
        record.recorded_by = record.updated_by = actor
    record.save()
    b, a = audit.diff(before, audit.snapshot(record))
    audit.record(actor=actor, action="siliang_record", obj=record, before=b, after=a)
    return record


@transaction.atomic
def siliang_record(
    *,
    actor,
    kind: str,
    org: Org,
    person: Person | None = None,
    note: str = "",
    pledge: str = "",
    on=None,
    photo=None,
) -> SiliangRecord:
    """The secretary (or an office above) records a 四亮 fact: 亮旗帜 for the branch, 亮身份 / 亮标识 (with a
    photo) / 亮承诺 for one of its members; a second record of the same kind replaces the first."""
    if actor is not None and not selectors.manage_scope(actor).contains(org):
        raise NotFound()
    if kind not in SiliangKind.values:
        raise InvalidInput("请选择四亮类别", field="kind")
    if org.org_type not in BRANCH_TYPES:
        raise InvalidInput("四亮按党支部记录，请选择党支部", field="org_id")
    on = _date(on or timezone.localdate(), field="on", label="日期")
    if on > timezone.localdate():
        raise InvalidInput("日期不能晚于今天", field="on")
    fields: dict = {"on": on}
    if kind == SiliangKind.FLAG:
        if person is not None:
            raise InvalidInput("亮旗帜按支部记录，不选党员", field="person_id")
        fields["note"] = _text(
            note, field="note", label="亮旗帜情况（如活动阵地悬挂党旗）", min_len=4, max_len=300
        )
    else:
        if person is None:
            raise InvalidInput("请选择党员", field="person_id")
        if (
            person.org_id != org.pk
            or not Member.objects.filter(person=person, status=MemberStatus.ACTIVE).exists()
        ):
            raise InvalidInput(f"{person.name}不是本支部的党员", field="person_id")
        if kind == SiliangKind.IDENTITY:
            fields["note"] = _text(
                note, field="note", label="亮身份方式（如佩戴党员徽章）", min_len=2, max_len=300
            )
        elif kind == SiliangKind.MARK:
            existing = SiliangRecord.objects.filter(kind=kind, person=person, photo__isnull=False).exists()
            if photo is None and not existing:
                raise InvalidInput("亮标识须上传车辆或餐箱标识的照片", field="photo")
            fields["note"] = (note or "").strip()[:300]
            fields["photo"] = _photo(actor, photo)
        else:
            fields["pledge"] = _text(pledge, field="pledge", label="承诺内容", min_len=10, max_len=1000)
    return _upsert(actor=actor, kind=kind, org=org, person=person, fields=fields)


@transaction.atomic
def pledge_make(*, actor, pledge: str) -> SiliangRecord:
    """A member makes (or renews) their own 亮承诺."""
    _require_signed_in(actor)
    person = Person.objects.select_related("org").filter(user=actor).first()
    if person is None or person.org_id is None:
        raise RuleViolation("您还没有所在党组织，不能做出承诺", code="no_org")
    if not Member.objects.filter(person=person, status=MemberStatus.ACTIVE).exists():
        raise RuleViolation("亮承诺由党员做出", code="not_member")
    pledge = _text(pledge, field="pledge", label="承诺内容", min_len=10, max_len=1000)
    return _upsert(
        actor=actor,
        kind=SiliangKind.PLEDGE,
        org=person.org,
        person=person,
        fields={"pledge": pledge, "on": timezone.localdate()},
    )
