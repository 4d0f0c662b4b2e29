"""党员名册 import: every rule refused with its Chinese reason in the error workbook (identifiers masked),
the valid rows registered with their membership history and work, a second import unchanged, a
corrected phone updated and audited, a member of another org refused, scope, and the batch path agreeing
with the row-by-row path."""

import datetime as dt
import io

import openpyxl
import pytest
from stdnum.cn import ric

from sanxin.core import crypto as pii
from sanxin.core.excel import importer as imp
from sanxin.core.models import AuditLog, ImportJob, StoredFile
from sanxin.core.selectors import history
from sanxin.members import selectors
from sanxin.members.imports import MemberImporter
from sanxin.members.models import Employment, Member, OrgRelation, RelationKind, Standing, WorkKind
from sanxin.orgs.models import Person
from tests.core.excel_files import xlsx
from tests.world import build_world

pytestmark = pytest.mark.django_db
D = dt.date

HEADER = [
    "姓名",
    "性别",
    "民族",
    "公民身份号码",
    "学历",
    "户籍所在地",
    "手机号码",
    "所在党支部",
    "党员类别",
    "入党日期",
    "转正日期",
    "新就业形态",
    "平台/用工单位",
    "工作地点",
]


def rid(birth: str, seq: int = 1, area: str = "390102") -> str:
    body = f"{area}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "?")  # stdnum wants the check position present


def bad_check_digit(value: str) -> str:
    last = "0" if value[-1] != "0" else "1"
    return value[:-1] + last


@pytest.fixture
def w():
    return build_world()


def row(
    name,
    resident_id,
    org,
    *,
    standing="正式党员",
    joined="2015-07-01",
    converted="2016-07-01",
    phone="",
    kind="",
    employer="",
    gender="",
    ethnicity="汉族",
):
    return [
        name,
        gender,
        ethnicity,
        resident_id,
        "大学专科",
        "新河市",
        phone,
        org,
        standing,
        joined,
        converted,
        kind,
        employer,
        "城关",
    ]


def upload(actor, rows, mode="valid"):
    job = imp.job_create(
        actor=actor, importer_key="members", name="名册.xlsx", chunks=iter([xlsx([HEADER, *rows])]), mode=mode
    )
    imp.job_confirm(actor=actor, job=job, mapping=job.mapping, enqueue=False)
    return imp.run_job(job.pk)


def report(job) -> list[tuple]:
    f = StoredFile.objects.get(pk=job.error_report_id)
    return list(openpyxl.load_workbook(io.BytesIO(f.path.read_bytes())).active.iter_rows(values_only=True))[
        1:
    ]


def test_the_header_is_recognized_and_the_importer_is_offered_to_secretaries(w):
    job = imp.job_create(
        actor=w.secretary_a,
        importer_key="members",
        name="m.xlsx",
        chunks=iter([xlsx([HEADER, row("甲", rid("19900101"), w.branch_a.name)])]),
    )
    assert set(job.mapping.values()) == {c.key for c in MemberImporter.columns}
    assert "members" in [i.key for i in imp.available(w.secretary_a)]
    assert "members" not in [i.key for i in imp.available(w.instructor_1)]


def test_bad_rows_are_reported_in_chinese_and_good_rows_registered(w):
    good = rid("19900101", 11)
    young = rid("20050101", 12)
    future = rid("20990101", 13)
    a = w.branch_a.name
    rows = [
        row("王骑手", good, a, phone="13912345678", kind="外卖骑手", employer="蜂行快送", gender="男"),  # 2
        row("错校验", bad_check_digit(rid("19910101", 14)), a),  # 3
        row("未出生", future, a),  # 4
        row("重复号", good, a),  # 5: the same ID again
        row("短号码", rid("19920101", 15), a, phone="1391234567"),  # 6: 10 digits
        row("太年轻", young, a, joined="2022-07-01", standing="预备党员", converted=""),  # 7
        row("外支部", rid("19930101", 16), w.branch_b.name),  # 8: outside the secretary's scope
        row("未转正", rid("19940101", 17), a, standing="正式党员", converted=""),  # 9
        row("转太早", rid("19950101", 18), a, joined="2020-07-01", converted="2021-01-01"),  # 10
        row("性别错", rid("19960101", 19), a, gender="女"),  # 11: the ID's 17th digit is odd (male)
        row("民族错", rid("19970101", 20), a, ethnicity="火星族"),  # 12
        row("委员会", rid("19880101", 21), w.committee_x.name),  # 13: not a branch (and out of scope)
    ]
    job = upload(w.secretary_a, rows)
    assert job.status == ImportJob.Status.DONE
    assert job.created_count == 1 and job.error_count == len(rows) - 1
    reasons = {r[0]: (r[1], r[2], r[3]) for r in report(job)}
    assert "校验位" in reasons[3][2]
    assert "出生日期" in reasons[4][2]
    assert "重复" in reasons[5][2]
    assert reasons[6][0] == "手机号码" and "手机号码" in reasons[6][2]
    assert "18周岁" in reasons[7][2]
    assert "没有找到您管理范围内的党组织" in reasons[8][2]
    assert "转正日期" in reasons[9][2] and "预备期为一年" in reasons[10][2]
    assert "性别" in reasons[11][2] and "56个民族" in reasons[12][2]
    assert "没有找到" in reasons[13][2]
    # identifiers in the report are masked
    for values in reasons.values():
        assert good not in str(values) and "1391234567" not in str(values)
    person = Person.objects.get(resident_id_index=pii.blind_index(good, purpose="resident_id"))
    assert person.resident_id == good and person.phone == "13912345678" and person.org == w.branch_a
    assert (person.gender, person.birth_date, person.ethnicity) == ("M", D(1990, 1, 1), "汉族")
    m = Member.objects.get(person=person)
    assert (m.standing, m.joined_on, m.converted_on) == (Standing.FULL, D(2015, 7, 1), D(2016, 7, 1))
    assert selectors.org_on(m, D(2015, 7, 1)) == w.branch_a
    assert selectors.org_on(m, D(2015, 7, 1), kind=RelationKind.ACTIVITY) == w.branch_a
    job_row = Employment.objects.get(person=person)
    assert (job_row.kind, job_row.employer_name, job_row.end_on) == (WorkKind.RIDER, "蜂行快送", None)
    # every written row is covered by an audit row of the import
    for obj in (person, m, job_row, *OrgRelation.objects.filter(member=m)):
        assert any(e.action == "import_create" for e in history(obj)), obj


def test_all_or_nothing_writes_nothing(w):
    rows = [
        row("甲", rid("19900101", 31), w.branch_a.name),
        row("乙", bad_check_digit(rid("19900101", 32)), w.branch_a.name),
    ]
    job = upload(w.secretary_a, rows, mode="all")
    assert job.status == ImportJob.Status.REJECTED
    assert not Person.objects.filter(name__in=["甲", "乙"]).exists()


def test_reimport_is_unchanged_and_a_corrected_phone_is_updated_and_audited(w):
    first = rid("19880808", 41)
    rows = [row("李快递", first, w.branch_a.name, phone="13900000001", kind="快递员", employer="顺达快递")]
    assert upload(w.secretary_a, rows).created_count == 1
    again = upload(w.secretary_a, rows)
    assert again.unchanged_count == 1 and again.created_count == 0
    assert Employment.objects.filter(person__name="李快递").count() == 1
    rows[0][6] = "13900000002"
    rows[0][4] = "大学本科"
    changed = upload(w.secretary_a, rows)
    assert changed.updated_count == 1
    person = Person.objects.get(name="李快递")
    assert person.phone == "13900000002" and person.phone_index == pii.blind_index(
        "13900000002", purpose="phone"
    )
    assert person.education == "bachelor"
    entry = AuditLog.objects.filter(
        object_type="orgs.person", object_id=str(person.pk), action="update"
    ).latest("pk")
    assert entry.before["education"] == "college" and entry.after["education"] == "bachelor"
    assert "13900000002" not in str(entry.after) and "13900000001" not in str(entry.before)


def test_a_member_of_another_org_is_refused_and_a_known_worker_becomes_a_member(w):
    # member_b's formal org is branch_b; the office (whole city) imports them into branch_a
    mb = w.member_b
    rows = [row(mb.person.name, mb.person.resident_id, w.branch_a.name)]
    job = upload(w.office, rows)
    assert job.error_count == 1 and "调整组织关系" in report(job)[0][3]
    assert Member.objects.get(pk=mb.pk).person.org == w.branch_b
    # a worker already known (no org, no membership) is registered, not duplicated
    from sanxin.orgs import services as org_services

    worker_id = rid("19930303", 51)
    worker, _ = org_services.person_create(actor=None, name="赵司机", resident_id=worker_id)
    job = upload(w.office, [row("赵司机", worker_id, w.branch_a.name)])
    assert job.created_count == 1
    assert Person.objects.filter(name="赵司机").count() == 1
    assert Member.objects.get(person=worker).person.org == w.branch_a


def test_a_person_registered_outside_the_scope_is_not_touched(w):
    mb = w.member_b  # in branch_b, outside secretary_a's scope
    job = upload(w.secretary_a, [row("改名字", mb.person.resident_id, w.branch_a.name)])
    assert job.error_count == 1 and "已在其他组织登记" in report(job)[0][3]
    assert Person.objects.get(pk=mb.pk).name != "改名字"


def test_the_batch_path_and_the_row_path_agree(w):
    """A batch that the database refuses falls back to row by row; both give the same results."""
    rows = [
        row(f"成员{i}", rid("19900101", 60 + i), w.branch_a.name, phone=f"1390000{i:04d}") for i in range(6)
    ]
    importer = MemberImporter(actor=w.office)
    cleaned = [
        importer.validate_row(dict(zip([c.key for c in MemberImporter.columns], r, strict=True)))
        for r in rows
    ]
    batch = importer.apply_rows(cleaned[:3], w.office)
    single = [importer.apply_row(c, w.office) for c in cleaned[3:]]
    assert batch == ["created"] * 3 and single == ["created"] * 3
    assert Member.objects.filter(person__name__startswith="成员").count() == 6
    assert (
        OrgRelation.objects.filter(member__person__name__startswith="成员", end_on__isnull=True).count() == 12
    )
