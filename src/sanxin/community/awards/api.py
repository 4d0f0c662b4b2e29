"""/api/v1/community/awards: annual selections (评选) with nomination, review, public vote and certificates; 四亮 records.

The audience (the people whose org chain holds the selection's org) reads the selections and votes on
routes of their own, once a day, sending the device id in the ``X-Device-Id`` header; a refusal says why
(429 ``rate_limited`` with ``retry_after``, 409 ``already_voted``, ``vote_closed``, ``device_limit``). The
organisers (``community.awards``) create selections, nominate, review, close the vote, review flagged
votes, publish the result and the awardee's story, and record 四亮. A certificate is verified publicly by
its token."""

import datetime as dt
from typing import Literal

from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from sanxin.core.apischema import FileIn, PageNumber, decode_files
from sanxin.core.errors import NotFound
from sanxin.core.permissions import permission
from sanxin.members.models import WorkKind
from sanxin.orgs.models import Org, Person

from . import selectors, services
from .models import AwardCandidate, AwardSelection, SiliangKind

router = Router(tags=["评选表彰与四亮"])

WORK_KINDS = Literal[tuple(WorkKind.values)]  # type: ignore[valid-type]
SILIANG_KINDS = Literal[tuple(SiliangKind.values)]  # type: ignore[valid-type]


# --- schemas ------------------------------------------------------------------------------------------


class SelectionOut(Schema):
    id: int = Field(validation_alias="pk")
    org_id: int
    org_name: str = Field(validation_alias="org.name")
    title: str
    year: int
    description: str
    work_kinds: list[str]
    members_only: bool
    min_job_years: int
    min_party_years: int
    awardees: int
    nominate_from: dt.date
    nominate_until: dt.date
    vote_from: dt.date
    vote_until: dt.date
    status: str
    phase: str
    phase_label: str

    @staticmethod
    def resolve_phase(obj):
        return obj.phase()


class CandidateOut(Schema):
    id: int
    name: str
    org_name: str
    reasons: str
    photos: list[str]
    votes: int = Field(description="有效票（不含被标记待复核或认定无效的票）")
    rank: int | None
    awarded: bool
    certificate_number: str | None


def _candidate(c: AwardCandidate) -> dict:
    cert = getattr(c, "certificate", None) if c.awarded else None
    return {
        "id": c.pk,
        "name": c.person.name,
        "org_name": c.org.name,
        "reasons": c.reasons,
        "photos": [f"/files/{p.pk}/?inline=1" for p in c.photos.all()],
        "votes": c.votes if c.rank is not None else getattr(c, "valid", 0),
        "rank": c.rank,
        "awarded": c.awarded,
        "certificate_number": cert.number if cert else None,
    }


class SelectionDetailOut(Schema):
    selection: SelectionOut
    can_vote: bool
    voted_today_for: int | None
    candidates: list[CandidateOut]


def _detail(user, s: AwardSelection) -> dict:
    mine = selectors.my_vote_today(user, s)
    return {
        "selection": s,
        "can_vote": s.phase() == "vote" and selectors.in_audience(user, s) and mine is None,
        "voted_today_for": mine.candidate_id if mine else None,
        "candidates": [_candidate(c) for c in selectors.ranking(s)],
    }


class VoteIn(Schema):
    candidate_id: int


class VoteOut(Schema):
    id: int = Field(validation_alias="pk")
    candidate_id: int
    day: dt.date
    message: str = "投票成功，明天还可以再投一票"


# --- the audience -----------------------------------------------------------------------------------------


@router.get("/selections", response=list[SelectionOut], summary="我可以看到的评选（本人组织链上的）")
@permission.own()
@paginate(PageNumber)
def selections(request, status: str = ""):
    qs = selectors.selections_for(request.auth)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-year", "-vote_from", "-pk")


@router.get("/selections/{selection_id}", response=SelectionDetailOut, summary="一项评选及其候选人")
@permission.own()
def selection(request, selection_id: int):
    return _detail(request.auth, selectors.selection_get(request.auth, selection_id))


@router.post(
    "/selections/{selection_id}/vote",
    response={201: VoteOut},
    summary="投票（每人每天一票；请求头 X-Device-Id 带上设备标识）",
)
@permission.own()
def vote(request, selection_id: int, payload: VoteIn):
    s = selectors.selection_get(request.auth, selection_id)
    v = services.vote_cast(
        actor=request.auth,
        selection=s,
        candidate_id=payload.candidate_id,
        device_id=request.headers.get("X-Device-Id", ""),
        ip=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.headers.get("User-Agent", ""),
    )
    return Status(201, v)


class AwardCertificateOut(Schema):
    id: int
    number: str
    selection_title: str
    org_name: str
    rank: int | None
    issued_at: dt.datetime
    verify_path: str


def _certificate(cert) -> dict:
    return {
        "id": cert.pk,
        "number": cert.number,
        "selection_title": cert.candidate.selection.title,
        "org_name": cert.candidate.selection.org.name,
        "rank": cert.candidate.rank,
        "issued_at": cert.issued_at,
        "verify_path": f"/community/awards/verify/{cert.token}/",
    }


@router.get("/certificates/mine", response=list[AwardCertificateOut], summary="我的评选荣誉证书")
@permission.own()
def my_certificates(request):
    return [_certificate(c) for c in selectors.my_certificates(request.auth)]


class AwardVerifyOut(Schema):
    number: str
    holder: str = Field(description="持证人（姓名部分隐去）")
    selection_title: str
    org_name: str
    rank: int | None
    issued_at: dt.datetime


@router.get("/verify/{token}", response=AwardVerifyOut, summary="核验评选荣誉证书（公开）")
@permission.public()
def verify(request, token: str):
    cert = selectors.certificate_by_token(token)
    return {
        "number": cert.number,
        "holder": selectors.mask_name(cert.candidate.person.name),
        "selection_title": cert.candidate.selection.title,
        "org_name": cert.candidate.selection.org.name,
        "rank": cert.candidate.rank,
        "issued_at": cert.issued_at,
    }


class SiliangOut(Schema):
    kind: str
    kind_label: str
    org_name: str
    note: str
    pledge: str
    on: dt.date
    photo: str | None


def _siliang(r) -> dict:
    return {
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "org_name": r.org.name,
        "note": r.note,
        "pledge": r.pledge,
        "on": r.on,
        "photo": f"/files/{r.photo_id}/?inline=1" if r.photo_id else None,
    }


@router.get("/siliang/mine", response=list[SiliangOut], summary="我的四亮（及所在支部的亮旗帜）")
@permission.own()
def siliang_mine(request):
    mine = selectors.siliang_mine(request.auth)
    rows = list(mine["records"].values())
    if mine["flag"] is not None:
        rows.insert(0, mine["flag"])
    return [_siliang(r) for r in rows]


class PledgeIn(Schema):
    pledge: str = Field(max_length=1000)


@router.post("/siliang/pledge", response=SiliangOut, summary="做出（或更新）我的亮承诺")
@permission.own()
def pledge(request, payload: PledgeIn):
    return _siliang(services.pledge_make(actor=request.auth, pledge=payload.pledge))


# --- organisers -----------------------------------------------------------------------------------------


class ManagedOut(SelectionOut):
    nominated: int
    pending: int


@router.get("/manage/selections", response=list[ManagedOut], summary="我组织的评选")
@permission("community", "awards")
@paginate(PageNumber)
def managed(request):
    return selectors.managed_selections(request.scope)


class SelectionIn(Schema):
    org_id: int
    title: str = Field(max_length=80)
    year: int
    description: str = Field("", max_length=3000)
    work_kinds: list[WORK_KINDS] = []
    members_only: bool = False
    min_job_years: int = 0
    min_party_years: int = 0
    awardees: int
    nominate_from: dt.date
    nominate_until: dt.date
    vote_from: dt.date
    vote_until: dt.date


@router.post("/manage/selections", response={201: SelectionOut}, summary="发起评选")
@permission("community", "awards")
def selection_create(request, payload: SelectionIn):
    org = request.scope.get(Org, pk=payload.org_id)
    data = payload.dict()
    data.pop("org_id")
    s = services.selection_create(actor=request.auth, org=org, **data)
    return Status(201, s)


class NominationIn(Schema):
    selection_id: int
    person_id: int
    reasons: str = Field(max_length=3000)
    photos: list[FileIn] = Field([], max_length=6)


class ManagedCandidateOut(CandidateOut):
    status: str
    status_label: str
    review_reason: str
    counted: int = Field(description="计入票（含待复核的疑似刷票）")
    flagged: int = Field(description="待复核的疑似刷票")
    story_course_id: int | None


def _managed_candidate(c: AwardCandidate) -> dict:
    return _candidate(c) | {
        "status": c.status,
        "status_label": c.get_status_display(),
        "review_reason": c.review_reason,
        "counted": getattr(c, "counted", 0),
        "flagged": getattr(c, "flagged_votes", 0),
        "story_course_id": c.story_course_id,
    }


@router.post(
    "/manage/nominations",
    response={201: ManagedCandidateOut},
    summary="提名（被提名人所在支部书记或其上级组织；不符合条件时逐条说明）",
)
@permission("community", "awards", model=AwardSelection)
def nominate(request, payload: NominationIn):
    s = selectors.selections_for(request.auth).filter(pk=payload.selection_id).first()
    s = s or selectors.nominatable(request.auth).filter(pk=payload.selection_id).first()
    if s is None:
        raise NotFound()
    person = Person.objects.filter(pk=payload.person_id).select_related("org").first()
    if person is None:
        raise NotFound("没有这个人员")
    c = services.candidate_nominate(
        actor=request.auth,
        selection=s,
        person=person,
        reasons=payload.reasons,
        photos=decode_files(payload.photos, field="photos"),
    )
    c = selectors.candidates_of(s, everyone=True).get(pk=c.pk)
    return Status(201, _managed_candidate(c))


class ManagedDetailOut(Schema):
    selection: SelectionOut
    candidates: list[ManagedCandidateOut]
    flagged_pending: int


@router.get("/manage/selections/{selection_id}", response=ManagedDetailOut, summary="评选的全部候选人和票数")
@permission("community", "awards", model=AwardSelection, lookup="selection_id")
def managed_detail(request, selection_id: int):
    s = request.scope.get(AwardSelection.objects.select_related("org"), pk=selection_id)
    rows = list(selectors.candidates_of(s, everyone=True).order_by("status", "-valid", "pk"))
    return {
        "selection": s,
        "candidates": [_managed_candidate(c) for c in rows],
        "flagged_pending": sum(c.flagged_votes for c in rows),
    }


class NominationReviewIn(Schema):
    decision: Literal["approve", "reject"]
    reason: str = Field("", max_length=300, description="不通过时必填")


@router.post("/manage/candidates/{candidate_id}/review", response=ManagedCandidateOut, summary="资格审核")
@permission("community", "awards", model=AwardCandidate, lookup="candidate_id")
def review(request, candidate_id: int, payload: NominationReviewIn):
    c = request.scope.get(AwardCandidate.objects.select_related("selection"), pk=candidate_id)
    c = services.candidate_review(
        actor=request.auth, candidate=c, decision=payload.decision, reason=payload.reason
    )
    return _managed_candidate(selectors.candidates_of(c.selection, everyone=True).get(pk=c.pk))


@router.post("/manage/selections/{selection_id}/close", response=SelectionOut, summary="结束投票")
@permission("community", "awards", model=AwardSelection, lookup="selection_id")
def close(request, selection_id: int):
    s = request.scope.get(AwardSelection, pk=selection_id)
    return services.selection_close(actor=request.auth, selection=s)


class FlaggedOut(Schema):
    id: int = Field(validation_alias="pk")
    day: dt.date
    at: dt.datetime
    candidate_id: int
    candidate: str = Field(validation_alias="candidate.person.name")
    device: str = Field(description="设备标识摘要（哈希前 8 位，同一设备相同）")
    flag_reason: str
    review: str

    @staticmethod
    def resolve_device(obj):
        return obj.device_hash[:8]


@router.get("/manage/selections/{selection_id}/flagged", response=list[FlaggedOut], summary="疑似刷票的投票")
@permission("community", "awards", model=AwardSelection, lookup="selection_id")
@paginate(PageNumber)
def flagged(request, selection_id: int):
    s = request.scope.get(AwardSelection, pk=selection_id)
    return selectors.flagged_votes(s)


class FlagsIn(Schema):
    vote_ids: list[int] = Field(max_length=1000)
    keep: bool = Field(description="true：认定有效（计票）；false：认定无效")


class FlagsOut(Schema):
    reviewed: int


@router.post("/manage/selections/{selection_id}/flagged", response=FlagsOut, summary="复核疑似刷票")
@permission("community", "awards", model=AwardSelection, lookup="selection_id")
def flags_review(request, selection_id: int, payload: FlagsIn):
    s = request.scope.get(AwardSelection, pk=selection_id)
    return {
        "reviewed": services.votes_review(
            actor=request.auth, selection=s, vote_ids=payload.vote_ids, keep=payload.keep
        )
    }


@router.post(
    "/manage/selections/{selection_id}/publish", response=ManagedDetailOut, summary="公布结果并发放证书"
)
@permission("community", "awards", model=AwardSelection, lookup="selection_id")
def publish(request, selection_id: int):
    s = request.scope.get(AwardSelection, pk=selection_id)
    services.selection_publish(actor=request.auth, selection=s)
    return managed_detail(request, selection_id)


class StoryIn(Schema):
    title: str = Field(max_length=120)
    body: str = Field(max_length=20000)


class StoryOut(Schema):
    course_id: int
    status: str


@router.post(
    "/manage/candidates/{candidate_id}/story",
    response={201: StoryOut},
    summary="把当选者事迹发布为学习库“先锋故事”课程（提交审核）",
)
@permission("community", "awards", model=AwardCandidate, lookup="candidate_id")
def story(request, candidate_id: int, payload: StoryIn):
    c = request.scope.get(AwardCandidate, pk=candidate_id)
    course = services.story_publish(actor=request.auth, candidate=c, title=payload.title, body=payload.body)
    return Status(201, {"course_id": course.pk, "status": course.status})


class BranchSiliangOut(Schema):
    org_id: int
    org_name: str
    members: int
    flag: bool
    identity: int
    identity_rate: float
    mark: int
    mark_rate: float
    pledge: int
    pledge_rate: float


@router.get("/manage/siliang", response=list[BranchSiliangOut], summary="各支部四亮人数和比例")
@permission("community", "awards")
def siliang_branches(request):
    return selectors.siliang_branches(request.scope)


class SiliangIn(Schema):
    kind: SILIANG_KINDS
    org_id: int
    person_id: int | None = None
    note: str = Field("", max_length=300)
    pledge: str = Field("", max_length=1000)
    on: dt.date | None = None
    photo: FileIn | None = None


@router.post("/manage/siliang", response=SiliangOut, summary="记录四亮（亮旗帜按支部，其余按党员）")
@permission("community", "awards")
def siliang_record(request, payload: SiliangIn):
    org = request.scope.get(Org, pk=payload.org_id)
    person = None
    if payload.person_id is not None:
        person = Person.objects.filter(pk=payload.person_id).first()
        if person is None:
            raise NotFound("没有这个人员")
    photos = decode_files([payload.photo] if payload.photo else [], field="photo")
    r = services.siliang_record(
        actor=request.auth,
        kind=payload.kind,
        org=org,
        person=person,
        note=payload.note,
        pledge=payload.pledge,
        on=payload.on,
        photo=photos[0] if photos else None,
    )
    return _siliang(r)
