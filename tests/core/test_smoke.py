from tests.helpers import assert_error


def test_login_page_is_chinese(client, db):
    r = client.get("/accounts/login/")
    assert r.status_code == 200
    assert "登录" in r.content.decode()


def test_home_requires_login(client, db):
    r = client.get("/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_api_requires_auth(client, db):
    assert_error(client.get("/api/v1/core/notifications"), 401, "not_authenticated")
