"""The import services: both modes with their error workbook, never half a row, idempotent re-import,
Chinese header recognition and remembered mappings, GB18030 CSV, progress in batches, the upload
deleted when the job ends, a job run once, the importer registry."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from sanxin.accounts.services import grant_create
from sanxin.core.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from sanxin.core.excel import importer as imp
from sanxin.core.excel.importer import Column, Importer, RowError
from sanxin.core.excel.importers import RegionImporter
from sanxin.core.models import ImportJob, ImportMapping, Region, StoredFile
from tests.core.excel_files import xlsx
from tests.factories import UserFactory
from tests.world import regions

pytestmark = pytest.mark.django_db

BAD_CODE = "区划代码应为12位数字（或2、4、6、9位的简写）"

ROWS = [
    ["区划代码", "名称"],
    ["390103005000", "新港街道"],  # row 2
    ["390103005001", "新港一社区"],  # row 3
    ["39010300500X", "坏代码"],  # row 4: bad code
    ["390103005002", ""],  # row 5: name missing
    ["390103005003", "新港三社区"],  # row 6
]
GOOD = [r for r in ROWS if r[0] not in {"39010300500X", "390103005002"}]


@pytest.fixture(autouse=True)
def base_regions(db):
    return regions()


def upload(actor, data: bytes, name="regions.xlsx", mode="all", importer="regions"):
    return imp.job_create(actor=actor, importer_key=importer, name=name, chunks=iter([data]), mode=mode)


def run(actor, job, mapping=None, mode=None):
    imp.job_confirm(
        actor=actor,
        job=job,
        mapping=mapping if mapping is not None else job.mapping,
        mode=mode,
        enqueue=False,
    )
    return imp.run_job(job.pk)


def report(job) -> list[tuple]:
    f = StoredFile.objects.get(pk=job.error_report_id)
    assert f.purpose == "core.report" and f.original_name.endswith(".xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(f.path.read_bytes()))
    ws = wb.active
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    return list(ws.iter_rows(values_only=True))


def new_regions() -> dict[str, str]:
    return dict(Region.objects.filter(code__startswith="390103005").values_list("code", "name"))


# --- the two modes ---------------------------------------------------------------------------------


def test_all_or_nothing_writes_nothing_and_reports_every_bad_row(office_user):
    job = run(office_user, upload(office_user, xlsx(ROWS)))
    assert job.status == ImportJob.Status.REJECTED
    assert new_regions() == {}
    rows = report(job)
    assert rows[0] == ("行号", "列", "值", "原因")
    assert rows[1:] == [(4, "区划代码", "39010300500X", BAD_CODE), (5, "名称", None, "必填项为空")]
    assert (job.error_count, job.created_count, job.rows_done, job.rows_total) == (2, 0, 5, 5)
    assert "未导入任何数据" in job.message


def test_valid_only_commits_the_good_rows_and_reports_the_rest(office_user):
    job = run(office_user, upload(office_user, xlsx(ROWS), mode="valid"))
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count, job.unchanged_count, job.error_count) == (3, 0, 0, 2)
    assert new_regions() == {
        "390103005000": "新港街道",
        "390103005001": "新港一社区",
        "390103005003": "新港三社区",
    }
    assert [r[:2] for r in report(job)[1:]] == [(4, "区划代码"), (5, "名称")]
    assert "2 行有错误未导入" in job.message


def test_all_or_nothing_reports_every_row_the_database_refuses_and_rolls_back(office_user):
    """Rows valid on their own whose parent region is missing: found only while writing. Every such
    row is reported, and the rows already written in the transaction are rolled back."""
    rows = [
        ["区划代码", "名称"],
        ["390103005000", "新港街道"],
        ["390103777001", "无上级一"],
        ["390103005001", "新港一社区"],
        ["390103888001", "无上级二"],
    ]
    job = run(office_user, upload(office_user, xlsx(rows)))
    assert job.status == ImportJob.Status.REJECTED and job.error_count == 2
    assert [r[0] for r in report(job)[1:]] == [3, 5]
    assert report(job)[1][3] == "上级区划 390103777000 不存在"
    assert new_regions() == {} and job.created_count == 0


def test_never_half_a_row(office_user, monkeypatch):
    """An importer that writes and then fails on a row leaves nothing of that row, in either mode."""
    original = RegionImporter.apply_row

    def apply_row(self, cleaned, actor):
        status = original(self, cleaned, actor)
        if cleaned["name"].startswith("坏"):
            raise RowError("name", "名称不被接受")
        return status

    monkeypatch.setattr(RegionImporter, "apply_row", apply_row)
    rows = [["区划代码", "名称"], ["390103005000", "新港街道"], ["390103005001", "坏社区"]]
    job = run(office_user, upload(office_user, xlsx(rows), mode="valid"))
    assert job.status == ImportJob.Status.DONE and job.created_count == 1 and job.error_count == 1
    assert new_regions() == {"390103005000": "新港街道"}
    assert report(job)[1] == (3, "名称", "坏社区", "名称不被接受")

    rows = [["区划代码", "名称"], ["390103006000", "新湾街道"], ["390103006001", "坏社区"]]
    job = run(office_user, upload(office_user, xlsx(rows), mode="all"))
    assert job.status == ImportJob.Status.REJECTED and job.created_count == 0
    assert not Region.objects.filter(code__startswith="390103006").exists()


def test_a_batch_the_database_refuses_is_applied_again_row_by_row(office_user, monkeypatch):
    """An importer's set-oriented path (apply_rows) whose batch hits an IntegrityError: the batch is
    rolled back, the importer told to forget its caches, and the rows applied one by one, so only the
    row at fault is reported and no row is written twice."""
    from django.db import IntegrityError

    from sanxin.core.regions import region_upsert

    original = RegionImporter.apply_row
    forgotten = []

    def apply_rows(self, rows, actor):
        for r in rows:
            region_upsert(actor=actor, code=r["code"], name=r["name"])
        if any(r["name"].startswith("冲突") for r in rows):
            raise IntegrityError("simulated")
        return ["created"] * len(rows)

    def apply_row(self, cleaned, actor):
        if cleaned["name"].startswith("冲突"):
            raise IntegrityError("simulated")
        return original(self, cleaned, actor)

    monkeypatch.setattr(RegionImporter, "apply_rows", apply_rows)
    monkeypatch.setattr(RegionImporter, "apply_row", apply_row)
    monkeypatch.setattr(RegionImporter, "rolled_back", lambda self: forgotten.append(1))
    rows = [["区划代码", "名称"], ["390103005000", "新港街道"], ["390103005001", "冲突社区"]]
    rows += [["390103005002", "新港二社区"]]
    job = run(office_user, upload(office_user, xlsx(rows), mode="valid"))
    assert job.status == ImportJob.Status.DONE and job.created_count == 2 and job.error_count == 1
    assert new_regions() == {"390103005000": "新港街道", "390103005002": "新港二社区"}
    assert report(job)[1] == (3, None, None, "与已有数据冲突，未能保存") and forgotten

    # the same in all-or-nothing mode: reported, and nothing kept
    rows = [["区划代码", "名称"], ["390103006000", "新湾街道"], ["390103006001", "冲突社区"]]
    job = run(office_user, upload(office_user, xlsx(rows), mode="all"))
    assert job.status == ImportJob.Status.REJECTED and job.created_count == 0
    assert not Region.objects.filter(code__startswith="390103006").exists()


def test_a_system_error_in_valid_only_keeps_committed_batches(office_user, monkeypatch):
    original = RegionImporter.apply_row

    def apply_row(self, cleaned, actor):
        if cleaned["code"] == "390103005250":
            raise RuntimeError("disk on fire")
        return original(self, cleaned, actor)

    monkeypatch.setattr(RegionImporter, "apply_row", apply_row)
    rows = [["区划代码", "名称"], ["390103005000", "新港街道"]]
    rows += [[f"390103005{i:03d}", f"社区{i}"] for i in range(1, 300)]
    job = run(office_user, upload(office_user, xlsx(rows), mode="valid"))
    assert job.status == ImportJob.Status.FAILED and "已提交的行保留" in job.message
    # the first batch (200 rows) committed; the second rolled back whole
    assert job.created_count == 200 == len(new_regions())
    assert job.source_id is None


def test_a_system_error_in_all_or_nothing_writes_nothing(office_user, monkeypatch):
    original = RegionImporter.apply_row

    def apply_row(self, cleaned, actor):
        if cleaned["code"] == "390103005001":
            raise RuntimeError("disk on fire")
        return original(self, cleaned, actor)

    monkeypatch.setattr(RegionImporter, "apply_row", apply_row)
    job = run(office_user, upload(office_user, xlsx(GOOD)))
    assert job.status == ImportJob.Status.FAILED and "未导入任何数据" in job.message
    assert new_regions() == {} and job.created_count == 0


def test_duplicate_natural_keys_in_one_file_are_row_errors(office_user):
    rows = [["区划代码", "名称"], ["390103005000", "新港街道"], ["390103005", "新港街道（重复）"]]
    job = run(office_user, upload(office_user, xlsx(rows), mode="valid"))
    assert job.created_count == 1
    assert report(job)[1] == (3, "区划代码", "390103005", "与第 2 行重复")


# --- idempotency -----------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(office_user):
    data = xlsx(GOOD)  # the same bytes twice (a workbook made again carries a new timestamp)
    first = run(office_user, upload(office_user, data))
    assert (first.status, first.created_count) == (ImportJob.Status.DONE, 3)
    again = upload(office_user, data)
    assert again.context["imported_before"] is True
    again = run(office_user, again)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert again.error_report_id is None and "未变化3条" in again.message
    renamed = [r if r[0] != "390103005001" else [r[0], "新港第一社区"] for r in GOOD]
    third = run(office_user, upload(office_user, xlsx(renamed), mode="valid"))
    assert (third.created_count, third.updated_count, third.unchanged_count) == (0, 1, 2)
    assert new_regions()["390103005001"] == "新港第一社区"


# --- headers and mappings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, expected",
    [
        (["区划代码", "名称"], {"0": "code", "1": "name"}),
        (["行政区划代码", "区划名称"], {"0": "code", "1": "name"}),
        (["＊统计用区划代码", "名称（全称）"], {"0": "code", "1": "name"}),
        ([" 代 码 ", "名称:"], {"0": "code", "1": "name"}),
        (["序号", "地名", "备注", "代码"], {"1": "name", "3": "code"}),
        (["名称", "名称（简称）", "编码"], {"0": "name", "2": "code"}),  # each field once, exact first
    ],
)
def test_chinese_headers_are_recognised(headers, expected):
    assert imp.recognize(RegionImporter(), headers) == expected


def test_a_confirmed_mapping_is_remembered_for_the_same_layout(office_user):
    odd = "编号XX,叫什么,备注\n390103005000,新港街道,\n".encode()
    job = upload(office_user, odd, name="odd.csv")
    assert job.mapping == {} and job.context["remembered"] is False
    with pytest.raises(InvalidInput) as exc:
        imp.job_confirm(actor=office_user, job=job, mapping={"0": "code"}, enqueue=False)
    assert exc.value.message == "以下必填字段没有对应的列：名称"
    with pytest.raises(InvalidInput) as exc:
        imp.job_confirm(actor=office_user, job=job, mapping={"0": "code", "1": "code"}, enqueue=False)
    assert "对应了多列" in exc.value.message
    with pytest.raises(InvalidInput):
        imp.job_confirm(actor=office_user, job=job, mapping={"0": "code", "1": "nope"}, enqueue=False)
    done = run(office_user, job, mapping={"0": "code", "1": "name"})
    assert done.status == ImportJob.Status.DONE
    remembered = ImportMapping.objects.get(importer="regions")
    assert remembered.header_signature == imp.header_signature(["编号XX", "叫什么", "备注"])
    # the same layout, written a little differently, another day and file
    again = upload(
        office_user, "编号xx , 叫什么：,备注\n390103005000,新港街道,\n".encode(), name="另一个.csv"
    )
    assert again.mapping == {"0": "code", "1": "name"} and again.context["remembered"] is True
    # another layout is recognised afresh
    other = upload(office_user, "区划代码,名称\n390103005000,新港街道\n".encode(), name="r.csv")
    assert other.mapping == {"0": "code", "1": "name"} and other.context["remembered"] is False


def test_gb18030_csv_imports_with_chinese_intact(office_user):
    data = "行政区划代码,地名,备注\n390103005000,新港街道,\n390103005001,新港一社区,无\n".encode("gb18030")
    job = upload(office_user, data, name="区划.csv")
    assert job.headers == ["行政区划代码", "地名", "备注"] and job.context["kind"] == "csv"
    job = run(office_user, job)
    assert job.created_count == 2
    assert new_regions() == {"390103005000": "新港街道", "390103005001": "新港一社区"}


# --- sensitive values, the registry ----------------------------------------------------------------


class PeopleImporter(Importer):
    key = "test_people"
    label = "测试人员"
    module, action = "system", "change"
    natural_key = ("resident_id",)
    columns = [
        Column("name", "姓名", required=True),
        Column("resident_id", "公民身份号码", aliases=("身份证号",), required=True, sensitive=True),
    ]
    store: dict = {}

    def validate_row(self, values):
        rid = values["resident_id"].upper()
        if len(rid) != 18:
            raise RowError("resident_id", "公民身份号码应为18位")
        if self.actor is None:
            raise RowError(None, "no actor bound")
        return {"name": values["name"], "resident_id": rid}

    def apply_row(self, cleaned, actor):
        old = self.store.get(cleaned["resident_id"])
        self.store[cleaned["resident_id"]] = cleaned["name"]
        return "created" if old is None else ("unchanged" if old == cleaned["name"] else "updated")


@pytest.fixture
def people():
    imp.register(PeopleImporter)
    PeopleImporter.store = {}
    yield PeopleImporter
    imp._importers.pop(PeopleImporter.key, None)


def test_sensitive_values_are_masked_in_the_error_report(office_user, people):
    rows = [["姓名", "身份证号"], ["张三", "39010319900101123"], ["李四", "390103199001011234"]]
    job = run(office_user, upload(office_user, xlsx(rows), importer=people.key, mode="valid"))
    assert job.created_count == 1
    assert report(job)[1] == (2, "公民身份号码", "390************23", "公民身份号码应为18位")
    assert "39010319900101123" not in str(report(job))


def test_registry(office_user, user, people):
    assert {i.key for i in imp.available(office_user)} >= {"regions", people.key}
    assert imp.available(user) == []
    with pytest.raises(PermissionDenied):
        upload(user, xlsx(GOOD))
    with pytest.raises(InvalidInput):
        imp.get("nope")
    with pytest.raises(ValueError):
        imp.register(type("Bad", (Importer,), {"key": "bad", "label": "坏", "columns": []}))


# --- job lifecycle ---------------------------------------------------------------------------------


def test_the_upload_is_deleted_when_the_job_ends_and_reports_expire(office_user):
    for rows, status in [(GOOD, ImportJob.Status.DONE), (ROWS, ImportJob.Status.REJECTED)]:
        job = upload(office_user, xlsx(rows))
        path = job.source.path
        assert path.exists() and job.source.expires_at < timezone.now() + dt.timedelta(days=2)
        job = run(office_user, job)
        assert job.status == status and not path.exists() and job.source_id is None
    report_file = StoredFile.objects.get(pk=job.error_report_id)
    assert report_file.expires_at > timezone.now() + dt.timedelta(days=29)
    assert not StoredFile.objects.filter(purpose="core.import").exists()


def test_cancel_deletes_the_upload(office_user):
    job = upload(office_user, xlsx(GOOD))
    path = job.source.path
    job = imp.job_cancel(actor=office_user, job=job)
    assert job.status == ImportJob.Status.FAILED and job.message.startswith("已取消")
    assert not path.exists() and job.source_id is None
    with pytest.raises(ServiceError):
        imp.job_cancel(actor=office_user, job=job)


def test_a_job_runs_once_and_only_when_confirmed(office_user):
    job = upload(office_user, xlsx(GOOD))
    assert imp.run_job(job.pk).status == ImportJob.Status.MAPPING  # not confirmed: left alone
    job = run(office_user, job)
    assert job.created_count == 3
    again = imp.run_job(job.pk)
    assert (again.status, again.created_count, again.unchanged_count) == (ImportJob.Status.DONE, 3, 0)
    with pytest.raises(ServiceError):
        imp.job_confirm(actor=office_user, job=job, mapping=job.mapping, enqueue=False)


def test_a_job_whose_owner_lost_the_permission_fails(office_user):
    job = upload(office_user, xlsx(GOOD))
    imp.job_confirm(actor=office_user, job=job, mapping=job.mapping, enqueue=False)
    office_user.is_active = False
    office_user.save()
    job = imp.run_job(job.pk)
    assert job.status == ImportJob.Status.FAILED and "权限" in job.message
    assert new_regions() == {} and job.source_id is None


def test_progress_is_saved_in_batches(office_user):
    rows = [["区划代码", "名称"], ["390103005000", "新港街道"]]
    rows += [[f"390103005{i:03d}", f"社区{i}"] for i in range(1, 450)]
    job = upload(office_user, xlsx(rows), mode="valid")
    assert job.rows_total == 450
    seen = []

    def listener(j):
        stored = ImportJob.objects.get(pk=j.pk)
        seen.append((j.context.get("phase"), j.rows_done, stored.rows_done, stored.created_count))

    imp.job_confirm(actor=office_user, job=job, mapping=job.mapping, enqueue=False)
    with imp.listen(listener):
        job = imp.run_job(job.pk)
    batches = [s for s in seen if s[0] == "write" and s[1]]
    # each batch end is saved with the rows committed so far
    assert batches == [("write", 200, 200, 200), ("write", 400, 400, 400), ("write", 450, 450, 450)]
    assert (job.rows_done, job.percent, job.created_count) == (450, 100, 450)
    assert "phase" not in job.context


def test_all_or_nothing_progress_validates_then_writes(office_user):
    rows = [["区划代码", "名称"], ["390103005000", "新港街道"]]
    rows += [[f"390103005{i:03d}", f"社区{i}"] for i in range(1, 250)]
    job = upload(office_user, xlsx(rows))
    seen = []
    imp.job_confirm(actor=office_user, job=job, mapping=job.mapping, enqueue=False)
    with imp.listen(lambda j: seen.append((j.context.get("phase"), j.rows_done))):
        job = imp.run_job(job.pk)
    assert ("validate", 200) in seen and ("validate", 250) in seen and ("write", 200) in seen
    assert job.status == ImportJob.Status.DONE and job.created_count == 250


def test_a_run_collects_garbage_less_often_and_restores_the_collector_after(office_user, monkeypatch):
    import gc

    before = (gc.get_threshold(), gc.get_freeze_count())
    during = []
    original = RegionImporter.apply_row

    def apply_row(self, cleaned, actor):
        during.append((gc.get_threshold()[0], gc.get_freeze_count() > 0))
        if cleaned["code"] == "390103005002":
            raise RuntimeError("disk on fire")  # a failing run restores the collector too
        return original(self, cleaned, actor)

    monkeypatch.setattr(RegionImporter, "apply_row", apply_row)
    rows = [
        ["区划代码", "名称"],
        ["390103005000", "新港街道"],
        ["390103005001", "一"],
        ["390103005002", "二"],
    ]
    job = run(office_user, upload(office_user, xlsx(rows)))
    assert job.status == ImportJob.Status.FAILED
    assert during and all(d == (imp.RUN_GC_THRESHOLD, True) for d in during)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_other_users_jobs_are_not_found(office_user):
    other = UserFactory()
    grant_create(
        actor=None, user=other, role="org_department", region=Region.objects.get(code="390100000000")
    )
    job = upload(office_user, xlsx(GOOD))
    assert imp.job_for(office_user, job.pk) == job
    with pytest.raises(NotFound):
        imp.job_for(other, job.pk)
    assert list(imp.jobs_for(other)) == []
