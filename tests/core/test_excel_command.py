"""``sanxin import`` / ``sanxin import_file`` on the terminal: the same checks and modes as the page,
with a progress line, --map for headers it does not recognise, and the error workbook saved on
request."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sanxin.core.models import ImportJob, Region, StoredFile
from tests.core.excel_files import xlsx
from tests.world import regions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def base_regions(db):
    return regions()


def sanxin(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_prints_a_progress_line(office_user, tmp_path):
    path = tmp_path / "区划.xlsx"
    rows = [["区划代码", "名称"]] + [[f"390103005{i:03d}", f"社区{i}"] for i in range(250)]
    path.write_bytes(xlsx(rows))
    out = sanxin("import", "regions", str(path), "--user", office_user.username, "--mode", "valid")
    assert "250 行数据；列对应：区划代码 → 区划代码，名称 → 名称" in out
    assert "\r[" in out and " 200/250 行" in out and "100% 250/250 行" in out
    assert "导入完成：新增250条" in out
    assert Region.objects.filter(code__startswith="390103005").count() == 250
    again = sanxin("import_file", "regions", str(path), "--user", office_user.username)
    assert "未变化250条" in again
    assert not StoredFile.objects.filter(purpose="core.import").exists()


def test_unrecognised_headers_need_map(office_user, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_bytes("编号,叫什么\n390103005000,新港街道\n".encode("gb18030"))
    with pytest.raises(CommandError) as exc:
        sanxin("import", "regions", str(path), "--user", office_user.username)
    assert "以下必填字段没有对应的列：区划代码、名称" in str(exc.value) and "--map" in str(exc.value)
    assert ImportJob.objects.get().status == ImportJob.Status.FAILED  # cancelled, upload deleted
    assert not StoredFile.objects.filter(purpose="core.import").exists()
    out = sanxin(
        "import",
        "regions",
        str(path),
        "--user",
        office_user.username,
        "--map",
        "编号=code",
        "--map",
        "2=name",
    )
    assert "编号 → 区划代码，叫什么 → 名称" in out and "新增1条" in out


def test_rejected_import_saves_the_error_workbook(office_user, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx([["区划代码", "名称"], ["390103005000", "新港街道"], ["bad", "坏"]]))
    report = tmp_path / "错误报告.xlsx"
    with pytest.raises(CommandError) as exc:
        sanxin("import", "regions", str(path), "--user", office_user.username, "--errors", str(report))
    assert str(exc.value) == "有错误未导入"
    ws = openpyxl.load_workbook(report).active
    assert ws["A2"].value == 3 and ws["B2"].value == "区划代码"
    assert not Region.objects.filter(code="390103005000").exists()


def test_refusals(office_user, user, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("区划代码,名称\n390103005000,新港街道\n".encode())
    with pytest.raises(CommandError, match="文件不存在"):
        sanxin("import", "regions", str(tmp_path / "none.csv"), "--user", office_user.username)
    with pytest.raises(CommandError, match="未知的导入类型：nope（可用：regions"):
        sanxin("import", "nope", str(path), "--user", office_user.username)
    with pytest.raises(CommandError, match="用户不存在"):
        sanxin("import", "regions", str(path), "--user", "nobody")
    with pytest.raises(CommandError, match="没有执行此操作的权限"):
        sanxin("import", "regions", str(path), "--user", user.username)
    bomb = tmp_path / "x.xlsx"
    bomb.write_bytes(b"PK\x03\x04" + bytes(1000))
    with pytest.raises(CommandError, match="已损坏"):
        sanxin("import", "regions", str(bomb), "--user", office_user.username)
