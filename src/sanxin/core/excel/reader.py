"""Read a spreadsheet's rows in a child process with an address-space limit, so that a crafted file
cannot exhaust the server's memory; the parent only ever streams plain JSON lines back."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from ..errors import InvalidInput

MAX_ROWS = 200_000
TIMEOUT_S = 300


@dataclasses.dataclass
class Sheet:
    headers: list[str]
    path: Path  # JSON lines of the data rows (the header row excluded)
    count: int

    def rows(self) -> Iterator[list[str]]:
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)

    def close(self) -> None:
        self.path.unlink(missing_ok=True)


def read(path: Path, kind: str, *, max_rows: int = MAX_ROWS) -> Sheet:
    fd, out = tempfile.mkstemp(prefix="sanxin-rows-", suffix=".jsonl")
    os.close(fd)
    out_path = Path(out)
    limit = settings.IMPORT_MEMORY_LIMIT_BYTES
    try:
        proc = subprocess.run(  # noqa: S603  (fixed argv, no shell)
            # The child lowers its own address-space limit before parsing (no preexec_fn: the server's
            # threads make fork-time callbacks unsafe).
            [
                sys.executable,
                "-m",
                "sanxin.core.excel._child",
                str(path),
                kind,
                out,
                str(max_rows),
                str(limit),
            ],
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
            env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.pathsep.join(sys.path)},
        )
    except subprocess.TimeoutExpired as exc:
        out_path.unlink(missing_ok=True)
        raise InvalidInput("文件解析超时，请拆分后分批导入", field="file", code="timeout") from exc
    if proc.returncode != 0:
        out_path.unlink(missing_ok=True)
        if proc.returncode == 3:
            raise InvalidInput(
                f"文件超过 {max_rows} 行，请拆分后分批导入", field="file", code="too_many_rows"
            )
        if proc.returncode == 4:
            raise InvalidInput("文件无法读取，可能已损坏或不是有效的表格文件", field="file", code="corrupt")
        raise InvalidInput(
            "文件解析所需内存超出限制（文件可能被构造过或过大），已拒绝", field="file", code="memory_limit"
        )
    with open(out_path, encoding="utf-8") as fh:
        first = fh.readline()
        count = sum(1 for _ in fh)
    if not first:
        out_path.unlink(missing_ok=True)
        raise InvalidInput("文件中没有数据", field="file", code="empty")
    headers = [h.strip() for h in json.loads(first)]
    # Rewrite without the header row so rows() yields data only.
    data = out_path.with_suffix(".data.jsonl")
    with open(out_path, encoding="utf-8") as src, open(data, "w", encoding="utf-8") as dst:
        src.readline()
        for line in src:
            dst.write(line)
    out_path.unlink(missing_ok=True)
    return Sheet(headers=headers, path=data, count=count)
