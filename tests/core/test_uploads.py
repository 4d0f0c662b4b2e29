"""Uploads: type by content, size limits, storage outside the web root, access checks, and HTTP Range
(the acceptance item: seeking in an uploaded audio file)."""

import datetime as dt
import hashlib
import io
import zipfile
from urllib.parse import quote, unquote

import filetype
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from sanxin.core import uploads
from sanxin.core.errors import InvalidInput
from sanxin.core.models import AuditLog, StoredFile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 300
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600

# MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding, joint stereo: 144 * 128000 / 44100 = 417 bytes.
MP3_HEADER = b"\xff\xfb\x90\x64"
MP3_FRAME_BYTES = 417
ID3_V24_EMPTY = b"ID3\x04\x00\x00\x00\x00\x00\x00"  # an ID3v2.4 tag of size 0


def mp3(size: int, *, id3: bool = True) -> bytes:
    """A small MPEG audio stream: optionally an ID3v2 header, then whole frames, each opening with a
    valid frame header, with varying payload bytes so a wrong byte range cannot match by accident."""
    body = bytearray(ID3_V24_EMPTY if id3 else b"")
    n = 0
    while len(body) < size:
        payload = bytes((n * 7 + i) % 251 for i in range(MP3_FRAME_BYTES - len(MP3_HEADER)))
        body += MP3_HEADER + payload
        n += 1
    return bytes(body[:size])


def xlsx_bytes() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "电话"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.txt", "hello")
    return out.getvalue()


def files_on_disk():
    return (
        [p for p in settings.UPLOAD_ROOT.rglob("*") if p.is_file()] if settings.UPLOAD_ROOT.exists() else []
    )


@pytest.fixture
def audio_purpose():
    return uploads.register_purpose("test.audio", kinds={"audio"}, max_bytes=uploads.MB)


# --- type by content --------------------------------------------------------------------------------


def test_the_test_mp3_is_sniffed_as_mpeg_audio():
    data = mp3(5000)
    assert filetype.guess(data).mime == "audio/mpeg"
    assert filetype.guess(mp3(5000, id3=False)).mime == "audio/mpeg"
    # every frame starts where the last one ended
    start = len(ID3_V24_EMPTY)
    assert (
        data[start : start + 4] == data[start + MP3_FRAME_BYTES : start + MP3_FRAME_BYTES + 4] == MP3_HEADER
    )


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (PNG, "封面.mp3", "image/png"),
        (EXE, "照片.jpg", "application/x-msdownload"),
        (b"%PDF-1.7\n" + b"x" * 100, "report.docx", "application/pdf"),
        (mp3(2000), "录音.txt", "audio/mpeg"),
        (zip_bytes(), "a.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (zip_bytes(), "a.DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (zip_bytes(), "a.zip", "application/zip"),
        (zip_bytes(), "a.jpg", "application/zip"),
        (xlsx_bytes(), "名册.bin", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (OLE, "old.xls", "application/vnd.ms-excel"),
        (OLE, "old.doc", "application/msword"),
        ("姓名,电话\n张三,13800138000\n".encode(), "名单.csv", "text/csv"),
        ("姓名,电话\n".encode("utf-16"), "名单.csv", None),  # NUL bytes: not text
        (b"just some text", "notes.txt", None),
        (b"just some text", "notes.jpg", None),
    ],
)
def test_sniff_uses_the_bytes_not_the_name(head, name, expected):
    assert uploads.sniff(head[:8192], name) == expected


def test_png_named_mp3_is_accepted_only_where_images_are(user, audio_purpose):
    f = uploads.store(actor=user, purpose_name="core.attachment", name="封面.mp3", chunks=PNG)
    assert f.content_type == "image/png" and f.original_name == "封面.mp3"
    with pytest.raises(InvalidInput) as exc:
        uploads.store(actor=user, purpose_name="test.audio", name="封面.mp3", chunks=PNG)
    assert exc.value.code == "bad_type" and exc.value.field == "file"
    assert exc.value.message == "文件类型不符合要求（按文件内容识别），此处只接受：音频"
    assert StoredFile.objects.count() == 1 and len(files_on_disk()) == 1


def test_real_audio_is_accepted_by_an_audio_purpose_whatever_its_name(user, audio_purpose):
    f = uploads.store(actor=user, purpose_name="test.audio", name="党课.bin", chunks=mp3(3000, id3=False))
    assert f.content_type == "audio/mpeg"


def test_an_exe_renamed_jpg_is_refused_and_nothing_is_kept(user):
    with pytest.raises(InvalidInput) as exc:
        uploads.store(actor=user, purpose_name="core.attachment", name="照片.jpg", chunks=EXE)
    assert exc.value.code == "bad_type"
    assert "只接受" in exc.value.message and "图片" in exc.value.message
    assert files_on_disk() == [] and not StoredFile.objects.exists()
    assert not AuditLog.objects.filter(action="upload").exists()


def test_a_zip_is_a_spreadsheet_only_when_named_so(user):
    with pytest.raises(InvalidInput):
        uploads.store(actor=user, purpose_name="core.report", name="a.zip", chunks=zip_bytes())
    f = uploads.store(actor=user, purpose_name="core.report", name="a.xlsx", chunks=zip_bytes())
    assert f.content_type.endswith("spreadsheetml.sheet")


def test_an_empty_file_is_refused(user):
    with pytest.raises(InvalidInput, match="文件为空"):
        uploads.store(actor=user, purpose_name="core.attachment", name="a.png", chunks=b"")
    assert files_on_disk() == []


# --- size -----------------------------------------------------------------------------------------


def test_size_limit_refused_in_chinese_and_nothing_left_on_disk(user):
    uploads.register_purpose("test.small", kinds={"image"}, max_bytes=1024)
    chunks = iter([PNG, b"\x00" * 500, b"\x00" * 500])
    with pytest.raises(InvalidInput) as exc:
        uploads.store(actor=user, purpose_name="test.small", name="a.png", chunks=chunks)
    assert exc.value.code == "too_large" and exc.value.field == "file"
    assert exc.value.message == "文件过大，最大允许 1 KB"
    assert files_on_disk() == []
    assert not StoredFile.objects.exists() and not AuditLog.objects.filter(action="upload").exists()


def test_a_file_of_exactly_the_limit_is_accepted(user):
    uploads.register_purpose("test.exact", kinds={"image"}, max_bytes=1024)
    data = PNG + b"\x00" * (1024 - len(PNG))
    assert uploads.store(actor=user, purpose_name="test.exact", name="a.png", chunks=data).size == 1024
    with pytest.raises(InvalidInput, match="文件过大"):
        uploads.store(actor=user, purpose_name="test.exact", name="a.png", chunks=data + b"\x00")


def test_the_default_limit_is_read_when_the_file_arrives(user, settings):
    uploads.register_purpose("test.default", kinds={"image"})
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(InvalidInput) as exc:
        uploads.store(actor=user, purpose_name="test.default", name="a.png", chunks=PNG)
    assert exc.value.message == "文件过大，最大允许 100 字节"
    settings.UPLOAD_MAX_BYTES = 3 * uploads.MB // 2
    assert uploads.store(actor=user, purpose_name="test.default", name="a.png", chunks=PNG)
    uploads.register_purpose("test.big", kinds={"image"}, max_bytes=3 * uploads.MB // 2)
    with pytest.raises(InvalidInput, match=r"最大允许 1\.5 MB"):
        uploads.store(
            actor=user, purpose_name="test.big", name="a.png", chunks=iter([PNG] + [b"\x00" * uploads.MB] * 2)
        )


def test_a_failure_after_writing_leaves_no_file(user, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(uploads.audit, "record", broken_audit)
    with pytest.raises(RuntimeError):
        uploads.store(actor=user, purpose_name="core.attachment", name="a.png", chunks=PNG)
    assert files_on_disk() == []


def test_unknown_purpose_is_a_programming_error(user):
    with pytest.raises(ValueError, match="unknown upload purpose"):
        uploads.store(actor=user, purpose_name="no.such", name="a.png", chunks=PNG)


# --- storage --------------------------------------------------------------------------------------


def test_stored_outside_the_web_root_under_a_random_name(user):
    a = uploads.store(actor=user, purpose_name="core.attachment", name="../../etc/passwd.png", chunks=PNG)
    b = uploads.store(actor=user, purpose_name="core.attachment", name="../../etc/passwd.png", chunks=PNG)
    upload_root = settings.UPLOAD_ROOT.resolve()
    for f in (a, b):
        assert f.path.resolve().is_relative_to(upload_root)
        assert not f.path.resolve().is_relative_to(settings.STATIC_ROOT.resolve())
        assert f.path.read_bytes() == PNG
        assert f.original_name == "passwd.png"
        assert "passwd" not in f.storage_name and not f.storage_name.endswith(".png")
        assert len(f.path.name) == 32 and int(f.path.name, 16) >= 0  # 128 random bits, hex
    assert a.storage_name != b.storage_name
    assert a.size == len(PNG) and a.sha256 == hashlib.sha256(PNG).hexdigest() and a.owner == user
    log = AuditLog.objects.get(action="upload", object_id=str(a.pk))
    assert log.actor_id == user.pk and log.after["name"] == "passwd.png" and log.after["type"] == "image/png"


def test_stored_name_is_safe_for_headers_and_keeps_its_extension(user):
    f = uploads.store(actor=user, purpose_name="core.attachment", name='a\r\nb"\x7f.png', chunks=PNG)
    assert f.original_name == 'a__b"_.png'
    long = "很" * 300 + ".xlsx"
    f = uploads.store(actor=user, purpose_name="core.import", name=long, chunks=xlsx_bytes())
    assert len(f.original_name) == 255 and f.original_name.endswith("很.xlsx")
    assert (
        uploads.store(actor=user, purpose_name="core.attachment", name="", chunks=PNG).original_name == "file"
    )


def test_purge_expired_removes_file_and_row(user):
    old = uploads.store(
        actor=user,
        purpose_name="core.attachment",
        name="a.png",
        chunks=PNG,
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    keep = uploads.store(
        actor=user,
        purpose_name="core.attachment",
        name="b.png",
        chunks=PNG,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    assert uploads.purge_expired() == 1
    assert not old.path.exists() and not StoredFile.objects.filter(pk=old.pk).exists()
    assert keep.path.exists() and StoredFile.objects.filter(pk=keep.pk).exists()
    assert AuditLog.objects.filter(action="purge", object_id=str(old.pk)).exists()


# --- access ---------------------------------------------------------------------------------------


def test_not_served_to_another_user(user):
    f = uploads.store(actor=user, purpose_name="core.attachment", name="a.png", chunks=PNG)
    other = Client()
    other.force_login(UserFactory())
    r = other.get(f"/files/{f.pk}/")
    assert r.status_code == 404 and PNG not in r.content
    anonymous = Client().get(f"/files/{f.pk}/")
    assert anonymous.status_code == 302 and "/accounts/login" in anonymous["Location"]
    owner = Client()
    owner.force_login(user)
    assert owner.get(f"/files/{f.pk}/").status_code == 200
    admin = Client()
    admin.force_login(UserFactory(is_superuser=True))
    assert admin.get(f"/files/{f.pk}/").status_code == 200


def test_a_purpose_decides_who_reads(user):
    reader = UserFactory()
    uploads.register_purpose("test.shared", kinds={"image"}, can_read=lambda u, f: u.pk == reader.pk)
    f = uploads.store(actor=user, purpose_name="test.shared", name="a.png", chunks=PNG)
    c = Client()
    c.force_login(reader)
    assert c.get(f"/files/{f.pk}/").status_code == 200
    c.force_login(user)  # the owner, but this purpose does not let owners read
    assert c.get(f"/files/{f.pk}/").status_code == 404


def test_unknown_file_is_404(user):
    c = Client()
    c.force_login(user)
    assert c.get("/files/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- serving with Range ---------------------------------------------------------------------------


@pytest.fixture
def audio(user):
    data = mp3(10_000)
    f = uploads.store(actor=user, purpose_name="core.attachment", name="党课录音 第1讲.mp3", chunks=data)
    assert f.content_type == "audio/mpeg"
    c = Client()
    c.force_login(user)
    return c, f, data


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_range_request_for_the_middle_of_an_uploaded_audio_file(audio):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/", headers={"Range": "bytes=1000-1999"})
    assert r.status_code == 206
    assert r["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert r["Content-Length"] == "1000"
    assert r["Content-Type"] == "audio/mpeg" and r["Accept-Ranges"] == "bytes"
    assert body(r) == data[1000:2000]


def test_suffix_range_gives_the_last_bytes(audio):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/", headers={"Range": "bytes=-500"})
    assert r.status_code == 206
    assert r["Content-Range"] == f"bytes 9500-9999/{len(data)}" and r["Content-Length"] == "500"
    assert body(r) == data[-500:]
    r = c.get(f"/files/{f.pk}/", headers={"Range": "bytes=-20000"})  # longer than the file: all of it
    assert r.status_code == 206 and r["Content-Range"] == f"bytes 0-9999/{len(data)}" and body(r) == data


def test_open_ended_range_runs_to_the_end(audio):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/", headers={"Range": "bytes=500-"})
    assert r.status_code == 206
    assert r["Content-Range"] == f"bytes 500-9999/{len(data)}" and r["Content-Length"] == str(len(data) - 500)
    assert body(r) == data[500:]


def test_range_end_past_the_file_is_clamped(audio):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/", headers={"Range": "bytes=9990-20000"})
    assert r.status_code == 206 and r["Content-Range"] == f"bytes 9990-9999/{len(data)}"
    assert body(r) == data[9990:]
    r = c.get(f"/files/{f.pk}/", headers={"Range": "bytes=0-0"})
    assert r.status_code == 206 and body(r) == data[:1]


@pytest.mark.parametrize("spec", ["bytes=10000-", "bytes=20000-30000", "bytes=-0", "bytes=600-500"])
def test_unsatisfiable_range_is_416(audio, spec):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/", headers={"Range": spec})
    assert r.status_code == 416
    assert r["Content-Range"] == f"bytes */{len(data)}"
    assert data[:100] not in r.content


@pytest.mark.parametrize(
    "spec",
    ["bytes=0-1,5-6", "items=0-10", "bytes=abc-def", "bytes=-", "bytes=" + "9" * 5000 + "-", "bytes=١-٢"],
)
def test_ranges_we_do_not_serve_get_the_whole_file(audio, spec):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/", headers={"Range": spec})
    assert r.status_code == 200 and body(r) == data


def test_if_range_with_another_validator_gets_the_whole_file(audio):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/")
    etag = r["ETag"]
    assert etag == f'"{hashlib.sha256(data).hexdigest()}"'
    r = c.get(f"/files/{f.pk}/", headers={"Range": "bytes=100-199", "If-Range": etag})
    assert r.status_code == 206 and body(r) == data[100:200]
    r = c.get(f"/files/{f.pk}/", headers={"Range": "bytes=100-199", "If-Range": '"stale"'})
    assert r.status_code == 200 and body(r) == data


def test_no_range_is_the_whole_file_as_an_attachment_with_the_chinese_name(audio):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/")
    assert r.status_code == 200
    assert r["Accept-Ranges"] == "bytes"
    assert r["Content-Length"] == str(len(data)) and r["Content-Type"] == "audio/mpeg"
    disposition = r["Content-Disposition"]
    assert disposition == "attachment; filename*=utf-8''" + quote("党课录音 第1讲.mp3")
    assert unquote(disposition.split("''", 1)[1]) == "党课录音 第1讲.mp3"
    assert r["X-Content-Type-Options"] == "nosniff" and "private" in r["Cache-Control"]
    assert body(r) == data


def test_inline_on_request_and_ascii_names_quoted(user):
    f = uploads.store(actor=user, purpose_name="core.attachment", name='cover "big".png', chunks=PNG)
    c = Client()
    c.force_login(user)
    r = c.get(f"/files/{f.pk}/", {"inline": "1"})
    assert r["Content-Disposition"] == 'inline; filename="cover \\"big\\".png"'
    assert c.get(f"/files/{f.pk}/")["Content-Disposition"].startswith("attachment;")


def test_downloads_are_read_only(audio):
    c, f, _ = audio
    assert c.post(f"/files/{f.pk}/").status_code == 405
    assert c.head(f"/files/{f.pk}/").status_code == 200
