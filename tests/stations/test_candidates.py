"""备选点位 imported from a list (stations.imports): a good file imports with its cells and one audit
row; bad rows are reported in Chinese and, all or nothing, change nothing; importing again adds
nothing; nobody places candidates outside their scope; the circle suggests an imported place."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

import sanxin.demo
from sanxin.accounts.matrix import Role
from sanxin.accounts.services import grant_create
from sanxin.core.errors import PermissionDenied
from sanxin.core.excel import importer as imp
from sanxin.core.geo import distance_m, to_gcj02
from sanxin.core.models import AuditLog, ImportJob, Region, StoredFile
from sanxin.stations import spatial
from sanxin.stations.models import Candidate
from tests.core.excel_files import xlsx
from tests.factories import UserFactory
from tests.stations.conftest import CITY

HEADER = ["名称", "类型", "地址", "纬度", "经度", "区划代码"]
LAT, LNG = CITY
GOOD = [
    ["中油新河加油站（城关站）", "加油站", "城关路1号", LAT + 0.01, LNG, "390102001000"],
    ["邻家便利店（城关店）", "便利店", "城关路20号", f"{LAT - 0.01:.6f}", f"{LNG:.6f}", "城关街道"],
    ["河东街道党群服务中心", "党群服务中心", "", LAT, LNG + 0.02, "390103001"],
    ["蜂行快送站", "合作企业", "物流园1号", LAT, LNG - 0.02, "390102"],
    ["东湖商圈", "园区/商圈", "", LAT + 0.02, LNG + 0.02, "新河市"],
    ["某处", "", "", LAT - 0.02, LNG - 0.02, "390100"],  # no kind: 其他
]
KEY = "stations_candidates"


def upload(actor, rows, mode="all", header=HEADER, name="备选点位.xlsx", data=None):
    job = imp.job_create(
        actor=actor,
        importer_key=KEY,
        name=name,
        chunks=iter([data if data is not None else xlsx([header, *rows])]),
        mode=mode,
    )
    imp.job_confirm(actor=actor, job=job, mapping=job.mapping, enqueue=False)
    return imp.run_job(job.pk)


def report(job) -> list[tuple]:
    f = StoredFile.objects.get(pk=job.error_report_id)
    rows = openpyxl.load_workbook(io.BytesIO(f.path.read_bytes())).active.iter_rows(values_only=True)
    return list(rows)[1:]


def test_a_good_list_imports_with_cells_and_one_audit_row_and_again_adds_nothing(st):
    job = upload(st.office, GOOD)
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.created_count, job.error_count) == (6, 0)
    got = {c.name: c for c in Candidate.objects.all()}
    gas = got["中油新河加油站（城关站）"]
    assert (gas.host_kind, gas.region_id, gas.address) == ("gas", "390102001000", "城关路1号")
    assert gas.cell9 == spatial.cells(gas.lat, gas.lng)["cell9"] and gas.lat == round(LAT + 0.01, 6)
    assert got["邻家便利店（城关店）"].region_id == "390102001000"  # by the street's name
    assert got["河东街道党群服务中心"].host_kind == "centre" and got["东湖商圈"].host_kind == "park"
    assert got["某处"].host_kind == "other" and got["蜂行快送站"].region_id == "390102000000"
    [batch] = AuditLog.objects.filter(action="candidate_import")
    assert batch.after["count"] == 6 and batch.actor_id == st.office.pk

    again = upload(st.office, GOOD)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 6)
    assert Candidate.objects.count() == 6 and AuditLog.objects.filter(action="candidate_import").count() == 1

    # a corrected row updates its place, audited with before and after; one whose point was corrected
    # (same name and address in the same street) moves instead of becoming a second place
    changed = [list(r) for r in GOOD]
    changed[1][1] = "加油站"
    changed[0][3] = LAT + 0.0105
    third = upload(st.office, changed, mode="valid")
    assert (third.created_count, third.updated_count, third.unchanged_count) == (0, 2, 4)
    assert Candidate.objects.count() == 6
    moved = Candidate.objects.get(name="中油新河加油站（城关站）")
    assert moved.lat == round(LAT + 0.0105, 6) and moved.cell9 == spatial.cells(moved.lat, moved.lng)["cell9"]
    kinds = AuditLog.objects.filter(action="candidate_update").values_list("before", "after")
    assert {"host_kind": "store"} in [b for b, _ in kinds]


def test_bad_rows_are_reported_in_chinese_and_all_or_nothing_changes_nothing(st):
    rows = [
        GOOD[0],  # 2
        ["缺坐标", "便利店", "", "", LNG, "390102001000"],  # 3
        ["坏坐标", "便利店", "", "北纬30度", LNG, "390102001000"],  # 4
        ["东京", "便利店", "", 35.68, 139.69, "390102001000"],  # 5
        ["填反了", "便利店", "", LNG, LAT, "390102001000"],  # 6
        ["未知类型", "菜市场", "", LAT, LNG, "390102001000"],  # 7
        ["未知区划", "便利店", "", LAT, LNG, "390199001000"],  # 8
        ["无名区划", "便利店", "", LAT, LNG, "桃花源街道"],  # 9
        [*GOOD[0][:5], "390102001000"],  # 10: the same place as row 2
        ["超范围", "便利店", "", 91, LNG, "390102001000"],  # 11
    ]
    job = upload(st.office, rows)
    assert job.status == ImportJob.Status.REJECTED and "未导入任何数据" in job.message
    assert Candidate.objects.count() == 0 and job.created_count == 0
    errors = {r[0]: (r[1], r[3]) for r in report(job)}
    assert errors[3] == ("纬度", "必填项为空")
    assert errors[4] == ("纬度", "纬度应为数字（十进制度，如 30.58）")
    assert "不在我国境内" in errors[5][1]
    assert "填反" in errors[6][1]
    assert errors[7][0] == "类型" and "加油站、便利店" in errors[7][1]
    assert errors[8] == ("所在街道", "没有区划代码为 390199001000 的区划")
    assert "桃花源街道" in errors[9][1]
    assert errors[10][1] == "与第 2 行重复"
    assert errors[11][0] == "纬度"
    assert 2 not in errors

    valid = upload(st.office, rows, mode="valid")
    assert valid.status == ImportJob.Status.DONE and valid.created_count == 1 and valid.error_count == 9
    assert list(Candidate.objects.values_list("name", flat=True)) == ["中油新河加油站（城关站）"]


def test_gcj02_rows_are_stored_as_wgs84_and_baidu_ones_refused(st):
    g_lat, g_lng = to_gcj02(LAT, LNG)
    rows = [
        ["高德选点", "便利店", "", round(g_lat, 6), round(g_lng, 6), "390102001000", "GCJ-02（高德）"],
        ["百度选点", "便利店", "", LAT, LNG, "390102001000", "百度坐标"],
        ["手机定位", "便利店", "", LAT + 0.01, LNG, "390102001000", "WGS-84"],
    ]
    job = upload(st.office, rows, mode="valid", header=[*HEADER, "坐标系"])
    assert job.created_count == 2
    amap = Candidate.objects.get(name="高德选点")
    assert distance_m(amap.lat, amap.lng, LAT, LNG) < 0.5
    [(row, column, _, reason)] = report(job)
    assert (row, column) == (3, "坐标系") and "BD-09" in reason


def test_nobody_places_candidates_outside_their_scope(st):
    # an office over the 河东 county committee: its org's region, nothing of 新城区
    hedong = UserFactory()
    grant_create(actor=None, user=hedong, role=Role.ORG_DEPARTMENT, org=st.other)
    job = upload(hedong, [GOOD[0], GOOD[2]], mode="valid")
    assert job.created_count == 1 and Candidate.objects.get().name == "河东街道党群服务中心"
    [(row, column, _, reason)] = report(job)
    assert (row, column) == (2, "所在街道") and "不在您的管理范围内" in reason

    # a street office by region grant: its street only
    street = UserFactory()
    grant_create(actor=None, user=street, role=Role.STREET, region=Region.objects.get(pk="390102001000"))
    job = upload(street, [GOOD[0], GOOD[3]])
    assert job.status == ImportJob.Status.REJECTED and Candidate.objects.count() == 1
    assert [r[1] for r in report(job)] == ["所在街道"]  # 390102 is the district, wider than the street

    # a keeper (no stations.change) is not offered the importer and cannot start one
    assert KEY not in [i.key for i in imp.available(st.keeper)]
    assert KEY in [i.key for i in imp.available(st.office)]
    with pytest.raises(PermissionDenied):
        imp.job_create(
            actor=st.keeper, importer_key=KEY, name="x.xlsx", chunks=iter([xlsx([HEADER, GOOD[0]])])
        )


def test_the_circle_suggests_an_imported_candidate_and_links_to_the_import(st):
    from django.test import Client

    from sanxin.orgs.models import Person
    from sanxin.stations import selectors
    from sanxin.stations.models import WorkSpot
    from tests.factories import PASSWORD

    region = st.org.region
    far = (LAT + 0.04, LNG + 0.04)  # about 5.6 km from the only station
    for i in range(3):
        person = Person.objects.create(name=f"骑手{i}", org=st.org)
        WorkSpot.objects.create(person=person, kind="rider", region=region, lat=far[0], lng=far[1])
    assert selectors.circle(region.code, at=None).suggestions == []
    job = upload(
        st.office, [["新河石化加油站（备选）", "加油站", "远郊路8号", far[0] + 0.001, far[1], "390100"]]
    )
    assert job.created_count == 1
    c = selectors.circle(region.code, at=None)
    assert [(s.name, g) for s, g, _ in c.suggestions] == [("新河石化加油站（备选）", 3)]
    again = selectors.circle(region.code, at=None, add=[c.suggestions[0][0].pk])
    assert again.workers.covered == 3

    client = Client()
    assert client.login(username=st.office.username, password=PASSWORD)
    page = client.get("/stations/circle/", {"region": region.code, "when": "any"}).content.decode()
    assert "新河石化加油站（备选）" in page and "?importer=stations_candidates" in page
    upload_page = client.get("/imports/", {"importer": KEY}).content.decode()
    assert f'value="{KEY}" selected' in upload_page
    secretary = UserFactory()
    grant_create(actor=None, user=secretary, role=Role.BRANCH_SECRETARY, org=st.org)
    assert client.login(username=secretary.username, password=PASSWORD)
    page = client.get("/stations/circle/", {"region": region.code, "when": "any"}).content.decode()
    assert "?importer=stations_candidates" not in page


def test_the_demos_sample_list_imports(st):
    from sanxin.demo.builtin import region_rows

    known = set(Region.objects.values_list("code", flat=True))
    Region.objects.bulk_create(
        [Region(code=c, name=n, level=lvl, parent_id=p) for c, n, lvl, p in region_rows() if c not in known]
    )
    sample = Path(sanxin.demo.__file__).parent / "data" / "xinhe-candidates-2026-12.csv"
    job = upload(st.office, None, name=sample.name, data=sample.read_bytes())
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.created_count == 10 and job.error_count == 0
    amap = Candidate.objects.get(name="邻家便利店（城关店）")  # given in GCJ-02 in the file
    assert distance_m(amap.lat, amap.lng, 30.26655, 120.15120) < 0.5


def test_a_place_is_one_row_in_the_database_too(st):
    from django.db import IntegrityError, transaction

    Candidate.objects.create(name="加油站", host_kind="gas", lat=LAT, lng=LNG, cell9=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidate.objects.create(name="加油站", host_kind="store", lat=LAT, lng=LNG, cell9=0)
    Candidate.objects.create(name="加油站", host_kind="gas", lat=LAT + 1e-6, lng=LNG, cell9=0)


def test_the_circle_weighs_only_the_candidates_of_its_region(st):
    """Another region's candidate list is another office's: it is neither suggested nor counted here,
    even when it lies right where this region's workers are not reached."""
    from sanxin.orgs.models import Person
    from sanxin.stations import selectors
    from sanxin.stations.models import WorkSpot

    region = st.org.region
    elsewhere, _ = Region.objects.get_or_create(
        code="390200000000", defaults={"name": "另一市", "level": 2, "parent_id": "390000000000"}
    )
    far = (LAT + 0.04, LNG + 0.04)
    person = Person.objects.create(name="骑手", org=st.org)
    WorkSpot.objects.create(person=person, kind="rider", region=region, lat=far[0], lng=far[1])
    theirs = Candidate.objects.create(
        name="另一市的备选点", host_kind="gas", region=elsewhere, lat=far[0], lng=far[1],
        cell9=spatial.cells(*far)["cell9"],
    )  # fmt: skip
    c = selectors.circle(region.code, at=None, add=[theirs.pk])
    assert c.suggestions == [] and c.added == [] and c.workers.covered == 0
    ours = Candidate.objects.create(
        name="本市的备选点", host_kind="gas", region=region, lat=far[0], lng=far[1],
        cell9=spatial.cells(*far)["cell9"],
    )  # fmt: skip
    assert [s.pk for s, _g, _t in selectors.circle(region.code, at=None).suggestions] == [ours.pk]
