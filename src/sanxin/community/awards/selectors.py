"""Reads of community awards. Who sees what:

- a selection: the people whose org chain holds its org (its audience: they vote), and the offices and
  secretaries whose ``community.awards`` or ``community.view`` scope holds it (they run it); anything else
  is 404;
- candidates: the approved ones to the audience (with their reasons and photos); all of them, with the
  flagged votes, to the organiser;
- 四亮: a member's own records; the branches' counts and rates to the scope of ``community.awards``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from sanxin.community.selectors import audience_paths
from sanxin.core.errors import NotFound
from sanxin.core.models import StoredFile
from sanxin.core.scope import Scope, scope_for
from sanxin.members.models import Employment, Member, MemberStatus, WorkKind
from sanxin.orgs.models import BRANCH_TYPES, Org, Person

from .models import (
    AwardCandidate,
    AwardCertificate,
    AwardSelection,
    AwardVote,
    CandidateStatus,
    FlagReview,
    SelectionStatus,
    SiliangKind,
    SiliangRecord,
)

VALID_VOTE = Q(vote_rows__flagged=False) | Q(vote_rows__review=FlagReview.KEPT)


def _signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def manage_scope(user) -> Scope:
    return scope_for(user, "community", "awards")


# --- selections -----------------------------------------------------------------------------------------


def selections_for(user) -> QuerySet[AwardSelection]:
    """The selections ``user`` may see: on their org chain (the audience), or in their office's scope."""
    if not _signed_in(user):
        return AwardSelection.objects.none()
    q = Q(org__path__in=audience_paths(user))
    scope = manage_scope(user) | scope_for(user, "community", "view")
    if not scope.is_empty:
        q |= scope.q(AwardSelection)
    return AwardSelection.objects.filter(q).select_related("org")


def selection_get(user, selection_id: int) -> AwardSelection:
    selection = selections_for(user).filter(pk=selection_id).first()
    if selection is None:
        raise NotFound()
    return selection


def in_audience(user, selection: AwardSelection) -> bool:
    return selection.org.path in audience_paths(user)


def manages(user, selection: AwardSelection) -> bool:
    return _signed_in(user) and manage_scope(user).contains(selection)


def managed_selections(scope: Scope) -> QuerySet[AwardSelection]:
    return (
        scope.filter(AwardSelection.objects.select_related("org"))
        .annotate(
            nominated=Count("candidates", distinct=True),
            pending=Count("candidates", filter=Q(candidates__status=CandidateStatus.PENDING), distinct=True),
        )
        .order_by("-year", "-vote_from", "-pk")
    )


def nominatable(user, today: dt.date | None = None) -> QuerySet[AwardSelection]:
    """Selections in their nomination phase whose org's subtree holds an org of the nominator's
    ``community.awards`` scope (a branch secretary nominates their members for the committee's selection;
    a street for the branches located in it)."""
    scope = manage_scope(user)
    if scope.is_empty:
        return AwardSelection.objects.none()
    today = today or timezone.localdate()
    below = scope.filter(Org.objects.filter(path__startswith=OuterRef("org__path")))
    return (
        AwardSelection.objects.filter(Q(Exists(below)) | scope.q(AwardSelection))
        .filter(status=SelectionStatus.RUNNING, nominate_from__lte=today, nominate_until__gte=today)
        .select_related("org")
        .order_by("-year", "pk")
    )


def nominees(user, selection: AwardSelection) -> QuerySet[Person]:
    """The people the nominator may put forward: in their scope and under the selection's org."""
    return (
        manage_scope(user)
        .filter(Person.objects.filter(org__path__startswith=selection.org.path))
        .select_related("org")
        .order_by("org__path", "name", "pk")
    )


# --- eligibility ----------------------------------------------------------------------------------------


def _years_between(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(0, years)


def eligibility(selection: AwardSelection, person: Person, today: dt.date | None = None) -> list[dict]:
    """Each rule of the selection ``person`` fails, as ``{"rule", "msg"}`` in Chinese (empty: eligible)."""
    today = today or timezone.localdate()
    failed = []
    if person.org_id is None or not person.org.path.startswith(selection.org.path):
        failed.append({"rule": "org", "msg": f"被提名人不在{selection.org.name}的评选范围内"})
    member = Member.objects.filter(person=person).first()
    if selection.members_only and (member is None or member.status != MemberStatus.ACTIVE):
        failed.append({"rule": "members_only", "msg": "本次评选仅限党员，被提名人不是正常党籍的党员"})
    if selection.min_party_years:
        years = _years_between(member.joined_on, today) if member is not None else 0
        if years < selection.min_party_years:
            failed.append(
                {"rule": "party_years", "msg": f"党龄不足 {selection.min_party_years} 年（现 {years} 年）"}
            )
    jobs = Employment.objects.filter(person=person, start_on__lte=today)
    if selection.work_kinds:
        jobs = jobs.filter(kind__in=selection.work_kinds)
        if not jobs.filter(Employment.active_q(today)).exists():
            labels = "、".join(str(WorkKind(k).label) for k in selection.work_kinds if k in WorkKind.values)
            failed.append({"rule": "work_kind", "msg": f"被提名人目前不是本次评选的从业类型（{labels}）"})
    if selection.min_job_years:
        first = jobs.order_by("start_on").values_list("start_on", flat=True).first()
        years = _years_between(first, today) if first else 0
        if years < selection.min_job_years:
            failed.append(
                {"rule": "job_years", "msg": f"从业年限不足 {selection.min_job_years} 年（现 {years} 年）"}
            )
    return failed


# --- candidates and votes --------------------------------------------------------------------------------


def candidates_of(selection: AwardSelection, *, everyone: bool = False) -> QuerySet[AwardCandidate]:
    """The candidates with their vote counts: ``valid`` (unflagged or kept), ``counted`` (all but voided),
    ``flagged`` (waiting for review). The audience sees the approved ones only."""
    qs = AwardCandidate.objects.filter(selection=selection)
    if not everyone:
        qs = qs.filter(status=CandidateStatus.APPROVED)
    return (
        qs.select_related("person", "org", "certificate")
        .prefetch_related(Prefetch("photos", queryset=StoredFile.objects.order_by("pk")))
        .annotate(
            valid=Count("vote_rows", filter=VALID_VOTE),
            counted=Count("vote_rows", filter=~Q(vote_rows__review=FlagReview.VOIDED)),
            flagged_votes=Count(
                "vote_rows", filter=Q(vote_rows__flagged=True, vote_rows__review=FlagReview.PENDING)
            ),
        )
    )


def ranking(selection: AwardSelection) -> list[AwardCandidate]:
    """Approved candidates by valid votes (most first; ties by nomination order)."""
    if selection.status == SelectionStatus.PUBLISHED:
        return list(candidates_of(selection).order_by("rank", "pk"))
    return list(candidates_of(selection).order_by("-valid", "pk"))


def candidate_get(user, candidate_id: int) -> AwardCandidate:
    """A candidate as the audience sees it (approved, of a visible selection) or as the organiser does."""
    c = (
        AwardCandidate.objects.select_related("selection__org", "person", "org")
        .filter(pk=candidate_id)
        .first()
    )
    if c is None:
        raise NotFound()
    selection = selection_get(user, c.selection_id)
    if c.status != CandidateStatus.APPROVED and not manages(user, selection):
        raise NotFound()
    return c


def my_vote_today(user, selection: AwardSelection, today: dt.date | None = None) -> AwardVote | None:
    if not _signed_in(user):
        return None
    today = today or timezone.localdate()
    return (
        AwardVote.objects.filter(selection=selection, voter=user, day=today)
        .select_related("candidate__person")
        .first()
    )


def flagged_votes(selection: AwardSelection) -> QuerySet[AwardVote]:
    return (
        AwardVote.objects.filter(selection=selection, flagged=True)
        .select_related("candidate__person", "voter__person")
        .order_by("review", "device_hash", "at", "pk")
    )


# --- certificates ---------------------------------------------------------------------------------------


def my_certificates(user) -> QuerySet[AwardCertificate]:
    if not _signed_in(user):
        return AwardCertificate.objects.none()
    return AwardCertificate.objects.filter(candidate__person__user=user).select_related(
        "candidate__selection__org", "candidate__person"
    )


def certificate_get(user, certificate_id: int) -> AwardCertificate:
    """The awardee's own certificate, or one of a selection the user runs."""
    cert = (
        AwardCertificate.objects.select_related("candidate__selection__org", "candidate__person")
        .filter(pk=certificate_id)
        .first()
    )
    if cert is None:
        raise NotFound()
    if cert.candidate.person.user_id != getattr(user, "pk", None) and not manages(
        user, cert.candidate.selection
    ):
        raise NotFound()
    return cert


def certificate_by_token(token: str) -> AwardCertificate:
    cert = (
        AwardCertificate.objects.select_related("candidate__selection__org", "candidate__person")
        .filter(token=token)
        .first()
    )
    if cert is None:
        raise NotFound("未找到该证书")
    return cert


def mask_name(name: str) -> str:
    """张三丰 -> 张**: how the public verification page shows the holder."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


# --- 四亮 -------------------------------------------------------------------------------------------------


def siliang_mine(user) -> dict:
    """The member's own 四亮 records by kind, and their branch's 亮旗帜."""
    person = getattr(user, "person", None) if _signed_in(user) else None
    if person is None:
        return {"person": None, "records": {}, "flag": None}
    records = {r.kind: r for r in SiliangRecord.objects.filter(person=person).select_related("photo")}
    flag = None
    if person.org_id:
        flag = SiliangRecord.objects.filter(kind=SiliangKind.FLAG, org_id=person.org_id).first()
    return {"person": person, "records": records, "flag": flag}


def siliang_branches(scope: Scope) -> list[dict]:
    """Per branch in the scope: members (current, on its register), how many show identity, have their
    vehicle or box marked and made the pledge, the rates, and whether the branch shows its flag. Three
    grouped queries whatever the number of branches."""
    branches = list(
        scope.filter(Org.objects.filter(org_type__in=BRANCH_TYPES, status="active")).order_by("path")[:2000]
    )
    ids = [b.pk for b in branches]
    members = dict(
        Member.objects.filter(person__org_id__in=ids, status=MemberStatus.ACTIVE)
        .values_list("person__org_id")
        .annotate(n=Count("pk"))
        .values_list("person__org_id", "n")
    )
    counts: dict[tuple[int, str], int] = {}
    for org_id, kind, n in (
        SiliangRecord.objects.filter(org_id__in=ids)
        .values_list("org_id", "kind")
        .annotate(n=Count("pk"))
        .values_list("org_id", "kind", "n")
    ):
        counts[(org_id, kind)] = n
    out = []
    for b in branches:
        total = members.get(b.pk, 0)
        row = {
            "org": b,
            "org_id": b.pk,
            "org_name": b.name,
            "members": total,
            "flag": bool(counts.get((b.pk, "flag"))),
        }
        for kind in ("identity", "mark", "pledge"):
            n = counts.get((b.pk, kind), 0)
            row[kind] = n
            row[f"{kind}_rate"] = round(100 * n / total, 1) if total else 0.0
        out.append(row)
    return out


def siliang_records(scope: Scope, org: Org | None = None) -> QuerySet[SiliangRecord]:
    qs = scope.filter(SiliangRecord.objects.all())
    if org is not None:
        qs = qs.filter(org=org)
    return qs.select_related("org", "person", "photo").order_by("org__path", "kind", "pk")


def branch_people(scope: Scope, org: Org) -> QuerySet[Person]:
    return scope.filter(Person.objects.filter(org=org, member__isnull=False)).order_by("name", "pk")
