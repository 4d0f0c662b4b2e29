"""``sanxin credential verify TOKEN|PNG``: check a member credential — a token (``SX1:…``) or a PNG
image holding its QR code — for signature, expiry and revocation, as the public page does. Exits 0
when valid, 1 when refused, 2 when nothing could be read."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sanxin.transfers.credentials import codec, selectors


class Command(BaseCommand):
    help = "核验党员数字身份证：sanxin credential verify SX1:…|图片.png"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="核验身份证编码或二维码图片（PNG）")
        verify.add_argument("credential", help="以 SX1: 开头的编码，或二维码 PNG 文件的路径")

    def handle(self, *args, action: str, credential: str, **options):
        token = credential.strip()
        if not token.startswith(codec.PREFIX):
            path = Path(credential)
            if not path.is_file():
                raise CommandError(
                    f"既不是以 {codec.PREFIX} 开头的编码，也不是可读的文件：{credential}", returncode=2
                )
            try:
                found = [t for t in codec.read_qr_png(path.read_bytes()) if t.startswith(codec.PREFIX)]
            except codec.FormatError as exc:
                raise CommandError(f"无法读取图片：{exc}", returncode=2) from exc
            if not found:
                raise CommandError("图片中没有找到党员数字身份证的二维码", returncode=2)
            token = found[0]
        verdict = selectors.verify(token)
        out = self.stdout
        out.write(("通过：" if verdict.valid else "不予通过：") + verdict.message)
        if verdict.kid:
            out.write(f"签名密钥：{verdict.kid}（{verdict.alg}）")
        c = verdict.claims
        if c is not None:
            out.write(f"姓名：{c.name}")
            out.write(f"公民身份号码：{c.masked_id or '—'}")
            out.write(f"所在党组织：{c.org_name}（{c.org_code}）")
            out.write(f"党员类别：{c.status}党员")
            out.write(f"签发时间：{c.issued_at.isoformat()}")
            out.write(f"有效期至：{c.expires_at.isoformat()}")
            out.write(f"证书编号：{c.credential_id}")
        if not verdict.valid:
            sys.exit(1)
