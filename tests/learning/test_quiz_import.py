"""题库导入 through the core import framework: a file with a missing answer, a duplicate question and an
answer letter outside the options gets a row-level report naming each row and imports nothing in
all-or-nothing mode; the valid rows only in valid-only mode; the page and the API route."""

from __future__ import annotations

import base64
import io

import pytest
from django.test import Client
from openpyxl import Workbook

from sanxin.core.models import ImportJob
from sanxin.learning.quiz import selectors, services
from sanxin.learning.quiz.models import Question
from tests.helpers import ApiClient
from tests.learning.quizkit import build

pytestmark = pytest.mark.django_db

HEADERS = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "标签"]
ROWS = [
    ["单选", "电动自行车在非机动车道内的最高时速是多少？", "15公里", "20公里", "25公里", "30公里", "A",
     "道路交通安全法实施条例第七十二条", "交通安全"],                                   # 2: fine
    ["多选", "下列属于社会保险的有哪些？", "养老保险", "医疗保险", "工伤保险", "商业险", "",
     "", "劳动权益"],                                                                   # 3: no answer
    ["单选", "电动自行车在非机动车道内的最高时速是多少?", "15公里", "20公里", "25公里", "", "A",
     "", ""],                                                                           # 4: same as row 2
    ["单选", "交通事故报警电话是多少？", "110", "119", "122", "120", "E", "", ""],       # 5: E outside A–D
    ["判断", "预备党员有表决权。", "", "", "", "", "错", "", ""],                       # 6: already in the bank
    ["问答", "谈谈你对党章的理解。", "", "", "", "", "略", "", ""],                     # 7: unknown kind
    ["单选", "急救电话是？", "120", "", "", "", "A", "", ""],                           # 8: one option
    ["判断", "骑电动车应佩戴头盔。", "", "", "", "", "√", "安全第一", "交通安全"],       # 9: fine
    ["填空", "火警电话是____。", "", "", "", "", "119｜幺幺九", "", "急救知识"],        # 10: fine
    ["多选", "骑行安全的做法有？", "戴头盔", "闯红灯", "不逆行", "", "A、C", "", ""],   # 11: fine
]  # fmt: skip


def xlsx(rows=ROWS, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def qw(lw):
    return build(lw)


def _upload(qw, data: bytes, mode: str, captured, name="题库.xlsx") -> ImportJob:
    with captured(execute=True):
        job = services.bank_import_upload(
            actor=qw.lw.publisher, bank=qw.bank, name=name, chunks=data, mode=mode
        )
    job.refresh_from_db()
    return job


def test_a_file_with_errors_gets_a_row_level_report_and_imports_nothing_all_or_nothing(
    qw, django_capture_on_commit_callbacks
):
    before = Question.objects.filter(bank=qw.bank).count()
    job = _upload(qw, xlsx(), ImportJob.Mode.ALL_OR_NOTHING, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.REJECTED and job.created_count == 0
    assert Question.objects.filter(bank=qw.bank).count() == before  # nothing imported
    errors = {row: (column, reason) for row, column, _value, reason in selectors.import_errors(job)}
    assert set(errors) == {3, 4, 5, 6, 7, 8}, errors
    assert errors[3] == ("答案", "缺少答案")
    assert errors[4] == ("题干", "与第 2 行重复")  # the same stem, a half-width question mark aside
    assert errors[5][0] == "答案" and "“E”不在给出的选项（A–D）之内" in errors[5][1]
    assert errors[6][0] == "题干" and "题库中已有相同的题目" in errors[6][1]
    assert errors[7][0] == "题型" and "未知的题型“问答”" in errors[7][1]
    assert errors[8][0] == "选项A" and "至少需要 2 个选项" in errors[8][1]
    assert job.error_count == 6 and job.error_report_id is not None


def test_valid_only_mode_imports_the_good_rows_with_their_keys(qw, django_capture_on_commit_callbacks):
    before = Question.objects.filter(bank=qw.bank).count()
    job = _upload(qw, xlsx(), ImportJob.Mode.VALID_ONLY, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE and job.created_count == 4 and job.error_count == 6
    new = {q.stem: q for q in Question.objects.filter(bank=qw.bank).order_by("pk")[before:]}
    assert new["电动自行车在非机动车道内的最高时速是多少？"].answer == ["A"]
    assert new["电动自行车在非机动车道内的最高时速是多少？"].options == [
        "15公里",
        "20公里",
        "25公里",
        "30公里",
    ]
    assert new["骑电动车应佩戴头盔。"].answer == ["对"] and new["骑电动车应佩戴头盔。"].tags == ["交通安全"]
    assert new["火警电话是____。"].answer == ["119", "幺幺九"]
    assert new["骑行安全的做法有？"].answer == ["A", "C"] and new["骑行安全的做法有？"].options == [
        "戴头盔",
        "闯红灯",
        "不逆行",
    ]
    # the same file again: every row is now a duplicate of the bank, nothing changes
    again = _upload(qw, xlsx(), ImportJob.Mode.ALL_OR_NOTHING, django_capture_on_commit_callbacks)
    assert again.status == ImportJob.Status.REJECTED
    assert Question.objects.filter(bank=qw.bank).count() == before + 4


def test_a_csv_with_pipe_separated_fill_answers(qw, django_capture_on_commit_callbacks):
    text = "题型,题干,选项A,选项B,选项C,答案,解析\n填空,党的组织原则是____。,,,,民主集中制,\n"
    text += "填空,劳动争议仲裁时效为____年。,,,,一|1,劳动争议调解仲裁法第二十七条\n"
    job = _upload(qw, text.encode("gb18030"), ImportJob.Mode.ALL_OR_NOTHING, django_capture_on_commit_callbacks,
                  name="题库.csv")  # fmt: skip
    # the first is already in the bank (a duplicate), so all or nothing imports nothing
    assert job.status == ImportJob.Status.REJECTED
    assert [r[0] for r in selectors.import_errors(job)] == [2]
    job = _upload(qw, text.encode("gb18030"), ImportJob.Mode.VALID_ONLY, django_capture_on_commit_callbacks,
                  name="题库.csv")  # fmt: skip
    assert job.created_count == 1
    assert Question.objects.get(bank=qw.bank, stem="劳动争议仲裁时效为____年。").answer == ["一", "1"]


def test_the_upload_page_shows_the_row_report(qw, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(qw.lw.publisher)
    page = client.get(f"/learning/quiz/manage/banks/{qw.bank.pk}/import/")
    assert page.status_code == 200 and "选项A" in page.content.decode()
    upload = SimpleUploadedFile("题库.xlsx", xlsx(), content_type="application/octet-stream")
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            f"/learning/quiz/manage/banks/{qw.bank.pk}/import/", {"file": upload, "mode": "all"}
        )
    assert resp.status_code == 302 and "/learning/quiz/manage/imports/" in resp["Location"]
    report = client.get(resp["Location"]).content.decode()
    assert "第 3 行" in report and "缺少答案" in report and "与第 2 行重复" in report
    assert "不在给出的选项" in report and "没有导入任何试题" in report
    # another publisher cannot read this job's report, and branch B's side cannot upload to the bank
    other = Client()
    other.force_login(qw.lw.reviewer)
    assert other.get(resp["Location"]).status_code == 404
    outsider = Client()
    outsider.force_login(qw.lw.outsider_user)
    assert outsider.get(f"/learning/quiz/manage/banks/{qw.bank.pk}/import/").status_code in (403, 404)


def test_the_api_route_imports_and_reports(qw, django_capture_on_commit_callbacks):
    api = ApiClient(qw.lw.publisher)
    body = {"name": "题库.xlsx", "content_base64": base64.b64encode(xlsx()).decode(), "mode": "all"}
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post(f"/api/v1/learning/quiz/manage/banks/{qw.bank.pk}/import", body)
    assert resp.status_code == 202, resp.content
    job_id = resp.json()["job_id"]
    report = api.get(f"/api/v1/learning/quiz/manage/imports/{job_id}").json()
    assert report["status"] == "rejected" and report["created"] == 0 and report["errors_count"] == 6
    rows = {e["row"]: e["reason"] for e in report["errors"]}
    assert rows[3] == "缺少答案" and rows[4] == "与第 2 行重复"
    bad = api.post(
        f"/api/v1/learning/quiz/manage/banks/{qw.bank.pk}/import", {**body, "content_base64": "%%%"}
    )
    assert bad.status_code == 422
