"""``sanxin serve``: gunicorn (the web) and the huey consumer (tasks and the periodic scheduler),
started and stopped together. HOST/PORT override 127.0.0.1:8000."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the platform: gunicorn + whitenoise and the huey consumer, together."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 2)))
        parser.add_argument("--no-tasks", action="store_true", help="do not start the task consumer")

    def handle(self, *args, host, port, workers, no_tasks, **opts):
        call_command("collectstatic", interactive=False, verbosity=0)
        env = os.environ.copy()
        env.setdefault("DJANGO_SETTINGS_MODULE", "sanxin.settings")
        web = [
            sys.executable,
            "-m",
            "gunicorn",
            "sanxin.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--timeout",
            "60",
            "--graceful-timeout",
            "20",
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        procs = [subprocess.Popen(web, env=env)]  # noqa: S603
        if not no_tasks:
            procs.append(subprocess.Popen([sys.executable, "-m", "sanxin", "run_huey"], env=env))
        url = f"http://{'127.0.0.1' if host in {'0.0.0.0', '::'} else host}:{port}/"  # noqa: S104
        self.stdout.write(self.style.SUCCESS(f"三新党建智慧平台已启动：{url}"))
        self.stdout.write(
            f"数据库：{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}；按 Ctrl+C 停止"
        )

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                if any(p.poll() is not None for p in procs):
                    self.stderr.write("一个子进程已退出，正在停止全部进程")
                    break
                time.sleep(0.5)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            deadline = time.time() + 25
            for p in procs:
                try:
                    p.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    p.kill()
        code = max((p.returncode or 0) for p in procs)
        if code and not stopping:
            sys.exit(code)
