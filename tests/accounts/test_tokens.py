"""API tokens: shown once, stored as SHA-256 only, revocable by their owner, refused when revoked or
expired; and the page session as API auth, which needs CSRF on writes."""

import datetime as dt
import hashlib

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from sanxin.accounts.models import ApiToken
from sanxin.accounts.services import token_user
from sanxin.core.models import AuditLog
from tests.factories import PASSWORD, UserFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

NOTIFICATIONS = "/api/v1/core/notifications"


def issue(client, user, password=PASSWORD, **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": password, **extra},
        content_type="application/json",
    )


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


def test_token_is_returned_once_and_only_its_sha256_is_stored(client, user):
    r = issue(client, user, name="数据对接")
    assert r.status_code == 201
    body = r.json()
    raw = body["token"]
    assert set(body) == {"id", "token", "expires_at"} and raw.startswith("sx_") and len(raw) > 40
    token = ApiToken.objects.get()
    assert token.pk == body["id"] and token.user == user and token.name == "数据对接"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix) and len(token.prefix) < 12
    # the raw token is nowhere in the database: not in the token row, not in the audit log
    stored = [str(v) for v in ApiToken.objects.values().get().values()]
    assert not any(raw in v or raw[3:] in v for v in stored)
    audit = AuditLog.objects.get(action="token_issue")
    assert (
        raw not in repr(audit.after) and audit.after["prefix"] == token.prefix and audit.actor_id == user.pk
    )
    # listing shows metadata, never the token
    listed = client.get("/api/v1/auth/tokens", headers=bearer(raw))
    assert listed.status_code == 200
    assert raw not in listed.content.decode() and "token" not in listed.json()[0]
    assert listed.json()[0]["prefix"] == token.prefix
    # issuing again gives a different token
    assert issue(client, user).json()["token"] != raw


def test_bearer_token_works_and_records_its_use(client, user):
    raw = issue(client, user).json()["token"]
    assert ApiToken.objects.get().last_used_at is None
    r = client.get(NOTIFICATIONS, headers=bearer(raw))
    assert r.status_code == 200 and r.json()["count"] == 0
    assert ApiToken.objects.get().last_used_at is not None
    assert token_user(raw) == user


def test_lifetime_defaults_to_30_days_and_is_bounded(client, user):
    before = timezone.now()
    expires = dt.datetime.fromisoformat(issue(client, user).json()["expires_at"])
    assert dt.timedelta(days=30) <= expires - before < dt.timedelta(days=30, minutes=1)
    expires = dt.datetime.fromisoformat(issue(client, user, lifetime_days=7).json()["expires_at"])
    assert dt.timedelta(days=7) <= expires - before < dt.timedelta(days=7, minutes=1)
    for bad in (0, 366, -1):
        err = assert_error(issue(client, user, lifetime_days=bad), 422, "validation_error")
        assert err["details"][0]["loc"] == ["body", "payload", "lifetime_days"]


def test_wrong_password_is_401_in_the_error_format(client, user):
    err = assert_error(issue(client, user, password="nope"), 401, "authentication_failed")
    assert err["message"] == "用户名或密码错误，或账号已被锁定"
    ghost = UserFactory.build(username="nobody")
    assert_error(issue(client, ghost), 401, "authentication_failed")
    user.is_active = False
    user.save()
    assert_error(issue(client, user), 401, "authentication_failed")
    assert not ApiToken.objects.exists()


def test_password_guessing_locks_the_token_endpoint(user, settings):
    from axes.models import AccessAttempt

    settings.AXES_ENABLED = True
    c = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_error(issue(c, user, password="guess"), 401, "authentication_failed")
    assert (
        AccessAttempt.objects.get(username=user.username).failures_since_start
        == settings.AXES_FAILURE_LIMIT - 1
    )
    assert_error(issue(c, user, password="guess"), 429, "too_many_requests")
    err = assert_error(issue(c, user), 429, "too_many_requests")  # even the right password now
    assert err["message"] == "尝试过于频繁，已暂时锁定，请稍后再试"
    assert not ApiToken.objects.exists()


def test_revoked_token_is_refused(client, user):
    raw = issue(client, user).json()["token"]
    other_raw = issue(client, user).json()["token"]
    token = ApiToken.objects.get(key_hash=hashlib.sha256(raw.encode()).hexdigest())
    assert client.get(NOTIFICATIONS, headers=bearer(raw)).status_code == 200
    r = client.delete(f"/api/v1/auth/token/{token.pk}", headers=bearer(raw))
    assert r.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.active
    assert AuditLog.objects.filter(action="token_revoke", object_id=str(token.pk)).count() == 1
    err = assert_error(client.get(NOTIFICATIONS, headers=bearer(raw)), 401, "not_authenticated")
    assert err["message"] == "请先登录或提供有效的令牌"
    # the user's other token still works, and revoking again changes nothing
    assert client.get(NOTIFICATIONS, headers=bearer(other_raw)).status_code == 200
    assert client.delete(f"/api/v1/auth/token/{token.pk}", headers=bearer(other_raw)).status_code == 204
    assert AuditLog.objects.filter(action="token_revoke", object_id=str(token.pk)).count() == 1


def test_expired_token_is_refused(client, user):
    raw = issue(client, user).json()["token"]
    token = ApiToken.objects.get()
    token.expires_at = timezone.now() + dt.timedelta(seconds=30)
    token.save()
    assert client.get(NOTIFICATIONS, headers=bearer(raw)).status_code == 200
    token.expires_at = timezone.now() - dt.timedelta(seconds=1)
    token.save()
    assert_error(client.get(NOTIFICATIONS, headers=bearer(raw)), 401, "not_authenticated")


def test_token_of_a_deactivated_user_is_refused(client, user):
    raw = issue(client, user).json()["token"]
    user.is_active = False
    user.save()
    assert_error(client.get(NOTIFICATIONS, headers=bearer(raw)), 401)


@pytest.mark.parametrize("header", ["Bearer sx_made-up", "Bearer not-even-ours", "Token sx_x", "Bearer "])
def test_made_up_tokens_are_refused(client, header):
    assert_error(client.get(NOTIFICATIONS, headers={"Authorization": header}), 401, "not_authenticated")


def test_another_users_token_cannot_be_revoked(client, user):
    other = UserFactory()
    theirs_raw = issue(client, other).json()["token"]
    mine = issue(client, user).json()["token"]
    theirs = ApiToken.objects.get(user=other)
    err = assert_error(
        client.delete(f"/api/v1/auth/token/{theirs.pk}", headers=bearer(mine)), 404, "not_found"
    )
    assert err["message"] == "对象不存在或无权访问"
    assert_error(
        client.delete(f"/api/v1/auth/token/{theirs.pk + 1000}", headers=bearer(mine)), 404, "not_found"
    )
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert client.get(NOTIFICATIONS, headers=bearer(theirs_raw)).status_code == 200
    # nor listed to anyone but their owner
    listed = client.get("/api/v1/auth/tokens", headers=bearer(mine)).json()
    assert [t["id"] for t in listed] == [ApiToken.objects.get(user=user).pk]


def test_token_auth_sets_the_acting_user_for_the_audit_log(user):
    from sanxin.api import TokenAuth
    from sanxin.core.context import get_actor_id, request_context

    raw = issue(Client(), user).json()["token"]
    request = RequestFactory().get(NOTIFICATIONS)
    with request_context():
        assert get_actor_id() is None
        assert TokenAuth().authenticate(request, raw) == user
        assert get_actor_id() == user.pk and request.user == user
    with request_context():
        assert TokenAuth().authenticate(request, "sx_wrong") is None and get_actor_id() is None


# --- session auth and CSRF ------------------------------------------------------------------------


def csrf_client(user) -> Client:
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    return c


def test_session_auth_requires_csrf_on_post(user):
    c = csrf_client(user)
    assert c.get(NOTIFICATIONS).status_code == 200  # reads need no token
    r = c.post("/api/v1/core/notifications/read", "{}", content_type="application/json")
    err = assert_error(r, 403, "csrf_failed")
    assert err["message"] == "CSRF校验失败：请刷新页面后重试"
    c.get("/")  # a page sets the CSRF cookie
    token = c.cookies["csrftoken"].value
    r = c.post(
        "/api/v1/core/notifications/read",
        "{}",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 200 and r.json() == {"count": 0}
    r = c.post(
        "/api/v1/core/notifications/read",
        "{}",
        content_type="application/json",
        headers={"X-CSRFToken": "x" * 64},
    )
    assert_error(r, 403, "csrf_failed")


def test_bearer_requests_need_no_csrf_token(user):
    raw = issue(Client(), user).json()["token"]
    c = Client(enforce_csrf_checks=True)
    r = c.post("/api/v1/core/notifications/read", "{}", content_type="application/json", headers=bearer(raw))
    assert r.status_code == 200


def test_an_expired_bearer_on_a_write_is_401_not_a_csrf_error(user):
    raw = issue(Client(), user).json()["token"]
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    c = Client(enforce_csrf_checks=True)
    r = c.post("/api/v1/core/notifications/read", "{}", content_type="application/json", headers=bearer(raw))
    assert_error(r, 401, "not_authenticated")
    r = c.delete("/api/v1/auth/token/1", headers=bearer(raw))
    assert_error(r, 401, "not_authenticated")
