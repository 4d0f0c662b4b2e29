from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from sanxin.core.context import request_context
from sanxin.core.models import Region
from sanxin.demo.builtin import DEMO_PASSWORD
from sanxin.demo.registry import DemoContext, demo_logins, steps


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
        with request_context():
            for i, st in enumerate(all_steps, start=1):
                if not quiet:
                    self.stdout.write(f"[{i}/{len(all_steps)}] {st.name}")
                with transaction.atomic():
                    st.func(ctx)
        if not quiet:
            self.stdout.write(self.style.SUCCESS(f"演示数据就绪。演示账号（密码均为 {DEMO_PASSWORD}）："))
            for username, role in demo_logins():
                self.stdout.write(f"  {username:<14} {role}")
