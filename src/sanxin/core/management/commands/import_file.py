"""``sanxin import_file <importer> <file> [--mode all|valid] [--user NAME] [--map 列名=字段]
[--errors report.xlsx]``: the same import the page runs (checks, child-process reader, mapping —
recognised, remembered or given with ``--map`` — both modes, error workbook), with a progress line on
the terminal. ``sanxin import`` is the same command."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sanxin.core.context import request_context
from sanxin.core.errors import ServiceError
from sanxin.core.excel import importer as imp
from sanxin.core.models import ImportJob

PHASES = {"validate": "校验", "write": "写入"}


class Command(BaseCommand):
    help = "Import a spreadsheet (.xlsx/.xls/.csv) with a registered importer, e.g. regions."

    def add_arguments(self, parser):
        parser.add_argument("importer", help="importer key (regions, ...)")
        parser.add_argument("file")
        parser.add_argument("--mode", choices=["all", "valid"], default="all")
        parser.add_argument("--user", default="admin", help="the acting user (permission and audit)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="列名=字段",
            help="map a file column (its header, or its 1-based number) to a field key; repeatable",
        )
        parser.add_argument("--errors", help="also write the error workbook to this path")

    def handle(self, *args, importer, file, mode, user, map, errors, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        keys = imp.registered()
        if importer not in keys:
            raise CommandError(f"未知的导入类型：{importer}（可用：{'、'.join(keys)}）")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"用户不存在：{user}")
        self._last = ""
        with request_context(actor_id=actor.pk):
            try:
                with open(path, "rb") as fh:
                    job = imp.job_create(
                        actor=actor,
                        importer_key=importer,
                        name=path.name,
                        chunks=iter(lambda: fh.read(1 << 20), b""),
                        mode=mode,
                    )
                try:
                    job = imp.job_confirm(
                        actor=actor, job=job, mapping=self._mapping(job, map), enqueue=False
                    )
                except (ServiceError, CommandError) as exc:
                    imp.job_cancel(actor=actor, job=job)
                    if isinstance(exc, ServiceError) and exc.field == "mapping":
                        fields = "、".join(f"{c.key}（{c.label}）" for c in imp.get(importer).columns)
                        raise CommandError(
                            f"{exc.message}。可用 --map 列名=字段 指定，字段有：{fields}"
                        ) from exc
                    raise
                columns = imp.get(importer)
                self.stdout.write(
                    f"{job.rows_total} 行数据；列对应："
                    + "，".join(
                        f"{job.headers[int(i)]} → {columns.column(k).label}" for i, k in job.mapping.items()
                    )
                )
                with imp.listen(self._line):
                    imp.run_job(job.pk)
            except ServiceError as exc:
                raise CommandError(exc.message) from exc
        job.refresh_from_db()
        self._line(job)
        self.stdout.write("")
        self.stdout.write(job.message)
        if job.error_report_id:
            if errors:
                shutil.copyfile(job.error_report.path, errors)
                self.stdout.write(f"错误报告：{errors}")
            else:
                self.stdout.write(f"错误报告：{job.error_report.path}（Excel 文件，可用 --errors 另存）")
        if job.status != ImportJob.Status.DONE:
            raise CommandError(job.get_status_display())

    def _mapping(self, job: ImportJob, pairs: list[str]) -> dict[str, str]:
        mapping = dict(job.mapping)
        for pair in pairs:
            header, sep, key = pair.partition("=")
            if not sep:
                raise CommandError(f"--map 的格式应为 列名=字段：{pair}")
            header, key = header.strip(), key.strip()
            if header.isdigit() and 1 <= int(header) <= len(job.headers):
                idx = int(header) - 1
            else:
                matches = [i for i, h in enumerate(job.headers) if h == header]
                if not matches:
                    raise CommandError(f"文件中没有这一列：{header}")
                idx = matches[0]
            mapping = {i: k for i, k in mapping.items() if k != key}
            mapping[str(idx)] = key
        return mapping

    def _line(self, job: ImportJob) -> None:
        width = 30
        filled = int(width * job.percent / 100)
        phase = PHASES.get(job.context.get("phase", ""), "")
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {job.percent:3d}% "
            f"{job.rows_done}/{job.rows_total} 行 {phase or job.get_status_display()}"
        )
        if line != self._last:
            self._last = line
            self.stdout.write("\r" + line, ending="")
            self.stdout.flush()
