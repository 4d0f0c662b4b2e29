"""Hostile and odd spreadsheets: size and type checks, zip bombs judged by their directory, the
memory-limited child process, and what the reader makes of real-world layouts (title rows, blank rows,
GB18030 CSV). Memory is measured as the test process's *peak* RSS during the call (VmHWM, reset first),
so a spike that is freed again still counts."""

from __future__ import annotations

import contextlib
import io
import os
import re
import resource
import struct
import zipfile
import zlib

import openpyxl
import pytest

from sanxin.core.errors import InvalidInput
from sanxin.core.excel import checks, reader
from sanxin.core.excel import importer as imp
from sanxin.core.models import ImportJob, StoredFile
from tests.core.excel_files import _CT, _RELS, _WB, _WB_RELS, xlsx

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
GROWTH_LIMIT = 50 * MB


# --- memory measurement ----------------------------------------------------------------------------


def _status(key: str) -> int:
    with open("/proc/self/status") as fh:
        return int(re.search(rf"^{key}:\s+(\d+) kB", fh.read(), re.M).group(1)) * 1024


@contextlib.contextmanager
def peak_growth():
    """Yields a dict whose "bytes" is, afterwards, how far the process's peak RSS rose above its RSS
    at the start."""
    out = {}
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # reset VmHWM to the current RSS
        reset = True
    except OSError:
        reset = False
    before = _status("VmRSS")
    before_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    try:
        yield out
    finally:
        if reset:
            out["bytes"] = _status("VmHWM") - before
        else:  # the lifetime peak only shows growth beyond earlier peaks: weaker, still meaningful
            out["bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before_peak


# --- zip files built by hand, so that a bomb needs no gigabytes of disk or time ---------------------


def _deflate(data: bytes, *, final: bool = False) -> bytes:
    """A raw deflate segment. After a full flush nothing refers back across it, so segments (even
    copies of one segment) concatenate into a valid stream; the last one is final."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _entry(name: str, data: bytes, *, flags: int = 0) -> dict:
    return {
        "name": name,
        "comp": _deflate(data, final=True),
        "crc": zlib.crc32(data),
        "size": len(data),
        "flags": flags,
    }


def _write_zip(path, entries: list[dict]) -> None:
    with open(path, "wb") as out:
        central = b""
        offset = 0
        for e in entries:
            name = e["name"].encode()
            declared = e.get("declared", e["size"])
            local = struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                e["flags"],
                8,
                0,
                0x21,
                e["crc"],
                len(e["comp"]),
                declared,
                len(name),
                0,
            )
            out.write(local + name)
            out.write(e["comp"])
            central += (
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    20,
                    20,
                    e["flags"],
                    8,
                    0,
                    0x21,
                    e["crc"],
                    len(e["comp"]),
                    declared,
                    len(name),
                    0,
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
                + name
            )
            offset += len(local) + len(name) + len(e["comp"])
        out.write(central)
        out.write(
            struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), offset, 0)
        )


def _workbook_parts() -> list[dict]:
    return [
        _entry("[Content_Types].xml", _CT.encode()),
        _entry("_rels/.rels", _RELS.encode()),
        _entry("xl/workbook.xml", _WB.encode()),
        _entry("xl/_rels/workbook.xml.rels", _WB_RELS.encode()),
    ]


_PREFIX = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SUFFIX = b"</sheetData></worksheet>"


def _bomb_sheet(megabytes: int) -> dict:
    """sheet1.xml of about ``megabytes`` MB — rows of one 32,000-character cell — in ~1/900 of that."""
    row = b'<row><c t="inlineStr"><is><t>' + b"A" * 32000 + b"</t></is></c></row>"
    chunk = row * (MB // len(row))
    block = _deflate(chunk)
    crc = zlib.crc32(_PREFIX)
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(_SUFFIX, crc)
    return {
        "name": "xl/worksheets/sheet1.xml",
        "comp": _deflate(_PREFIX) + block * megabytes + _deflate(_SUFFIX, final=True),
        "crc": crc,
        "size": len(_PREFIX) + len(chunk) * megabytes + len(_SUFFIX),
        "flags": 0,
    }


@pytest.fixture(scope="module")
def gigabyte_bomb(tmp_path_factory):
    """An xlsx of ~2.7 MB whose sheet XML is ~2.4 GB, honest about it in its zip directory."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    sheet = _bomb_sheet(2400)
    _write_zip(path, [*_workbook_parts(), sheet])
    return path, sheet["size"]


def _upload_path(actor, path, name=None, mode="all"):
    with open(path, "rb") as fh:
        return imp.job_create(
            actor=actor,
            importer_key="regions",
            name=name or path.name,
            chunks=iter(lambda: fh.read(1 << 20), b""),
            mode=mode,
        )


def _upload(actor, data: bytes, name: str):
    return imp.job_create(actor=actor, importer_key="regions", name=name, chunks=iter([data]))


# --- size and type ---------------------------------------------------------------------------------


def test_a_crafted_50mb_xlsx_is_stopped_at_the_size_limit_without_memory_growth(office_user, tmp_path):
    path = tmp_path / "名册.xlsx"
    with open(path, "wb") as fh:  # a zip signature, then 50 MB of noise
        fh.write(b"PK\x03\x04")
        for _ in range(50):
            fh.write(os.urandom(MB))
    with peak_growth() as growth, pytest.raises(InvalidInput) as exc:
        _upload_path(office_user, path)
    assert exc.value.code == "too_large"
    assert "导入文件最大 20 MB" in exc.value.message
    assert growth["bytes"] < GROWTH_LIMIT, growth
    assert not StoredFile.objects.exists() and not ImportJob.objects.exists()
    assert not any(p.is_file() for p in (tmp_path / "uploads").rglob("*"))  # the partial file is gone


def test_random_bytes_named_xlsx_are_refused_by_content(office_user):
    with pytest.raises(InvalidInput) as exc:
        _upload(office_user, bytes(range(256)) * 4000, "名册.xlsx")
    assert exc.value.code == "bad_type"
    with pytest.raises(InvalidInput) as exc:  # a zip signature but not a zip
        _upload(office_user, b"PK\x03\x04" + bytes(range(256)) * 4000, "名册.xlsx")
    assert exc.value.code == "corrupt" and "已损坏" in exc.value.message
    assert not StoredFile.objects.exists()


def test_a_word_file_or_plain_zip_is_not_a_spreadsheet(office_user, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(InvalidInput) as exc:
        _upload(office_user, buf.getvalue(), "名册.zip")
    assert exc.value.code == "bad_type"
    with pytest.raises(InvalidInput) as exc:  # an xlsx name on a zip that is no workbook
        _upload(office_user, buf.getvalue(), "名册.xlsx")
    assert exc.value.code == "corrupt" and "不是有效的 Excel 工作簿" in exc.value.message


def test_a_password_protected_xlsx_gets_its_own_message(office_user):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)
    with pytest.raises(InvalidInput) as exc:
        _upload(office_user, ole, "名册.xlsx")
    assert exc.value.code == "encrypted" and "取消密码" in exc.value.message


def test_empty_file_is_refused(office_user):
    with pytest.raises(InvalidInput) as exc:
        _upload(office_user, b"", "a.csv")
    assert "为空" in exc.value.message


# --- zip bombs -------------------------------------------------------------------------------------


def test_a_gigabyte_zip_bomb_is_refused_by_its_directory_without_memory_growth(office_user, gigabyte_bomb):
    path, expanded = gigabyte_bomb
    assert path.stat().st_size < 4 * MB and expanded > 2 * 1024 * MB
    with peak_growth() as growth, pytest.raises(InvalidInput) as exc:
        _upload_path(office_user, path)
    assert exc.value.code == "zip_bomb" and "压缩比异常" in exc.value.message
    assert growth["bytes"] < GROWTH_LIMIT, growth
    assert not StoredFile.objects.exists()


def test_total_uncompressed_size_is_capped(tmp_path, settings):
    settings.IMPORT_MAX_COMPRESSION_RATIO = 10**6
    path = tmp_path / "big.xlsx"
    _write_zip(path, [*_workbook_parts(), _bomb_sheet(210)])
    with pytest.raises(InvalidInput) as exc:
        checks.check_file(path, "big.xlsx")
    assert exc.value.code == "zip_bomb" and "解压后超过 200 MB" in exc.value.message


def test_too_many_entries_nested_archives_and_encrypted_entries_are_refused(tmp_path):
    many = tmp_path / "many.xlsx"
    _write_zip(many, [*_workbook_parts(), *(_entry(f"xl/media/{i}.xml", b"x") for i in range(2001))])
    nested = tmp_path / "nested.xlsx"
    _write_zip(nested, [*_workbook_parts(), _entry("xl/embeddings/inner.zip", b"PK")])
    locked = tmp_path / "locked.xlsx"
    _write_zip(locked, [*_workbook_parts(), _entry("xl/worksheets/sheet1.xml", b"<x/>", flags=1)])
    for path, code, text in [
        (many, "zip_bomb", "过多内部文件"),
        (nested, "zip_bomb", "嵌套了压缩文件"),
        (locked, "encrypted", "取消密码"),
    ]:
        with pytest.raises(InvalidInput) as exc:
            checks.check_file(path, path.name)
        assert exc.value.code == code and text in exc.value.message, path


def test_a_bomb_past_the_checks_dies_in_the_child_not_in_the_server(office_user, gigabyte_bomb, settings):
    """The directory checks switched off: the child process reaches its address-space limit, and the
    parent reports it in Chinese."""
    settings.IMPORT_MAX_COMPRESSION_RATIO = 10**6
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 10**12
    settings.IMPORT_MEMORY_LIMIT_BYTES = 256 * MB
    path, _ = gigabyte_bomb
    with peak_growth() as growth, pytest.raises(InvalidInput) as exc:
        _upload_path(office_user, path)
    assert exc.value.code == "memory_limit"
    assert exc.value.message == "文件解析所需内存超出限制（文件可能被构造过或过大），已拒绝"
    assert growth["bytes"] < GROWTH_LIMIT, growth
    assert not StoredFile.objects.exists()


def test_a_zip_that_lies_about_its_size_is_refused_by_the_child(office_user, tmp_path):
    """Declared small, so the directory checks pass; the parser in the child stops at the declared size
    and finds the XML broken."""
    sheet = _bomb_sheet(2000)
    sheet["declared"] = 900_000
    path = tmp_path / "lying.xlsx"
    _write_zip(path, [*_workbook_parts(), sheet])
    checks.check_file(path, "lying.xlsx")  # passes
    with peak_growth() as growth, pytest.raises(InvalidInput) as exc:
        _upload_path(office_user, path)
    assert exc.value.code == "corrupt" and "无法读取" in exc.value.message
    assert growth["bytes"] < GROWTH_LIMIT, growth


def test_the_child_memory_limit_applies_to_ordinary_files_too(office_user, settings):
    """A limit too small for even the parser to start is a clean Chinese error, not a crash."""
    settings.IMPORT_MEMORY_LIMIT_BYTES = 16 * MB
    with pytest.raises(InvalidInput) as exc:
        _upload(office_user, xlsx([["区划代码", "名称"], ["390103005000", "新港街道"]]), "r.xlsx")
    assert exc.value.code == "memory_limit" and "内存超出限制" in exc.value.message


# --- limits on what the child returns -------------------------------------------------------------


def test_row_column_and_output_limits(office_user, settings):
    settings.IMPORT_MAX_ROWS = 5
    rows = [["区划代码", "名称"]] + [[f"3901030050{i:02d}", "社区"] for i in range(6)]
    with pytest.raises(InvalidInput) as exc:
        _upload(office_user, xlsx(rows), "r.xlsx")
    assert exc.value.code == "too_many_rows" and "超过 5 行" in exc.value.message
    settings.IMPORT_MAX_ROWS = 200_000

    wide = ",".join(f"列{i}" for i in range(300)) + "\n" + ",".join("x" for _ in range(300)) + "\n"
    with pytest.raises(InvalidInput) as exc:
        _upload(office_user, wide.encode(), "wide.csv")
    assert exc.value.code == "too_wide" and "列数过多" in exc.value.message

    settings.IMPORT_MAX_PARSED_BYTES = 10_000
    text = "区划代码,名称\n" + "".join(f"3901030{i:05d},{'长' * 50}\n" for i in range(200))
    with pytest.raises(InvalidInput) as exc:
        _upload(office_user, text.encode(), "r.csv")
    assert exc.value.code == "too_big"
    assert not StoredFile.objects.exists()


def test_header_only_and_undecodable_csv(office_user):
    with pytest.raises(InvalidInput) as exc:
        _upload(office_user, "区划代码,名称\n".encode(), "r.csv")
    assert "没有数据行" in exc.value.message
    with pytest.raises(InvalidInput) as exc:  # neither UTF-8 nor GB18030
        _upload(office_user, b"\xff\xfe\xfd\x81\x30\xff," * 10 + b"\n", "r.csv")
    assert exc.value.code == "encoding" and "UTF-8" in exc.value.message


# --- what the reader makes of real layouts ----------------------------------------------------------


def _read(tmp_path, data: bytes, name: str) -> tuple[reader.Sheet, list]:
    path = tmp_path / name
    path.write_bytes(data)
    sheet = reader.read(path, checks.check_file(path, name))
    rows = list(sheet.rows())
    sheet.close()
    return sheet, rows


def test_title_rows_blank_rows_and_excel_row_numbers(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "新河市行政区划代码表"  # a title above the header
    ws.append([])
    ws.append(["区划代码", "名称", None, None])
    ws.append([390103005000, "新港街道"])
    ws.append([])  # a blank row inside the data
    ws.append(["390103005001", "  新港一社区  ", None])
    buf = io.BytesIO()
    wb.save(buf)
    sheet, rows = _read(tmp_path, buf.getvalue(), "r.xlsx")
    assert sheet.headers == ["区划代码", "名称"] and sheet.header_row == 3 and sheet.count == 2
    # numbers as Excel shows them; integers without ".0"; cells trimmed; trailing empty cells dropped
    assert rows == [(4, ["390103005000", "新港街道"]), (6, ["390103005001", "新港一社区"])]


def test_a_used_range_starting_below_and_right(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["C5"], ws["D5"] = "区划代码", "名称"
    ws["C7"], ws["D7"] = "390103005000", "新港街道"
    buf = io.BytesIO()
    wb.save(buf)
    sheet, rows = _read(tmp_path, buf.getvalue(), "r.xlsx")
    assert sheet.headers == ["区划代码", "名称"] and sheet.header_row == 5
    assert rows == [(7, ["390103005000", "新港街道"])]


def test_first_visible_sheet_dates_and_booleans(tmp_path):
    import datetime as dt

    wb = openpyxl.Workbook()
    hidden = wb.active
    hidden.title = "说明"
    hidden.sheet_state = "hidden"
    hidden["A1"] = "填表说明"
    data = wb.create_sheet("数据")
    data.append(["姓名", "入党日期", "是否流动党员"])
    data.append(["张三", dt.date(2020, 7, 1), True])
    buf = io.BytesIO()
    wb.save(buf)
    sheet, rows = _read(tmp_path, buf.getvalue(), "r.xlsx")
    assert sheet.headers == ["姓名", "入党日期", "是否流动党员"]
    assert rows[0][1][0] == "张三" and rows[0][1][1].startswith("2020-07-01") and rows[0][1][2] == "是"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_encodings_quotes_and_tabs(tmp_path, encoding):
    text = '区划代码,名称\n390103005000,"新港街道，东片"\n\n390103005001,"多行\n名称"\n'
    sheet, rows = _read(tmp_path, text.encode(encoding), "r.csv")
    assert sheet.headers == ["区划代码", "名称"]
    assert rows == [(2, ["390103005000", "新港街道，东片"]), (4, ["390103005001", "多行\n名称"])]
    sheet, rows = _read(tmp_path, "区划代码\t名称\n390103005000\t新港街道\n".encode(encoding), "t.csv")
    assert sheet.headers == ["区划代码", "名称"] and rows == [(2, ["390103005000", "新港街道"])]


def test_the_parse_file_is_removed(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("区划代码,名称\n390103005000,新港街道\n".encode())
    with reader.read(path, "csv") as sheet:
        assert sheet.path.exists()
    assert not sheet.path.exists()
