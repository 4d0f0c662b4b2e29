"""``sanxin appeals train [--base]``: train the appeal classifier."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "诉求：train 用标注集和人工分类结果训练新版本的诉求分类模型"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="train a new classifier version and make it the active one")
        train.add_argument(
            "--base", action="store_true", help="rebuild the committed version 1 from train.tsv alone"
        )

    def handle(self, *args, action, **opts):
        from sanxin.appeals.training import train

        train(base=opts["base"], progress=lambda line: self.stdout.write(line))
