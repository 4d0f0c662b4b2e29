"""The plaintext resident ID appears nowhere it was not asked for: after a demo load (the session's
build, whose log records, task arguments and output are checked with the test's own), a roster import
with errors (through the pages, the task queue and the error workbook) and searches by ID, no valid
plaintext ID known to the platform is in any column of any table, any log record or printed output,
any task's arguments, any stored file (uploads, error reports; inside xlsx archives too), or any
page, API answer or export that did not ask for identifiers in full.

The search is for every 18-character run shaped like a resident ID, checked against the set of IDs
the platform holds (decrypted through the ORM), so a leak in any form — a column, a JSON value, a log
argument, an XML cell of a workbook — is found, and nothing is missed by looking only where a leak is
expected."""

import io
import logging
import re
import zipfile

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from huey.contrib.djhuey import HUEY

from sanxin.core.models import ImportJob, StoredFile
from sanxin.members.models import Member
from sanxin.orgs.models import Person
from tests.core.excel_files import xlsx
from tests.helpers import ApiClient
from tests.members.test_import import HEADER, bad_check_digit, rid, row

ID_SHAPE = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")


def leaks(text: str, known: set[str]) -> set[str]:
    return {m.upper() for m in ID_SHAPE.findall(text)} & known


def file_text(data: bytes) -> str:
    """A stored file's text; an xlsx (a zip of XML parts) is opened and every part read."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return data.decode("utf-8", "replace") + data.decode("gb18030", "replace")


def database_text() -> str:
    """Every value of every table, as text (bytes decoded), one line per row."""
    out = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for values in cur.fetchall():
                out.append(
                    " ".join(
                        bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
                        for v in values
                    )
                )
    return "\n".join(out)


@pytest.fixture
def recorded(monkeypatch, caplog):
    """Records every task enqueued (its arguments) and every log record, at every level."""
    tasks = []
    enqueue = HUEY.enqueue

    def recording(task):
        tasks.append(repr((task.name, task.args, task.kwargs)))
        return enqueue(task)

    monkeypatch.setattr(HUEY, "enqueue", recording)
    caplog.set_level(logging.DEBUG)
    return tasks


def test_no_plaintext_resident_id_anywhere(demo_db, recorded, caplog, capsys):
    # demo_db is a copy of its own, committed to: the import's on-commit work runs as in production
    branch = Member.objects.select_related("person__org").first().person.org
    from sanxin.accounts.models import User

    secretary = User.objects.get(username="shuji")
    client = Client()
    client.force_login(secretary)
    # a roster import with errors, through the pages and the task queue
    good = [rid("19910101", 700 + i) for i in range(3)]
    rows = [row(f"导入{i}", good[i], branch.name) for i in range(3)]
    rows += [
        row("坏校验", bad_check_digit(rid("19920202", 711)), branch.name),
        row("太年轻", rid("20100101", 712), branch.name),
        row("重复", good[0], branch.name),
        row("外组织", rid("19930303", 713), "不存在的支部"),
    ]
    upload = io.BytesIO(xlsx([HEADER, *rows]))
    upload.name = "roster.xlsx"
    r = client.post("/imports/", {"importer": "members", "mode": "valid", "file": upload})
    assert r.status_code == 302, r.content.decode()[:2000]
    job = ImportJob.objects.latest("created_at")
    mapping = {f"col{i}": key for i, key in job.mapping.items()}
    r = client.post(f"/imports/{job.pk}/", {**mapping, "mode": "valid"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.error_count == 4, (job.status, job.error_count)
    assert client.get(f"/imports/{job.pk}/errors/").status_code == 200
    # searches by ID: in the API body, and the pages that list people
    known_person = Person.objects.exclude(resident_id="").first()
    from sanxin.accounts.services import token_issue
    from sanxin.demo.builtin import DEMO_PASSWORD

    api = ApiClient()
    api.token = token_issue(request=None, username="shuji", password=DEMO_PASSWORD)[1]
    found = api.post("/api/v1/people/search", {"resident_id": good[1]})
    assert found.status_code == 200 and found.json()
    api.post("/api/v1/people/search", {"resident_id": known_person.resident_id})
    answers = [
        found.content,
        api.get("/api/v1/members/", {"page_size": 200}).content,
        api.get("/api/v1/people/", {"page_size": 200}).content,
        client.get("/members/").content,
        client.get(f"/members/{Member.objects.filter(person__org=branch).first().pk}/").content,
        client.get("/members/me/").content,
        b"".join(client.get("/members/", {"export": "xlsx"}).streaming_content),
        b"".join(client.get("/members/dues/", {"export": "xlsx"}).streaming_content),
    ]
    office_user = User.objects.get(username="zzb")
    client.force_login(office_user)
    answers.append(b"".join(client.get("/members/", {"export": "xlsx"}).streaming_content))
    answers.append(client.get("/audit/").content)

    known = {p.resident_id.upper() for p in Person.objects.exclude(resident_id="")}
    known |= {bad_check_digit(rid("19920202", 711)), rid("20100101", 712), rid("19930303", 713)}
    assert len(known) > 2000 and set(good) <= known
    assert not leaks(database_text(), known), "a plaintext resident ID in the database"
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {getattr(r, 'request', '')}"
        for r in [*demo_db.log_records, *caplog.records]
    )
    assert not leaks(logged, known), "a plaintext resident ID in a log record"
    printed = capsys.readouterr()
    assert not leaks(demo_db.output + printed.out + printed.err, known), (
        "a plaintext resident ID in the output"
    )
    assert recorded, "the import ran through the task queue"
    assert demo_db.tasks, "the demo's events were delivered through the task queue"
    assert not leaks("\n".join([*demo_db.tasks, *recorded]), known), (
        "a plaintext resident ID in a task's arguments"
    )
    stored = [p for p in settings.UPLOAD_ROOT.rglob("*") if p.is_file()]
    assert StoredFile.objects.filter(purpose="core.report").exists()
    for path in stored:
        assert not leaks(file_text(path.read_bytes()), known), f"a plaintext resident ID in {path.name}"
    for answer in answers:
        text = file_text(answer) if answer[:2] == b"PK" else answer.decode()
        assert not leaks(text, known), "a plaintext resident ID in a page, API answer or export"
    # the detector does find a plaintext ID where there is one
    assert leaks(f"x{good[2]}y", known) == {good[2]}
