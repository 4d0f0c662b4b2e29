"""Checks an uploaded spreadsheet passes before anything parses it: size, type by content, and for
xlsx (a zip) the archive's declared shape — entry count, total uncompressed size, compression ratio,
nested archives. A file that lies in its zip directory is still stopped by the reader's child-process
memory limit (``reader.read_rows``)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from django.conf import settings

from ..errors import InvalidInput
from ..uploads import sniff

XLSX = "xlsx"
XLS = "xls"
CSV = "csv"

MAX_ENTRIES = 2000
MAX_RATIO = 200  # uncompressed / compressed, per entry larger than 1 MB


def max_uncompressed() -> int:
    return int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024))


def check_file(path: Path, name: str) -> str:
    """Return the kind ("xlsx", "xls", "csv") or raise ``InvalidInput`` in Chinese."""
    size = os.path.getsize(path)
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise InvalidInput(
            f"文件过大（{size / 1048576:.1f} MB），导入文件最大 {limit // 1048576} MB",
            field="file",
            code="too_large",
        )
    if size == 0:
        raise InvalidInput("文件为空", field="file")
    with open(path, "rb") as fh:
        head = fh.read(8192)
    content_type = sniff(head, name)
    if content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        _check_zip(path)
        return XLSX
    if content_type == "application/vnd.ms-excel":
        return XLS
    if content_type == "text/csv":
        return CSV
    raise InvalidInput(
        "只能导入 Excel（.xlsx、.xls）或 CSV 文件（按文件内容识别）", field="file", code="bad_type"
    )


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInput("文件已损坏，无法作为 Excel 文件打开", field="file", code="corrupt") from exc
    if len(infos) > MAX_ENTRIES:
        raise InvalidInput("Excel 文件结构异常（包含过多内部文件），已拒绝", field="file", code="zip_bomb")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise InvalidInput("文件不是有效的 Excel 工作簿", field="file", code="corrupt")
    total = 0
    for info in infos:
        total += info.file_size
        if info.filename.lower().endswith((".zip", ".xlsx", ".xlsm", ".jar")):
            raise InvalidInput("Excel 文件中嵌套了压缩文件，已拒绝", field="file", code="zip_bomb")
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise InvalidInput("Excel 文件压缩比异常（疑似压缩炸弹），已拒绝", field="file", code="zip_bomb")
    if total > max_uncompressed():
        raise InvalidInput("Excel 文件解压后过大，请拆分后分批导入", field="file", code="zip_bomb")
