"""Checks an uploaded spreadsheet passes before anything parses it: size, type by content, and for
xlsx (a zip) the archive's declared shape read from its central directory only — entry count, total
uncompressed size, compression ratio, nested archives, encryption. Nothing is decompressed here. A
file that lies in its zip directory is still stopped by the child process's memory and output limits
(``reader.read``).

Limits (settings, with defaults): ``IMPORT_MAX_BYTES`` (20 MB upload), ``IMPORT_MAX_UNCOMPRESSED_BYTES``
(200 MB), ``IMPORT_MAX_COMPRESSION_RATIO`` (100, for entries over 1 MB), ``IMPORT_MAX_ZIP_ENTRIES``
(2,000).
"""

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

MB = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Entries smaller than this are never a bomb whatever their ratio (an empty styles part compresses well).
RATIO_FLOOR = MB
MAX_RATIO = 100
NESTED = (".zip", ".xlsx", ".xlsm", ".xlsb", ".docx", ".jar", ".gz", ".7z", ".rar", ".tar", ".bz2", ".xz")


def max_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def max_uncompressed() -> int:
    return int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * MB))


def max_ratio() -> int:
    return int(getattr(settings, "IMPORT_MAX_COMPRESSION_RATIO", MAX_RATIO))


def max_entries() -> int:
    return int(getattr(settings, "IMPORT_MAX_ZIP_ENTRIES", 2000))


def _human(n: int) -> str:
    return f"{n / MB:g} MB" if n >= MB else f"{n / 1024:g} KB"


def too_large() -> InvalidInput:
    return InvalidInput(
        f"文件过大，导入文件最大 {_human(max_bytes())}，请拆分后分批导入",
        field="file",
        code="too_large",
    )


def check_file(path: Path, name: str) -> str:
    """Return the kind ("xlsx", "xls", "csv") or raise ``InvalidInput`` in Chinese."""
    size = os.path.getsize(path)
    if size > max_bytes():
        raise too_large()
    if size == 0:
        raise InvalidInput("文件为空", field="file", code="empty")
    with open(path, "rb") as fh:
        head = fh.read(8192)
    check_head(head, name)
    content_type = sniff(head, name)
    if content_type == XLSX_TYPE:
        check_zip(path)
        return XLSX
    if content_type == "application/vnd.ms-excel":
        return XLS
    if content_type == "text/csv":
        return CSV
    raise InvalidInput(
        "只能导入 Excel（.xlsx、.xls）或 CSV 文件（按文件内容识别）", field="file", code="bad_type"
    )


def check_head(head: bytes, name: str) -> None:
    """Refusals that the first bytes decide and that deserve their own message."""
    if head[:8] == OLE_MAGIC and os.path.splitext(name)[1].lower() in {".xlsx", ".xlsm"}:
        # Excel stores a password-protected xlsx inside an OLE container.
        raise InvalidInput(
            "文件设置了打开密码，请在 Excel 中取消密码后重新导入", field="file", code="encrypted"
        )


def check_zip(path: Path) -> None:
    """Judge an xlsx by its central directory (names and declared sizes); never decompress."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise InvalidInput("文件已损坏，无法作为 Excel 文件打开", field="file", code="corrupt") from exc
    if len(infos) > max_entries():
        raise InvalidInput("Excel 文件结构异常（包含过多内部文件），已拒绝", field="file", code="zip_bomb")
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise InvalidInput("文件不是有效的 Excel 工作簿", field="file", code="corrupt")
    if len(names) != len(infos):
        raise InvalidInput("Excel 文件结构异常（内部文件重名），已拒绝", field="file", code="corrupt")
    total = 0
    ratio = max_ratio()
    for info in infos:
        if info.flag_bits & 0x1:
            raise InvalidInput(
                "文件设置了打开密码，请在 Excel 中取消密码后重新导入", field="file", code="encrypted"
            )
        if info.filename.lower().endswith(NESTED):
            raise InvalidInput("Excel 文件中嵌套了压缩文件，已拒绝", field="file", code="zip_bomb")
        if info.file_size > RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
            raise InvalidInput("Excel 文件压缩比异常（疑似压缩炸弹），已拒绝", field="file", code="zip_bomb")
        total += info.file_size
        if total > max_uncompressed():
            raise InvalidInput(
                f"Excel 文件解压后超过 {max_uncompressed() // MB} MB，请拆分后分批导入",
                field="file",
                code="zip_bomb",
            )
