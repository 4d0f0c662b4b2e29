import pytest

from sanxin.core import regions
from sanxin.core.errors import InvalidInput
from sanxin.core.models import Region
from sanxin.core.query import any_prefix_q, next_prefix, prefix_q
from sanxin.demo.builtin import build_regions
from sanxin.demo.registry import DemoContext


def test_levels_and_parents():
    assert regions.level_of("390000000000") == 1
    assert regions.level_of("390100000000") == 2
    assert regions.level_of("390102000000") == 3
    assert regions.level_of("390102001000") == 4
    assert regions.level_of("390102001002") == 5
    assert regions.parent_code("390102001002") == "390102001000"
    assert regions.parent_code("390000000000") is None
    assert regions.normalize("390102") == "390102000000"
    with pytest.raises(InvalidInput):
        regions.level_of("39010")


def test_next_prefix():
    assert next_prefix("3901") == "3902"
    assert next_prefix("0001.") == "0001/"
    q = str(prefix_q("code", "3901"))
    assert "code__gte" in q and "code__lt" in q


@pytest.mark.django_db
def test_subtree_uses_range_and_is_exact():
    build_regions(DemoContext(progress=lambda s: None))
    district = regions.subtree("390103000000")
    codes = set(district.values_list("code", flat=True))
    assert "390103000000" in codes and "390103001002" in codes
    assert all(c.startswith("390103") for c in codes)
    assert len(codes) == 1 + 4 + 12
    sql = str(district.query)
    assert "LIKE" not in sql.upper()
    assert regions.full_name("390103001001") == "东江省新河市河东区河东街道河东一社区"
    q = Region.objects.filter(any_prefix_q("code", ["390103", "3901030", "390104"]))
    assert q.count() == 2 * 17


@pytest.mark.django_db
def test_region_upsert_is_idempotent(user):
    build_regions(DemoContext(progress=lambda s: None))
    _, status = regions.region_upsert(actor=user, code="390103005", name="新港街道")
    assert status == "created"
    assert regions.region_upsert(actor=user, code="390103005000", name="新港街道")[1] == "unchanged"
    assert regions.region_upsert(actor=user, code="390103005000", name="新港路街道")[1] == "updated"
    with pytest.raises(InvalidInput) as exc:
        regions.region_upsert(actor=user, code="390199001000", name="无上级")
    assert "上级区划" in exc.value.message


def test_demo_is_idempotent(demo_db):
    from django.core.management import call_command

    n = Region.objects.count()
    call_command("demo", quiet=True)  # a second run over the built demo
    assert Region.objects.count() == n == 79
