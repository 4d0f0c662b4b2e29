"""Ledger export: a styled xlsx (frozen bold Chinese header, widths, dates in Asia/Shanghai, text that
stays text), streamed from querysets, delivered as an attachment; the audit log's export."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile

import openpyxl
import pytest

from sanxin.core import audit
from sanxin.core.errors import InvalidInput
from sanxin.core.excel import export
from sanxin.core.excel.export import Ledger, export_ledger, export_ledger_bytes, ledger_response
from sanxin.core.models import AuditLog, Region
from tests.world import regions


@pytest.fixture(autouse=True)
def own_tempdir(tmp_path, monkeypatch):
    """Ledgers are written to a temporary file first: give each test its own directory to watch."""
    d = tmp_path / "tmp"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    return d


def _load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


class Person:
    def __init__(self, name, org, joined, at):
        self.name, self.org, self.joined, self.at = name, org, joined, at


class Org:
    def __init__(self, name):
        self.name = name


def test_a_styled_ledger_with_chinese_headers(own_tempdir):
    at = dt.datetime(2024, 1, 1, 16, 30, tzinfo=dt.UTC)
    rows = [
        Person("张三", Org("新港街道第一党支部"), dt.date(2020, 7, 1), at),
        {"name": "李四", "org": {"name": "河东区委组织部"}, "joined": None, "at": None},
    ]
    data = export_ledger_bytes(
        rows,
        [
            ("name", "姓名"),
            ("org__name", "所属党组织"),
            ("joined", "入党日期"),
            ("at", "登记时间"),
            (lambda r: "是" if isinstance(r, Person) else "否", "对象"),
        ],
        title="党员台账",
    )
    ws = _load(data)
    assert [c.value for c in ws[1]] == ["姓名", "所属党组织", "入党日期", "登记时间", "对象"]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E3"
    assert ws["B2"].value == "新港街道第一党支部" and ws["B3"].value == "河东区委组织部"
    assert ws["C2"].value == dt.datetime(2020, 7, 1) and ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["D2"].value == dt.datetime(2024, 1, 2, 0, 30)  # shown in Asia/Shanghai
    assert ws["C3"].value is None and ws["E3"].value == "否"
    # widths: a CJK character counts double, the longest cell wins, within bounds
    assert ws.column_dimensions["A"].width >= 8
    assert ws.column_dimensions["B"].width >= 2 * len("新港街道第一党支部")
    assert openpyxl.load_workbook(io.BytesIO(data)).properties.title == "党员台账"
    assert os.listdir(own_tempdir) == []


def test_values_that_look_like_formulas_links_or_long_numbers_stay_text():
    ws = _load(
        export_ledger_bytes(
            [
                {"v": '=HYPERLINK("http://x","点我")'},
                {"v": "http://example.com"},
                {"v": 390103199001011234},
                {"v": 12},
                {"v": True},
            ],
            [("v", "值")],
            title="t",
        )
    )
    cells = [ws.cell(row=i, column=1) for i in range(2, 7)]
    assert cells[0].data_type == "s" and cells[0].value.startswith("=HYPERLINK")
    assert cells[1].hyperlink is None
    assert cells[2].value == "390103199001011234"  # beyond 15 digits Excel would round it
    assert cells[3].value == 12 and cells[4].value == "是"


@pytest.mark.django_db
def test_a_queryset_is_streamed(django_assert_max_num_queries):
    regions()
    qs = Region.objects.order_by("code")
    with django_assert_max_num_queries(2):
        data = export_ledger_bytes(
            qs, [("code", "区划代码"), ("name", "名称"), ("get_level_display", "级别")], title="区划"
        )
    rows = list(_load(data).iter_rows(values_only=True))
    assert rows[0] == ("区划代码", "名称", "级别")
    assert rows[1] == ("390000000000", "东江省", "省") and len(rows) == 1 + qs.count()


def test_the_temporary_file_goes_when_an_export_fails(own_tempdir):
    def boom(row):
        raise RuntimeError("bad getter")

    with pytest.raises(RuntimeError):
        export_ledger([{"a": 1}], [(boom, "甲")], title="t")
    assert os.listdir(own_tempdir) == []


def test_the_sheet_size_limit_is_a_chinese_error(monkeypatch, own_tempdir):
    monkeypatch.setattr(export, "MAX_ROWS", 2)
    with pytest.raises(InvalidInput) as exc:
        export_ledger([{"a": i} for i in range(3)], [("a", "甲")], title="t")
    assert "超过 Excel 单表上限" in exc.value.message
    assert os.listdir(own_tempdir) == []


def test_ledgers_use_constant_memory():
    ledger = Ledger(title="t", columns=["甲"])
    try:
        assert ledger.wb.constant_memory
    finally:
        ledger.discard()


@pytest.mark.django_db  # closing a response sends request_finished, which tidies connections
def test_ledger_response_is_an_attachment_and_cleans_up(own_tempdir):
    response = ledger_response([{"a": "甲"}], [("a", "列")], title="t", filename="测试台账")
    assert response["Content-Type"] == export.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(data)
    assert _load(data)["A2"].value == "甲"
    response.close()
    assert os.listdir(own_tempdir) == []


@pytest.mark.django_db
def test_the_audit_log_exports_a_ledger(client, office_user, user):
    audit.record(
        actor=office_user, action="create", object_type="core.region", object_id="1", object_repr="新河市"
    )
    client.force_login(user)
    assert client.get("/audit/", {"export": "xlsx"}).status_code == 403
    client.force_login(office_user)
    r = client.get("/audit/", {"export": "xlsx", "action": "create"})
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97" in r["Content-Disposition"]  # 审计日志
    ws = _load(b"".join(r.streaming_content))
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    assert [c.value for c in ws[1]][:6] == ["时间", "操作人", "操作", "对象类型", "对象ID", "对象"]
    assert any(row[5] == "新河市" for row in ws.iter_rows(min_row=2, values_only=True))
    assert AuditLog.objects.filter(
        action="export", object_type="core.auditlog"
    ).exists()  # exports are audited


@pytest.mark.django_db
def test_the_audit_export_button_leaves_htmx_for_a_plain_download(client, office_user):
    client.force_login(office_user)
    r = client.get("/audit/", {"export": "xlsx", "action": "create"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"] == "/audit/?export=xlsx&action=create"
