"""Read a spreadsheet's rows in a child process with an address-space limit, so that a crafted file
cannot exhaust the server's memory. The parent never opens the workbook: it streams back plain JSON
lines from a temporary file, one row at a time.

Limits (settings, with defaults): ``IMPORT_MEMORY_LIMIT_BYTES`` (512 MB, the child's address space),
``IMPORT_MAX_ROWS`` (200,000 data rows), ``IMPORT_MAX_PARSED_BYTES`` (256 MB of extracted text) and
``IMPORT_PARSE_TIMEOUT`` (seconds, 300).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from ..errors import InvalidInput
from . import _child

logger = logging.getLogger(__name__)

MB = 1024 * 1024


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 200_000))


def max_parsed_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_PARSED_BYTES", 256 * MB))


def parse_timeout() -> int:
    return int(getattr(settings, "IMPORT_PARSE_TIMEOUT", 300))


@dataclasses.dataclass
class Sheet:
    headers: list[str]
    header_row: int  # the header's row number in the sheet (1-based, as Excel shows it)
    count: int  # data rows (non-empty rows below the header)
    path: Path  # JSON lines of the data rows
    first_row: int

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number as Excel shows it, cells) for every non-empty data row, streamed from disk."""
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                index, cells = json.loads(line)
                yield index + self.first_row, cells

    def close(self) -> None:
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Sheet:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _failure(proc: subprocess.CompletedProcess, limit_rows: int) -> InvalidInput:
    rc = proc.returncode
    err = proc.stderr.decode("utf-8", "replace")[-300:]
    if rc == _child.EXIT_TOO_MANY_ROWS:
        return InvalidInput(
            f"文件超过 {limit_rows} 行数据，请拆分后分批导入", field="file", code="too_many_rows"
        )
    if rc == _child.EXIT_TOO_WIDE:
        return InvalidInput(
            f"文件列数过多（超过 {_child.MAX_COLUMNS} 列），请只保留需要导入的列",
            field="file",
            code="too_wide",
        )
    if rc == _child.EXIT_TOO_BIG:
        return InvalidInput(
            "文件解析后的数据量过大（可能含有大量重复内容），请拆分后分批导入",
            field="file",
            code="too_big",
        )
    if rc == _child.EXIT_ENCODING:
        return InvalidInput(
            "无法识别 CSV 文件的编码，请在 Excel 中另存为“CSV UTF-8”或 GB18030 编码后重新导入",
            field="file",
            code="encoding",
        )
    if rc == _child.EXIT_NO_SHEET:
        return InvalidInput("文件中没有可见的工作表", field="file", code="empty")
    if (
        rc == _child.EXIT_MEMORY
        or rc in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV)
        or "memory allocation" in err
    ):
        # Rust aborts (SIGABRT) when an allocation fails at the limit; the kernel's OOM killer sends
        # SIGKILL; CPython can fault on a failed allocation in C code.
        logger.warning("spreadsheet parser hit the memory limit (exit %s)", rc)
        return InvalidInput(
            "文件解析所需内存超出限制（文件可能被构造过或过大），已拒绝",
            field="file",
            code="memory_limit",
        )
    logger.warning("spreadsheet parser failed (exit %s): %s", rc, err.strip().splitlines()[-1:] or "")
    return InvalidInput("文件无法读取，可能已损坏或不是有效的表格文件", field="file", code="corrupt")


def read(path: Path, kind: str, *, timeout: int | None = None, out: Path | None = None) -> Sheet:
    """Parse ``path`` (``kind`` from ``checks.check_file``) in a memory-limited child. The caller closes
    the returned sheet (it is a context manager), which deletes its rows; or keeps them at ``out``
    to read again later without parsing (``Sheet`` with the same fields). Raises ``InvalidInput`` in
    Chinese."""
    limit_rows = max_rows()
    if out is None:
        fd, tmp = tempfile.mkstemp(prefix="sanxin-rows-", suffix=".jsonl")
        os.close(fd)
        out_path = Path(tmp)
    else:
        out_path = Path(out)
    out = str(out_path)
    try:
        proc = subprocess.run(  # noqa: S603  (fixed argv, no shell)
            # The child lowers its own limits before parsing (no preexec_fn: fork-time callbacks are
            # unsafe in a threaded server).
            [
                sys.executable,
                "-m",
                "sanxin.core.excel._child",
                str(path),
                kind,
                out,
                str(limit_rows),
                str(int(settings.IMPORT_MEMORY_LIMIT_BYTES)),
                str(max_parsed_bytes()),
            ],
            capture_output=True,
            timeout=timeout or parse_timeout(),
            check=False,
            env={
                "PATH": os.environ.get("PATH", ""),
                "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
                "PYTHONIOENCODING": "utf-8",
                # glibc reserves 64 MB of address space per thread arena; keep the limit for data.
                "MALLOC_ARENA_MAX": "2",
            },
        )
    except subprocess.TimeoutExpired as exc:
        out_path.unlink(missing_ok=True)
        raise InvalidInput("文件解析超时，请拆分后分批导入", field="file", code="timeout") from exc
    except BaseException:
        out_path.unlink(missing_ok=True)
        raise
    if proc.returncode != 0:
        out_path.unlink(missing_ok=True)
        raise _failure(proc, limit_rows)
    try:
        summary = json.loads(proc.stdout.decode("utf-8"))
    except ValueError:
        out_path.unlink(missing_ok=True)
        raise _failure(proc, limit_rows) from None
    headers = [str(h).strip() for h in summary["headers"]]
    if not headers:
        out_path.unlink(missing_ok=True)
        raise InvalidInput("文件中没有数据", field="file", code="empty")
    if not summary["rows"]:
        out_path.unlink(missing_ok=True)
        raise InvalidInput("文件中只有表头，没有数据行", field="file", code="empty")
    first_row = int(summary["first_row"])
    return Sheet(
        headers=headers,
        header_row=int(summary["header_index"]) + first_row,
        count=int(summary["rows"]),
        path=out_path,
        first_row=first_row,
    )
