"""一企一档 exported as a workbook: every section of the page, in scope only, audited."""

import datetime as dt
import io
from urllib.parse import quote

import openpyxl
import pytest
from django.test import Client

from sanxin.core.models import AuditLog
from sanxin.registry import services
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return build_world()


def _book(response):
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert quote("一企一档") in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_dossier_workbook_has_every_section(w):
    org = w.enterprise_a
    services.organization_update(actor=w.industry_x, org=org, data={"address": "城关路1号"})
    services.visit_log(
        actor=w.instructor_1,
        org=org,
        date=dt.date(2026, 3, 1),
        content="了解骑手休息需求",
        next_step="协调驿站",
    )
    c = Client()
    c.force_login(w.industry_x)
    book = _book(c.get(f"/registry/organizations/{org.pk}/", {"export": "xlsx"}))
    assert book.sheetnames == [
        "基本信息",
        "党组织覆盖",
        "指导员与联系人",
        "走访记录",
        "总部—分支—网点",
        "变更记录",
    ]
    facts = {k: v for k, v in book["基本信息"].iter_rows(min_row=2, values_only=True)}
    assert facts["组织名称"] == org.name and facts["住所"] == "城关路1号"
    assert facts["两个覆盖"] == "已组织覆盖" and facts["所在区划"] == str(org.region)
    coverages = list(book["党组织覆盖"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in coverages] == [(w.branch_a.name, "至今")]
    contacts = list(book["指导员与联系人"].iter_rows(min_row=2, values_only=True))
    assert len(contacts) == org.contacts.count() and contacts[0][1] == "党建指导员"
    visits = list(book["走访记录"].iter_rows(min_row=2, values_only=True))
    assert [(r[0].date(), r[1], r[3], r[4]) for r in visits] == [
        (dt.date(2026, 3, 1), "定期走访", "了解骑手休息需求", "协调驿站")
    ]
    history = list(book["变更记录"].iter_rows(min_row=2, values_only=True))
    assert any(r[2] == "修改" and "住所：" in r[3] and "城关路1号" in r[3] for r in history)
    assert any(r[2] == "新建" for r in history)
    cells = [str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert not any(LEAK_MARKER in v for v in cells)
    assert book["基本信息"].freeze_panes == "A2"
    assert AuditLog.objects.filter(
        action="export", object_type="registry.organization", object_id=str(org.pk), actor_id=w.industry_x.pk
    ).exists()


def test_dossier_export_is_scoped_and_needs_the_export_permission(w):
    c = Client()
    c.force_login(w.industry_x)
    assert c.get(f"/registry/organizations/{w.enterprise_b.pk}/", {"export": "xlsx"}).status_code == 404
    c.force_login(w.instructor_1)  # may view the organization, not export
    assert c.get(f"/registry/organizations/{w.enterprise_a.pk}/").status_code == 200
    assert c.get(f"/registry/organizations/{w.enterprise_a.pk}/", {"export": "xlsx"}).status_code == 403
    assert not AuditLog.objects.filter(action="export").exists()
