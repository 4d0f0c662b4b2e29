"""``sanxin ledger verify`` and ``sanxin ledger check-bundle FILE``."""

from __future__ import annotations

import json
import pathlib

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "透明账本：verify 校验整个账本与组织关系历史；check-bundle FILE 离线校验证明包"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="recompute the tree from the stored leaves and check everything"
        )
        verify.add_argument("--no-membership", action="store_true", help="skip the membership history check")
        check = sub.add_parser("check-bundle", help="verify a proof bundle offline with the public key")
        check.add_argument("file")
        check.add_argument(
            "--key",
            help="the log's verifier key (name+hash+base64) or base64 Ed25519 public key; "
            "default: this installation's key",
        )
        check.add_argument("--origin", help="the expected log origin")

    def handle(self, *args, action, **opts):
        if action == "verify":
            return self._verify(membership=not opts["no_membership"])
        return self._check(opts["file"], opts.get("key"), opts.get("origin"))

    def _verify(self, *, membership: bool) -> None:
        from sanxin.transfers.ledger.verify import verify

        report = verify(membership=membership)
        for failure in report.failures[:50]:
            self.stderr.write(failure)
        summary = (
            f"树大小 {report.size}，签名树头 {report.heads}，可打开的承诺 {report.opened}，"
            f"已销毁 {report.shredded}，核对党员 {report.members}"
        )
        if not report.ok:
            raise CommandError(f"账本校验失败（{len(report.failures)} 处）：{report.failures[0]}；{summary}")
        self.stdout.write(self.style.SUCCESS(f"账本校验通过：{summary}"))

    def _check(self, file: str, key: str | None, origin: str | None) -> None:
        from sanxin.transfers.ledger import note

        try:
            text = pathlib.Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取证明包：{exc}") from exc
        try:
            if key:
                name, public = note.parse_verifier_key(key)
                origin = origin or name or None
            else:
                from sanxin.transfers.ledger import services

                kid, _ = services.signing_keys()[0]
                public = services.public_keys()[kid]
                origin = origin or services.origin()
            checked = note.check_bundle(text, public, origin)
        except note.BadNote as exc:
            raise CommandError(f"证明包校验失败：{exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"证明包有效：叶子 {checked.index} 包含在大小为 {checked.checkpoint.size} 的签名树中"
            )
        )
        self.stdout.write(json.dumps(checked.event, ensure_ascii=False, sort_keys=True))
