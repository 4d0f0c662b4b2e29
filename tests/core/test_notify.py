import json

import pytest

from sanxin.core import notify
from sanxin.core.models import Notification
from tests.factories import UserFactory
from tests.helpers import ApiClient


class RecordingChannel:
    name = "recording"
    label = "测试渠道"
    default_enabled = True

    def __init__(self):
        self.sent = []

    def send(self, notification):
        self.sent.append(notification.pk)


@pytest.fixture
def channel():
    ch = RecordingChannel()
    notify.register_channel(ch)
    yield ch
    notify._channels.pop(ch.name, None)


@pytest.mark.django_db(transaction=True)
def test_notify_stores_in_app_and_sends_outbound_after_commit(user, channel):
    n = notify.notify(recipient=user, kind="system", title="换届提醒")
    assert Notification.objects.filter(recipient=user).count() == 1
    assert channel.sent == [n.pk]


@pytest.mark.django_db(transaction=True)
def test_preferences_mute_channels_and_in_app(user, channel):
    notify.set_preference(user=user, kind="system", channel="recording", enabled=False)
    notify.notify(recipient=user, kind="system", title="a")
    assert channel.sent == []
    notify.set_preference(user=user, kind="system", channel=notify.IN_APP, enabled=False)
    assert notify.notify(recipient=user, kind="system", title="b") is None
    assert Notification.objects.filter(recipient=user).count() == 1


@pytest.mark.django_db
def test_keyed_notification_is_sent_once(user):
    assert notify.notify(recipient=user, kind="system", title="x", key="remind:1") is not None
    assert notify.notify(recipient=user, kind="system", title="x", key="remind:1") is None
    assert Notification.objects.filter(recipient=user).count() == 1


@pytest.mark.django_db
def test_mark_read_only_touches_own_notifications(user):
    other = UserFactory()
    mine = notify.notify(recipient=user, kind="system", title="mine")
    theirs = notify.notify(recipient=other, kind="system", title="theirs")
    assert notify.mark_read(user=user, ids=[mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert notify.unread_count(user) == 0 and notify.unread_count(other) == 1


@pytest.mark.django_db
def test_header_badge_and_pages(client, user):
    notify.notify(recipient=user, kind="system", title="请参加本月主题党日")
    client.force_login(user)
    home = client.get("/").content.decode()
    assert "请参加本月主题党日" in home and 'data-testid="unread-count">1<' in home
    r = client.post("/notifications/read/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and json.loads(r["HX-Trigger"]) == {"notificationsChanged": {"unread": 0}}
    assert 'data-testid="unread-count"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_preferences_page_saves(client, user):
    client.force_login(user)
    r = client.post("/notifications/preferences/", {"system:log": "on"})
    assert r.status_code == 302
    assert notify.is_enabled(user.pk, "system", notify.IN_APP) is False
    assert notify.is_enabled(user.pk, "system", "log") is True


@pytest.mark.django_db
def test_notifications_api(user):
    notify.notify(recipient=user, kind="system", title="一")
    notify.notify(recipient=user, kind="system", title="二")
    api = ApiClient(user)
    body = api.get("/api/v1/core/notifications", {"unread": "true"}).json()
    assert body["count"] == 2 and {i["title"] for i in body["items"]} == {"一", "二"}
    assert api.get("/api/v1/core/notifications/unread-count").json() == {"count": 2}
    assert api.post("/api/v1/core/notifications/read", {"ids": [body["items"][0]["id"]]}).json() == {
        "count": 1
    }
    assert api.get("/api/v1/core/notifications/unread-count").json() == {"count": 1}
