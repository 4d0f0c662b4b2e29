"""The ledger's text formats, with no Django, so a proof bundle can be checked offline with only the
public key (``sanxin ledger check-bundle``, or any reimplementation of this page).

**Checkpoint** (C2SP tlog-checkpoint inside a C2SP signed note)::

    <origin>
    <tree size>
    <base64 root hash>
    timestamp <milliseconds since the epoch, UTC>

    — <origin> <base64(4-byte key hash || 64-byte Ed25519 signature)>

The signature is Ed25519 over the body (the four lines, each ending in a newline). The key hash is the
first four bytes of SHA-256(origin || "\\n" || 0x01 || public key); the verifier key is written
``<origin>+<key hash hex>+<base64(0x01 || public key)>``.

**Proof bundle** (in the spirit of C2SP tlog-proof)::

    c2sp.org/tlog-proof@v1
    extra <base64(salt || canonical event JSON)>
    index <leaf index>
    <base64 hash>            one line per element of the RFC 9162 inclusion proof
    ...
                             an empty line
    <checkpoint>

The leaf's data is the commitment SHA-256(extra): the 32-byte salt followed by the event encoded per
RFC 8785. A bundle verifies when that leaf is included at ``index`` in the tree the checkpoint signs.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sanxin.transfers import merkle

BUNDLE_HEADER = "c2sp.org/tlog-proof@v1"
SALT_SIZE = 32
ED25519 = b"\x01"


class BadNote(ValueError):
    """A checkpoint or bundle that does not parse or does not verify; the message says why."""


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _unb64(s: str) -> bytes:
    try:
        return base64.b64decode(s.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadNote(f"not base64: {s[:40]!r}") from exc


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_hash(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def verifier_key(name: str, public: bytes) -> str:
    return f"{name}+{key_hash(name, public).hex()}+{_b64(ED25519 + public)}"


def parse_verifier_key(vkey: str) -> tuple[str, bytes]:
    """``(name, raw public key)`` of ``name+hash+base64(0x01||key)``, or of a bare base64 key
    (``("", key)``)."""
    vkey = vkey.strip()
    if len(vkey) != 44 and vkey.count("+") >= 2:
        name, hexhash, b64 = vkey.split("+", 2)  # a name has no "+", base64 may
        raw = _unb64(b64)
        if len(raw) != 33 or raw[:1] != ED25519:
            raise BadNote("the verifier key is not an Ed25519 key")
        if key_hash(name, raw[1:]).hex() != hexhash.lower():
            raise BadNote("the verifier key's hash does not match its name and key")
        return name, raw[1:]
    raw = _unb64(vkey)
    if len(raw) != 32:
        raise BadNote("an Ed25519 public key is 32 bytes")
    return "", raw


@dataclasses.dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    timestamp: int

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{_b64(self.root)}\ntimestamp {self.timestamp}\n"


def sign(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> bytes:
    return key.sign(checkpoint.body().encode())


def signed_note(checkpoint: Checkpoint, signature: bytes, public: bytes) -> str:
    line = _b64(key_hash(checkpoint.origin, public) + signature)
    return f"{checkpoint.body()}\n\u2014 {checkpoint.origin} {line}\n"


def verify_signature(checkpoint: Checkpoint, signature: bytes, public: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, checkpoint.body().encode())
    except (InvalidSignature, ValueError):
        return False
    return True


def parse_note(text: str, public: bytes, origin: str | None = None) -> Checkpoint:
    """The checkpoint of a signed note whose signature by ``public`` verifies; ``BadNote`` otherwise."""
    body, sep, sigs = text.partition("\n\n")
    if not sep:
        raise BadNote("the checkpoint has no signature lines")
    lines = body.split("\n")
    if len(lines) < 3:
        raise BadNote("the checkpoint needs an origin, a size and a root")
    name = lines[0]
    if origin is not None and name != origin:
        raise BadNote(f"the checkpoint is for {name!r}, not {origin!r}")
    if not lines[1].isdigit() or (lines[1] != "0" and lines[1].startswith("0")):
        raise BadNote("the tree size is not a decimal number")
    root = _unb64(lines[2])
    if len(root) != merkle.HASH_SIZE:
        raise BadNote("the root is not a SHA-256 hash")
    timestamp = 0
    for ext in lines[3:]:
        if ext.startswith("timestamp ") and ext[10:].isdigit():
            timestamp = int(ext[10:])
        else:
            raise BadNote(f"unknown checkpoint line {ext[:40]!r}")
    cp = Checkpoint(name, int(lines[1]), root, timestamp)
    if cp.body() != body + "\n":
        raise BadNote("the checkpoint is not in canonical form")
    want = key_hash(name, public)
    for line in sigs.split("\n"):
        if not line:
            continue
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014":
            raise BadNote("malformed signature line")
        raw = _unb64(parts[2])
        if parts[1] == name and raw[:4] == want and verify_signature(cp, raw[4:], public):
            return cp
    raise BadNote("no valid signature by the given key")


# --- the proof bundle -----------------------------------------------------------------------------------


def opening_bytes(salt: bytes, event: str) -> bytes:
    return bytes(salt) + event.encode()


def commitment(salt: bytes, event: str) -> bytes:
    return hashlib.sha256(opening_bytes(salt, event)).digest()


def bundle(*, index: int, salt: bytes, event: str, proof: list[bytes], note: str) -> str:
    lines = [BUNDLE_HEADER, f"extra {_b64(opening_bytes(salt, event))}", f"index {index}"]
    lines += [_b64(h) for h in proof]
    return "\n".join(lines) + "\n\n" + note


@dataclasses.dataclass(frozen=True)
class CheckedBundle:
    index: int
    event: dict
    checkpoint: Checkpoint


def check_bundle(text: str, public: bytes, origin: str | None = None) -> CheckedBundle:
    """Verify a proof bundle offline: the checkpoint's signature, then the inclusion of the commitment
    to the bundled opening at the bundled index. ``BadNote`` names the first thing that fails."""
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise BadNote("the bundle has no checkpoint")
    lines = head.split("\n")
    if not lines or lines[0] != BUNDLE_HEADER:
        raise BadNote(f"not a proof bundle (the first line must be {BUNDLE_HEADER})")
    lines = lines[1:]
    extra = None
    if lines and lines[0].startswith("extra "):
        extra = _unb64(lines[0][6:])
        lines = lines[1:]
    if extra is None or len(extra) <= SALT_SIZE:
        raise BadNote("the bundle carries no opening (extra line)")
    if not lines or not lines[0].startswith("index ") or not lines[0][6:].isdigit():
        raise BadNote("the bundle has no index line")
    index = int(lines[0][6:])
    proof = [_unb64(line) for line in lines[1:]]
    cp = parse_note(note, public, origin)
    leaf = hashlib.sha256(extra).digest()
    if not merkle.verify_inclusion(leaf, index, cp.size, proof, cp.root):
        raise BadNote(f"the inclusion proof of leaf {index} does not match the signed root of size {cp.size}")
    try:
        event = json.loads(extra[SALT_SIZE:].decode())
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadNote("the opening's event is not JSON") from exc
    return CheckedBundle(index, event, cp)


def private_key(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)
