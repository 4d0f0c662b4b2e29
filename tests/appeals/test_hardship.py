"""困难帮扶: an entry opened from a 医疗救助 appeal or for a person found by name, with consent, the
situation encrypted and masked in the audit; aid recorded, follow-ups reminded once, the entry closed;
the pages and the API, scoped to the keepers of the responsible org."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from sanxin.appeals import services
from sanxin.appeals.models import Action, Aid, Appeal, Hardship, Step
from sanxin.core.errors import InvalidInput, PermissionDenied, RuleViolation
from sanxin.core.models import AuditLog, Notification
from sanxin.orgs.models import Person
from tests.appeals.conftest import submit
from tests.factories import PASSWORD
from tests.helpers import ApiClient, assert_error

ILL = "骑手下雨天送餐摔倒骨折住院，手术费要三万多，家里老人孩子没人照顾，想申请医疗救助"
SITUATION = "右腿骨折住院，手术费约三万元，配偶无固定收入，两个孩子上学"


def client_for(user) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


def medical(aw, **kw) -> Appeal:
    return submit(aw, text=ILL, kind="help", category="medical", **kw)


def test_a_medical_appeal_opens_an_entry_for_its_author_at_their_branch_with_the_situation_sealed(aw):
    a = medical(aw)
    entry = services.hardship_open(
        actor=aw.liaison, appeal=a, kind="injury", situation=SITUATION, consent=True,
        follow_up_on=timezone.localdate() + dt.timedelta(days=7),
    )  # fmt: skip
    assert (entry.person, entry.org, entry.appeal) == (aw.rider_member.person, aw.branch, a)
    assert entry.consented_at is not None and entry.opened_by == aw.liaison
    step = Step.objects.get(appeal=a, action=Action.HARDSHIP)
    assert aw.branch.name in step.note
    from sanxin.appeals.selectors import public_steps

    assert step not in list(public_steps(a))  # the register is not shown on the worker's page
    with connection.cursor() as cur:
        cur.execute("SELECT situation FROM appeals_hardship WHERE id = %s", [entry.pk])
        stored = cur.fetchone()[0]
    assert "骨折" not in stored and Hardship.objects.get(pk=entry.pk).situation == SITUATION
    row = AuditLog.objects.get(action="hardship_open", object_id=str(entry.pk))
    assert "骨折" not in str(row.after) and row.after["person"] == entry.person.pk


def test_what_cannot_open_an_entry_opens_none(aw):
    wages = submit(aw)
    with pytest.raises(RuleViolation) as exc:
        services.hardship_open(actor=aw.platform_user, appeal=wages, kind="family", situation=SITUATION,
                               consent=True)  # fmt: skip
    assert exc.value.code == "not_hardship_category"
    anonymous = medical(aw, anonymous=True)
    with pytest.raises(RuleViolation) as exc:
        services.hardship_open(actor=aw.liaison, appeal=anonymous, kind="illness", situation=SITUATION,
                               consent=True)  # fmt: skip
    assert exc.value.code == "anonymous"
    person = aw.rider_member.person
    with pytest.raises(InvalidInput) as exc:
        services.hardship_open(
            actor=aw.liaison, person=person, kind="illness", situation=SITUATION, consent=False
        )
    assert exc.value.field == "consent"
    with pytest.raises(InvalidInput) as exc:
        services.hardship_open(actor=aw.liaison, person=person, kind="illness", situation="  ", consent=True)
    assert exc.value.field == "situation"
    with pytest.raises(InvalidInput):
        services.hardship_open(
            actor=aw.liaison, person=person, kind="illness", situation="x" * 2001, consent=True
        )
    with pytest.raises(InvalidInput) as exc:
        services.hardship_open(actor=aw.liaison, person=person, kind="illness", situation=SITUATION,
                               consent=True, follow_up_on=timezone.localdate() - dt.timedelta(days=1))  # fmt: skip
    assert exc.value.field == "follow_up_on"
    with pytest.raises(PermissionDenied):  # another branch's liaison
        services.hardship_open(actor=aw.other_liaison, person=person, kind="illness", situation=SITUATION,
                               consent=True)  # fmt: skip
    assert not Hardship.objects.exists()
    services.hardship_open(actor=aw.liaison, person=person, kind="illness", situation=SITUATION, consent=True)
    with pytest.raises(RuleViolation) as exc:
        services.hardship_open(actor=aw.zzb, person=person, kind="family", situation=SITUATION, consent=True)
    assert exc.value.code == "already_open"
    assert Hardship.objects.count() == 1


def test_aid_follow_up_reminder_once_and_close(aw):
    today = timezone.localdate()
    entry = services.hardship_open(actor=aw.liaison, person=aw.rider_member.person, kind="injury",
                                   situation=SITUATION, consent=True)  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        services.aid_record(actor=aw.liaison, hardship=entry, kind="money", given_on=today, given_by="支部")
    assert exc.value.field == "amount"
    with pytest.raises(InvalidInput) as exc:
        services.aid_record(actor=aw.liaison, hardship=entry, kind="visit", given_on=today + dt.timedelta(days=1),
                            given_by="支部")  # fmt: skip
    assert exc.value.field == "given_on"
    with pytest.raises(PermissionDenied):
        services.aid_record(
            actor=aw.other_liaison, hardship=entry, kind="visit", given_on=today, given_by="支部"
        )
    assert not Aid.objects.exists()
    services.aid_record(actor=aw.liaison, hardship=entry, kind="money", amount=Decimal("2000.00"), given_on=today,
                        given_by="快递外卖行业党委", note="党费补助", follow_up_on=today)  # fmt: skip
    services.aid_record(actor=aw.liaison, hardship=entry, kind="visit", amount=Decimal("5"), given_on=today,
                        given_by="城关站支部书记")  # fmt: skip
    aids = list(entry.aids.order_by("pk"))
    assert [(a.kind, a.amount) for a in aids] == [("money", Decimal("2000.00")), ("visit", None)]
    entry.refresh_from_db()
    assert entry.follow_up_on == today

    assert services.hardship_reminders(today=today) >= 1
    notes = Notification.objects.filter(kind="appeals.hardship", recipient=aw.liaison)
    assert notes.count() == 1 and aw.rider_member.person.name in notes.get().title
    assert services.hardship_reminders(today=today) == 0  # once per entry and date
    assert not Notification.objects.filter(kind="appeals.hardship", recipient=aw.other_liaison).exists()

    services.hardship_close(actor=aw.liaison, hardship=entry, note="已康复返岗")
    entry.refresh_from_db()
    assert entry.closed_on == today and entry.follow_up_on is None
    with pytest.raises(RuleViolation) as exc:
        services.aid_record(actor=aw.liaison, hardship=entry, kind="visit", given_on=today, given_by="支部")
    assert exc.value.code == "closed"
    # closed, the person may be helped again in a new entry
    services.hardship_open(
        actor=aw.liaison, person=entry.person, kind="family", situation="家中失火", consent=True
    )
    assert Hardship.objects.filter(person=entry.person).count() == 2


def test_the_pages_for_the_keepers_only(aw):
    a = medical(aw)
    c = client_for(aw.liaison)
    page = c.get(f"/appeals/{a.pk}/").content.decode()
    assert f"/appeals/hardship/new/?appeal={a.pk}" in page
    r = c.post(f"/appeals/hardship/new/?appeal={a.pk}", {"kind": "injury", "situation": SITUATION})
    assert r.status_code == 400 and "须经本人同意" in r.content.decode() and SITUATION in r.content.decode()
    assert not Hardship.objects.exists()
    r = c.post(
        f"/appeals/hardship/new/?appeal={a.pk}", {"kind": "injury", "situation": SITUATION, "consent": "on"}
    )
    entry = Hardship.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/appeals/hardship/{entry.pk}/"
    page = c.get("/appeals/hardship/").content.decode()
    assert aw.rider_member.person.name in page and f"/appeals/hardship/{entry.pk}/" in page
    r = c.post(f"/appeals/hardship/{entry.pk}/", {"action": "aid", "kind": "money", "given_on": "2020-13-01",
                                                  "given_by": "支部"})  # fmt: skip
    body = r.content.decode()
    assert r.status_code == 400 and "请填写正确的日期" in body
    today = timezone.localdate().isoformat()
    r = c.post(f"/appeals/hardship/{entry.pk}/", {"action": "aid", "kind": "money", "given_on": today,
                                                  "given_by": "支部"})  # fmt: skip
    assert r.status_code == 400 and "大于零的金额" in r.content.decode()
    r = c.post(f"/appeals/hardship/{entry.pk}/", {"action": "aid", "kind": "money", "amount": "800",
                                                  "given_on": today, "given_by": "支部"})  # fmt: skip
    assert r.status_code == 302 and entry.aids.get().amount == Decimal("800")
    page = c.get(f"/appeals/hardship/{entry.pk}/").content.decode()
    assert SITUATION in page and "800" in page and "记录帮扶" in page
    # the search finds people in the keeper's scope only
    page = c.get("/appeals/hardship/new/", {"q": aw.rider_member.person.name}).content.decode()
    assert f"?person={aw.rider_member.person.pk}" in page
    other = Person.objects.filter(org=aw.other_branch).first()
    page = c.get("/appeals/hardship/new/", {"q": other.name}).content.decode()
    assert f"?person={other.pk}" not in page
    o = client_for(aw.other_liaison)
    assert o.get(f"/appeals/hardship/{entry.pk}/").status_code == 404
    assert SITUATION not in o.get("/appeals/hardship/").content.decode()
    assert client_for(aw.rider).get("/appeals/hardship/").status_code == 403


def test_the_api(aw):
    a = medical(aw)
    api = ApiClient(aw.liaison)
    r = api.post("/api/v1/appeals/hardships", {"appeal_id": a.pk, "kind": "injury", "situation": SITUATION,
                                               "consent": False})  # fmt: skip
    assert "consent" in {d["loc"][-1] for d in assert_error(r, 422)["details"]}
    r = api.post("/api/v1/appeals/hardships", {"kind": "injury", "situation": SITUATION, "consent": True})
    assert r.status_code == 422
    r = api.post("/api/v1/appeals/hardships", {"appeal_id": a.pk, "kind": "injury", "situation": SITUATION,
                                               "consent": True})  # fmt: skip
    assert r.status_code == 201, r.content
    hid = r.json()["id"]
    assert r.json()["person"] == aw.rider_member.person.name and r.json()["situation"] == SITUATION
    r = api.post(f"/api/v1/appeals/hardships/{hid}/aids", {"kind": "service", "given_on": str(timezone.localdate()),
                                                           "given_by": "律师行业党委", "note": "工伤认定代理"})  # fmt: skip
    assert r.status_code == 201 and r.json()["aids"][0]["kind_label"] == "服务帮扶"
    assert [h["id"] for h in api.get("/api/v1/appeals/hardships").json()["items"]] == [hid]
    other = ApiClient(aw.other_liaison)
    assert other.get(f"/api/v1/appeals/hardships/{hid}").status_code == 404
    assert other.get("/api/v1/appeals/hardships").json()["items"] == []
    assert other.post(f"/api/v1/appeals/hardships/{hid}/close", {"note": "越权"}).status_code == 404
    r = api.post(f"/api/v1/appeals/hardships/{hid}/close", {"note": "已出院"})
    assert r.status_code == 200 and r.json()["closed_on"] == str(timezone.localdate())
