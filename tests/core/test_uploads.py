import io

import pytest
from django.conf import settings
from django.test import Client

from sanxin.core import uploads
from sanxin.core.errors import InvalidInput
from sanxin.core.models import StoredFile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def mp3(size: int) -> bytes:
    """An ID3-tagged MPEG audio stream: frames of a valid MPEG-1 Layer III header, 417 bytes each."""
    frame = b"\xff\xfb\x90\x64" + bytes(range(256)) + bytes(413 - 256)
    body = b"ID3\x04\x00\x00\x00\x00\x00\x00"
    while len(body) < size:
        body += frame
    return body[:size]


def test_type_is_decided_by_content_not_name(user):
    f = uploads.store(actor=user, purpose_name="core.attachment", name="封面.mp3", chunks=PNG)
    assert f.content_type == "image/png"
    with pytest.raises(InvalidInput) as exc:
        uploads.store(
            actor=user, purpose_name="core.attachment", name="照片.jpg", chunks=b"MZ\x90\x00" + b"\x00" * 300
        )
    assert exc.value.code == "bad_type" and "只接受" in exc.value.message


def test_size_limit_refused_and_nothing_left_on_disk(user, settings):
    uploads.register_purpose("test.small", kinds={"image"}, max_bytes=1024)
    with pytest.raises(InvalidInput) as exc:
        uploads.store(actor=user, purpose_name="test.small", name="a.png", chunks=iter([PNG, b"\x00" * 2000]))
    assert exc.value.code == "too_large" and "文件过大" in exc.value.message
    assert not any(p.is_file() for p in settings.UPLOAD_ROOT.rglob("*"))
    assert not StoredFile.objects.exists()


def test_stored_outside_web_root_under_a_random_name(user):
    f = uploads.store(actor=user, purpose_name="core.attachment", name="../../etc/passwd.png", chunks=PNG)
    assert f.original_name == "passwd.png"
    assert str(f.path).startswith(str(settings.UPLOAD_ROOT))
    assert "passwd" not in f.storage_name and f.path.read_bytes() == PNG
    assert not str(f.path).startswith(str(settings.STATIC_ROOT))


def test_other_users_get_404(user):
    f = uploads.store(actor=user, purpose_name="core.attachment", name="a.png", chunks=PNG)
    other = Client()
    other.force_login(UserFactory())
    assert other.get(f"/files/{f.pk}/").status_code == 404
    anonymous = Client().get(f"/files/{f.pk}/")
    assert anonymous.status_code == 302


@pytest.fixture
def audio(user):
    data = mp3(10_000)
    f = uploads.store(actor=user, purpose_name="core.attachment", name="党课录音.mp3", chunks=data)
    assert f.content_type == "audio/mpeg"
    c = Client()
    c.force_login(user)
    return c, f, data


def test_range_request_for_the_middle_of_an_audio_file(audio):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/", HTTP_RANGE="bytes=1000-1999")
    assert r.status_code == 206
    assert r["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert r["Content-Length"] == "1000"
    assert b"".join(r.streaming_content) == data[1000:2000]


def test_suffix_and_open_ranges(audio):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/", HTTP_RANGE="bytes=-500")
    assert r.status_code == 206 and b"".join(r.streaming_content) == data[-500:]
    r = c.get(f"/files/{f.pk}/", HTTP_RANGE="bytes=9500-")
    assert r["Content-Range"] == f"bytes 9500-9999/{len(data)}"
    assert b"".join(r.streaming_content) == data[9500:]


def test_unsatisfiable_range_is_416(audio):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/", HTTP_RANGE="bytes=20000-30000")
    assert r.status_code == 416 and r["Content-Range"] == f"bytes */{len(data)}"


def test_whole_file_is_an_attachment_with_the_chinese_name(audio):
    c, f, data = audio
    r = c.get(f"/files/{f.pk}/")
    assert r.status_code == 200 and r["Accept-Ranges"] == "bytes"
    assert (
        r["Content-Disposition"].startswith("attachment") and "filename*=utf-8''" in r["Content-Disposition"]
    )
    assert r["X-Content-Type-Options"] == "nosniff"
    assert b"".join(r.streaming_content) == data


def test_purge_expired(user):
    import datetime as dt

    from django.utils import timezone

    f = uploads.store(
        actor=user,
        purpose_name="core.attachment",
        name="a.png",
        chunks=io.BytesIO(PNG).read(),
        expires_at=timezone.now() - dt.timedelta(seconds=1),
    )
    assert uploads.purge_expired() == 1
    assert not f.path.exists() and not StoredFile.objects.filter(pk=f.pk).exists()
