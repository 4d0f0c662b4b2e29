"""core.bulk: set-oriented inserts and updates, and the audit of what they wrote."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from sanxin.core import audit, bulk
from sanxin.core.models import AuditLog, Region
from sanxin.core.query import in_values
from sanxin.core.selectors import history
from sanxin.registry.models import Organization
from sanxin.registry.services import organization_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return Region.objects.create(code="390000000000", name="东江省", level=1)


def _row(i, region, **extra):
    return {
        "name": f"企业{i}",
        "normalized_name": f"企业{i}",
        "region_id": region.pk,
        "registered_on": dt.date(2024, 1, i),
        **extra,
    }


def test_insert_allocates_ids_in_order_and_fills_defaults(region, django_user_model):
    user = django_user_model.objects.create(username="u")
    first = organization_create(actor=None, name="已有企业", region=region, registered_on=dt.date(2020, 1, 1))
    rows = [_row(i, region, created_by_id=user.pk) for i in (1, 2, 3)]
    with transaction.atomic():
        ids = bulk.insert(Organization, rows, ids=True)
    assert ids == [first.pk + 1, first.pk + 2, first.pk + 3] and [r["id"] for r in rows] == ids
    got = {o.pk: o for o in Organization.objects.filter(pk__in=ids)}
    assert [got[i].name for i in ids] == ["企业1", "企业2", "企业3"]
    assert got[ids[1]].registered_on == dt.date(2024, 1, 2) and got[ids[1]].created_by_id == user.pk
    # defaults: the declared ones, "" for text, and the time for created_at/updated_at
    o = got[ids[0]]
    assert o.kind == "enterprise" and o.address == "" and o.employees == 0 and o.possibly_closed is False
    assert o.created_at is not None and o.updated_at is not None
    # a later ordinary insert does not collide with the allocated ids
    later = organization_create(
        actor=None, name="之后的企业", region=region, registered_on=dt.date(2020, 1, 1)
    )
    assert later.pk > ids[-1]


@pytest.mark.django_db(transaction=True)
def test_allocate_ids_refuses_to_run_outside_a_transaction(region):
    with pytest.raises(RuntimeError):
        bulk.allocate_ids(Organization, 3)


def test_database_constraints_hold_and_roll_back(region):
    rows = [
        _row(1, region, credit_code="91390102MA0000000X"),
        _row(2, region, credit_code="91390102MA0000000X"),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert(Organization, rows, ids=True)
    assert not Organization.objects.exists()


def test_update_writes_each_rows_fields_and_stamps(region):
    with transaction.atomic():
        ids = bulk.insert(Organization, [_row(i, region) for i in (1, 2, 3)], ids=True)
    before = Organization.objects.get(pk=ids[0]).updated_at
    bulk.update(
        Organization,
        [
            {"id": ids[0], "address": "城关路1号"},
            {"id": ids[1], "address": "城关路2号", "employees": 7},
            {"id": ids[2], "registered_on": dt.date(2019, 5, 4)},
        ],
    )
    a, b, c = (Organization.objects.get(pk=i) for i in ids)
    assert (a.address, a.employees) == ("城关路1号", 0) and a.updated_at > before
    assert (b.address, b.employees) == ("城关路2号", 7)
    assert c.registered_on == dt.date(2019, 5, 4) and c.address == ""


def test_in_values_matches_a_long_list_with_one_parameter(region):
    with transaction.atomic():
        ids = bulk.insert(Organization, [_row(i, region) for i in range(1, 29)], ids=True)
    wanted = [*ids[::3], 10**9]
    found = set(
        Organization.objects.filter(in_values(Organization, "id", wanted)).values_list("pk", flat=True)
    )
    assert found == set(ids[::3])
    names = Organization.objects.filter(in_values(Organization, "name", ["企业2", "企业5", "无"]))
    assert sorted(names.values_list("name", flat=True)) == ["企业2", "企业5"]
    assert not Organization.objects.filter(in_values(Organization, "id", [])).exists()


def test_batch_audit_rows_are_found_from_each_row(region, django_user_model):
    user = django_user_model.objects.create(username="importer")
    other = organization_create(actor=None, name="单独新建", region=region, registered_on=dt.date(2020, 1, 1))
    with transaction.atomic():
        ids = bulk.insert(Organization, [_row(i, region) for i in (1, 2, 3)], ids=True)
        audit.record_batch(actor=user, action="import_create", model=Organization, ids=ids, after={"job": 9})
        audit.record_many(
            actor=user,
            action="update",
            object_type="registry.organization",
            entries=[(ids[1], "企业2", {"address": ""}, {"address": "城关路2号"})],
        )
    assert audit.id_ranges([5, 3, 4, 9, 11, 10]) == [[3, 5], [9, 11]]
    batch = AuditLog.objects.get(action="import_create")
    assert batch.after == {"ids": [[ids[0], ids[2]]], "count": 3, "job": 9} and batch.actor_id == user.pk
    assert batch.action_label == "导入新增"
    middle = history(Organization.objects.get(pk=ids[1]))
    assert [h.action for h in middle] == ["update", "import_create"]
    assert middle[0].after == {"address": "城关路2号"} and middle[1].pk == batch.pk
    assert [h.action for h in history(other)] == ["create"]


def test_insert_puts_each_value_in_its_column_whatever_the_mix_of_kinds(region):
    """Per-row values (plain, converted: dates, datetimes, JSON, an IP address; ids given) and
    constants (defaults, stamps) in one insert: each lands in its own column."""
    at = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    rows = [
        {
            "at": at + dt.timedelta(days=i),
            "action": f"act{i}",
            "before": {"n": i, "list": [i, "二"]},
            "after": None if i == 2 else {"k": "值"},
            "ip": f"10.0.0.{i}",
            "object_id": str(i),
        }
        for i in (1, 2)
    ]
    with transaction.atomic():
        ids = bulk.insert(AuditLog, rows, ids=True)
        orgs = bulk.insert(Organization, [_row(1, region, id=10**6, hq_id=10**6)], ids=True)
    assert orgs is None  # ids given by the caller: nothing allocated
    a, b = (AuditLog.objects.get(pk=i) for i in ids)
    assert (a.at, a.action, a.before, a.after, a.ip, a.object_id) == (
        at + dt.timedelta(days=1),
        "act1",
        {"n": 1, "list": [1, "二"]},
        {"k": "值"},
        "10.0.0.1",
        "1",
    )
    assert (b.at, b.after, b.ip, b.actor_repr, b.message) == (
        at + dt.timedelta(days=2),
        None,
        "10.0.0.2",
        "",
        "",
    )
    o = Organization.objects.get(pk=10**6)
    assert (o.hq_id, o.name, o.registered_on, o.kind) == (10**6, "企业1", dt.date(2024, 1, 1), "enterprise")


def test_update_across_statement_chunks_sets_every_row(region):
    n = bulk.SQLITE_CHUNK * 2 + 1
    with transaction.atomic():
        ids = bulk.insert(Organization, [_row(1, region) for _ in range(n)], ids=True)
        bulk.update(
            Organization, [{"id": pk, "address": f"路{pk}号", "employees": i} for i, pk in enumerate(ids)]
        )
    got = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "address"))
    assert got == {pk: f"路{pk}号" for pk in ids}
    assert list(
        Organization.objects.filter(pk__in=ids).order_by("pk").values_list("employees", flat=True)
    ) == list(range(n))
