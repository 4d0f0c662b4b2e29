"""The pages: the phone home, a lesson's player and check question, the publisher's editor with a
media upload, submission and review."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sanxin.learning.media import silent_wav
from sanxin.learning.models import Course, CourseStatus, Credit, Lesson

from .conftest import watch

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_home_shows_my_hours_short_lessons_and_the_courses(lw):
    watch(lw.users[1], lw.audio, seconds=20)
    html = client(lw.users[1]).get("/learning/").content.decode()
    assert 'data-testid="hours">1.00<' in html or 'data-testid="hours">1<' in html
    assert "午间一刻钟：防暑" in html and "骑手安全与权益" in html
    home = client(lw.users[1]).get("/").content.decode()
    assert "我的学习" in home


def test_the_lesson_page_plays_through_the_static_player_and_keeps_the_answer_secret(lw):
    c = client(lw.users[1])
    html = c.get(f"/learning/lessons/{lw.video.pk}/").content.decode()
    assert "learning/player.js" in html and "<script>" not in html
    assert f'data-beat-url="/api/v1/learning/lessons/{lw.video.pk}/heartbeat"' in html
    assert f"/files/{lw.video.media_id}/?inline=1" in html
    assert "不安全" in html and 'value="1"' in html  # the choices, not which is right
    resp = c.post(f"/learning/lessons/{lw.video.pk}/", {"choice": "0"}, follow=True)
    assert "回答错误" in resp.content.decode()
    watch(lw.users[1], lw.video, seconds=7, step=7)
    resp = c.post(f"/learning/lessons/{lw.video.pk}/", {"choice": "1"}, follow=True)
    assert "回答正确" in resp.content.decode()
    assert Credit.objects.filter(member=lw.members[1], lesson=lw.video).exists()
    assert "已完成，已记入学时" in c.get(f"/learning/lessons/{lw.video.pk}/").content.decode()


def test_a_publisher_builds_a_course_with_an_uploaded_audio_and_a_reviewer_publishes_it(lw):
    pub = client(lw.publisher)
    resp = pub.post("/learning/manage/new/", {"publisher": lw.committee_x.pk, "title": "防诈骗微课",
                                              "column": "skills", "sub_column": "legal"})  # fmt: skip
    assert resp.status_code == 302
    course = Course.objects.get(title="防诈骗微课")
    upload = SimpleUploadedFile("fraud.wav", silent_wav(12), content_type="audio/wav")
    resp = pub.post(f"/learning/manage/{course.pk}/", {
        "action": "lesson", "title": "三种常见骗局", "kind": "audio", "credit_hours": "0.2", "short": "shift",
        "media": upload,
    })  # fmt: skip
    assert resp.status_code == 302, resp.content.decode()[:2000]
    lesson = Lesson.objects.get(course=course)
    assert lesson.duration_s == 12 and lesson.media.content_type == "audio/x-wav"
    bad = SimpleUploadedFile("fake.mp4", b"not a video at all", content_type="video/mp4")
    resp = pub.post(f"/learning/manage/{course.pk}/", {"action": "lesson", "title": "假视频", "kind": "video",
                                                       "credit_hours": "1", "media": bad})  # fmt: skip
    assert resp.status_code == 400 and "文件类型不符合要求" in resp.content.decode()
    assert pub.post(f"/learning/manage/{course.pk}/", {"action": "submit"}).status_code == 302
    rev = client(lw.reviewer)
    assert "防诈骗微课" in rev.get("/learning/manage/").content.decode()
    assert rev.post(f"/learning/manage/{course.pk}/", {"action": "publish"}).status_code == 302
    course.refresh_from_db()
    assert course.status == CourseStatus.PUBLISHED and course.reviewed_by == lw.reviewer


def test_a_member_gets_no_management_pages(lw):
    c = client(lw.users[1])
    assert c.get("/learning/manage/").status_code == 403
    assert c.get(f"/learning/manage/{lw.course.pk}/").status_code == 403


def test_a_refused_lesson_leaves_no_uploaded_file_behind(lw, settings):
    from sanxin.core.models import StoredFile

    course = Course.objects.create(publisher=lw.committee_x, title="草稿", column="theory")
    before = StoredFile.objects.count()
    files = {p for p in settings.UPLOAD_ROOT.rglob("*") if p.is_file()}
    pub = client(lw.publisher)
    for kind, name, data in (
        ("audio", "a.wav", silent_wav(3)),  # the service refuses it: no title
        ("video", "b.wav", silent_wav(3)),  # an audio offered for a video
    ):
        upload = SimpleUploadedFile(name, data, content_type="audio/wav")
        resp = pub.post(f"/learning/manage/{course.pk}/", {"action": "lesson", "title": "" if kind == "audio" else "视频",
                                                           "kind": kind, "credit_hours": "1", "media": upload})  # fmt: skip
        assert resp.status_code == 400
    assert StoredFile.objects.count() == before
    assert {p for p in settings.UPLOAD_ROOT.rglob("*") if p.is_file()} == files
