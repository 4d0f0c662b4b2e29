"""The API: the publishing flow end to end, the learner's routes (the answer never leaves the server),
and bad input refused as 422 with field paths and Chinese messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanxin.learning import services
from sanxin.learning.models import Course, Credit
from tests.helpers import ApiClient, assert_error

pytestmark = pytest.mark.django_db


def test_publishers_draft_submit_and_review_through_the_api(lw):
    pub, rev = ApiClient(lw.publisher), ApiClient(lw.reviewer)
    resp = pub.post("/api/v1/learning/manage/courses", {"publisher_id": lw.committee_x.pk, "title": "安全生产月",
                                                         "column": "skills", "sub_column": "business"})  # fmt: skip
    assert resp.status_code == 201, resp.content
    cid = resp.json()["id"]
    resp = pub.post(f"/api/v1/learning/manage/courses/{cid}/lessons", {
        "title": "消防常识", "kind": "article", "body": "发现火情先报警。" * 20, "credit_hours": "0.5",
        "question": "发现火情第一步？", "choices": ["报警", "拍照"], "answer": 0, "short": "shift",
    })  # fmt: skip
    assert resp.status_code == 201, resp.content
    assert resp.json()["answer"] == 0  # the publisher sees the key
    assert pub.post(f"/api/v1/learning/manage/courses/{cid}/submit").json()["status"] == "review"
    assert_error(
        pub.post(f"/api/v1/learning/manage/courses/{cid}/review", {"approve": True}), 409, "same_person"
    )
    assert (
        rev.post(f"/api/v1/learning/manage/courses/{cid}/review", {"approve": True}).json()["status"]
        == "published"
    )
    learner = ApiClient(lw.users[2])
    lesson = learner.get(f"/api/v1/learning/courses/{cid}").json()["lessons"][0]
    assert "answer" not in lesson and lesson["choices"] == ["报警", "拍照"]
    assert lesson["short"] == "shift"


def test_the_learner_api_reports_progress_and_credits(lw):
    api = ApiClient(lw.users[1])
    first = api.post(f"/api/v1/learning/lessons/{lw.audio.pk}/heartbeat", {"position": 0, "playing": False})
    assert first.status_code == 200 and first.json()["required_s"] == 18
    assert first.json()["watched_s"] == 0 and not first.json()["completed"]
    jump = api.post(f"/api/v1/learning/lessons/{lw.audio.pk}/heartbeat", {"position": 20}).json()
    assert jump["watched_s"] < 5 and not jump["completed"]  # the jump is capped by the wall time
    wrong = api.post(f"/api/v1/learning/lessons/{lw.video.pk}/answer", {"choice": 0}).json()
    assert wrong["correct"] is False
    home = api.get("/api/v1/learning/home").json()
    assert home["year"]["required"] in ("32", "32.00") or float(home["year"]["required"]) == 32
    assert [le["id"] for le in home["short_lessons"]] == [lw.short.pk]
    assert {p["lesson_id"] for p in home["continuing"]} == {lw.audio.pk, lw.video.pk}
    assert api.get("/api/v1/learning/mine/credits").json()["count"] == 0
    assert not Credit.objects.exists()


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"position": "abc"}, ["body", "payload", "position"]),
        ({"position": -1}, ["body", "payload", "position"]),
        ({}, ["body", "payload", "position"]),
        ({"position": 3, "playing": "maybe"}, ["body", "payload", "playing"]),
    ],
)
def test_bad_heartbeats_get_422_with_the_field_path_in_chinese(lw, body, loc):
    err = assert_error(
        ApiClient(lw.users[1]).post(f"/api/v1/learning/lessons/{lw.audio.pk}/heartbeat", body),
        422,
        "validation_error",
    )
    assert err["details"][0]["loc"] == loc
    assert err["message"].startswith("输入有误")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["details"][0]["msg"])


def test_bad_answers_and_courses_get_422(lw):
    err = assert_error(ApiClient(lw.users[1]).post(f"/api/v1/learning/lessons/{lw.video.pk}/answer",
                                                   {"choice": 9}), 422)  # fmt: skip
    assert err["details"][0]["loc"] == ["body", "payload", "choice"]
    pub = ApiClient(lw.publisher)
    err = assert_error(pub.post("/api/v1/learning/manage/courses", {"publisher_id": lw.committee_x.pk,
                                                                     "title": "x", "column": "music"}), 422)  # fmt: skip
    assert err["details"][0]["loc"] == ["body", "payload", "column"]
    course = Course.objects.create(publisher=lw.committee_x, title="草稿", column="theory")
    # the schema passes, the service names the field
    err = assert_error(pub.post(f"/api/v1/learning/manage/courses/{course.pk}/lessons", {
        "title": "题", "kind": "article", "body": "x", "credit_hours": "1", "question": "对吗？",
        "choices": ["对", "错"],
    }), 422, "validation_error")  # fmt: skip
    assert err["details"][0]["loc"] == ["answer"] and err["message"] == "请指定正确选项"
    err = assert_error(pub.post(f"/api/v1/learning/manage/courses/{course.pk}/lessons", {
        "title": "题", "kind": "article", "body": "x", "credit_hours": "-2",
    }), 422)  # fmt: skip
    assert err["details"][0]["loc"] == ["body", "payload", "credit_hours"]


def test_a_member_cannot_use_the_publishers_routes(lw):
    api = ApiClient(lw.users[1])
    assert_error(api.post(f"/api/v1/learning/manage/courses/{lw.course.pk}/archive"), 403)


def _draft_with_audio(client, committee) -> tuple[int, int]:
    cid = client.post("/api/v1/learning/manage/courses", {"publisher_id": committee.pk, "title": "急救常识",
                                                          "column": "skills", "sub_column": "first_aid"}).json()["id"]  # fmt: skip
    lid = client.post(f"/api/v1/learning/manage/courses/{cid}/lessons",
                      {"title": "心肺复苏", "kind": "audio", "credit_hours": "0.5"}).json()["id"]  # fmt: skip
    return cid, lid


def test_a_lesson_media_is_uploaded_through_the_api_and_its_length_read_from_the_file(lw):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sanxin.core.models import StoredFile
    from sanxin.learning.media import silent_wav

    pub = ApiClient(lw.publisher)
    cid, lid = _draft_with_audio(pub, lw.committee_x)
    url = f"/api/v1/learning/manage/lessons/{lid}/media"
    resp = pub.client.post(
        url, {"file": SimpleUploadedFile("cpr.wav", silent_wav(12))}, headers=pub._headers()
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["duration_s"] == 12 and resp.json()["media_url"].startswith("/files/")
    assert pub.post(f"/api/v1/learning/manage/courses/{cid}/submit").json()["status"] == "review"

    # A video offered for the audio lesson, and a replay for a lesson that is not a live class, are
    # refused and leave no file behind.
    _, lid2 = _draft_with_audio(pub, lw.committee_x)
    files = StoredFile.objects.count()
    url2 = f"/api/v1/learning/manage/lessons/{lid2}/media"
    video = SimpleUploadedFile(
        "x.mp4", (Path(services.__file__).parent / "data" / "demo-video.mp4").read_bytes()
    )
    assert_error(pub.client.post(url2, {"file": video}, headers=pub._headers()), 422)
    wav = SimpleUploadedFile("r.wav", silent_wav(3))
    assert_error(
        pub.client.post(url2, {"file": wav, "field": "replay"}, headers=pub._headers()), 422, "not_live"
    )
    assert StoredFile.objects.count() == files
    # A course already under review takes no new file; a member of the course's audience cannot upload.
    resp = pub.client.post(url, {"file": SimpleUploadedFile("b.wav", silent_wav(3))}, headers=pub._headers())
    assert_error(resp, 409, "not_draft")
    assert StoredFile.objects.count() == files
    learner = ApiClient(lw.users[1])
    wav = SimpleUploadedFile("c.wav", silent_wav(3))
    assert learner.client.post(url2, {"file": wav}, headers=learner._headers()).status_code in (403, 404)
    assert StoredFile.objects.count() == files
