"""A station's photos: added by its keeper (all or none, images by content, at most nine), shown on the
station's page to anyone signed in, removed again; the same through the API."""

from __future__ import annotations

import base64

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sanxin.core.models import AuditLog, StoredFile
from tests.accounts.walker import PNG_1PX
from tests.factories import PASSWORD, UserFactory
from tests.helpers import ApiClient, assert_error


def png(name="门口.png"):
    return SimpleUploadedFile(name, PNG_1PX, content_type="image/png")


def test_the_keeper_adds_photos_all_or_none_and_visitors_see_them(st):
    s = st.station
    k = Client()
    assert k.login(username=st.keeper.username, password=PASSWORD)
    fake = SimpleUploadedFile("休息区.png", b"not an image at all", content_type="image/png")
    r = k.post(f"/stations/{s.pk}/keep/", {"action": "photos", "photos": [png(), fake]})
    assert r.status_code == 400 and "文件类型不符合要求" in r.content.decode()
    assert s.photos.count() == 0 and not StoredFile.objects.filter(purpose="stations.photo").exists()
    r = k.post(f"/stations/{s.pk}/keep/", {"action": "photos", "photos": [png(), png("休息区.png")]})
    assert r.status_code == 302 and s.photos.count() == 2
    assert AuditLog.objects.filter(action="station_photos", object_id=str(s.pk)).count() == 1
    rider = UserFactory()
    c = Client()
    assert c.login(username=rider.username, password=PASSWORD)
    page = c.get(f"/stations/{s.pk}/").content.decode()
    photo = s.photos.order_by("original_name").first()
    assert 'data-testid="station-photos"' in page and f"/files/{photo.pk}/" in page
    served = c.get(f"/files/{photo.pk}/?inline=1")
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG_1PX
    # a rider may look, not add
    r = c.post(f"/stations/{s.pk}/keep/", {"action": "photos", "photos": [png()]})
    assert r.status_code in (403, 404) and s.photos.count() == 2
    r = k.post(f"/stations/{s.pk}/keep/", {"action": "photos", "photos": [png(f"{i}.png") for i in range(8)]})
    assert r.status_code == 400 and "最多 9 张照片" in r.content.decode() and s.photos.count() == 2
    r = k.post(f"/stations/{s.pk}/keep/", {"action": "photo_remove", "photo": str(photo.pk)})
    assert r.status_code == 302 and s.photos.count() == 1
    r = k.post(f"/stations/{s.pk}/keep/", {"action": "photo_remove", "photo": str(photo.pk)})  # again
    assert r.status_code == 400 and "不在本站点的照片中" in r.content.decode()


def test_the_api_adds_lists_and_removes_photos(st):
    s = st.station
    keeper = ApiClient(st.keeper)
    body = {"photos": [{"name": "门口.png", "content_base64": base64.b64encode(PNG_1PX).decode()}]}
    assert_error(
        keeper.post(
            f"/api/v1/stations/{s.pk}/photos", {"photos": [{"name": "x.png", "content_base64": "%%"}]}
        ),
        422,
    )
    r = keeper.post(f"/api/v1/stations/{s.pk}/photos", body)
    assert r.status_code == 201, r.content
    [photo] = r.json()
    rider_user = UserFactory()
    rider = ApiClient(rider_user)
    assert rider.get(f"/api/v1/stations/{s.pk}/photos").json() == [photo]
    assert_error(rider.post(f"/api/v1/stations/{s.pk}/photos", body), 403)
    page = Client()
    page.force_login(rider_user)
    assert page.get(photo["url"]).status_code == 200
    assert keeper.delete(f"/api/v1/stations/{s.pk}/photos/{photo['id']}").status_code == 204
    assert_error(keeper.delete(f"/api/v1/stations/{s.pk}/photos/{photo['id']}"), 409, code="no_such_photo")
    assert s.photos.count() == 0
