"""The import pages through the Django test client: upload → mapping → confirm → the huey task →
progress and results → the error workbook; Chinese form errors; office admins only; one's own jobs."""

from __future__ import annotations

import io

import openpyxl
import pytest

from sanxin.accounts.services import grant_create
from sanxin.core.excel import importer as imp
from sanxin.core.models import ImportJob, Region
from tests.core.excel_files import xlsx
from tests.factories import UserFactory
from tests.world import regions


def _file(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def _assert_csp_clean(html: str) -> None:
    assert "<script>" not in html and ' style="' not in html and "hx-on" not in html


@pytest.mark.django_db(transaction=True)
def test_upload_map_confirm_run_and_results(client, office_user):
    """The whole flow with real commits, so confirming queues the huey task after commit (immediate mode
    in tests) exactly as in production."""
    regions()
    client.force_login(office_user)
    page = client.get("/imports/").content.decode()
    assert "数据导入" in page and '<option value="regions">行政区划</option>' in page
    _assert_csp_clean(page)

    csv = "编号,名字,备注\n390103005000,新港街道,\n390103005001,新港一社区,\n39010300500X,坏,\n".encode(
        "gb18030"
    )
    r = client.post("/imports/", {"importer": "regions", "mode": "valid", "file": _file(csv, "区划.csv")})
    assert r.status_code == 302
    job = ImportJob.objects.get()
    assert r["Location"] == f"/imports/{job.pk}/"

    page = client.get(r["Location"]).content.decode()
    assert "确认列的对应关系（共 3 行数据）" in page and "编号" in page and "名字" in page
    assert '<option value="code" selected>' not in page  # "编号" is not a known alias
    _assert_csp_clean(page)

    r = client.post(r["Location"], {"col0": "code", "col1": "", "col2": "", "mode": "valid"})
    assert r.status_code == 400 and "以下必填字段没有对应的列：名称" in r.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.MAPPING

    r = client.post(f"/imports/{job.pk}/", {"col0": "code", "col1": "name", "col2": "", "mode": "valid"})
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message  # the task ran on commit
    assert (job.created_count, job.error_count) == (2, 1)
    assert Region.objects.filter(code="390103005001", name="新港一社区").exists()

    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "导入完成：新增2条" in page and "下载错误报告" in page and "every 1s" not in page
    progress = client.get(f"/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in progress and "hx-get" not in progress

    r = client.get(f"/imports/{job.pk}/errors/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    assert list(ws.iter_rows(values_only=True))[1][:3] == (4, "区划代码", "39010300500X")

    listing = client.get("/imports/").content.decode()
    assert "区划.csv" in listing and "行政区划" in listing and "已完成" in listing

    # the same layout again: the mapping is remembered and prefilled
    r = client.post("/imports/", {"importer": "regions", "mode": "all", "file": _file(csv, "again.csv")})
    page = client.get(r["Location"]).content.decode()
    assert "已按上次确认的对应关系填好" in page and '<option value="code" selected>' in page


@pytest.mark.django_db
def test_all_or_nothing_through_the_pages_offers_the_error_workbook(client, office_user):
    regions()
    client.force_login(office_user)
    data = xlsx([["区划代码", "名称"], ["390103005000", "新港街道"], ["bad", "坏"]])
    r = client.post("/imports/", {"importer": "regions", "mode": "all", "file": _file(data, "r.xlsx")})
    job = ImportJob.objects.get()
    page = client.get(r["Location"]).content.decode()
    assert '<option value="code" selected>' in page and '<option value="name" selected>' in page
    client.post(r["Location"], {"col0": "code", "col1": "name", "mode": "all"})
    job.refresh_from_db()
    if job.status == ImportJob.Status.QUEUED:  # on-commit hooks wait for a commit this test never makes
        imp.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.REJECTED
    assert not Region.objects.filter(code="390103005000").exists()
    progress = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert "未导入任何数据" in progress and f"/imports/{job.pk}/errors/" in progress
    ws = openpyxl.load_workbook(
        io.BytesIO(b"".join(client.get(f"/imports/{job.pk}/errors/").streaming_content))
    ).active
    assert [c.value for c in ws[1]] == ["行号", "列", "值", "原因"]
    assert ws["A2"].value == 3 and ws["B2"].value == "区划代码"


@pytest.mark.django_db
def test_the_progress_partial_polls_until_the_job_ends(client, office_user):
    regions()
    client.force_login(office_user)
    job = imp.job_create(
        actor=office_user,
        importer_key="regions",
        name="r.xlsx",
        chunks=[xlsx([["区划代码", "名称"], ["390103005000", "新港街道"]])],
    )
    imp.job_confirm(actor=office_user, job=job, mapping=job.mapping, enqueue=False)
    html = client.get(f"/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true").content.decode()
    assert f'hx-get="/imports/{job.pk}/progress/"' in html and 'hx-trigger="every 1s"' in html
    assert 'hx-swap="outerHTML"' in html and "<progress" in html and "等待后台任务开始" in html
    _assert_csp_clean(html)
    running = ImportJob.objects.filter(pk=job.pk)
    running.update(
        status=ImportJob.Status.RUNNING, rows_total=400, rows_done=200, context={"phase": "validate"}
    )
    html = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert 'value="50"' in html and "正在校验：200 / 400 行" in html and "every 1s" in html
    running.update(mode=ImportJob.Mode.VALID_ONLY, context={"phase": "write"})
    html = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert 'value="50"' in html and "正在导入：200 / 400 行" in html
    # all-or-nothing writes in one transaction whose progress nobody else can see: an indeterminate bar
    running.update(mode=ImportJob.Mode.ALL_OR_NOTHING)
    html = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert '<progress aria-label="导入进度">' in html and "正在写入数据库" in html
    imp.run_job(job.pk)  # RUNNING is not taken again
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE, message="导入完成")
    html = client.get(f"/imports/{job.pk}/progress/").content.decode()
    assert "every 1s" not in html and "导入完成" in html


@pytest.mark.django_db
def test_upload_errors_are_shown_in_chinese(client, office_user, settings):
    client.force_login(office_user)
    r = client.post("/imports/", {"importer": "regions", "mode": "all"})
    assert r.status_code == 400 and "请选择要导入的文件" in r.content.decode()
    r = client.post("/imports/", {"importer": "x", "mode": "all", "file": _file(b"a,b\n1,2\n", "a.csv")})
    assert r.status_code == 400 and "请选择导入内容" in r.content.decode()
    r = client.post(
        "/imports/",
        {"importer": "regions", "mode": "all", "file": _file(b"\x89PNG\r\n\x1a\n" + bytes(64), "a.xlsx")},
    )
    assert r.status_code == 400 and "此处只接受：Excel/CSV 表格" in r.content.decode()
    settings.IMPORT_MAX_BYTES = 1024
    r = client.post(
        "/imports/", {"importer": "regions", "mode": "all", "file": _file(b"a,b\n" * 1000, "a.csv")}
    )
    assert r.status_code == 400 and "导入文件最大 1 KB" in r.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_cancel_from_the_mapping_page(client, office_user):
    regions()
    client.force_login(office_user)
    r = client.post(
        "/imports/", {"importer": "regions", "mode": "all", "file": _file(b"a,b\n1,2\n", "a.csv")}
    )
    job = ImportJob.objects.get()
    path = job.source.path
    r = client.post(r["Location"], {"cancel": "1"})
    assert r.status_code == 302 and r["Location"] == "/imports/"
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and not path.exists()
    assert "已取消导入" in client.get("/imports/").content.decode()


@pytest.mark.django_db
def test_office_admins_only_and_only_their_own_jobs(client, office_user, user):
    regions()
    job = imp.job_create(actor=office_user, importer_key="regions", name="r.csv", chunks=[b"a,b\n1,2\n"])
    urls = ["/imports/", f"/imports/{job.pk}/", f"/imports/{job.pk}/progress/", f"/imports/{job.pk}/errors/"]
    for url in urls:
        r = client.get(url)
        assert r.status_code == 302 and "/login" in r["Location"], url
    client.force_login(user)
    # The upload page is for offices; a job's own pages answer only its owner (others: 404).
    assert client.get(urls[0]).status_code == 403
    for url in urls[1:]:
        assert client.get(url).status_code == 404, url
    assert client.post("/imports/", {"importer": "regions"}).status_code == 403
    assert client.post(f"/imports/{job.pk}/", {"col0": "code"}).status_code == 404

    colleague = UserFactory()
    grant_create(
        actor=None, user=colleague, role="org_department", region=Region.objects.get(code="390100000000")
    )
    client.force_login(colleague)
    assert client.get("/imports/").status_code == 200
    assert "r.csv" not in client.get("/imports/").content.decode()
    for url in urls[1:]:
        assert client.get(url).status_code == 404, url
