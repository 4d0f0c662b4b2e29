from __future__ import annotations

import contextlib

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from sanxin.core import events
from sanxin.core.context import request_context
from sanxin.core.models import Region
from sanxin.demo.builtin import DEMO_PASSWORD
from sanxin.demo.registry import DemoContext, demo_logins, steps


@contextlib.contextmanager
def _commits_without_flush():
    """On PostgreSQL, the build's commits do not wait for the WAL to reach the disk (each step's events
    are delivered one transaction each, thousands of commits): a crash loses at most the last moment
    of the build, never consistency, and the demo is rebuilt anyway."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


class Command(BaseCommand):
    help = "Load the 新河市 demo (idempotent). --if-empty: only when the database has no data; --reset: wipe first."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="delete all data, then rebuild the demo")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if data exists")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args, reset=False, if_empty=False, quiet=False, **opts):
        if reset:
            call_command("flush", interactive=False, verbosity=0)
        elif if_empty and Region.objects.exists():
            if not quiet:
                self.stdout.write("数据库已有数据，跳过演示数据加载（sanxin demo --reset 可重建）")
            return
        ctx = DemoContext(progress=(lambda s: None) if quiet else (lambda s: self.stdout.write(f"  {s}")))
        all_steps = steps()
        with request_context(), _commits_without_flush():
            for i, st in enumerate(all_steps, start=1):
                if not quiet:
                    self.stdout.write(f"[{i}/{len(all_steps)}] {st.name}")
                # a step's events are dispatched in batches once it committed, not one task each
                with events.dispatched_together(), transaction.atomic():
                    st.func(ctx)
        if not quiet:
            self.stdout.write(self.style.SUCCESS(f"演示数据就绪。演示账号（密码均为 {DEMO_PASSWORD}）："))
            for username, role in demo_logins():
                self.stdout.write(f"  {username:<14} {role}")
