"""``sanxin import_file <importer> <file> [--mode all|valid] [--user NAME]``: the same import the
page runs, with a progress line on the terminal."""

from __future__ import annotations

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sanxin.core.context import request_context
from sanxin.core.errors import ServiceError
from sanxin.core.excel import importer as imp
from sanxin.core.models import ImportJob


class Command(BaseCommand):
    help = "Import a spreadsheet with a registered importer (regions, ...)."

    def add_arguments(self, parser):
        parser.add_argument("importer")
        parser.add_argument("file")
        parser.add_argument("--mode", choices=["all", "valid"], default="all")
        parser.add_argument("--user", default="admin", help="the acting user (audit)")

    def handle(self, *args, importer, file, mode, user, **opts):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"文件不存在：{file}")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"用户不存在：{user}")
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
                job = imp.job_confirm(actor=actor, job=job, mapping=job.mapping, enqueue=False)
                with imp.listen(self._line):
                    imp.run_job(job.pk)
            except ServiceError as exc:
                raise CommandError(exc.message) from exc
        job.refresh_from_db()
        self._line(job)
        sys.stdout.write("\n")
        self.stdout.write(job.message)
        if job.error_report_id:
            self.stdout.write(f"错误报告：{job.error_report.path}")
        if job.status != ImportJob.Status.DONE:
            raise CommandError(job.get_status_display())

    def _line(self, job):
        width = 30
        filled = int(width * job.percent / 100)
        sys.stdout.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {job.percent:3d}% {job.rows_done}/{job.rows_total} 行"
        )
        sys.stdout.flush()
