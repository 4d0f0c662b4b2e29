"""``sanxin discovery index|signals``: rebuild the learning library's search index, or compute the
recommendation signals (the item–item matrix over all completions) now."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "学习推荐与检索：index 重建全文检索索引；signals 重新计算推荐信号（课时相似度、热度）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("index", help="rebuild the search index of the published courses and lessons")
        sub.add_parser("signals", help="compute every lesson's recommendation signals from all completions")

    def handle(self, *args, action, **opts):
        from sanxin.learning.discovery import services

        if action == "index":
            total = services.index_rebuild(
                progress=lambda n: self.stdout.write(f"\r已索引 {n} 条", ending="")
            )
            self.stdout.write(f"\n检索索引已重建：{total} 条")
        else:
            run = services.signals_rebuild()
            self.stdout.write(
                f"推荐信号已计算：{run.lessons} 个课时，{run.members} 名党员的 {run.completions} 次完成，"
                f"用时 {run.seconds:.1f} 秒"
            )
