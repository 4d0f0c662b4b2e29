"""数据比对 through the core import framework: matching by code, name and similarity, the review
queue, possibly-closed flags inside the declared coverage only, and bad files changing nothing."""

import datetime as dt

import pytest
from stdnum.cn import uscc

from sanxin.core.errors import InvalidInput
from sanxin.core.excel import importer as imp
from sanxin.core.models import ImportJob, Industry
from sanxin.registry import extracts, services
from sanxin.registry.models import Extract, MatchReview, Organization
from tests.core.excel_files import fake_xlsx, xlsx
from tests.world import regions

pytestmark = pytest.mark.django_db
D = dt.date


def code(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


C1 = code("91390102MA0000001")


@pytest.fixture
def known(office_user):
    r = regions()
    r["390102002000"] = r["390102001000"].__class__.objects.create(
        code="390102002000", name="解放路街道", level=4, parent_id="390102000000"
    )
    express, _ = Industry.objects.get_or_create(code="express", defaults={"name": "快递外卖"})
    transport, _ = Industry.objects.get_or_create(code="transport", defaults={"name": "交通运输"})

    def org(name, region, industry=express, credit_code=""):
        return services.organization_create(
            actor=None,
            name=name,
            region=r[region],
            industry=industry,
            credit_code=credit_code,
            registered_on=D(2020, 1, 1),
        )

    return {
        "k1": org("新河快递甲有限公司", "390102001000", credit_code=C1),
        "k2": org("新河快递乙服务部", "390102001000"),
        "k3": org("新河蜂鸟速运站", "390102001000"),
        "k4": org("新河快递丁", "390102002000"),
        "k5": org("河东快递戊", "390103001000"),
        "k6": org("新河货运己", "390102001000", industry=transport),
        "region": r["390102000000"],
        "express": express,
    }


def run_extract(actor, known, rows, mode="all", name="extract.xlsx", data=None):
    extract = extracts.extract_declare(
        actor=actor, source="market", region=known["region"], as_of=D(2026, 10, 31), industry=known["express"]
    )
    job = extracts.extract_upload(
        actor=actor, extract=extract, name=name, chunks=data or xlsx(rows), mode=mode
    )
    imp.job_confirm(actor=actor, job=job, mapping=job.mapping, enqueue=False)
    return extract, imp.run_job(job.pk)


HEADER = ["统一社会信用代码", "企业名称", "住所", "成立日期", "登记机关"]


def test_reconciliation(office_user, known):
    rows = [
        HEADER,
        [C1, "新河快递甲有限公司（新河）", "城关路1号", "2020-01-01", "新城区市场监管局"],
        ["", "新河快递乙服务部", "解放路8号", "2020/03/04", ""],
        ["", "新河蜂鸟速运站点", "", "", ""],
        ["", "全新骑手驿站", "文昌路9号", "2026年5月1日", ""],
    ]
    extract, job = run_extract(office_user, known, rows)
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 2, 1)
    refresh = {k: Organization.objects.get(pk=v.pk) for k, v in known.items() if k.startswith("k")}
    assert refresh["k1"].name == "新河快递甲有限公司（新河）"
    assert refresh["k2"].address == "解放路8号"
    assert refresh["k4"].possibly_closed is True  # in the declared coverage, not in the extract
    assert refresh["k4"].status == "operating"  # flagged, never closed automatically
    assert not refresh["k5"].possibly_closed and not refresh["k6"].possibly_closed  # outside the coverage
    new = Organization.objects.get(name="全新骑手驿站")
    assert new.registered_on == D(2026, 5, 1) and new.region_id == "390102000000"
    review = MatchReview.objects.get()
    assert review.candidate_id == known["k3"].pk and 80 <= review.score < 95
    extract.refresh_from_db()
    assert extract.stats["possibly_closed"] == 1 and extract.stats["review"] == 1

    extracts.review_decide(actor=office_user, review=review, same=True)
    assert Organization.objects.get(pk=known["k3"].pk).name == "新河蜂鸟速运站点"
    # Importing the same extract again changes nothing.
    _, again = run_extract(office_user, known, rows)
    assert (again.created_count, again.updated_count) == (0, 0)


@pytest.mark.parametrize(
    "rows,reason",
    [
        ([HEADER, ["91390102MA00000011", "坏代码企业", "", "", ""]], "校验位"),
        ([HEADER, ["", "", "某路", "", ""]], "必填"),
        ([HEADER, ["", "重复企业", "", "", ""], ["", "重复企业", "", "", ""]], "重复"),
        ([HEADER, ["", "日期错误企业", "", "2026-13-45", ""]], "日期"),
    ],
)
def test_bad_rows_change_nothing(office_user, known, rows, reason):
    before = set(Organization.objects.values_list("pk", "name", "address", "possibly_closed"))
    _, job = run_extract(office_user, known, [*rows, ["", "本应新增的企业", "", "", ""]])
    assert job.status == ImportJob.Status.REJECTED
    assert set(Organization.objects.values_list("pk", "name", "address", "possibly_closed")) == before
    import io

    import openpyxl

    from sanxin.core.models import StoredFile

    with open(StoredFile.objects.get(pk=job.error_report_id).path, "rb") as fh:
        reasons = " ".join(
            str(r[3])
            for r in openpyxl.load_workbook(io.BytesIO(fh.read())).active.iter_rows(
                min_row=2, values_only=True
            )
        )
    assert reason in reasons


def test_bad_files_are_refused_with_chinese_errors(office_user, known, tmp_path):
    extract = extracts.extract_declare(
        actor=office_user, source="market", region=known["region"], as_of=D(2026, 10, 31)
    )
    good = xlsx([HEADER, ["", "某企业", "", "", ""]])
    with pytest.raises(InvalidInput) as exc:  # a truncated workbook
        extracts.extract_upload(
            actor=office_user, extract=extract, name="cut.xlsx", chunks=good[: len(good) // 2], mode="all"
        )
    assert "损坏" in exc.value.message or "无法" in exc.value.message
    path = tmp_path / "big.xlsx"
    fake_xlsx(path, 50 * 1024 * 1024)
    with pytest.raises(InvalidInput) as exc:
        extracts.extract_upload(
            actor=office_user, extract=extract, name="big.xlsx", chunks=[path.read_bytes()], mode="all"
        )
    assert "过大" in exc.value.message or "最大" in exc.value.message
    with pytest.raises(InvalidInput):
        extracts.extract_upload(
            actor=office_user,
            extract=extract,
            name="notes.xlsx",
            chunks=["这不是表格".encode() * 100],
            mode="all",
        )
    assert not Organization.objects.filter(name="某企业").exists()


def test_declared_coverage_must_be_in_scope(known):
    from tests.factories import UserFactory

    with pytest.raises(InvalidInput):
        extracts.extract_declare(
            actor=UserFactory(), source="market", region=known["region"], as_of=D(2026, 1, 1)
        )
    assert not Extract.objects.exists()


def test_wrong_sheet_and_renamed_text_file_change_nothing(office_user, known, tmp_path):
    before = set(Organization.objects.values_list("pk", "name", "address", "possibly_closed"))
    extract = extracts.extract_declare(
        actor=office_user, source="market", region=known["region"], as_of=D(2026, 10, 31)
    )
    wrong = xlsx([["序号", "备注", "填报人"], ["1", "无", "张三"]])
    job = extracts.extract_upload(
        actor=office_user, extract=extract, name="wrong.xlsx", chunks=wrong, mode="all"
    )
    with pytest.raises(InvalidInput) as exc:
        imp.job_confirm(actor=office_user, job=job, mapping=job.mapping, enqueue=False)
    assert "企业名称" in exc.value.message
    text = tmp_path / "text.xlsx"
    with open(text, "wb") as fh:
        for _ in range(50):
            fh.write(("骑手名单 " * 100_000).encode()[: 1024 * 1024])
    with pytest.raises(InvalidInput):
        extracts.extract_upload(
            actor=office_user, extract=extract, name="text.xlsx", chunks=[text.read_bytes()], mode="all"
        )
    assert set(Organization.objects.values_list("pk", "name", "address", "possibly_closed")) == before


def test_alike_names_with_different_credit_codes_are_different_organizations(office_user, known):
    other = code("91390102MA0000002")
    _, job = run_extract(office_user, known, [HEADER, [other, "新河快递甲有限公司分部", "", "", ""]])
    assert job.created_count == 1 and not MatchReview.objects.exists()


def test_every_registry_write_leaves_an_audit_row(office_user, known):
    from django.test import Client

    from sanxin.core.audit import batch_covers
    from sanxin.core.models import AuditLog
    from sanxin.core.selectors import history

    rows = [HEADER, [C1, "新河快递甲有限公司", "", "", ""], ["", "全新骑手驿站", "", "", ""]]
    extract, _ = run_extract(office_user, known, rows)
    flag = AuditLog.objects.get(action="flag_possibly_closed", after__extract=extract.pk)
    flagged = {known["k2"].pk, known["k3"].pk, known["k4"].pk}
    assert (
        flag.after["count"] == 3
        and {o.pk for o in Organization.objects.all() if batch_covers(flag, o.pk)} == flagged
    )
    assert flag in history(known["k2"]) and flag not in history(known["k1"])
    created = Organization.objects.get(name="全新骑手驿站")
    # Organizations an import creates are audited one row per batch, found from each of them.
    (made,) = [h for h in history(created) if h.action == "import_create"]
    assert made.actor_id == office_user.pk and made.after["extract"] == extract.pk
    assert made.after["count"] == 1 and batch_covers(made, created.pk)
    assert not batch_covers(made, known["k1"].pk)
    assert not [h for h in history(known["k1"]) if h.action == "import_create"]
    c = Client()
    c.force_login(office_user)
    c.post(f"/registry/organizations/{known['k4'].pk}/confirm/", {"closed": "0"})
    confirm = AuditLog.objects.get(action="confirm_operating", object_id=str(known["k4"].pk))
    assert confirm.before["possibly_closed"] is True and confirm.after["possibly_closed"] is False
    c.post(f"/registry/organizations/{known['k2'].pk}/confirm/", {"closed": "1"})
    assert AuditLog.objects.filter(action="close", object_id=str(known["k2"].pk)).exists()
    # Listed again by a later extract, k3 loses its flag through an audited update.
    run_extract(office_user, known, [*rows, ["", "新河蜂鸟速运站", "", "", ""]])
    k3 = Organization.objects.get(pk=known["k3"].pk)
    assert not k3.possibly_closed
    assert AuditLog.objects.filter(
        action="update", object_id=str(k3.pk), after__possibly_closed=False
    ).exists()


def test_extract_page_answers_bad_input_in_chinese(office_user, known):
    from django.test import Client

    c = Client()
    c.force_login(office_user)
    r = c.post(
        "/registry/extracts/new/",
        {"source": "market", "region": known["region"].pk, "as_of": "2026-02-30", "mode": "all"},
    )
    body = r.content.decode()
    assert r.status_code == 400 and "请选择要导入的文件" in body and "日期格式应为" in body
    assert not Extract.objects.exists()
