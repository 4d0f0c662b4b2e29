"""双找双核: a worker list imported through the core framework (identifiers hashed at import, matched by
blind index then name + phone, unmatched rows discarded, the upload deleted, nothing in clear left
behind), and the two checks of each finding before it changes the registry."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.conf import settings
from stdnum.cn import ric

from sanxin.accounts.services import grant_create
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, RuleViolation
from sanxin.core.excel import importer as imp
from sanxin.core.models import AuditLog, ImportJob, Region, StoredFile
from sanxin.members import selectors as member_selectors
from sanxin.members.findings import riderlist, services
from sanxin.members.findings.models import CheckSide, Finding, FindingBatch, FindingCheck, FindingKind
from sanxin.members.models import Employment, Hidden, Member, Mobility
from sanxin.orgs import services as org_services
from sanxin.orgs.models import Org, OrgType
from tests.factories import UserFactory
from tests.world import build_world

pytestmark = pytest.mark.django_db

D = dt.date
HEADER = "序号,骑手姓名,身份证号,手机号,政治面貌,岗位,站点\n"


def rid(area: str, born: str, seq: int) -> str:
    body = f"{area}{born}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


POCKET_ID = rid("390102", "19900315", 41)
POCKET_PHONE = "13912340001"
PHONE_ONLY = "13912340002"
PLAIN_ID = rid("390102", "19920101", 42)
ELSEWHERE_ID = rid("390103", "19880808", 43)
UNMATCHED_ID = rid("390105", "19950505", 44)
BAD_ID = POCKET_ID[:-1] + ("0" if POCKET_ID[-1] != "0" else "1")


@pytest.fixture
def world():
    return findings_world()


def findings_world():
    w = build_world()
    # The walker's twin findings are not this module's: each test starts from its own lists.
    Finding.objects.all().delete()
    FindingBatch.objects.all().delete()
    # Workers the registry knows: one whom the list calls a member (口袋党员 candidate), one known by
    # name and phone only, one listed as 群众, and a member of another city's branch.
    w.pocket, _ = org_services.person_create(
        actor=None, name="赵暗党", phone=POCKET_PHONE, resident_id=POCKET_ID
    )
    w.phone_only, _ = org_services.person_create(actor=None, name="钱手机", phone=PHONE_ONLY)
    w.plain, _ = org_services.person_create(actor=None, name="孙群众", resident_id=PLAIN_ID)
    far = org_services.org_create(
        actor=None,
        parent=None,
        name="外市快递党支部",
        org_type=OrgType.BRANCH,
        region=Region.objects.get_or_create(code="390200000000", defaults={"name": "外市", "level": 2})[0],
        founded_on=D(2010, 1, 1),
    )
    p, _ = org_services.person_create(actor=None, name="周外地", org=far, resident_id=ELSEWHERE_ID)
    from sanxin.members import services as member_services

    w.elsewhere = member_services.member_register(actor=None, person=p, org=far, joined_on=D(2015, 7, 1))
    return w


def csv_rows(*rows: tuple) -> bytes:
    lines = [HEADER] + [",".join(str(c) for c in (i, *r)) + "\n" for i, r in enumerate(rows, start=1)]
    return "".join(lines).encode("utf-8")


def standard_list(w) -> bytes:
    return csv_rows(
        ("赵暗党", POCKET_ID, POCKET_PHONE, "中共党员", "外卖骑手", "城关站"),
        ("钱手机", "", PHONE_ONLY, "中共预备党员", "", "城关站"),
        ("孙群众", PLAIN_ID, "", "群众", "外卖骑手", "城关站"),
        ("刘骑手党员", "", "13800000001", "中共党员", "外卖骑手", "城关站"),  # world.member_a by name+phone
        ("周外地", ELSEWHERE_ID, "", "中共党员", "外卖骑手", "滨江站"),
        ("吴无人", UNMATCHED_ID, "13912349999", "中共党员", "外卖骑手", "滨江站"),
        ("赵暗党", "", "13912340009", "中共党员", "外卖骑手", "城关站"),  # same name, other phone: nobody
        ("错号码", BAD_ID, "1391234000", "群众", "外卖骑手", "城关站"),
    )


def run_list(w, data: bytes, *, actor=None, name="riders.csv") -> FindingBatch:
    actor = actor or w.secretary_a
    batch = services.batch_upload(
        actor=actor,
        name=name,
        chunks=data,
        region=Region.objects.get(code="390102001000"),
        industry=w.enterprise_a.industry,
        platform=w.enterprise_a,
    )
    job = batch.job
    imp.job_confirm(actor=actor, job=job, mapping=job.mapping, enqueue=False)
    imp.run_job(job.pk)
    batch.refresh_from_db()
    return batch


def finding(batch, person, kind) -> Finding:
    return Finding.objects.get(batch=batch, person=person, kind=kind)


# --- matching -------------------------------------------------------------------------------------


def test_rows_match_by_id_then_name_and_phone_and_the_rest_is_discarded(world):
    w = world
    batch = run_list(w, standard_list(w))
    assert batch.job.status == ImportJob.Status.DONE
    assert batch.stats["matched"] == 5
    assert batch.stats["unmatched"] == 2  # 吴无人, and 赵暗党 with a phone that is not his
    kinds = {(f.person_id, f.kind): f for f in Finding.objects.filter(batch=batch)}
    assert set(kinds) == {
        (w.pocket.pk, FindingKind.MEMBER),
        (w.phone_only.pk, FindingKind.MEMBER),
        (w.member_a.pk, FindingKind.WORK),
        (w.elsewhere.pk, FindingKind.MEMBER),
        (w.elsewhere.pk, FindingKind.WORK),
    }
    assert kinds[(w.pocket.pk, FindingKind.MEMBER)].matched_by == "resident_id"
    assert kinds[(w.phone_only.pk, FindingKind.MEMBER)].matched_by == "name_phone"
    assert kinds[(w.phone_only.pk, FindingKind.MEMBER)].listed_status == "中共预备党员"
    assert kinds[(w.elsewhere.pk, FindingKind.MEMBER)].elsewhere is True
    assert kinds[(w.pocket.pk, FindingKind.MEMBER)].elsewhere is False
    assert kinds[(w.member_a.pk, FindingKind.WORK)].work_kind == "rider"
    assert all(f.platform_id == w.enterprise_a.pk for f in kinds.values())
    assert batch.stats["member"] == 3 and batch.stats["work"] == 2
    # the bad row is reported, nobody was written for the unmatched rows
    assert batch.job.error_count == 1
    assert not Finding.objects.filter(person__name="吴无人").exists()


def test_a_member_with_the_work_recorded_is_no_finding_and_the_same_list_again_changes_nothing(world):
    w = world
    from sanxin.members import services as member_services

    member_services.employment_record(
        actor=None, person=w.member_a.person, kind="rider", since=D(2024, 1, 1), platform=w.enterprise_a
    )
    first = run_list(w, standard_list(w))
    assert not Finding.objects.filter(person=w.member_a.person).exists()
    n = Finding.objects.count()
    second = run_list(w, standard_list(w))
    assert Finding.objects.count() == n
    assert second.job.created_count == 0 and first.job.created_count > 0


def test_the_upload_and_its_parsed_rows_are_deleted_and_no_identifier_survives_in_clear(world):
    w = world
    batch = run_list(w, standard_list(w))
    job = ImportJob.objects.get(pk=batch.job_id)
    assert job.source_id is None
    upload_root = settings.UPLOAD_ROOT
    files = [p for p in upload_root.rglob("*") if p.is_file()]
    # Only the error report remains (its purpose is core.report), and the upload's sidecar is gone.
    assert [f.purpose for f in StoredFile.objects.all()] == ["core.report"]
    secrets = [
        POCKET_ID,
        BAD_ID,
        UNMATCHED_ID,
        ELSEWHERE_ID,
        POCKET_PHONE,
        PHONE_ONLY,
        "13912349999",
        "1391234000",
    ]
    for path in files:
        raw = path.read_bytes()
        texts = [raw.decode("utf-8", "replace")]
        if raw[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                texts += [zf.read(n).decode("utf-8", "replace") for n in zf.namelist()]
        for text in texts:
            for secret in secrets:
                assert secret not in text, (path, secret)
    # The error report names the bad row, its column and the masked value.
    report = StoredFile.objects.get(purpose="core.report")
    import openpyxl

    rows = [
        r
        for r in openpyxl.load_workbook(io.BytesIO(report.path.read_bytes())).active.iter_rows(
            values_only=True
        )
    ]
    flat = " ".join(str(c) for r in rows for c in r if c is not None)
    assert "身份证号码校验位不正确" in flat and BAD_ID[:3] + "*" * 13 + BAD_ID[-2:] in flat
    # Job fields, findings, batches and the audit log hold no identifier in clear either.
    dumps = [
        repr(ImportJob.objects.filter(pk=job.pk).values().get()),
        repr(list(Finding.objects.values())),
        repr(list(FindingBatch.objects.values())),
        repr(list(AuditLog.objects.values("before", "after", "message", "object_repr"))),
    ]
    for text in dumps:
        for secret in secrets:
            assert secret not in text, secret


def test_a_list_must_be_declared_inside_the_uploaders_scope(world):
    w = world
    with pytest.raises(InvalidInput) as exc:
        services.batch_upload(
            actor=w.secretary_a,
            name="x.csv",
            chunks=standard_list(w),
            region=Region.objects.get(code="390103001000"),  # street T: not where branch A is
            industry=w.enterprise_a.industry,
        )
    assert exc.value.field == "region"
    assert not FindingBatch.objects.exists() and not ImportJob.objects.exists()


# --- 双核 ---------------------------------------------------------------------------------------


def test_two_checks_in_either_order_then_the_member_is_registered_and_flagged(world):
    w = world
    batch = run_list(w, standard_list(w))
    f = finding(batch, w.pocket, FindingKind.MEMBER)
    services.finding_confirm(
        actor=w.office,
        finding=f,
        side=CheckSide.OFFICE,
        branch=w.branch_a,
        joined_on=D(2016, 7, 1),
        standing="full",
        converted_on=D(2017, 7, 1),
    )
    assert not Member.objects.filter(person=w.pocket).exists()  # one check changes nothing
    f = services.finding_confirm(actor=w.industry_x, finding=f, side=CheckSide.INDUSTRY)
    assert f.status == "confirmed"
    member = Member.objects.get(person=w.pocket)
    assert member_selectors.org_on(member, dt.date.today()) == w.branch_a
    assert member.hidden == Hidden.POCKET and member.hidden_found_how == "双找双核"
    assert member in member_selectors.member_list(
        __import__("sanxin.core.scope", fromlist=["scope_for"]).scope_for(w.secretary_a, "people", "view")
    )
    actions = set(
        AuditLog.objects.filter(object_type="members.findingcheck").values_list("action", flat=True)
    )
    assert actions == {"verify_confirm"}
    assert AuditLog.objects.filter(object_type="members.findingcheck").count() == 2

    # the other order, for a 找新就业 finding: the employment is recorded
    g = finding(batch, w.member_a.person, FindingKind.WORK)
    services.finding_confirm(actor=w.industry_x, finding=g, side=CheckSide.INDUSTRY)
    assert not Employment.objects.filter(person=w.member_a.person).exists()
    services.finding_confirm(actor=w.office, finding=g, side=CheckSide.OFFICE)
    job = Employment.objects.get(person=w.member_a.person)
    assert (job.kind, job.platform_id, job.work_area) == ("rider", w.enterprise_a.pk, "城关站")


def test_a_member_registered_elsewhere_is_hosted_here(world):
    w = world
    batch = run_list(w, standard_list(w))
    f = finding(batch, w.elsewhere.person, FindingKind.MEMBER)
    services.finding_confirm(actor=w.office, finding=f, side=CheckSide.OFFICE, branch=w.branch_a)
    services.finding_confirm(actor=w.industry_x, finding=f, side=CheckSide.INDUSTRY)
    mobility = Mobility.objects.get(member=w.elsewhere)
    assert mobility.host == w.branch_a and mobility.direction == "in"
    # hosted here now: the same list finds them no more as a member to find
    again = run_list(w, standard_list(w))
    assert not Finding.objects.filter(
        batch=again, person=w.elsewhere.person, kind=FindingKind.MEMBER
    ).exists()


def test_office_confirmation_needs_a_branch_and_the_registry_rules_are_checked_at_once(world):
    w = world
    batch = run_list(w, standard_list(w))
    f = finding(batch, w.pocket, FindingKind.MEMBER)
    with pytest.raises(InvalidInput) as exc:
        services.finding_confirm(actor=w.office, finding=f, side=CheckSide.OFFICE, joined_on=D(2016, 7, 1))
    assert exc.value.field == "branch"
    with pytest.raises(InvalidInput) as exc:
        services.finding_confirm(actor=w.office, finding=f, side=CheckSide.OFFICE, branch=w.branch_a)
    assert exc.value.field == "joined_on"
    # born 1990: joining in 2005 is refused by member_register's own rule, now, not at the second check
    with pytest.raises(RuleViolation) as exc:
        services.finding_confirm(
            actor=w.office,
            finding=f,
            side=CheckSide.OFFICE,
            branch=w.branch_a,
            joined_on=D(2005, 7, 1),
            standing="probationary",
        )
    assert "18" in exc.value.message
    # a committee is not a branch
    with pytest.raises(RuleViolation):
        services.finding_confirm(
            actor=w.office,
            finding=f,
            side=CheckSide.OFFICE,
            branch=w.committee_x,
            joined_on=D(2016, 7, 1),
            standing="probationary",
        )
    assert not FindingCheck.objects.exists()
    assert not Member.objects.filter(person=w.pocket).exists()


def test_either_side_rejects_with_a_reason_and_the_finding_ends(world):
    w = world
    batch = run_list(w, standard_list(w))
    f = finding(batch, w.pocket, FindingKind.MEMBER)
    with pytest.raises(InvalidInput) as exc:
        services.finding_reject(actor=w.industry_x, finding=f, side=CheckSide.INDUSTRY, reason="  ")
    assert exc.value.field == "reason"
    f = services.finding_reject(actor=w.industry_x, finding=f, side=CheckSide.INDUSTRY, reason="同名不同人")
    assert f.status == "rejected"
    assert AuditLog.objects.filter(action="verify_reject").count() == 1
    with pytest.raises(RuleViolation) as exc:
        services.finding_confirm(
            actor=w.office,
            finding=f,
            side=CheckSide.OFFICE,
            branch=w.branch_a,
            joined_on=D(2016, 7, 1),
            standing="probationary",
        )
    assert exc.value.code == "decided"
    assert not Member.objects.filter(person=w.pocket).exists()


def test_one_person_cannot_do_both_checks_nor_one_side_twice(world):
    w = world
    both = UserFactory()
    grant_create(actor=None, user=both, role="org_department", region=Region.objects.get(code="390100000000"))
    grant_create(actor=None, user=both, role="industry_committee", industry=w.enterprise_a.industry)
    batch = run_list(w, standard_list(w))
    g = finding(batch, w.member_a.person, FindingKind.WORK)
    services.finding_confirm(actor=both, finding=g, side=CheckSide.OFFICE)
    with pytest.raises(RuleViolation) as exc:
        services.finding_confirm(actor=both, finding=g, side=CheckSide.INDUSTRY)
    assert exc.value.code == "same_person"
    with pytest.raises(RuleViolation) as exc:
        services.finding_confirm(actor=w.office, finding=g, side=CheckSide.OFFICE)
    assert exc.value.code == "already_checked"
    assert not Employment.objects.filter(person=w.member_a.person).exists()


def test_checks_outside_the_scope_or_without_the_role_are_refused(world):
    w = world
    batch = run_list(w, standard_list(w))
    g = finding(batch, w.member_a.person, FindingKind.WORK)
    with pytest.raises(NotFound):  # another industry: not theirs at all
        services.finding_confirm(actor=w.industry_y, finding=g, side=CheckSide.INDUSTRY)
    with pytest.raises(PermissionDenied):  # the uploader sees it but checks neither side
        services.finding_confirm(actor=w.secretary_a, finding=g, side=CheckSide.OFFICE)
    with pytest.raises(PermissionDenied):  # an industry committee is not the organization department
        services.finding_confirm(actor=w.industry_x, finding=g, side=CheckSide.OFFICE)
    other_city = UserFactory()
    grant_create(
        actor=None,
        user=other_city,
        role="org_department",
        region=Region.objects.get_or_create(code="390200000000", defaults={"name": "外市", "level": 2})[0],
    )
    with pytest.raises(NotFound):
        services.finding_confirm(actor=other_city, finding=g, side=CheckSide.OFFICE)
    assert not FindingCheck.objects.exists()


def test_the_platforms_own_users_have_no_way_to_the_findings(world, client):
    w = world
    batch = run_list(w, standard_list(w))
    f = finding(batch, w.pocket, FindingKind.MEMBER)
    platform_org = org_services.org_create(
        actor=None,
        parent=w.city,
        name="中共蜂鸟速递委员会",
        org_type=OrgType.PARTY_COMMITTEE,
        region=Region.objects.get(code="390102001000"),
        industry=w.enterprise_a.industry,
        founded_on=D(2020, 1, 1),
    )
    committee = UserFactory()
    grant_create(actor=None, user=committee, role="platform_committee", org=platform_org)
    grant_create(actor=None, user=committee, role="platform_committee", org=w.branch_a)
    liaison = UserFactory()
    grant_create(
        actor=None,
        user=liaison,
        role="party_liaison",
        assignment_kind="organizations",
        object_ids=[w.enterprise_a.pk],
    )
    from tests.helpers import ApiClient

    for user in (committee, liaison):
        client.force_login(user)
        for url in ("/members/findings/", f"/members/findings/{f.pk}/", "/members/findings/upload/"):
            assert client.get(url).status_code == 403, (user, url)
        # the secretary's import job (file name, counts, error report) is the secretary's alone
        for url in (
            f"/imports/{batch.job_id}/",
            f"/imports/{batch.job_id}/progress/",
            f"/imports/{batch.job_id}/errors/",
        ):
            assert client.get(url).status_code == 404, (user, url)
        api = ApiClient(user)
        assert api.get("/api/v1/members/findings/").status_code == 403
        assert api.get(f"/api/v1/members/findings/{f.pk}").status_code == 403
        assert api.get("/api/v1/members/findings/batches").status_code == 403
        with pytest.raises(NotFound):
            services.finding_confirm(actor=user, finding=f, side=CheckSide.INDUSTRY)


def test_the_demo_rider_list_is_reproducible(tmp_path):
    fresh = riderlist.write(tmp_path / riderlist.FILE_NAME)
    assert fresh.read_bytes() == riderlist.path().read_bytes()
    rows = riderlist.people()
    assert len(rows) >= 300
    roles = {r.role for r in riderlist.known()}
    assert roles == {"pocket", "unrecorded", "plain"}
    assert sum(r.role == "unmatched" for r in rows) > len(rows) // 2


def test_selectors_scope_findings_to_offices_of_the_place_and_the_uploader(world):
    from sanxin.core.scope import scope_for
    from sanxin.members.findings import selectors

    w = world
    batch = run_list(w, standard_list(w))
    assert selectors.findings(scope_for(w.secretary_a, "people", "find")).filter(batch=batch).count() == 5
    assert selectors.findings(scope_for(w.office, "people", "find")).count() == 5
    assert selectors.findings(scope_for(w.industry_x, "people", "find")).count() == 5
    assert selectors.findings(scope_for(w.industry_y, "people", "find")).count() == 0
    assert selectors.findings(scope_for(w.secretary_b, "people", "find")).count() == 0
    assert selectors.findings(scope_for(w.street_t_user, "people", "find")).count() == 0
    assert selectors.batches(scope_for(w.secretary_b, "people", "find")).count() == 0
    assert Org.objects.filter(pk=w.branch_a.pk).exists()


def test_nothing_in_clear_reaches_the_logs_of_an_import(world, caplog):
    import logging

    w = world
    with caplog.at_level(logging.DEBUG):
        batch = run_list(w, standard_list(w))
        # a refused check logs its refusal, not the person's identifiers
        with pytest.raises(InvalidInput):
            services.finding_reject(
                actor=w.industry_x,
                finding=Finding.objects.filter(batch=batch).first(),
                side="industry",
                reason="",
            )
    assert batch.stats["matched"] == 5
    text = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for secret in (POCKET_ID, BAD_ID, UNMATCHED_ID, POCKET_PHONE, PHONE_ONLY, "13912349999"):
        assert secret not in text
