"""The scope walker: acts, on every API operation and every page, as users of side A against the
objects of side B (see tests/world.py), and reports every leak.

- Every route must declare a permission (``core.permissions``); a scoped one must name a
  (module, action) that the authorization matrix has a row for.
- A route whose path names an object (``model``/``lookup`` in its permission) is called with B's
  object: it must answer 404 or 403, change nothing, and never show B's data.
- A route without such a parameter (lists, searches, trees, creation with a target in the body) is
  called as the A-side user: its body must never contain the leak marker that every B-side name
  carries; writes aimed at B (through the payload factory) must be refused and change nothing.
- Positive control: the same call aimed at A's object must not be refused for a user whose grants
  allow the action, so refusals come from the scope, not from a broken payload.

New routes need nothing here unless they write: a write route needs a payload factory in
``PAYLOADS`` (a test fails until it has one), so that its refusal is not a mere 422.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import itertools
import json
import re
from collections.abc import Callable

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from sanxin.accounts.matrix import has_row
from sanxin.core.models import AuditLog
from sanxin.core.permissions import Perm
from sanxin.core.scope import has_permission, scope_for
from tests import world_parts
from tests.factories import PASSWORD, UserFactory
from tests.world import LEAK_MARKER, World

PNG_1PX = (  # a valid 1×1 PNG, for the routes that take a photo
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9d\x8b\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)

SAFE = {"GET", "HEAD"}
# Searches sent as POST so that their criteria (an identity number) stay out of URLs and logs: they
# write nothing; aimed at the other side they must answer without its rows, and find the own side's.
READS_BY_POST = {("POST", "/api/v1/people/search")}


@dataclasses.dataclass(frozen=True)
class Route:
    kind: str  # "api" | "page"
    method: str
    template: str  # "/api/v1/orgs/{org_id}" or "/orgs/{org_id}/"
    perm: object
    name: str
    converters: tuple = ()  # ((param, converter), ...) for page routes

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.template)

    def url(self, **values) -> str:
        return self.template.format(**values)

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


def api_routes(api, prefix: str = "/api/v1") -> list[Route]:
    out = []
    for router_prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                for method in op.methods:
                    out.append(
                        Route(
                            "api",
                            method,
                            f"{prefix}{router_prefix}{path}".replace("//", "/"),
                            getattr(op.view_func, "sanxin_permission", None),
                            op.view_func.__name__,
                        )
                    )
    return out


_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
_CONVERTER_TYPES = re.compile(r"<(?:(\w+):)?(\w+)>")
_DUMMY = {
    "int": "987654321",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "str": "x",
    "slug": "x",
    "path": "x",
}


def page_routes(urlconf=None, *, skip=("admin/", "api/v1/", "static/")) -> list[Route]:
    out: list[Route] = []

    def walk(patterns, prefix: str):
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                if any((prefix + route).startswith(s) for s in skip):
                    continue
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                template = "/" + _CONVERTER.sub(r"{\1}", prefix + route).lstrip("^").rstrip("$")
                perm = getattr(p.callback, "sanxin_permission", None)
                view_class = getattr(p.callback, "view_class", None)
                if perm is None and view_class is not None:
                    perm = getattr(view_class, "sanxin_permission", None)
                conv = tuple((name, kind or "str") for kind, name in _CONVERTER_TYPES.findall(prefix + route))
                for method in ("GET", "POST"):
                    out.append(Route("page", method, template, perm, p.name or template, conv))

    walk(get_resolver(urlconf).url_patterns, "")
    return out


# (method, template) -> factory(world, target) -> body. Each returns a valid body aimed at ``target``.
def _child_type(parent) -> str:
    from sanxin.orgs.models import BRANCH_TYPES

    return "group" if parent.org_type in BRANCH_TYPES else "branch"


def _extract_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "extract.csv", "企业名称,住所\n走查企业,某路1号\n".encode(), content_type="text/csv"
    )


def _rider_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "riders.csv", "姓名,手机号码,政治面貌\n走查骑手,13900000000,群众\n".encode(), content_type="text/csv"
    )


def _has_file(body) -> bool:
    from django.core.files.uploadedfile import UploadedFile

    # some bodies are lists (a station's weekly hours)
    return isinstance(body, dict) and any(isinstance(v, UploadedFile) for v in body.values())


def _wav_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sanxin.learning.media import silent_wav

    return SimpleUploadedFile("walk.wav", silent_wav(2), content_type="audio/wav")


def _person_for(org):
    from sanxin.orgs.models import Person

    return Person.objects.filter(org=org).first() or Person.objects.create(name="走查人员", org=org)


def _fresh_person(org):
    """A new person of ``org`` (no audit row: the walker's snapshot counts them)."""
    from sanxin.orgs.models import Person

    return Person.objects.create(name="走查帮扶对象", org=org)


def _appeal_under(w, org):
    """An appeal that came through ``org`` or a branch under it (the world's A or B appeal otherwise)."""
    from sanxin.appeals.models import Appeal

    found = Appeal.objects.filter(branch__path__startswith=org.path).order_by("pk").first()
    return found or (w.appeal_b if org.path.startswith(w.branch_b.path) else w.appeal_a)


def _member_for(org):
    """A member whose formal org is ``org`` (registered by the system when the world has none there)."""
    import datetime as dt

    from sanxin.members import services as member_services
    from sanxin.members.models import Member

    found = Member.objects.filter(person__org=org).first()
    if found is not None:
        return found
    person = _person_for(org)
    person.birth_date = person.birth_date or dt.date(1990, 1, 1)
    return member_services.member_register(actor=None, person=person, org=org, joined_on=dt.date(2020, 7, 1))


def _fresh_member(org):
    """A new member of ``org`` who is at home (no open 外出)."""
    import datetime as dt

    from sanxin.members import services as member_services
    from sanxin.orgs import services as org_services

    person, _ = org_services.person_create(
        actor=None, name="走查党员", org=org, resident_id=_fresh_resident_id()
    )
    return member_services.member_register(actor=None, person=person, org=org, joined_on=dt.date(2020, 7, 1))


def _applicant_for(org):
    """A new person of ``org`` old enough to apply (no audit row: the walker's snapshot counts them)."""
    from sanxin.orgs.models import Person

    return Person.objects.create(name="走查申请人", org=org, birth_date=dt.date(1995, 3, 1))


def _invitee_with_account(meeting) -> int:
    """An invitee of ``meeting`` who has a login (one is given to the first invitee if none has)."""
    att = meeting.attendances.filter(member__person__user__isnull=False).first()
    if att is None:
        att = meeting.attendances.select_related("member__person").first()
        att.member.person.user = UserFactory()
        att.member.person.save(update_fields=["user"])
    return att.member_id


def _future(days: int = 45) -> str:
    from django.utils import timezone

    return timezone.localtime(timezone.now() + dt.timedelta(days=days)).replace(microsecond=0).isoformat()


_fresh_names = itertools.count(1)


def _fresh(prefix: str) -> str:
    return f"{prefix}{next(_fresh_names)}"


def _bank_for(w, target):
    """The bank usable for ``target`` (an org or a lesson): its committee's."""
    from sanxin.learning.models import Lesson

    if isinstance(target, Lesson):
        return w.bank_a if target.pk == w.lesson_a.pk else w.bank_b
    return w.bank_a if target.path.startswith(w.committee_x.path) else w.bank_b


def _bank_csv() -> bytes:
    return f"题型,题干,答案\n判断,{_fresh('走查导入题')},对\n".encode()


def _bank_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("bank.csv", _bank_csv(), content_type="text/csv")


_names = itertools.count(1)  # fresh names for what must be unique (a board's name within its org)


def _org_above(org):
    """The org above ``org`` (the top one itself)."""
    from sanxin.orgs.models import Org

    refreshed = Org.objects.get(pk=org.pk)
    return Org.objects.get_parent(refreshed) or refreshed


def _committee_above(w, org):
    return w.committee_x if org.path.startswith(w.committee_x.path) else w.committee_y


_resident_ids = itertools.count(1)
_training_seq = itertools.count(1)


def _fresh_resident_id() -> str:
    from stdnum.cn import ric

    body = f"39010219950301{next(_resident_ids) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _ledger_opening(member):
    """A ledger entry of ``member`` under a signed head (the bundle route needs one)."""
    from sanxin.transfers.ledger import services
    from sanxin.transfers.ledger.models import LedgerOpening

    found = LedgerOpening.objects.filter(member=member).order_by("leaf_id").first()
    if found is None:
        services.append(
            kind="members.converted", event={"member_id": member.pk, "on": "2024-07-01"}, member_id=member.pk
        )
        found = LedgerOpening.objects.filter(member=member).order_by("leaf_id").first()
    services.sign_head()
    return found


def _fund_entry(org, note: str):
    """An income in ``org``'s funds ledger (made once, through the service)."""
    import datetime

    from sanxin.members.funds.models import FundEntry
    from sanxin.members.funds.services import entry_record

    found = FundEntry.objects.filter(org=org, reverses__isnull=True).order_by("pk").first()
    return found or entry_record(
        actor=None,
        org=org,
        kind="other_income",
        amount="100",
        occurred_on=datetime.date(2024, 5, 1),
        note=note,
    )


def _committee_of(w, org):
    """The committee that would run ``org``'s points catalogue: the street's working committee for the
    branch located in its street, else the nearest committee above."""
    from sanxin.orgs.models import COMMITTEE_TYPES

    if org == w.branch_c:
        return w.street_s
    for o in [org, *reversed(type(org).objects.get_ancestors(org))]:
        if o.org_type in COMMITTEE_TYPES:
            return o
    return org


def _claim_for(org):
    """A submitted points claim of a member of ``org`` (declared by the system)."""
    import datetime as dt

    from sanxin.points import services as points_services
    from sanxin.points.ledger import catalogue_for
    from sanxin.points.models import Claim

    found = Claim.objects.filter(branch=org, status="submitted").first()
    if found is not None:
        return found
    catalogue = catalogue_for(org, dt.date.today())
    return points_services.claim_declare(
        actor=None,
        member=_member_for(org),
        item=catalogue.items.get(code="V01"),
        deed_on=dt.date.today(),
        description="走查用的积分申报",
    )


def _confirmable_claim(w, org):
    """A claim that ``org``'s confirming committee holds: for the branch located in street S (whose
    committee is not the street's), one of a branch under the street's own catalogue."""
    import datetime as dt

    from sanxin.orgs import services as org_services
    from sanxin.orgs.models import Org, OrgType
    from sanxin.points import services as points_services
    from sanxin.points.models import Catalogue

    if org != w.branch_c:
        return _claim_for(org)
    branch = Org.objects.filter(name="城关社区党支部").first()
    if branch is None:
        branch = org_services.org_create(
            actor=None,
            parent=w.street_s,
            name="城关社区党支部",
            org_type=OrgType.BRANCH,
            region=w.street_s.region,
            founded_on=dt.date(2021, 1, 1),
        )
    if not Catalogue.objects.filter(org=w.street_s).exists():
        points_services.catalogue_publish(
            actor=None,
            org=w.street_s,
            title="城关街道党员积分细则",
            start_on=dt.date(2020, 1, 1),
            items=[
                {"code": "V01", "name": "志愿服务", "category": "volunteer", "tier": "basic", "points": 5}
            ],
        )
    return _claim_for(branch)


PAYLOADS: dict[tuple[str, str], Callable[[World, object], dict]] = {
    ("POST", "/api/v1/points/claims/{claim_id}/review"): lambda w, t: {"decision": "approve"},
    ("POST", "/api/v1/points/claims/{claim_id}/confirm"): lambda w, t: {},
    ("POST", "/api/v1/points/claims/{claim_id}/settle"): lambda w, t: {
        "credit": True,
        "resolution": "走查核实",
    },
    ("POST", "/api/v1/points/bulk/review"): lambda w, t: {"claim_ids": [_claim_for(t).pk]},
    ("POST", "/api/v1/points/bulk/confirm"): lambda w, t: {"claim_ids": [_confirmable_claim(w, t).pk]},
    ("POST", "/api/v1/points/entries/{entry_id}/reverse"): lambda w, t: {"reason": "走查冲正"},
    ("POST", "/api/v1/points/catalogues"): lambda w, t: {
        "org_id": _committee_of(w, t).pk,
        "title": "走查积分细则",
        "start_on": "2031-01-01",
        "items": [{"code": "X01", "name": "走查项目", "category": "life", "tier": "basic", "points": 1}],
    },
    ("POST", "/api/v1/points/partners"): lambda w, t: {
        "org_id": _committee_of(w, t).pk,
        "name": "走查合作方",
        "kind": "reading",
    },
    ("POST", "/api/v1/points/partners/{partner_id}/offers"): lambda w, t: {
        "title": "走查服务",
        "price": 5,
        "stock": 1,
        "valid_from": "2030-01-01",
        "valid_to": "2030-12-31",
    },
    ("PATCH", "/api/v1/points/offers/{offer_id}"): lambda w, t: {"stock": 9},
    ("POST", "/api/v1/points/vouchers/lookup"): lambda w, t: {"code": "ABCDEFGHJK"},
    ("POST", "/api/v1/points/vouchers/redeem"): lambda w, t: {"code": "ABCDEFGHJK"},
    ("POST", "/points/bulk/review/"): lambda w, t: {"claim": [_claim_for(t).pk]},
    ("POST", "/points/bulk/confirm/"): lambda w, t: {"claim": [_confirmable_claim(w, t).pk]},
    ("POST", "/points/claims/{claim_id}/"): lambda w, t: {"action": "approve"},
    ("POST", "/points/catalogue/revise/"): lambda w, t: {
        "org": _committee_of(w, t).pk,
        "title": "走查积分细则",
        "start_on": "2031-01-01",
        "code": ["X01"],
        "name": ["走查项目"],
        "category": ["life"],
        "tier": ["basic"],
        "points": ["1"],
        "month_cap": [""],
        "year_cap": [""],
        "evidence": ["none"],
        "mode": ["declared"],
        "description": [""],
    },
    ("POST", "/points/redeem/"): lambda w, t: {"code": "ABCDEFGHJK", "action": "redeem"},
    # 诉求: registering for a person of the target org; each step on an appeal passes or is refused by
    # its state or its holder (409) for the own side's appeal
    ("POST", "/api/v1/appeals/intake"): lambda w, t: {
        "text": "走查代为登记：小区不让电动车进",
        "kind": "help",
        "consent": True,
        "channel": "liaison",
        "region": t.region_id,
        "person_id": t.people.first().pk,
    },
    ("POST", "/api/v1/appeals/{appeal_id}/accept"): lambda w, t: {},
    ("POST", "/api/v1/appeals/{appeal_id}/ask"): lambda w, t: {"question": "请补充具体地点"},
    ("POST", "/api/v1/appeals/{appeal_id}/transfer"): lambda w, t: {
        "level": "liaison",
        "unit_id": w.branch_c.pk,
        "reason": "走查转办",
    },
    ("POST", "/api/v1/appeals/{appeal_id}/escalate"): lambda w, t: {"reason": "走查上报"},
    ("POST", "/api/v1/appeals/{appeal_id}/resolve"): lambda w, t: {"reply": "走查答复：已协调物业放行。"},
    ("POST", "/api/v1/appeals/{appeal_id}/callback"): lambda w, t: {"note": "走查回访"},
    ("POST", "/api/v1/appeals/{appeal_id}/merge"): lambda w, t: {"into_id": w.appeal_a2.pk},
    ("POST", "/api/v1/appeals/{appeal_id}/classify"): lambda w, t: {"category": "other"},
    ("POST", "/api/v1/appeals/{appeal_id}/supervise"): lambda w, t: {"note": "走查督办"},
    ("POST", "/api/v1/appeals/{appeal_id}/extensions"): lambda w, t: {"days": 2, "reason": "走查延期"},
    ("POST", "/api/v1/appeals/{appeal_id}/reveal"): lambda w, t: {"reason": "走查核实匿名身份"},
    ("POST", "/api/v1/appeals/extensions/{extension_id}/decide"): lambda w, t: {"approve": True},
    ("POST", "/appeals/{appeal_id}/"): lambda w, t: {"action": "accept"},
    # 困难帮扶: for a new person of the target org (one open entry a person); aid on an entry
    ("POST", "/api/v1/appeals/hardships"): lambda w, t: {
        "person_id": _fresh_person(t).pk,
        "kind": "illness",
        "situation": "走查登记：住院治疗",
        "consent": True,
    },
    ("POST", "/appeals/hardship/new/"): lambda w, t: {
        "person": _fresh_person(t).pk,
        "kind": "illness",
        "situation": "走查登记：住院治疗",
        "consent": "on",
    },
    ("POST", "/api/v1/appeals/hardships/{hardship_id}/aids"): lambda w, t: {
        "kind": "visit",
        "given_on": dt.date.today().isoformat(),
        "given_by": "走查帮扶人",
    },
    ("POST", "/api/v1/appeals/hardships/{hardship_id}/close"): lambda w, t: {"note": "走查结束"},
    ("POST", "/appeals/hardship/{hardship_id}/"): lambda w, t: {
        "action": "aid",
        "kind": "visit",
        "given_on": dt.date.today().isoformat(),
        "given_by": "走查帮扶人",
    },
    # 服务阵地: a station of the target org; its place, hours, a closed day
    ("POST", "/api/v1/stations"): lambda w, t: {
        "org_id": t.pk,
        "name": "走查驿站",
        "kind": "nuanfeng",
        "address": "走查路1号",
        "lat": 30.6,
        "lng": 114.3,
    },
    ("PATCH", "/api/v1/stations/{station_id}"): lambda w, t: {"phone": "027-12345678"},
    ("PUT", "/api/v1/stations/{station_id}/hours"): lambda w, t: [
        {"weekday": 0, "opens": "08:00", "closes": "20:00"}
    ],
    ("POST", "/stations/{station_id}/keep/"): lambda w, t: {"action": "desk", "note": "走查登记"},
    ("POST", "/api/v1/stations/reviews/{review_id}/moderate"): lambda w, t: {"publish": True},
    ("POST", "/api/v1/stations/shifts/{shift_id}/decide"): lambda w, t: {"confirm": True, "hours": 1.5},
    # the station's own id stands for the photo's: the own side's answer is 409 (no such photo there)
    ("DELETE", "/api/v1/stations/{station_id}/photos/{photo_id}"): lambda w, t: {},
    ("POST", "/api/v1/stations/{station_id}/photos"): lambda w, t: {
        "photos": [{"name": "门口.png", "content_base64": base64.b64encode(PNG_1PX).decode()}]
    },
    ("POST", "/stations/reviews/{review_id}/"): lambda w, t: {"publish": "1"},
    ("POST", "/api/v1/stations/{station_id}/closures"): lambda w, t: {
        "on": (dt.date.today() + dt.timedelta(days=3)).isoformat(),
        "reason": "走查闭站",
    },
    # 协调会: called by the target org over an appeal under it
    ("POST", "/api/v1/appeals/coordinations"): lambda w, t: {
        "org_id": t.pk,
        "title": "走查协调会",
        "held_on": dt.date.today().isoformat(),
        "items": [{"appeal_id": _appeal_under(w, t).pk, "decision": "走查议定"}],
    },
    ("POST", "/appeals/coordination/new/"): lambda w, t: {
        "org": t.pk,
        "title": "走查协调会",
        "held_on": dt.date.today().isoformat(),
        "number_1": _appeal_under(w, t).number,
        "decision_1": "走查议定",
    },
    # 学习教育: a course of the target org; each step on the own side's published course or lesson is
    # refused by its state (409), except archiving, which the positive control does
    ("POST", "/api/v1/learning/manage/courses"): lambda w, t: {
        "publisher_id": t.pk,
        "title": "走查课程",
        "column": "theory",
    },
    ("PATCH", "/api/v1/learning/manage/courses/{course_id}"): lambda w, t: {"title": "走查修改"},
    ("POST", "/api/v1/learning/manage/courses/{course_id}/lessons"): lambda w, t: {
        "title": "走查课时",
        "kind": "article",
        "body": "走查正文",
        "credit_hours": "0.5",
    },
    ("PATCH", "/api/v1/learning/manage/lessons/{lesson_id}"): lambda w, t: {"title": "走查修改"},
    ("POST", "/api/v1/learning/manage/lessons/{lesson_id}/media"): lambda w, t: {"file": _wav_file()},
    ("POST", "/api/v1/learning/manage/courses/{course_id}/submit"): lambda w, t: {},
    ("POST", "/api/v1/learning/manage/courses/{course_id}/review"): lambda w, t: {"approve": True},
    ("POST", "/api/v1/learning/manage/courses/{course_id}/archive"): lambda w, t: {"reason": "走查"},
    ("POST", "/learning/manage/new/"): lambda w, t: {
        "publisher": t.pk,
        "title": "走查课程",
        "column": "theory",
    },
    ("POST", "/learning/manage/{course_id}/"): lambda w, t: {"action": "submit"},
    ("POST", "/learning/manage/lessons/{lesson_id}/"): lambda w, t: {
        "title": "走查课时",
        "credit_hours": "0.5",
    },
    # 培训: a programme or offline training of the target org; cohorts named afresh each call; the own
    # side's member enrolled, marked present, corrected, reminded (a repeat is refused by its state: 409)
    ("POST", "/api/v1/learning/training/programmes"): lambda w, t: {
        "org_id": t.pk,
        "title": "走查培训班",
        "mode": "offline",
        "starts_on": dt.date.today().isoformat(),
        "ends_on": dt.date.today().isoformat(),
        "required_hours": "2",
    },
    ("PATCH", "/api/v1/learning/training/programmes/{programme_id}"): lambda w, t: {"title": "走查修改"},
    ("POST", "/api/v1/learning/training/programmes/{programme_id}/cohorts"): lambda w, t: {
        "name": f"走查班次{next(_training_seq)}"
    },
    ("POST", "/api/v1/learning/training/cohorts/{cohort_id}/enrol"): lambda w, t: {
        "member_ids": [w.member_a.pk]
    },
    ("POST", "/api/v1/learning/training/cohorts/{cohort_id}/withdraw"): lambda w, t: {
        "member_id": w.member_a.pk
    },
    ("POST", "/api/v1/learning/training/trainings"): lambda w, t: {
        "org_id": t.pk,
        "title": "走查培训",
        "held_on": dt.date.today().isoformat(),
        "place": "走查地点",
        "hours": "1",
    },
    ("PATCH", "/api/v1/learning/training/trainings/{training_id}"): lambda w, t: {"title": "走查修改"},
    ("POST", "/api/v1/learning/training/trainings/{training_id}/attendance"): lambda w, t: {
        "member_ids": [w.member_a.pk]
    },
    ("POST", "/api/v1/learning/training/trainings/{training_id}/attendance/remove"): lambda w, t: {
        "member_id": w.member_a.pk,
        "reason": "走查更正",
    },
    ("POST", "/api/v1/learning/training/reminders"): lambda w, t: {"org_id": t.pk},
    ("POST", "/learning/training/programmes/new/"): lambda w, t: {
        "org": t.pk,
        "title": "走查培训班",
        "mode": "offline",
        "audience": "general",
        "starts_on": dt.date.today().isoformat(),
        "ends_on": dt.date.today().isoformat(),
        "required_hours": "2",
    },
    ("POST", "/learning/training/programmes/{programme_id}/"): lambda w, t: {
        "action": "cohort",
        "name": f"走查班次{next(_training_seq)}",
    },
    ("POST", "/learning/training/cohorts/{cohort_id}/"): lambda w, t: {
        "action": "enrol",
        "members": [w.member_a.pk],
    },
    ("POST", "/learning/training/offline/new/"): lambda w, t: {
        "org": t.pk,
        "title": "走查培训",
        "held_on": dt.date.today().isoformat(),
        "place": "走查地点",
        "hours": "1",
    },
    ("POST", "/learning/training/offline/{training_id}/"): lambda w, t: {
        "action": "attend",
        "members": [w.member_a.pk],
    },
    ("POST", "/learning/training/remind/"): lambda w, t: {"org": t.pk},
    # 互动交流: moderation of the target's posts, threads and word list, its mailbox and suggestions; a
    # suggestion is forwarded to the org above its holder, so the positive control can always act
    ("POST", "/api/v1/community/posts/{post_id}/moderate"): lambda w, t: {
        "action": "hide",
        "reason": "走查隐藏",
    },
    ("POST", "/api/v1/community/threads/{thread_id}/set"): lambda w, t: {"pinned": True},
    ("POST", "/api/v1/community/boards"): lambda w, t: {"org_id": t.pk, "name": f"走查版块{next(_names)}"},
    ("POST", "/api/v1/community/words"): lambda w, t: {"org_id": t.pk, "words": ["走查词"]},
    ("DELETE", "/api/v1/community/words/{word_id}"): lambda w, t: {},
    ("POST", "/api/v1/community/mailbox/inbox/{letter_id}/reply"): lambda w, t: {"body": "走查回复"},
    ("POST", "/api/v1/community/mailbox/inbox/{letter_id}/close"): lambda w, t: {},
    ("POST", "/api/v1/community/mailbox/letters/{letter_id}/reveal"): lambda w, t: {
        "reason": "走查核实匿名身份"
    },
    ("POST", "/api/v1/community/suggestions/{suggestion_id}/decide"): lambda w, t: {
        "action": "answer",
        "text": "走查答复内容",
    },
    ("POST", "/api/v1/community/suggestions/{suggestion_id}/forward"): lambda w, t: {
        "to_org_id": _org_above(type(t).objects.get(pk=t.pk).org).pk,
        "note": "走查转交说明",
    },
    ("POST", "/community/forum/posts/{post_id}/moderate/"): lambda w, t: {
        "action": "hide",
        "reason": "走查隐藏",
    },
    ("POST", "/community/forum/threads/{thread_id}/manage/"): lambda w, t: {"action": "pin"},
    ("POST", "/community/forum/words/"): lambda w, t: {"org": t.pk, "words": "走查词"},
    ("POST", "/community/forum/boards/new/"): lambda w, t: {"org": t.pk, "name": f"走查版块{next(_names)}"},
    ("POST", "/community/mailbox/inbox/{letter_id}/"): lambda w, t: {"body": "走查回复"},
    ("POST", "/community/mailbox/inbox/{letter_id}/reveal/"): lambda w, t: {"reason": "走查核实匿名身份"},
    ("POST", "/community/suggestions/manage/{suggestion_id}/"): lambda w, t: {
        "action": "answer",
        "text": "走查答复内容",
    },
    # 知识竞赛: banks, questions, quizzes and contests of the target (names and stems fresh each call, so
    # the positive control is no duplicate); steps on the own side's published contest pass or are refused
    # by its state (409), except cancelling, which the positive control does
    ("POST", "/api/v1/learning/quiz/manage/banks"): lambda w, t: {
        "owner_id": t.pk,
        "name": _fresh("走查题库"),
    },
    ("PATCH", "/api/v1/learning/quiz/manage/banks/{bank_id}"): lambda w, t: {"description": "走查修改"},
    ("POST", "/api/v1/learning/quiz/manage/banks/{bank_id}/questions"): lambda w, t: {
        "kind": "judge",
        "stem": _fresh("走查判断题"),
        "answer": ["对"],
    },
    ("POST", "/api/v1/learning/quiz/manage/banks/{bank_id}/import"): lambda w, t: {
        "name": "走查题库.csv",
        "content_base64": base64.b64encode(_bank_csv()).decode(),
        "mode": "all",
    },
    ("PATCH", "/api/v1/learning/quiz/manage/questions/{question_id}"): lambda w, t: {"explanation": "走查"},
    ("PUT", "/api/v1/learning/quiz/manage/lessons/{lesson_id}/quiz"): lambda w, t: {
        "bank_id": _bank_for(w, t).pk,
        "count": 1,
    },
    ("DELETE", "/api/v1/learning/quiz/manage/lessons/{lesson_id}/quiz"): lambda w, t: {},
    ("POST", "/api/v1/learning/quiz/manage/contests"): lambda w, t: {
        "organiser_id": t.pk,
        "bank_id": _bank_for(w, t).pk,
        "title": "走查竞赛",
        "opens_at": _future(),
        "closes_at": _future(days=50),
        "time_limit_s": 600,
        "draw": {"single": 1},
        "points": {"single": 100},
        "pass_score": 60,
    },
    ("PATCH", "/api/v1/learning/quiz/manage/contests/{contest_id}"): lambda w, t: {"title": "走查修改"},
    ("POST", "/api/v1/learning/quiz/manage/contests/{contest_id}/publish"): lambda w, t: {},
    ("POST", "/api/v1/learning/quiz/manage/contests/{contest_id}/cancel"): lambda w, t: {"reason": "走查"},
    ("POST", "/api/v1/learning/quiz/manage/contests/{contest_id}/certificates"): lambda w, t: {},
    ("POST", "/learning/quiz/manage/banks/new/"): lambda w, t: {"owner": t.pk, "name": _fresh("走查题库")},
    ("POST", "/learning/quiz/manage/banks/{bank_id}/"): lambda w, t: {
        "action": "add",
        "kind": "judge",
        "stem": _fresh("走查判断题"),
        "judge": "对",
    },
    ("POST", "/learning/quiz/manage/banks/{bank_id}/import/"): lambda w, t: {
        "file": _bank_file(),
        "mode": "all",
    },
    ("POST", "/learning/quiz/manage/lessons/{lesson_id}/"): lambda w, t: {
        "action": "set",
        "bank": _bank_for(w, t).pk,
        "count": "1",
    },
    ("POST", "/learning/quiz/manage/contests/new/"): lambda w, t: {
        "organiser": t.pk,
        "bank": _bank_for(w, t).pk,
        "title": "走查竞赛",
        "opens_at": _future()[:16],
        "closes_at": _future(days=50)[:16],
        "minutes": "10",
        "draw_single": "1",
        "points_single": "100",
        "pass_score": "60",
    },
    ("POST", "/learning/quiz/manage/contests/{contest_id}/"): lambda w, t: {"action": "publish"},
    ("POST", "/api/v1/members/pipeline/"): lambda w, t: {
        "person_id": _applicant_for(t).pk,
        "org_id": t.pk,
        "applied_on": "2024-06-01",
    },
    ("POST", "/api/v1/members/pipeline/cases/{case_id}/advance"): lambda w, t: {
        "stage": "activist",
        "on": "2024-06-01",
    },
    ("POST", "/api/v1/members/pipeline/cases/{case_id}/notice"): lambda w, t: {"starts_on": "2024-06-01"},
    ("POST", "/api/v1/members/pipeline/cases/{case_id}/extend"): lambda w, t: {
        "on": "2024-06-01",
        "until": "2025-12-01",
        "reason": "走查",
    },
    ("POST", "/api/v1/members/pipeline/cases/{case_id}/end"): lambda w, t: {
        "on": "2024-06-01",
        "reason": "走查",
    },
    ("POST", "/api/v1/members/pipeline/quotas"): lambda w, t: {
        "committee_id": _committee_above(w, t).pk,
        "year": 2026,
        "total": 8,
        "reserved": 2,
    },
    ("POST", "/members/pipeline/new/"): lambda w, t: {
        "name": "走查申请人",
        "resident_id": _fresh_resident_id(),
        "org": t.code,
        "applied_on": "2024-06-01",
    },
    ("POST", "/members/pipeline/{case_id}/"): lambda w, t: {
        "action": "advance",
        "stage": "activist",
        "on": "2024-06-01",
    },
    ("POST", "/members/pipeline/quotas/set/"): lambda w, t: {
        "committee": _committee_above(w, t).code,
        "year": "2026",
        "total": "8",
        "reserved": "2",
    },
    ("POST", "/api/v1/orgs/"): lambda w, t: {
        "parent_id": t.pk,
        "name": "走查新建组织",
        "org_type": _child_type(t),
        "region": t.region_id,
        "founded_on": "2024-06-01",
    },
    ("PATCH", "/api/v1/orgs/{org_id}"): lambda w, t: {"address": "走查修改的地址"},
    ("POST", "/api/v1/orgs/{org_id}/events"): lambda w, t: {
        "kind": "rename",
        "on": "2024-06-01",
        "name": "走查更名",
    },
    ("POST", "/orgs/{org_id}/new/"): lambda w, t: {
        "name": "走查新建组织",
        "org_type": _child_type(t),
        "region": t.region_id,
        "founded_on": "2024-06-01",
    },
    ("POST", "/api/v1/orgs/{org_id}/posts"): lambda w, t: {
        "person_id": _person_for(t).pk,
        "title": "propaganda",
        "start_on": "2024-06-01",
    },
    ("POST", "/api/v1/orgs/posts/{post_id}/end"): lambda w, t: {"end_on": "2024-06-01"},
    ("POST", "/api/v1/people/"): lambda w, t: {"name": "走查登记", "org_id": t.pk},
    ("POST", "/api/v1/members/"): lambda w, t: {
        "person_id": _person_for(t).pk,
        "org_id": t.pk,
        "joined_on": "2020-07-01",
    },
    # the own member's own branch: the scopes pass and the service refuses a move to where they are
    ("POST", "/api/v1/members/{member_id}/move"): lambda w, t: {
        "org_id": (w.branch_a if t == w.member_a else w.branch_b).pk,
        "on": "2024-06-01",
    },
    ("POST", "/api/v1/members/{member_id}/convert"): lambda w, t: {"on": "2024-06-01"},
    # dated before the member joined: the scopes pass and the service refuses (409), changing nothing
    ("POST", "/api/v1/members/{member_id}/suspend"): lambda w, t: {"on": "2000-01-01", "reason": "走查"},
    ("POST", "/api/v1/members/{member_id}/restore"): lambda w, t: {"on": "2024-06-01", "reason": "走查"},
    ("POST", "/api/v1/members/{member_id}/exit"): lambda w, t: {
        "how": "deceased",
        "on": "2000-01-01",
        "reason": "走查",
    },
    ("POST", "/members/{member_id}/status/"): lambda w, t: {
        "action": "deceased",
        "on": "2000-01-01",
        "reason": "走查",
    },
    ("POST", "/api/v1/members/enrol"): lambda w, t: {
        "name": "走查党员",
        "resident_id": _fresh_resident_id(),
        "org_id": t.pk,
        "joined_on": "2020-07-01",
    },
    # aimed at the members of ``t``, moved to ``t`` itself: the scopes pass and the service refuses
    ("POST", "/api/v1/members/bulk/move"): lambda w, t: {
        "member_ids": [_member_for(t).pk],
        "org_id": t.pk,
        "on": "2024-06-01",
    },
    ("POST", "/api/v1/members/bulk/mobile-out"): lambda w, t: {
        "member_ids": [_member_for(t).pk],
        "on": "2024-06-01",
        "destination": "走查去向",
    },
    ("POST", "/api/v1/members/{member_id}/mobility"): lambda w, t: {
        "direction": "in",
        "on": "2024-06-01",
        "host_id": (w.branch_a if t == w.member_a else w.branch_b).pk,
    },
    ("POST", "/api/v1/members/mobilities/{mobility_id}/end"): lambda w, t: {"on": "2025-01-01"},
    ("POST", "/members/new/"): lambda w, t: {
        "name": "走查党员",
        "resident_id": _fresh_resident_id(),
        "org": t.code,
        "standing": "probationary",
        "joined_on": "2020-07-01",
    },
    # the other side's member, or a new member of the own side (whom the positive control sends away)
    ("POST", "/members/bulk/"): lambda w, t: {
        "ids": [w.member_b.pk if t == w.branch_b else _fresh_member(t).pk],
        "action": "mobile_out",
        "on": "2024-06-01",
        "destination": "走查去向",
    },
    ("POST", "/members/{member_id}/pay/"): lambda w, t: {
        "month_from": "2024-06",
        "channel": "cash",
        "paid_on": "2024-06-05",
        "amount": "1",
    },
    ("POST", "/members/{member_id}/declare/"): lambda w, t: {
        "basis": "salary",
        "amount": "4500",
        "month": "2024-06",
    },
    ("POST", "/api/v1/members/{member_id}/hidden"): lambda w, t: {"hidden": "pocket", "how": "走查"},
    ("POST", "/api/v1/members/{member_id}/declarations"): lambda w, t: {
        "basis": "salary",
        "amount": "4500",
        "month": "2024-06-01",
    },
    ("POST", "/api/v1/members/{member_id}/payments"): lambda w, t: {
        "month_from": "2024-06-01",
        "channel": "cash",
        "paid_on": "2024-06-05",
    },
    # 党组织经费: an income needs no receipt; the own side's allocation to itself and a period without
    # collected dues are refused by the service (409 / the form again), not by the scope
    ("POST", "/api/v1/members/funds/orgs/{org_id}/entries"): lambda w, t: {
        "kind": "other_income",
        "amount": "10",
        "occurred_on": "2024-06-01",
    },
    ("POST", "/api/v1/members/funds/orgs/{org_id}/allocations"): lambda w, t: {
        "target_id": t.pk,
        "amount": "1",
        "occurred_on": "2024-06-01",
    },
    ("POST", "/api/v1/members/funds/orgs/{org_id}/dues-returns"): lambda w, t: {
        "period_from": "2024-01-01",
        "period_to": "2024-03-01",
        "occurred_on": "2024-06-01",
    },
    ("POST", "/api/v1/members/funds/entries/{entry_id}/reverse"): lambda w, t: {"reason": "走查冲销"},
    ("POST", "/members/funds/orgs/{org_id}/new/"): lambda w, t: {
        "kind": "other_income",
        "amount": "10",
        "occurred_on": "2024-06-01",
    },
    ("POST", "/members/funds/orgs/{org_id}/allocate/"): lambda w, t: {
        "target": t.pk,
        "amount": "1",
        "occurred_on": "2024-06-01",
    },
    ("POST", "/members/funds/orgs/{org_id}/dues-return/"): lambda w, t: {
        "period_from": "2024-01",
        "period_to": "2024-03",
        "occurred_on": "2024-06-01",
    },
    ("POST", "/members/funds/entries/{entry_id}/reverse/"): lambda w, t: {"reason": "走查冲销"},
    # 党员数字身份证: issue for the target member; revoke by hand (the own side's member may hold none: 409)
    ("POST", "/api/v1/credentials/members/{member_id}/issue"): lambda w, t: {},
    ("POST", "/api/v1/credentials/members/{member_id}/revoke"): lambda w, t: {
        "category": "lost",
        "reason": "走查",
    },
    ("POST", "/transfers/credentials/members/{member_id}/issue/"): lambda w, t: {},
    ("POST", "/transfers/credentials/members/{member_id}/revoke/"): lambda w, t: {
        "category": "lost",
        "reason": "走查",
    },
    # a search, not a write: aimed at the other side's phone number, it must find nothing
    ("POST", "/api/v1/people/search"): lambda w, t: {
        "phone": "13800000002" if t == w.branch_b else "13800000001"
    },
    # 双找双核: a list declared at the target's place (refused outside the scope before any upload), and
    # one side's rejection of a finding (a reason, no branch needed)
    ("POST", "/members/findings/upload/"): lambda w, t: {
        "region": t.region_id,
        "industry": t.industry_id or "",
        "work_kind": "rider",
        "mode": "valid",
        "file": _rider_file(),
    },
    ("POST", "/members/findings/{finding_id}/office/"): lambda w, t: {"decision": "reject", "reason": "走查"},
    ("POST", "/members/findings/{finding_id}/industry/"): lambda w, t: {
        "decision": "reject",
        "reason": "走查",
    },
    ("POST", "/api/v1/members/findings/{finding_id}/office"): lambda w, t: {
        "confirmed": False,
        "reason": "走查",
    },
    ("POST", "/api/v1/members/findings/{finding_id}/industry"): lambda w, t: {
        "confirmed": False,
        "reason": "走查",
    },
    ("POST", "/api/v1/people/{person_id}/reveal"): lambda w, t: {"field": "phone", "reason": "走查核对"},
    ("POST", "/api/v1/registry/organizations"): lambda w, t: {
        "name": "走查登记的网点",
        "region": t.region_id,
        "industry": t.industry_id,
        "parent_id": t.pk,
        "kind": "outlet",
        "registered_on": "2024-01-01",
    },
    ("PATCH", "/api/v1/registry/organizations/{org_id}"): lambda w, t: {"address": "走查修改的住所"},
    ("POST", "/api/v1/registry/organizations/{org_id}/close"): lambda w, t: {"on": "2026-01-01"},
    ("POST", "/api/v1/registry/organizations/{org_id}/coverages"): lambda w, t: {
        "party_org_id": (w.branch_a if t == w.enterprise_a else w.branch_b).pk,
        "kind": "joint",
        "start_on": "2024-06-01",
    },
    ("POST", "/api/v1/registry/organizations/{org_id}/contacts"): lambda w, t: {
        "person_id": _person_for(w.branch_a if t == w.enterprise_a else w.branch_b).pk,
        "role": "instructor",
        "start_on": "2024-06-01",
    },
    ("POST", "/api/v1/registry/organizations/{org_id}/visits"): lambda w, t: {
        "date": "2024-06-01",
        "content": "走查走访记录",
    },
    ("POST", "/registry/organizations/new/"): lambda w, t: {
        "name": "走查登记的网点",
        "region": t.region_id,
        "industry": t.industry_id,
        "registered_on": "2024-01-01",
        "category": "economic",
        "kind": "outlet",
        "employees": "0",
        "new_employment_workers": "0",
    },
    ("POST", "/registry/organizations/{org_id}/coverage/"): lambda w, t: {
        "party_org_code": (w.branch_a if t == w.enterprise_a else w.branch_b).code,
        "kind": "joint",
        "start_on": "2024-06-01",
    },
    ("POST", "/registry/organizations/{org_id}/contacts/"): lambda w, t: {
        "person_name": _person_for(w.branch_a if t == w.enterprise_a else w.branch_b).name,
        "role": "instructor",
        "start_on": "2024-06-01",
    },
    ("POST", "/registry/organizations/{org_id}/visits/"): lambda w, t: {
        "date": "2024-06-01",
        "kind": "routine",
        "content": "走查走访记录",
    },
    ("POST", "/api/v1/registry/campaigns"): lambda w, t: {
        "name": "走查攻坚",
        "owner_org_id": (w.branch_a if t == w.enterprise_a else w.branch_b).pk,
        "start_on": "2026-02-01",
        "deadline": "2026-06-30",
        "organization_ids": [t.pk],
    },
    ("PATCH", "/api/v1/registry/campaigns/targets/{target_id}"): lambda w, t: {"outcome": "joint"},
    ("POST", "/registry/campaigns/new/"): lambda w, t: {
        "name": "走查攻坚",
        "owner_org_code": t.code,
        "start_on": "2026-02-01",
        "deadline": "2026-06-30",
        "gap": "blank",
    },
    ("POST", "/registry/campaigns/targets/{target_id}/"): lambda w, t: {"outcome": "joint", "reason": ""},
    ("POST", "/registry/extracts/new/"): lambda w, t: {
        "source": "market",
        "region": t.region_id,
        "industry": t.industry_id or "",
        "as_of": "2026-01-01",
        "mode": "all",
        "file": _extract_file(),
    },
    ("POST", "/registry/reviews/{review_id}/"): lambda w, t: {"same": "1"},
    ("POST", "/registry/organizations/{org_id}/confirm/"): lambda w, t: {"closed": "0"},
    ("POST", "/registry/coverages/{coverage_id}/end/"): lambda w, t: {"end_on": "2026-06-01"},
    ("POST", "/registry/contacts/{contact_id}/end/"): lambda w, t: {"end_on": "2026-06-01"},
    ("POST", "/registry/contacts/{contact_id}/incubation/"): lambda w, t: {
        "incubation": "走查：已确定联络员"
    },
    # 组织关系转接: the other side's member, or a new member of the own side (whom the positive control
    # sends out of the platform); each step of the own side's transfer passes or is refused by its state
    ("POST", "/api/v1/transfers/"): lambda w, t: {
        "member_id": w.member_b.pk if t == w.branch_b else _fresh_member(t).pk,
        "kind": "external",
        "to_name": "走查外地党支部",
        "reason": "走查",
    },
    ("POST", "/api/v1/transfers/{transfer_id}/approve"): lambda w, t: {},
    ("POST", "/api/v1/transfers/{transfer_id}/reject"): lambda w, t: {"reason": "走查"},
    ("POST", "/api/v1/transfers/{transfer_id}/escalation/approve"): lambda w, t: {},
    ("POST", "/api/v1/transfers/{transfer_id}/escalation/reject"): lambda w, t: {"reason": "走查"},
    ("POST", "/api/v1/transfers/{transfer_id}/accept"): lambda w, t: {},
    ("POST", "/api/v1/transfers/{transfer_id}/return"): lambda w, t: {"reason": "走查"},
    ("POST", "/api/v1/transfers/{transfer_id}/report"): lambda w, t: {},
    ("POST", "/api/v1/transfers/{transfer_id}/cancel"): lambda w, t: {"reason": "走查"},
    # 组织生活: scheduling and venues aim at an org; each step on a meeting passes or is refused by its
    # state (409) for the own side's meeting
    ("POST", "/api/v1/meetings/"): lambda w, t: {
        "org_id": t.pk,
        "kind": "theme_day",
        "topic": "走查会议",
        "starts_at": _future(),
        "mode": "online",
        "online_url": "https://meet.example.cn/walk",
    },
    ("POST", "/api/v1/meetings/venues"): lambda w, t: {"org_id": t.pk, "name": "走查场所"},
    ("POST", "/api/v1/meetings/series"): lambda w, t: {
        "org_id": t.pk,
        "kind": "theme_day",
        "topic": "走查周期会议",
        "rrule": "FREQ=MONTHLY;BYMONTHDAY=12",
        "first_on": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
        "local_time": "09:00",
        "mode": "online",
        "online_url": "https://meet.example.cn/walk",
        "until": (dt.date.today() + dt.timedelta(days=130)).isoformat(),
    },
    ("POST", "/api/v1/meetings/series/{series_id}/exceptions"): lambda w, t: {
        "on": t.meetings.order_by("series_on").first().series_on.isoformat(),
        "reason": "走查",
    },
    ("POST", "/api/v1/meetings/rules"): lambda w, t: {
        "kind": "lecture",
        "period": "quarter",
        "min_count": 1,
        "audience": "members",
        "start_on": "2040-01-01",
    },
    ("POST", "/api/v1/meetings/{meeting_id}/invite"): lambda w, t: {"member_ids": [_member_for(t.org).pk]},
    ("POST", "/api/v1/meetings/{meeting_id}/cancel"): lambda w, t: {"reason": "走查"},
    ("POST", "/api/v1/meetings/{meeting_id}/reschedule"): lambda w, t: {
        "starts_at": _future(),
        "reason": "走查",
    },
    ("POST", "/api/v1/meetings/{meeting_id}/recorder"): lambda w, t: {"member_id": _invitee_with_account(t)},
    ("POST", "/api/v1/meetings/{meeting_id}/close"): lambda w, t: {},
    ("POST", "/api/v1/meetings/{meeting_id}/attendance"): lambda w, t: {
        "member_id": t.attendances.first().member_id
    },
    ("POST", "/api/v1/meetings/leave/{attendance_id}"): lambda w, t: {"grant": True},
    ("PUT", "/api/v1/meetings/{meeting_id}/minutes"): lambda w, t: {"content": "走查记录"},
    ("POST", "/api/v1/meetings/{meeting_id}/minutes/sign"): lambda w, t: {},
    ("POST", "/api/v1/meetings/{meeting_id}/minutes/amendments"): lambda w, t: {
        "text": "走查",
        "reason": "走查",
    },
    ("POST", "/meetings/new/"): lambda w, t: {
        "org": t.pk,
        "kind": "theme_day",
        "topic": "走查会议",
        "day": (dt.date.today() + dt.timedelta(days=40)).isoformat(),
        "time": "09:00",
        "minutes": 90,
        "mode": "online",
        "online_url": "https://meet.example.cn/walk",
        "remind_hours": 24,
    },
    ("POST", "/meetings/{meeting_id}/"): lambda w, t: {"action": "cancel", "reason": "走查"},
    ("POST", "/meetings/venues/"): lambda w, t: {"org": t.pk, "name": "走查场所", "kind": "room"},
    ("POST", "/transfers/new/"): lambda w, t: {
        "member": str(w.member_b.pk if t == w.branch_b else _fresh_member(t).pk),
        "kind": "external",
        "to_name": "走查外地党支部",
        "reason": "走查",
    },
    ("POST", "/transfers/{transfer_id}/"): lambda w, t: {"action": "reject", "reason": "走查"},
    ("POST", "/calendar/"): lambda w, t: {"date": "2030-01-02", "name": "走查"},
    ("POST", "/imports/"): lambda w, t: {"importer": "regions", "mode": "all"},
    ("POST", "/imports/{job_id}/"): lambda w, t: {"confirm": "1"},
    ("POST", "/orgs/{org_id}/edit/"): lambda w, t: {"address": "走查修改的地址", "term_years": "3"},
    ("POST", "/orgs/{org_id}/event/"): lambda w, t: {
        "kind": "rename",
        "on": "2024-06-01",
        "name": "走查更名",
    },
}
PAYLOADS |= world_parts.payloads()  # the later parts' write routes (tests/world_parts/)

# Page routes that do not accept POST (the walker skips their POST variant when they answer 405).
ALLOWED_STATUS_FOR_REFUSAL = {403, 404}


def body_text(resp) -> str:
    """The response as text a person would read: JSON decoded (so \\u escapes cannot hide a leak),
    and the shared strings of an xlsx export."""
    content_type = resp.get("Content-Type", "")
    raw = b"".join(resp.streaming_content) if getattr(resp, "streaming", False) else resp.content
    if "json" in content_type:
        try:
            return json.dumps(json.loads(raw), ensure_ascii=False)
        except ValueError:
            pass
    if raw[:2] == b"PK":
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            return " ".join(
                zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith(".xml")
            )
    return raw.decode("utf-8", errors="replace")


@dataclasses.dataclass
class Walker:
    world: World
    leaks: list[str] = dataclasses.field(default_factory=list)
    checked: int = 0

    def targets(self, model):
        """(user, in-scope object, out-of-scope object) triples for a model."""
        from sanxin.orgs.models import Org, Person, Post
        from sanxin.registry.models import (
            Campaign,
            CampaignTarget,
            Contact,
            Coverage,
            Extract,
            MatchReview,
            Organization,
        )

        if model in {Coverage, Contact}:
            related = "coverages" if model is Coverage else "contacts"
            a = getattr(self.world.enterprise_a, related).first()
            b = getattr(self.world.enterprise_b, related).first()
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        if model is Extract:
            return [(user, self.world.extract_a, self.world.extract_b) for user, _, _ in self.world.a_side()]
        if model is MatchReview:
            return [(user, self.world.review_a, self.world.review_b) for user, _, _ in self.world.a_side()]
        if model is Campaign:
            return [
                (user, self.world.campaign_a, self.world.campaign_b) for user, _, _ in self.world.a_side()
            ]
        if model is CampaignTarget:
            a, b = self.world.campaign_a.targets.get(), self.world.campaign_b.targets.get()
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        from sanxin.members.models import DevelopmentCase, DevelopmentQuota, Member, Mobility

        if model in {DevelopmentCase, DevelopmentQuota}:
            a, b = (
                (self.world.case_a, self.world.case_b)
                if model is DevelopmentCase
                else (self.world.quota_a, self.world.quota_b)
            )
            return [(user, a, b) for user, _, _ in self.world.a_side()]

        from sanxin.members.findings.models import Finding

        if model is Finding:
            return [(user, self.world.finding_a, self.world.finding_b) for user, _, _ in self.world.a_side()]
        if model in {Member, Mobility}:
            a, b = (
                (self.world.member_a, self.world.member_b)
                if model is Member
                else (
                    self.world.mobility_a,
                    self.world.mobility_b,
                )
            )
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        from sanxin.members.funds.models import FundEntry

        if model is FundEntry:
            a = _fund_entry(self.world.branch_a, "走查收入")
            b = _fund_entry(self.world.branch_b, f"走查收入{LEAK_MARKER}")
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        from sanxin.transfers.ledger.models import LedgerOpening

        if model is LedgerOpening:
            a, b = _ledger_opening(self.world.member_a), _ledger_opening(self.world.member_b)
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        from sanxin.meetings.models import Attendance, Meeting, Series

        if model is Series:
            return [(user, self.world.series_a, self.world.series_b) for user, _, _ in self.world.a_side()]
        if model in {Meeting, Attendance}:
            a, b = (
                (self.world.meeting_a, self.world.meeting_b)
                if model is Meeting
                else (self.world.attendance_a, self.world.attendance_b)
            )
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        from sanxin.points.models import Claim, Entry, Offer, Partner

        pairs = {Claim: "claim", Entry: "entry", Offer: "offer", Partner: "partner"}
        if model in pairs:
            a, b = getattr(self.world, f"{pairs[model]}_a"), getattr(self.world, f"{pairs[model]}_b")
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        from sanxin.appeals.models import Appeal, Coordination, Extension, Hardship
        from sanxin.stations.models import Review, Shift, Station

        names = {
            Appeal: "appeal",
            Extension: "extension",
            Hardship: "hardship",
            Coordination: "coordination",
            Station: "station",
            Review: "station_review",
            Shift: "station_shift",
        }
        if model in names:
            name = names[model]
            a, b = getattr(self.world, f"{name}_a"), getattr(self.world, f"{name}_b")
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        from sanxin.learning.models import Course, Lesson

        if model in {Course, Lesson}:
            name = "course" if model is Course else "lesson"
            a, b = getattr(self.world, f"{name}_a"), getattr(self.world, f"{name}_b")
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        from sanxin.learning.training.models import Cohort, Programme, Training

        trainings = {Programme: "programme", Cohort: "cohort", Training: "training"}
        if model in trainings:
            name = trainings[model]
            a, b = getattr(self.world, f"{name}_a"), getattr(self.world, f"{name}_b")
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        from sanxin.learning.quiz.models import Bank, Contest, Question, Quiz

        quiz_names = {Bank: "bank", Question: "question", Quiz: "quiz", Contest: "contest"}
        if model in quiz_names:
            name = quiz_names[model]
            a, b = getattr(self.world, f"{name}_a"), getattr(self.world, f"{name}_b")
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        from sanxin.community.models import Board, Letter, SensitiveWord, Suggestion, Thread
        from sanxin.community.models import Post as ForumPost

        names = {Board: "board", Thread: "thread", ForumPost: "post", SensitiveWord: "word", Letter: "letter"}
        names[Suggestion] = "suggestion"
        if model in names:
            a, b = getattr(self.world, f"{names[model]}_a"), getattr(self.world, f"{names[model]}_b")
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        from sanxin.transfers.models import Transfer

        if model is Transfer:
            a, b = self.world.transfer_a, self.world.transfer_b
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        if model is Org:
            return self.world.a_side()
        if model is Organization:
            return [
                (user, self.world.enterprise_a, self.world.enterprise_b) for user, _, _ in self.world.a_side()
            ]
        if model in {Post, Person}:
            out = []
            for user, own, _twin in self.world.a_side():
                own_org = own if own.posts.exists() else self.world.branch_a
                pick = (lambda org: org.posts.first()) if model is Post else (lambda org: org.people.first())
                out.append((user, pick(own_org), pick(self.world.branch_b)))
            return out
        part_names = world_parts.targets()
        if model in part_names:
            a, b = (
                getattr(self.world, f"{part_names[model]}_a"),
                getattr(self.world, f"{part_names[model]}_b"),
            )
            return [(user, a, b) for user, _, _ in self.world.a_side()]
        raise LookupError(f"the walker has no B-side objects of {model.__name__}: add them to tests/world.py")

    tokens: dict = dataclasses.field(default_factory=dict)

    # -- transport ----------------------------------------------------------------------------
    def _token(self, user) -> str:
        if user.pk not in self.tokens:
            from sanxin.accounts.services import token_issue

            self.tokens[user.pk] = token_issue(request=None, username=user.username, password=PASSWORD)[1]
        return self.tokens[user.pk]

    def _client(self, route: Route, user) -> Client:
        client = Client()
        if route.kind == "page":
            client.force_login(user)
        return client

    def _call(self, route: Route, user, url: str, body: dict | None, extra_query: dict | None = None):
        client = self._client(route, user)
        headers = {}
        if route.kind == "api":
            headers["Authorization"] = f"Bearer {self._token(user)}"
        method = route.method.lower()
        if method == "get":
            return client.get(url, extra_query or {}, headers=headers)
        if route.kind == "api" and not _has_file(body):
            return getattr(client, method)(
                url, json.dumps(body or {}), content_type="application/json", headers=headers
            )
        return client.post(url, body or {}, headers=headers)  # a form, or an API's multipart upload

    # -- checks -------------------------------------------------------------------------------
    def _leak(self, route: Route, user, why: str) -> None:
        self.leaks.append(f"{route} as {user.username}: {why}")

    def _snapshot(self):
        from sanxin.orgs.models import Org

        return (
            AuditLog.objects.count(),
            list(Org.objects.order_by("pk").values_list("pk", "name", "address", "path")),
        )

    def walk(self, routes: list[Route]) -> list[str]:
        part_models, part_payloads = set(world_parts.targets()), set(world_parts.payloads())
        if any(
            getattr(r.perm, "model", None) in part_models or (r.method, r.template) in part_payloads
            for r in routes
        ):
            self.world.ensure_parts()  # before any snapshot: building them writes rows
        for user, _, _ in self.world.a_side():
            self._token(user)
        for route in routes:
            perm = route.perm
            if perm is None:
                self.leaks.append(f"{route}: declares no permission (core.permissions)")
                continue
            if not isinstance(perm, Perm):
                continue  # public, own and reference routes serve no scoped rows
            if not has_row(perm.module, perm.action):
                self.leaks.append(
                    f"{route}: {perm.module}.{perm.action} has no row in the authorization matrix"
                )
                continue
            writes = route.method not in SAFE
            key = (route.method, route.template)
            if writes and key not in PAYLOADS:
                if route.kind == "page" and route.method == "POST" and not self._accepts_post(route):
                    continue
                self.leaks.append(
                    f"{route}: a write route without a payload factory in tests/accounts/walker.py"
                )
                continue
            if route.params:
                self._walk_object_route(route, perm)
            else:
                self._walk_collection_route(route, perm)
        return self.leaks

    def _accepts_post(self, route: Route) -> bool:
        """A page route whose view refuses POST (405) has no write variant to check."""
        w = self.world
        _user, own, _ = w.a_side()[0]
        if getattr(route.perm, "model", None) is None:
            url = route.url(**{name: _DUMMY.get(kind, "x") for name, kind in route.converters})
        else:
            url = route.url(**dict.fromkeys(route.params, own.pk))
        return self._call(route, w.office, url, {}).status_code != 405

    def _walk_object_route(self, route: Route, perm: Perm) -> None:
        if perm.model is None:
            # Nobody on side A may use the route at all: any id must be refused before any lookup.
            dummy = {name: _DUMMY.get(kind, "x") for name, kind in route.converters} or dict.fromkeys(
                route.params, 0
            )
            body_for = PAYLOADS.get((route.method, route.template))
            for user, _own, twin in self.world.a_side():
                if has_permission(user, perm.module, perm.action):
                    self.leaks.append(f"{route}: a path parameter but no model/lookup in its permission")
                    return
                resp = self._call(
                    route, user, route.url(**dummy), body_for(self.world, twin) if body_for else None
                )
                self.checked += 1
                if resp.status_code not in ALLOWED_STATUS_FOR_REFUSAL | {405}:
                    self._leak(route, user, f"answered {resp.status_code} without the permission")
            return
        for user, own, twin in self.targets(perm.model):
            assert own is not None and twin is not None, (
                f"{route}: the world lacks {perm.model.__name__} objects"
            )
            body_for = PAYLOADS.get((route.method, route.template))
            before = self._snapshot()
            resp = self._call(
                route,
                user,
                route.url(**dict.fromkeys(route.params, twin.pk)),
                body_for(self.world, twin) if body_for else None,
            )
            self.checked += 1
            if resp.status_code == 405:
                continue
            if resp.status_code not in ALLOWED_STATUS_FOR_REFUSAL:
                self._leak(route, user, f"answered {resp.status_code} for an object outside the scope")
            if LEAK_MARKER in body_text(resp):
                self._leak(route, user, "the response shows data outside the scope")
            if self._snapshot() != before:
                self._leak(route, user, "data changed although the request was refused")
            if scope_for(user, perm.module, perm.action).contains(own):
                ok = self._call(
                    route,
                    user,
                    route.url(**dict.fromkeys(route.params, own.pk)),
                    body_for(self.world, own) if body_for else None,
                )
                if ok.status_code in {403, 404, 422}:
                    self._leak(
                        route,
                        user,
                        f"positive control refused ({ok.status_code}): the walker's call is broken",
                    )

    def _walk_collection_route(self, route: Route, perm: Perm) -> None:
        from sanxin.orgs.models import Org

        body_for = PAYLOADS.get((route.method, route.template))
        for user, own, twin in self.targets(perm.model or Org):
            before = self._snapshot()
            query = {"q": LEAK_MARKER[:2], "on": "2024-06-01"} if route.method == "GET" else None
            for extra in [{}, query] if query else [{}]:
                resp = self._call(
                    route,
                    user,
                    route.template,
                    body_for(self.world, twin) if body_for else None,
                    extra_query=extra,
                )
                self.checked += 1
                if LEAK_MARKER in body_text(resp):
                    self._leak(route, user, f"the response (query {extra}) shows data outside the scope")
            if body_for is not None:
                # A page form may refuse a target it cannot find by re-rendering with a neutral message.
                allowed = ALLOWED_STATUS_FOR_REFUSAL | ({400} if route.kind == "page" else set())
                search = (route.method, route.template) in READS_BY_POST
                if search and resp.status_code == 200 and resp.json():
                    self._leak(route, user, "a search aimed outside the scope found rows")
                elif not search and resp.status_code not in allowed:
                    self._leak(route, user, f"a write aimed outside the scope answered {resp.status_code}")
                if self._snapshot() != before:
                    self._leak(route, user, "data changed by a write aimed outside the scope")
                if has_permission(user, perm.module, perm.action):
                    ok = self._call(route, user, route.template, body_for(self.world, own))
                    if search and ok.status_code == 200 and not ok.json():
                        self._leak(route, user, "positive control: the search found nothing on the own side")
                    if ok.status_code in {400, 403, 404, 422}:
                        self._leak(
                            route,
                            user,
                            f"positive control refused ({ok.status_code}): the walker's call is broken",
                        )
