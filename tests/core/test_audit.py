import pytest
from django.db import DatabaseError, connection, transaction

from sanxin.core import audit
from sanxin.core.context import request_context
from sanxin.core.errors import InvalidInput
from sanxin.core.models import AuditLog, CalendarDay, Region
from sanxin.core.services import model_create, model_delete, model_update


@pytest.mark.django_db
def test_create_update_delete_are_audited_with_before_after(user):
    with request_context(request_id="req-abc-12345"):
        day = model_create(CalendarDay, actor=user, date="2030-01-02", is_workday=False, name="元旦")
        model_update(day, actor=user, data={"name": "元旦假期"})
        model_delete(day, actor=user)
    rows = list(AuditLog.objects.filter(object_type="core.calendarday").order_by("id"))
    assert [r.action for r in rows] == ["create", "update", "delete"]
    assert rows[0].after["name"] == "元旦" and rows[0].before is None
    assert rows[1].before == {"name": "元旦"} and rows[1].after == {"name": "元旦假期"}
    assert rows[2].before["name"] == "元旦假期"
    assert all(r.actor_id == user.pk and r.actor_repr == user.username for r in rows)
    assert {r.request_id for r in rows} == {"req-abc-12345"}
    assert rows[1].changed_fields == ["name"]


@pytest.mark.django_db
def test_unchanged_update_writes_nothing(user):
    day = model_create(CalendarDay, actor=user, date="2030-01-03", is_workday=True)
    before = AuditLog.objects.count()
    _, changed = model_update(day, actor=user, data={"is_workday": True})
    assert changed is False
    assert AuditLog.objects.count() == before


@pytest.mark.django_db
def test_invalid_data_raises_with_field_and_writes_nothing(user):
    with pytest.raises(InvalidInput) as exc:
        model_create(Region, actor=user, code="1" * 13, name="x", level=1)
    assert exc.value.field == "code"
    assert not Region.objects.exists()
    assert not AuditLog.objects.filter(object_type="core.region").exists()


@pytest.mark.django_db
def test_update_refuses_fields_outside_whitelist(user):
    day = model_create(CalendarDay, actor=user, date="2030-01-04", is_workday=True)
    with pytest.raises(InvalidInput):
        model_update(day, actor=user, data={"date": "2030-01-05"}, fields=["name"])


@pytest.mark.django_db
def test_audit_log_rows_cannot_be_updated():
    row = audit.record(actor=None, action="test", object_type="x", object_id="1")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).update(action="forged")
    row.refresh_from_db()
    assert row.action == "test"


@pytest.mark.django_db
def test_audit_log_rows_cannot_be_deleted_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("DELETE is refused by trigger on PostgreSQL only (SQLite's test flush deletes rows)")
    row = audit.record(actor=None, action="test", object_type="x", object_id="1")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).delete()
    assert AuditLog.objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_audit_page_is_for_office_admins(client, user, office_user):
    audit.record(
        actor=office_user, action="create", object_type="core.region", object_id="1", object_repr="新河市"
    )
    client.force_login(user)
    assert client.get("/audit/").status_code == 403
    client.force_login(office_user)
    r = client.get("/audit/", {"q": "新河"})
    assert r.status_code == 200
    assert "新河市" in r.content.decode()
    r = client.get("/audit/", {"q": "不存在的对象"})
    assert "新河市" not in r.content.decode()


@pytest.mark.django_db
def test_audit_page_bad_date_filter_shows_chinese_error(client, office_user):
    client.force_login(office_user)
    r = client.get("/audit/", {"since": "2024-13-45"})
    assert r.status_code == 200
    assert "日期格式应为" in r.content.decode()


@pytest.mark.django_db
def test_audit_api_requires_office_role(user, office_user):
    from tests.helpers import ApiClient, assert_error

    audit.record(actor=office_user, action="create", object_type="core.region", object_id="9")
    assert_error(ApiClient(user).get("/api/v1/core/audit"), 403, "permission_denied")
    r = ApiClient(office_user).get("/api/v1/core/audit", {"object_id": "9"})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] >= 1 and all(i["object_id"] == "9" for i in body["items"])
