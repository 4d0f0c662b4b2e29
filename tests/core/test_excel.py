"""The import/export framework: checks, the memory-limited reader, mapping, both modes, error
workbooks, idempotent re-import, pages, the terminal command, ledger export."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.test import override_settings

from sanxin.core.errors import InvalidInput
from sanxin.core.excel import importer as imp
from sanxin.core.models import ImportJob, ImportMapping, Region, StoredFile
from tests.core.excel_files import bomb, fake_xlsx, rss_bytes, xlsx
from tests.world import regions

pytestmark = pytest.mark.django_db


@pytest.fixture
def base_regions():
    return regions()


def upload(actor, data: bytes, name="regions.xlsx", mode="all"):
    return imp.job_create(actor=actor, importer_key="regions", name=name, chunks=iter([data]), mode=mode)


def run(actor, job, mapping=None, mode=None):
    imp.job_confirm(
        actor=actor,
        job=job,
        mapping=mapping if mapping is not None else job.mapping,
        mode=mode,
        enqueue=False,
    )
    return imp.run_job(job.pk)


ROWS = [
    ["区划代码", "名称"],
    ["390103005000", "新港街道"],
    ["390103005001", "新港一社区"],
    ["39010300500X", "坏代码"],
    ["390103005002", ""],
    ["390103005003", "新港三社区"],
]


def report_rows(job) -> list[tuple]:
    with open(StoredFile.objects.get(pk=job.error_report_id).path, "rb") as fh:  # stored without an extension
        wb = openpyxl.load_workbook(io.BytesIO(fh.read()))
    ws = wb.active
    assert ws.freeze_panes == "A2"
    return list(ws.iter_rows(values_only=True))


def test_all_or_nothing_rejects_the_file_and_reports_every_bad_row(office_user, base_regions):
    job = run(office_user, upload(office_user, xlsx(ROWS)))
    assert job.status == ImportJob.Status.REJECTED
    assert not Region.objects.filter(code__startswith="390103005").exists()
    rows = report_rows(job)
    assert rows[0] == ("行号", "列", "值", "原因")
    assert (4, "区划代码", "39010300500X", "区划代码应为12位数字（或2、4、6、9位的简写）") in rows
    assert (5, "名称", None, "必填项为空") in rows
    assert job.error_count == 2


def test_valid_only_commits_good_rows_and_reports_the_rest(office_user, base_regions):
    job = run(office_user, upload(office_user, xlsx(ROWS), mode="valid"))
    assert job.status == ImportJob.Status.DONE and job.created_count == 3 and job.error_count == 2
    assert set(Region.objects.filter(code__startswith="390103005").values_list("name", flat=True)) == {
        "新港街道",
        "新港一社区",
        "新港三社区",
    }
    assert [r[0] for r in report_rows(job)[1:]] == [4, 5]


def test_reimport_is_idempotent_and_flagged(office_user, base_regions):
    good = xlsx([r for r in ROWS if r[0] not in {"39010300500X", "390103005002"}])
    first = run(office_user, upload(office_user, good))
    assert first.created_count == 3
    again = upload(office_user, good)
    assert again.context["imported_before"] is True
    again = run(office_user, again)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)


def test_chinese_header_aliases_gb18030_csv_and_remembered_mapping(office_user, base_regions):
    csv = "行政区划代码,地名,备注\n390103005000,新港街道,无\n".encode("gb18030")
    job = upload(office_user, csv, name="区划.csv")
    assert job.headers == ["行政区划代码", "地名", "备注"]
    assert job.mapping == {"0": "code", "1": "name"}
    odd = "编号XX,叫什么\n390103005000,新港街道\n".encode()
    job = upload(office_user, odd, name="odd.csv")
    assert job.mapping == {}
    with pytest.raises(InvalidInput) as exc:
        imp.job_confirm(actor=office_user, job=job, mapping={"0": "code"}, enqueue=False)
    assert "名称" in exc.value.message
    done = run(office_user, job, mapping={"0": "code", "1": "name"})
    assert done.status == ImportJob.Status.DONE
    assert ImportMapping.objects.count() == 1
    again = upload(office_user, odd, name="odd-again.csv")
    assert again.mapping == {"0": "code", "1": "name"}


def test_upload_is_deleted_once_read(office_user, base_regions):
    job = upload(office_user, xlsx(ROWS[:2]))
    path = job.source.path
    assert path.exists()
    run(office_user, job)
    assert not path.exists()
    job.refresh_from_db()
    assert job.source_id is None


def test_wrong_type_and_empty_files_are_refused_in_chinese(office_user):
    with pytest.raises(InvalidInput) as exc:
        upload(office_user, b"\x89PNG\r\n\x1a\n" + b"0" * 100, name="x.xlsx")
    assert "Excel/CSV" in exc.value.message
    with pytest.raises(InvalidInput):
        upload(office_user, b"", name="x.csv")


def test_crafted_50mb_xlsx_is_refused_without_memory_growth(office_user, tmp_path):
    path = tmp_path / "big.xlsx"
    fake_xlsx(path, 50 * 1024 * 1024)
    before = rss_bytes()
    with open(path, "rb") as fh, pytest.raises(InvalidInput) as exc:
        imp.job_create(
            actor=office_user,
            importer_key="regions",
            name="big.xlsx",
            chunks=iter(lambda: fh.read(1 << 20), b""),
        )
    assert exc.value.code == "too_large" and "最大" in exc.value.message
    assert rss_bytes() - before < 30 * 1024 * 1024
    assert not any(p for p in StoredFile.objects.all())


def test_zip_bomb_is_refused_by_its_shape(office_user, tmp_path):
    path = tmp_path / "bomb.xlsx"
    bomb(path, 60)  # ~145 MB of XML in well under 1 MB
    assert path.stat().st_size < 2 * 1024 * 1024
    before = rss_bytes()
    with pytest.raises(InvalidInput) as exc:
        upload(office_user, path.read_bytes(), name="bomb.xlsx")
    assert exc.value.code == "zip_bomb"
    assert rss_bytes() - before < 30 * 1024 * 1024


@override_settings(IMPORT_MAX_UNCOMPRESSED_BYTES=10**12, IMPORT_MEMORY_LIMIT_BYTES=150 * 1024 * 1024)
def test_a_bomb_past_the_checks_dies_in_the_child_not_the_server(office_user, tmp_path, monkeypatch):
    from sanxin.core.excel import checks

    monkeypatch.setattr(checks, "MAX_RATIO", 10**9)
    path = tmp_path / "bomb.xlsx"
    bomb(path, 60)
    before = rss_bytes()
    with pytest.raises(InvalidInput) as exc:
        upload(office_user, path.read_bytes(), name="bomb.xlsx")
    assert exc.value.code == "memory_limit" and "内存" in exc.value.message
    assert rss_bytes() - before < 30 * 1024 * 1024


def test_pages_upload_map_confirm_and_progress(client, office_user, user, base_regions):
    client.force_login(user)
    assert client.get("/imports/").status_code == 403
    client.force_login(office_user)
    assert "行政区划" in client.get("/imports/").content.decode()
    r = client.post("/imports/", {"importer": "regions", "mode": "valid"})
    assert r.status_code == 400 and "请选择要导入的文件" in r.content.decode()
    f = io.BytesIO("编号,名字\n390103005000,新港街道\n".encode())
    f.name = "layout.csv"
    r = client.post("/imports/", {"importer": "regions", "mode": "valid", "file": f})
    assert r.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(r["Location"]).content.decode()
    assert "确认列的对应关系" in page and "编号" in page
    r = client.post(r["Location"], {"col0": "code", "col1": "", "mode": "valid"})
    assert r.status_code == 400 and "以下必填字段没有对应的列：名称" in r.content.decode()
    r = client.post(f"/imports/{job.pk}/", {"col0": "code", "col1": "name", "mode": "valid"})
    assert r.status_code == 302  # huey runs immediately in tests, after commit
    job.refresh_from_db()
    progress = client.get(f"/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    if job.status == ImportJob.Status.QUEUED:  # on-commit hooks do not run inside the test transaction
        imp.run_job(job.pk)
        progress = client.get(f"/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert "导入完成：新增1条" in progress and "every 1s" not in progress
    assert Region.objects.filter(code="390103005000", name="新港街道").exists()


def test_progress_partial_polls_until_finished(client, office_user, base_regions):
    client.force_login(office_user)
    job = upload(office_user, xlsx(ROWS[:2]))
    imp.job_confirm(actor=office_user, job=job, mapping=job.mapping, enqueue=False)
    html = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in html and "<progress" in html


def test_terminal_command_prints_progress(office_user, base_regions, tmp_path, capsys):
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx(ROWS[:3]))
    call_command("import_file", "regions", str(path), "--user", office_user.username)
    out = capsys.readouterr().out
    assert "100%" in out and "新增2条" in out


def test_audit_export_is_a_styled_ledger(client, office_user, base_regions):
    from sanxin.core import audit

    audit.record(
        actor=office_user, action="create", object_type="core.region", object_id="1", object_repr="新河市"
    )
    client.force_login(office_user)
    r = client.get("/audit/", {"export": "xlsx"})
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    ws = wb.active
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:3] == ["时间", "操作人", "操作"] and ws[1][0].font.bold
    assert any(row[5] == "新河市" for row in ws.iter_rows(min_row=2, values_only=True))
