"""Uploads: checked by content, size-limited, stored outside the web root under random names, and
served only through ``serve`` as attachments with HTTP Range support (audio/video seeking).

Each upload has a *purpose*; the module that owns the purpose registers who may read its files::

    uploads.register_purpose("learning.media", kinds={"audio", "video"}, max_bytes=500 * MB,
                             can_read=lambda user, f: ...)
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import secrets
from collections.abc import Callable, Iterator

import filetype
from django.conf import settings
from django.db import transaction
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from . import audit
from .errors import InvalidInput, NotFound
from .models import StoredFile

MB = 1024 * 1024

# kind -> content types sniffed from the bytes that belong to it
KINDS: dict[str, set[str]] = {
    "image": {"image/jpeg", "image/png", "image/gif", "image/webp"},
    "audio": {
        "audio/mpeg",
        "audio/mp4",
        "audio/x-m4a",
        "audio/ogg",
        "audio/x-wav",
        "audio/aac",
        "audio/x-flac",
    },
    "video": {"video/mp4", "video/webm", "video/quicktime", "video/x-m4v"},
    "pdf": {"application/pdf"},
    "spreadsheet": {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel",
        "text/csv",
    },
    "document": {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/msword",
    },
}


KIND_LABELS = {
    "image": "图片",
    "audio": "音频",
    "video": "视频",
    "pdf": "PDF",
    "spreadsheet": "Excel/CSV 表格",
    "document": "Word/PDF 文档",
}


def _always_owner(user, f: StoredFile) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or f.owner_id == user.pk))


@dataclasses.dataclass(frozen=True)
class Purpose:
    name: str
    kinds: frozenset[str]
    max_bytes: int | None  # None: settings.UPLOAD_MAX_BYTES, read when a file arrives
    can_read: Callable[[object, StoredFile], bool] = _always_owner

    @property
    def limit(self) -> int:
        return self.max_bytes or settings.UPLOAD_MAX_BYTES


_purposes: dict[str, Purpose] = {}


def register_purpose(
    name: str,
    *,
    kinds: set[str],
    max_bytes: int | None = None,
    can_read: Callable[[object, StoredFile], bool] = _always_owner,
) -> Purpose:
    p = Purpose(name, frozenset(kinds), max_bytes, can_read)
    _purposes[name] = p
    return p


def purpose(name: str) -> Purpose:
    try:
        return _purposes[name]
    except KeyError:
        raise ValueError(f"unknown upload purpose {name}") from None


register_purpose("core.attachment", kinds={"image", "pdf", "document", "spreadsheet", "audio", "video"})
register_purpose("core.import", kinds={"spreadsheet"}, max_bytes=None)
register_purpose("core.report", kinds={"spreadsheet"})


_ZIP_OFFICE = {"xlsx": KINDS["spreadsheet"], "docx": KINDS["document"]}


def sniff(head: bytes, name: str) -> str | None:
    """The content type from the file's first bytes (never from its name or the client's header).
    A zip is an Office file only if its name says so; CSV is text without NUL bytes."""
    kind = filetype.guess(head)
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if kind is not None:
        mime = kind.mime
        if mime == "application/zip":
            if ext == "xlsx":
                return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if ext == "docx":
                return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            return "application/zip"
        if mime == "application/x-ole-storage" or head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            return "application/vnd.ms-excel" if ext == "xls" else "application/msword"
        if mime == "audio/x-m4a":
            return "audio/mp4"
        return mime
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "application/vnd.ms-excel" if ext == "xls" else "application/msword"
    if ext == "csv" and b"\x00" not in head:
        return "text/csv"
    return None


_SAFE_NAME = re.compile(r"[\\/\x00-\x1f\x7f]")


def _human_size(n: int) -> str:
    for unit, size in (("GB", 1024 * MB), ("MB", MB), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + f" {unit}"
    return f"{n} 字节"


def _clean_name(name: str) -> str:
    """The client's file name, fit for a header and a 255-character column. A long name is cut in
    its stem so the extension (which tells a zip-based Office file apart) survives."""
    name = _SAFE_NAME.sub("_", os.path.basename(name or "")).strip() or "file"
    if len(name) > 255:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 16 else ""
        name = stem[: 255 - len(ext)] + ext
    return name


@transaction.atomic
def store(
    *, actor, purpose_name: str, name: str, chunks: Iterator[bytes] | bytes, expires_at=None
) -> StoredFile:
    """Stream an upload to disk, checking size as it goes and type by content."""
    p = purpose(purpose_name)
    limit = p.limit
    name = _clean_name(name)
    if isinstance(chunks, bytes | bytearray):
        chunks = iter([bytes(chunks)])
    settings.UPLOAD_ROOT.mkdir(parents=True, exist_ok=True)
    storage_name = f"{timezone.now():%Y/%m}/{secrets.token_hex(16)}"
    path = settings.UPLOAD_ROOT / storage_name
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with open(path, "xb") as fh:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise InvalidInput(
                        f"文件过大，最大允许 {_human_size(limit)}", field="file", code="too_large"
                    )
                if len(head) < 8192:
                    head += chunk[: 8192 - len(head)]
                digest.update(chunk)
                fh.write(chunk)
        if size == 0:
            raise InvalidInput("文件为空", field="file")
        content_type = sniff(head, name)
        allowed = set().union(*(KINDS[k] for k in p.kinds))
        if content_type not in allowed:
            accepted = "、".join(KIND_LABELS[k] for k in sorted(p.kinds))
            raise InvalidInput(
                f"文件类型不符合要求（按文件内容识别），此处只接受：{accepted}", field="file", code="bad_type"
            )
        # The row and its audit entry are written inside the same guard: a failure there must not
        # leave an unreferenced file behind either.
        f = StoredFile.objects.create(
            purpose=purpose_name,
            original_name=name,
            content_type=content_type,
            size=size,
            sha256=digest.hexdigest(),
            storage_name=storage_name,
            owner=actor if getattr(actor, "is_authenticated", False) else None,
            expires_at=expires_at,
        )
        audit.record(
            actor=actor,
            action="upload",
            obj=f,
            after={"name": name, "size": size, "type": content_type, "purpose": purpose_name},
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return f


def store_uploaded_file(*, actor, purpose_name: str, uploaded, expires_at=None) -> StoredFile:
    return store(
        actor=actor,
        purpose_name=purpose_name,
        name=uploaded.name,
        chunks=uploaded.chunks(),
        expires_at=expires_at,
    )


def store_all(*, actor, purpose_name: str, files, expires_at=None) -> list[StoredFile]:
    """Store several uploads for one purpose, all or none: when one is refused (too large, wrong
    type), the files already written for this call are removed from disk, and their rows go with the
    caller's transaction. Call it last in a service, after every other check."""
    stored: list[StoredFile] = []
    try:
        for uploaded in files:
            stored.append(
                store_uploaded_file(
                    actor=actor, purpose_name=purpose_name, uploaded=uploaded, expires_at=expires_at
                )
            )
    except BaseException:
        for f in stored:
            (settings.UPLOAD_ROOT / f.storage_name).unlink(missing_ok=True)
        raise
    return stored


def get_readable(user, file_id) -> StoredFile:
    f = StoredFile.objects.filter(pk=file_id).first()
    if f is None or not _purposes.get(f.purpose, purpose("core.attachment")).can_read(user, f):
        raise NotFound()
    return f


# ASCII digits, and few enough of them that int() stays cheap: a longer position is no range at all.
_RANGE = re.compile(r"bytes=([0-9]{0,18})-([0-9]{0,18})")


def _file_iter(path, start: int, length: int, block: int = 64 * 1024) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        fh.seek(start)
        remaining = length
        while remaining > 0:
            data = fh.read(min(block, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data


def serve(request, f: StoredFile, *, inline: bool = False) -> HttpResponse:
    """Serve a stored file with single-range support (RFC 9110 §14): 206 for a satisfiable range, 416
    otherwise; multi-range requests get the whole file, which the RFC permits. Stored files never
    change, so their SHA-256 is a strong ETag; an ``If-Range`` that is not that ETag (an old copy, or
    a date) gets the whole file, as RFC 9110 §13.1.5 requires."""
    size = f.size
    etag = f'"{f.sha256}"'
    disposition = content_disposition_header(not inline, f.original_name)
    header = request.headers.get("Range", "")
    if header and request.headers.get("If-Range", etag).strip() != etag:
        header = ""
    m = _RANGE.fullmatch(header.strip()) if header else None
    if m and (m.group(1) or m.group(2)):
        first, last = m.group(1), m.group(2)
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:
            start = max(0, size - int(last))
            end = size - 1
        if start >= size or start > end:
            resp = HttpResponse(status=416)
            resp["Content-Range"] = f"bytes */{size}"
            return resp
        length = end - start + 1
        resp = StreamingHttpResponse(
            _file_iter(f.path, start, length), status=206, content_type=f.content_type
        )
        resp["Content-Range"] = f"bytes {start}-{end}/{size}"
        resp["Content-Length"] = str(length)
    else:
        resp = FileResponse(open(f.path, "rb"), content_type=f.content_type)
        resp["Content-Length"] = str(size)
    resp["Accept-Ranges"] = "bytes"
    resp["ETag"] = etag
    if disposition:
        resp["Content-Disposition"] = disposition
    resp["X-Content-Type-Options"] = "nosniff"
    resp["Cache-Control"] = "private, max-age=0"
    return resp


def purge_expired() -> int:
    n = 0
    for f in StoredFile.objects.filter(expires_at__lt=timezone.now()):
        f.remove_files()
        audit.record(actor=None, action="purge", obj=f, before={"name": f.original_name, "size": f.size})
        f.delete()
        n += 1
    return n
