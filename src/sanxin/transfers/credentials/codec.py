"""The member credential's wire format (docs/credential.md), no Django: claims as a CBOR map, signed in
a COSE_Sign1 envelope (RFC 9052), zlib-compressed, Base45-encoded (RFC 9285) behind the prefix
``SX1:`` — the EU Digital COVID Certificate's layering — and drawn as a QR code (error correction Q).

    token = "SX1:" + base45(zlib(COSE_Sign1))
    COSE_Sign1 = tag 18 [protected: bstr .cbor {1: alg, 4: kid}, unprotected: {}, payload: bstr, signature]
    signature = Sign(key, cbor(["Signature1", protected, h'', payload]))

``alg`` is carried in the protected header (EdDSA = -8 today) so a verifier picks the algorithm from
the envelope, and SM2 can be added as another value without changing the layout.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zlib
from collections.abc import Callable

import base45
import cbor2

PREFIX = "SX1:"
COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_KID = 4
ALG_EDDSA = -8
ALG_NAMES = {ALG_EDDSA: "EdDSA"}
ALG_IDS = {v: k for k, v in ALG_NAMES.items()}
QR_ERROR = "Q"
MAX_PIXELS = 4_000_000
MAX_TOKEN = 4096  # characters: a QR code of version 40 at level Q holds about 3,000 alphanumerics

# The claims map (CWT claim keys for issuer, expiry, issue time and id — RFC 8392 — and one private
# claim holding the member's facts).
CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_CTI = 7
CLAIM_MEMBER = -70001
MEMBER_VERSION = 0
MEMBER_NAME = 1
MEMBER_MASKED_ID = 2
MEMBER_ORG_NAME = 3
MEMBER_ORG_CODE = 4
MEMBER_STATUS = 5
ISSUER = "sanxin"
SCHEMA_VERSION = 1


class FormatError(ValueError):
    """Not a credential of this format (prefix, Base45, zlib, CBOR or structure)."""


@dataclasses.dataclass(frozen=True)
class Claims:
    credential_id: str  # hex of the 16-byte CWT id
    name: str
    masked_id: str
    org_name: str
    org_code: str
    status: str  # 正式 / 预备
    issued_at: dt.datetime
    expires_at: dt.datetime
    issuer: str = ISSUER

    def to_cbor(self) -> bytes:
        return cbor2.dumps(
            {
                CLAIM_ISS: self.issuer,
                CLAIM_EXP: int(self.expires_at.timestamp()),
                CLAIM_IAT: int(self.issued_at.timestamp()),
                CLAIM_CTI: bytes.fromhex(self.credential_id),
                CLAIM_MEMBER: {
                    MEMBER_VERSION: SCHEMA_VERSION,
                    MEMBER_NAME: self.name,
                    MEMBER_MASKED_ID: self.masked_id,
                    MEMBER_ORG_NAME: self.org_name,
                    MEMBER_ORG_CODE: self.org_code,
                    MEMBER_STATUS: self.status,
                },
            },
            canonical=True,
        )

    @classmethod
    def from_cbor(cls, data: bytes) -> Claims:
        try:
            m = cbor2.loads(data)
            member = m[CLAIM_MEMBER]
            if member.get(MEMBER_VERSION) != SCHEMA_VERSION:
                raise FormatError(f"unknown claims version {member.get(MEMBER_VERSION)!r}")
            cti = m[CLAIM_CTI]
            texts = [member[k] for k in (MEMBER_NAME, MEMBER_MASKED_ID, MEMBER_ORG_NAME, MEMBER_ORG_CODE)]
            status, iss = member[MEMBER_STATUS], m[CLAIM_ISS]
            exp, iat = m[CLAIM_EXP], m[CLAIM_IAT]
        except FormatError:
            raise
        except Exception as exc:  # a CBOR error, a missing key, a claims map of another shape
            raise FormatError("the payload is not a credential's claims") from exc
        if not isinstance(cti, bytes) or not all(isinstance(t, str) for t in [*texts, status, iss]):
            raise FormatError("the payload is not a credential's claims")
        if not (isinstance(exp, int) and isinstance(iat, int)) or isinstance(exp, bool):
            raise FormatError("the payload is not a credential's claims")
        return cls(
            credential_id=cti.hex(),
            name=texts[0],
            masked_id=texts[1],
            org_name=texts[2],
            org_code=texts[3],
            status=status,
            issued_at=dt.datetime.fromtimestamp(iat, tz=dt.UTC),
            expires_at=dt.datetime.fromtimestamp(exp, tz=dt.UTC),
            issuer=iss,
        )


@dataclasses.dataclass(frozen=True)
class Envelope:
    """A decoded COSE_Sign1, not yet verified."""

    protected: bytes
    payload: bytes
    signature: bytes
    alg: int
    kid: str

    @property
    def alg_name(self) -> str:
        return ALG_NAMES.get(self.alg, str(self.alg))

    def to_be_signed(self) -> bytes:
        return sig_structure(self.protected, self.payload)

    def claims(self) -> Claims:
        return Claims.from_cbor(self.payload)


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """RFC 9052 §4.4: what is signed."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign(claims: Claims, *, kid: str, alg: str, signer: Callable[[bytes], bytes]) -> str:
    """The token of ``claims`` signed by ``signer`` (bytes → signature) under ``kid``."""
    protected = cbor2.dumps({HEADER_ALG: ALG_IDS[alg], HEADER_KID: kid.encode()}, canonical=True)
    payload = claims.to_cbor()
    signature = signer(sig_structure(protected, payload))
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return PREFIX + base45.b45encode(zlib.compress(cose, 9)).decode("ascii")


def decode(token: str) -> Envelope:
    """Undo the layers of ``token``; ``FormatError`` when any of them fails."""
    token = (token or "").strip()
    if len(token) > MAX_TOKEN:
        raise FormatError("too long for a credential")
    if not token.startswith(PREFIX):
        raise FormatError(f"a credential starts with {PREFIX}")
    try:
        raw = base45.b45decode(token[len(PREFIX) :])
    except Exception as exc:
        raise FormatError("not Base45") from exc
    try:
        d = zlib.decompressobj()
        cose = d.decompress(raw, 16 * MAX_TOKEN)  # bounded: no decompression bomb
        if d.unconsumed_tail or not d.eof:
            raise FormatError("not zlib data of a credential")
    except zlib.error as exc:
        raise FormatError("not zlib data") from exc
    try:
        obj = cbor2.loads(cose)
    except Exception as exc:
        raise FormatError("not CBOR") from exc
    if isinstance(obj, cbor2.CBORTag):
        if obj.tag != COSE_SIGN1_TAG:
            raise FormatError("not a COSE_Sign1")
        obj = obj.value
    if not (isinstance(obj, list | tuple) and len(obj) == 4):  # cbor2 may give immutable arrays
        raise FormatError("not a COSE_Sign1")
    protected, _unprotected, payload, signature = obj
    if not all(isinstance(x, bytes) for x in (protected, payload, signature)):
        raise FormatError("not a COSE_Sign1")
    try:
        header = cbor2.loads(protected)
        alg, kid = header[HEADER_ALG], header[HEADER_KID]
    except Exception as exc:
        raise FormatError("the protected header lacks alg or kid") from exc
    if not isinstance(alg, int) or not isinstance(kid, bytes):
        raise FormatError("the protected header lacks alg or kid")
    try:
        kid_text = kid.decode("ascii")
    except UnicodeDecodeError as exc:
        raise FormatError("the key id is not ASCII") from exc
    return Envelope(protected=protected, payload=payload, signature=signature, alg=alg, kid=kid_text)


def qr(token: str):
    """The token as a segno QR code (alphanumeric mode, level Q, no silent boost of the level)."""
    import segno

    return segno.make_qr(token, error=QR_ERROR.lower(), boost_error=False)


def qr_png(token: str, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    qr(token).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(token: str, *, scale: int = 4) -> str:
    out = io.BytesIO()
    qr(token).save(out, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, title="党员数字身份证")
    return out.getvalue().decode("utf-8")


def read_qr_png(data: bytes) -> list[str]:
    """The texts of the QR codes in a PNG image, read by zbar (an ordinary QR reader)."""
    import png
    from pyzbar import pyzbar

    try:
        width, height, rows, info = png.Reader(bytes=data).asDirect()
        if width * height > MAX_PIXELS:
            raise FormatError("the image is too large")
        if info["greyscale"] and not info["alpha"]:  # what segno writes: no per-pixel arithmetic
            scale = 255 // (2 ** info["bitdepth"] - 1)
            pixels = bytearray()
            for row in rows:
                pixels += bytes(v * scale for v in row) if scale != 1 else bytes(row)
        else:
            width, height, rows, _info = png.Reader(bytes=data).asRGBA8()
            pixels = bytearray()
            for row in rows:
                # RGBA → 8-bit grey, over white where transparent
                for i in range(0, len(row), 4):
                    r, g, b, a = row[i], row[i + 1], row[i + 2], row[i + 3]
                    grey = (r * 299 + g * 587 + b * 114) // 1000
                    pixels.append((grey * a + 255 * (255 - a)) // 255)
    except (png.Error, ValueError) as exc:
        raise FormatError("not a PNG image") from exc
    found = pyzbar.decode((bytes(pixels), width, height), symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [f.data.decode("utf-8", "replace") for f in found]
