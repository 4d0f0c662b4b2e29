import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from sanxin.accounts.models import ApiToken
from tests.factories import PASSWORD, UserFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def issue(client, user, **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": PASSWORD, **extra},
        content_type="application/json",
    )


def test_token_is_shown_once_and_only_its_hash_is_stored(client, user):
    r = issue(client, user, name="数据对接")
    assert r.status_code == 201
    raw = r.json()["token"]
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.key_hash, token.prefix, token.name}
    r = client.get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 200 and "token" not in r.json()[0]


def test_wrong_password_is_401_in_the_error_format(client, user):
    r = client.post(
        "/api/v1/auth/token", {"username": user.username, "password": "nope"}, content_type="application/json"
    )
    assert_error(r, 401, "authentication_failed")


def test_revoked_and_expired_tokens_are_refused(client, user):
    raw = issue(client, user).json()["token"]
    auth = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/core/notifications", headers=auth).status_code == 200
    token = ApiToken.objects.get()
    assert client.delete(f"/api/v1/auth/token/{token.pk}", headers=auth).status_code == 204
    assert_error(client.get("/api/v1/core/notifications", headers=auth), 401)
    raw2 = issue(client, user).json()["token"]
    ApiToken.objects.filter(revoked_at__isnull=True).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert_error(client.get("/api/v1/core/notifications", headers={"Authorization": f"Bearer {raw2}"}), 401)


def test_another_users_token_cannot_be_revoked(client, user):
    other = UserFactory()
    issue(client, other)
    mine = issue(client, user).json()["token"]
    theirs = ApiToken.objects.get(user=other)
    assert_error(
        client.delete(f"/api/v1/auth/token/{theirs.pk}", headers={"Authorization": f"Bearer {mine}"}), 404
    )
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_session_auth_requires_csrf_on_writes(user):
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    assert c.get("/api/v1/core/notifications").status_code == 200
    r = c.post("/api/v1/core/notifications/read", "{}", content_type="application/json")
    assert r.status_code in {401, 403}
    c.get("/")  # sets the CSRF cookie
    token = c.cookies["csrftoken"].value
    r = c.post(
        "/api/v1/core/notifications/read",
        "{}",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert r.status_code == 200
