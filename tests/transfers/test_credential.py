"""党员数字身份证: the QR reads with an ordinary reader (zbar) and verifies with a plain Ed25519 library
given the published key (the Sig_structure rebuilt here by hand); revoked, expired, tampered and
unknown-key credentials are refused with the reason; keys rotate; the lifecycle (issue, reissue,
automatic and manual revocation) and the scope of who issues and revokes."""

from __future__ import annotations

import base64
import datetime as dt
import io
import zlib

import base45
import cbor2
import png
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from pyzbar import pyzbar

from sanxin.core import events
from sanxin.core.models import AuditLog
from sanxin.members import services as member_services
from sanxin.transfers.credentials import codec, selectors, services
from sanxin.transfers.credentials.models import Credential, Revocation
from tests.factories import UserFactory
from tests.helpers import ApiClient, assert_error
from tests.world import LEAK_MARKER, build_world

pytestmark = pytest.mark.django_db

BASE = "/api/v1/credentials"


@pytest.fixture
def w():
    return build_world()


@pytest.fixture
def member_user(w):
    user = UserFactory()
    w.member_a.person.user = user
    w.member_a.person.save(update_fields=["user"])
    return user


def _seed() -> str:
    return base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()


def _zbar(png_bytes: bytes) -> list[str]:
    """An ordinary QR reader: zbar over the PNG's grey pixels (nothing of the platform's code)."""
    width, height, rows, info = png.Reader(bytes=png_bytes).asDirect()
    assert info["greyscale"] and not info["alpha"]
    scale = 255 // (2 ** info["bitdepth"] - 1)
    pixels = bytes(v * scale for row in rows for v in row)
    return [s.data.decode() for s in pyzbar.decode((pixels, width, height))]


def _open(token: str):
    """The token's layers undone by hand, per docs/credential.md."""
    assert token.startswith("SX1:")
    cose = cbor2.loads(zlib.decompress(base45.b45decode(token[4:])))
    assert cose.tag == 18
    protected, _unprotected, payload, signature = cose.value
    return protected, payload, signature


def _token_of(cose_items) -> str:
    protected, payload, signature = cose_items
    raw = cbor2.dumps(cbor2.CBORTag(18, [protected, {}, payload, signature]))
    return "SX1:" + base45.b45encode(zlib.compress(raw)).decode()


def _verify(token: str) -> dict:
    r = Client().post(f"{BASE}/verify", {"token": token}, content_type="application/json")
    assert r.status_code == 200, r.content
    return r.json()


def test_the_qr_reads_with_zbar_and_verifies_with_plain_ed25519_and_the_published_key(w, member_user):
    r = ApiClient(member_user).post(f"{BASE}/mine")
    assert r.status_code == 201, r.content
    token = r.json()["token"]

    page = Client()
    page.force_login(member_user)
    image = page.get("/transfers/credentials/mine/qr.png?download=1")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert "attachment" in image["Content-Disposition"]
    assert _zbar(image.content) == [token]

    protected, payload, signature = _open(token)
    header = cbor2.loads(protected)
    assert header[1] == -8  # alg EdDSA
    kid = header[4].decode()
    keys = Client().get(f"{BASE}/keys").json()["keys"]  # public, no login
    jwk = next(k for k in keys if k["kid"] == kid)
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["alg"] == "EdDSA" and jwk["current"]
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(jwk["x"] + "=="))
    public.verify(signature, cbor2.dumps(["Signature1", protected, b"", payload]))  # raises if bad

    claims = cbor2.loads(payload)
    member = claims[-70001]
    assert member[1] == "刘骑手党员"
    assert member[2] == "390*************13"  # masked; the full number is nowhere in the token
    assert "390102199001010013" not in repr(claims)
    assert (member[3], member[4]) == (w.branch_a.name, w.branch_a.code)
    assert member[5] == "预备"
    assert claims[4] - claims[6] == int(services.VALIDITY.total_seconds())
    assert claims[7].hex() == Credential.objects.get(member=w.member_a).cid

    body = _verify(token)
    assert body["valid"] and body["status"] == "valid"
    assert (
        body["claims"]["masked_id"] == "390*************13" and body["claims"]["org_code"] == w.branch_a.code
    )


def test_revoked_is_refused_with_when_and_the_category_not_the_note(w, member_user):
    cred = services.credential_issue(actor=member_user, member=w.member_a)
    api = ApiClient(w.secretary_a)
    r = api.post(f"{BASE}/members/{w.member_a.pk}/revoke", {"category": "lost", "reason": "本人报告手机被盗"})
    assert r.status_code == 200, r.content
    assert r.json()["revocation"] == "lost" and r.json()["token"] is None
    body = _verify(cred.token)
    assert not body["valid"] and body["status"] == "revoked"
    assert "遗失" in body["message"] and body["revocation"] == "遗失" and body["revoked_at"]
    assert "手机被盗" not in str(body)
    log = AuditLog.objects.filter(action="credential_revoke", object_id=str(cred.pk)).get()
    assert log.actor_id == w.secretary_a.pk and log.after["revocation_note"] == "本人报告手机被盗"
    # revoking again: nothing left to revoke
    assert_error(
        api.post(f"{BASE}/members/{w.member_a.pk}/revoke", {"category": "lost", "reason": "再次"}),
        409,
        "no_credential",
    )
    # a bad category or no reason: the structured 422, nothing changes
    before = AuditLog.objects.count()
    services.credential_issue(actor=None, member=w.member_a)
    assert_error(
        api.post(f"{BASE}/members/{w.member_a.pk}/revoke", {"category": "reissued", "reason": "x"}), 422
    )
    assert_error(api.post(f"{BASE}/members/{w.member_a.pk}/revoke", {"category": "lost", "reason": ""}), 422)
    assert AuditLog.objects.count() == before + 1  # the issue only
    assert selectors.current_for(w.member_a) is not None


def test_expired_is_refused_with_the_expiry(w, monkeypatch):
    real = timezone.now()

    class Earlier:
        @staticmethod
        def now():
            return real - dt.timedelta(days=400)

    monkeypatch.setattr(services, "timezone", Earlier)
    old = services.credential_issue(actor=None, member=w.member_a)
    monkeypatch.undo()
    body = _verify(old.token)
    assert not body["valid"] and body["status"] == "expired"
    assert "已过期" in body["message"] and old.expires_at.astimezone().strftime("%Y-%m-%d") in body["message"]
    # a fresh one is valid now, and refused as expired a year and a day later
    fresh = services.credential_issue(actor=None, member=w.member_a)
    assert selectors.verify(fresh.token).valid
    later = selectors.verify(fresh.token, now=fresh.expires_at + dt.timedelta(seconds=1))
    assert later.status == "expired"
    assert selectors.verify(fresh.token, now=fresh.expires_at - dt.timedelta(seconds=1)).valid


def test_tampering_with_any_byte_is_refused(w):
    token = services.credential_issue(actor=None, member=w.member_a).token
    protected, payload, signature = _open(token)
    # the name edited, the signature kept: a bad signature
    forged = payload.replace("刘骑手党员".encode(), "刘骑手党页".encode())
    assert forged != payload
    v = _verify(_token_of((protected, forged, signature)))
    assert v["status"] == "bad_signature" and v["claims"] is None and "签名无效" in v["message"]
    # every single byte of payload and signature changed: never valid
    for part in (0, 1):
        blob = (payload, signature)[part]
        for i in range(len(blob)):
            changed = bytearray(blob)
            changed[i] ^= 0x01
            items = (
                (protected, bytes(changed), signature) if part == 0 else (protected, payload, bytes(changed))
            )
            assert selectors.verify(_token_of(items)).status in {"bad_signature", "malformed"}, (part, i)
    # one character of the text changed
    for i in range(4, len(token)):
        alt = "0" if token[i] != "0" else "1"
        assert not selectors.verify(token[:i] + alt + token[i + 1 :]).valid, i
    assert selectors.verify(token).valid
    assert _verify("HC1:NCFOXN")["status"] == "malformed"


def test_unknown_key_is_refused(w, settings):
    stranger = Ed25519PrivateKey.generate()
    claims = codec.Claims(
        credential_id="00" * 16,
        name="冒名者",
        masked_id="",
        org_name=w.branch_a.name,
        org_code=w.branch_a.code,
        status="正式",
        issued_at=timezone.now().replace(microsecond=0),
        expires_at=timezone.now().replace(microsecond=0) + dt.timedelta(days=30),
    )
    token = codec.sign(claims, kid="forged1", alg="EdDSA", signer=stranger.sign)
    body = _verify(token)
    assert body["status"] == "unknown_key" and "forged1" in body["message"] and body["claims"] is None
    # a key id the platform knows, signed with another key: a bad signature
    real_kid = services.credential_issue(actor=None, member=w.member_a).key.kid
    token = codec.sign(claims, kid=real_kid, alg="EdDSA", signer=stranger.sign)
    assert _verify(token)["status"] == "bad_signature"


def test_key_rotation_old_credentials_verify_until_they_expire(w, settings):
    settings.CREDENTIAL_KEYS = f"c2026:{_seed()}"
    first = services.credential_issue(actor=None, member=w.member_a)
    assert first.key.kid == "c2026"
    # rotation: the new key signs; the old private key is gone from the configuration altogether
    settings.CREDENTIAL_KEYS = f"c2027:{_seed()}"
    second = services.credential_issue(actor=None, member=w.member_b)
    assert second.key.kid == "c2027" and _open(second.token)[0] != _open(first.token)[0]
    assert _verify(first.token)["valid"] and _verify(second.token)["valid"]
    keys = {k["kid"]: k for k in Client().get(f"{BASE}/keys").json()["keys"]}
    assert set(keys) == {"c2026", "c2027"}
    assert keys["c2027"]["current"] and not keys["c2026"]["current"]
    assert keys["c2026"]["not_after"] is not None
    # the old key verifies what it signed with plain Ed25519 too
    protected, payload, signature = _open(first.token)
    x = base64.urlsafe_b64decode(keys["c2026"]["x"] + "==")
    Ed25519PublicKey.from_public_bytes(x).verify(
        signature, cbor2.dumps(["Signature1", protected, b"", payload])
    )
    # once its credentials have expired, the old key is no longer published; they are refused as expired
    after = first.expires_at + dt.timedelta(seconds=1)
    assert {k["kid"] for k in selectors.published_keys(now=after)} == {"c2027"}
    assert selectors.verify(first.token, now=after).status == "expired"
    # a key id reused with another key is refused rather than publishing two keys under one id
    settings.CREDENTIAL_KEYS = f"c2026:{_seed()}"
    assert_error(ApiClient(w.secretary_a).post(f"{BASE}/members/{w.member_a.pk}/issue"), 409, "key_conflict")


def test_reissue_revokes_the_previous_and_one_current_per_member(w, member_user):
    api = ApiClient(member_user)
    first = api.post(f"{BASE}/mine").json()
    second = api.post(f"{BASE}/mine").json()
    assert first["credential_id"] != second["credential_id"]
    old = _verify(first["token"])
    assert old["status"] == "revoked" and old["revocation"] == "已换发新证"
    assert _verify(second["token"])["valid"]
    assert Credential.objects.filter(member=w.member_a, revoked_at__isnull=True).count() == 1
    assert api.get(f"{BASE}/mine").json()["credential"]["credential_id"] == second["credential_id"]
    # someone who is not a member has no credential to ask for
    assert_error(ApiClient(UserFactory()).post(f"{BASE}/mine"), 404)


def test_transfer_out_revokes_automatically(w, django_capture_on_commit_callbacks):
    cred = services.credential_issue(actor=None, member=w.member_a)
    other = services.credential_issue(actor=None, member=w.member_b)
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(
            "transfers.accepted",
            {
                "transfer_id": 1,
                "member_id": w.member_a.pk,
                "from_org_id": w.branch_a.pk,
                "to_org_id": w.branch_b.pk,
                "on": timezone.localdate().isoformat(),
            },
        )
    body = _verify(cred.token)
    assert body["status"] == "revoked" and body["revocation"] == "组织关系已转出"
    assert _verify(other.token)["valid"]  # the other member's stays
    cred.refresh_from_db()
    assert cred.revocation == Revocation.TRANSFER_OUT and cred.revoked_by is None


def test_a_death_and_a_move_revoke_automatically(w, django_capture_on_commit_callbacks):
    cred = services.credential_issue(actor=None, member=w.member_a)
    with django_capture_on_commit_callbacks(execute=True):
        member_services.member_exit(
            actor=w.secretary_a, member=w.member_a, on=timezone.localdate(), how="deceased", reason="因病去世"
        )
    assert _verify(cred.token)["revocation"] == "党员已去世"
    assert_error(ApiClient(w.secretary_a).post(f"{BASE}/members/{w.member_a.pk}/issue"), 409, "not_active")

    moved = services.credential_issue(actor=None, member=w.member_b)
    with django_capture_on_commit_callbacks(execute=True):
        member_services.membership_move(
            actor=None, member=w.member_b, org=w.branch_c, on=timezone.localdate()
        )
    assert _verify(moved.token)["revocation"] == "组织关系已调整"
    again = services.credential_issue(actor=None, member=w.member_b)
    assert again.org_code == w.branch_c.code and _verify(again.token)["valid"]


def test_a_secretary_issues_and_revokes_only_for_their_members(w):
    a, b = ApiClient(w.secretary_a), ApiClient(w.secretary_b)
    before = AuditLog.objects.count()
    assert_error(b.post(f"{BASE}/members/{w.member_a.pk}/issue"), 404)
    assert_error(b.get(f"{BASE}/members/{w.member_a.pk}"), 404)
    assert AuditLog.objects.count() == before and not Credential.objects.exists()
    r = a.post(f"{BASE}/members/{w.member_a.pk}/issue")
    assert r.status_code == 201 and r.json()["member_id"] == w.member_a.pk
    assert Credential.objects.get().issued_by == w.secretary_a
    assert_error(
        b.post(f"{BASE}/members/{w.member_a.pk}/revoke", {"category": "lost", "reason": "越界"}), 404
    )
    assert selectors.current_for(w.member_a) is not None
    listed = a.get(f"{BASE}/members/{w.member_a.pk}")
    assert listed.status_code == 200 and len(listed.json()) == 1
    assert_error(ApiClient(w.instructor_1).post(f"{BASE}/members/{w.member_a.pk}/issue"), 403)
    # pages: the other side's member is 404, writes change nothing
    page = Client()
    page.force_login(w.secretary_b)
    for url in ("", "?qr=png"):
        assert page.get(f"/transfers/credentials/members/{w.member_a.pk}/{url}").status_code == 404
    before = AuditLog.objects.count()
    assert page.post(f"/transfers/credentials/members/{w.member_a.pk}/issue/").status_code == 404
    revoke = {"category": "lost", "reason": "越界"}
    assert page.post(f"/transfers/credentials/members/{w.member_a.pk}/revoke/", revoke).status_code == 404
    assert AuditLog.objects.count() == before and selectors.current_for(w.member_a) is not None


def test_secretary_pages_issue_show_and_revoke_with_errors_on_the_form(w):
    page = Client()
    page.force_login(w.secretary_a)
    base = f"/transfers/credentials/members/{w.member_a.pk}/"
    r = page.post(base + "issue/", follow=True)
    assert r.status_code == 200 and "已签发党员数字身份证" in r.content.decode()
    cred = selectors.current_for(w.member_a)
    assert _zbar(page.get(base + "?qr=png").content) == [cred.token]
    r = page.post(base + "revoke/", {"category": "", "reason": ""})
    assert r.status_code == 400
    text = r.content.decode()
    assert "这个字段是必填项" in text or "必填" in text
    assert selectors.current_for(w.member_a) == cred
    r = page.post(base + "revoke/", {"category": "misuse", "reason": "他人持有"}, follow=True)
    assert r.status_code == 200 and "已注销该党员的数字身份证" in r.content.decode()
    text = page.get(base).content.decode()
    assert "冒用或不当使用" in text and "他人持有" in text and LEAK_MARKER not in text


def test_the_members_phone_page_home_card_and_link(w, member_user):
    page = Client()
    page.force_login(member_user)
    assert "我的党员身份证" in page.get("/").content.decode()
    assert "/transfers/credentials/mine/" in page.get("/members/me/").content.decode()
    r = page.get("/transfers/credentials/mine/")
    assert r.status_code == 200 and "申领党员数字身份证" in r.content.decode()
    assert page.get("/transfers/credentials/mine/qr.png").status_code == 404
    r = page.post("/transfers/credentials/mine/", follow=True)
    text = r.content.decode()
    assert r.status_code == 200 and "390*************13" in text and "390102199001010013" not in text
    assert "有效" in page.get("/").content.decode()
    # someone without a member record
    stranger = Client()
    stranger.force_login(UserFactory())
    assert "尚未登记为党员" in stranger.get("/transfers/credentials/mine/").content.decode()
    assert stranger.get("/transfers/credentials/mine/qr.png").status_code == 404


def test_the_public_verification_page_takes_a_token_or_a_png_and_needs_no_login(w):
    cred = services.credential_issue(actor=None, member=w.member_a)
    anon = Client()
    assert anon.get("/transfers/credentials/verify/").status_code == 200
    r = anon.post("/transfers/credentials/verify/", {"token": cred.token})
    text = r.content.decode()
    assert r.status_code == 200 and 'data-status="valid"' in text and "刘骑手党员" in text
    assert w.member_a.person.phone not in text and "390102199001010013" not in text
    upload = io.BytesIO(codec.qr_png(cred.token))
    upload.name = "qr.png"
    r = anon.post("/transfers/credentials/verify/", {"image": upload})
    assert r.status_code == 200 and 'data-status="valid"' in r.content.decode()
    r = anon.post("/transfers/credentials/verify/", {"token": ""})
    assert r.status_code == 400 and "请粘贴身份证编码" in r.content.decode()
    junk = io.BytesIO(b"not a png")
    junk.name = "x.png"
    r = anon.post("/transfers/credentials/verify/", {"image": junk})
    assert r.status_code == 400 and "PNG" in r.content.decode()
    services.credentials_revoke_for(member_id=w.member_a.pk, category=Revocation.LOST)
    r = anon.post("/transfers/credentials/verify/", {"token": cred.token})
    assert 'data-status="revoked"' in r.content.decode() and "遗失" in r.content.decode()


def test_the_command_verifies_a_token_or_a_png(w, tmp_path, capsys):
    cred = services.credential_issue(actor=None, member=w.member_a)
    call_command("credential", "verify", cred.token)
    out = capsys.readouterr().out
    assert "通过：有效" in out and "390*************13" in out and cred.cid in out
    path = tmp_path / "qr.png"
    path.write_bytes(codec.qr_png(cred.token))
    call_command("credential", "verify", str(path))
    assert "通过：有效" in capsys.readouterr().out
    # a colour screenshot (RGBA) of the code reads too
    width, height, rows, _ = png.Reader(bytes=codec.qr_png(cred.token)).asRGBA8()
    coloured = io.BytesIO()
    png.Writer(width, height, greyscale=False, alpha=True).write(coloured, [bytearray(r) for r in rows])
    path.write_bytes(coloured.getvalue())
    call_command("credential", "verify", str(path))
    assert "通过：有效" in capsys.readouterr().out
    path.write_bytes(b"not an image")
    with pytest.raises(CommandError, match="无法读取图片"):
        call_command("credential", "verify", str(path))
    services.credentials_revoke_for(member_id=w.member_a.pk, category=Revocation.MISUSE)
    path.write_bytes(codec.qr_png(cred.token))
    with pytest.raises(SystemExit) as exc:
        call_command("credential", "verify", str(path))
    assert exc.value.code == 1 and "不予通过：已注销" in capsys.readouterr().out


def test_the_scope_walker_on_the_credential_routes(w):
    """The whole-site walker covers these routes too; here on them alone, so a leak names this part."""
    from sanxin.api import api
    from tests.accounts.walker import Walker, api_routes, page_routes

    routes = [r for r in api_routes(api) if r.template.startswith(BASE)]
    routes += [r for r in page_routes() if r.template.startswith("/transfers/credentials/")]
    assert {r.perm.kind for r in routes} == {"scoped", "own", "public"}
    services.credential_issue(actor=None, member=w.member_b)  # the other side holds a credential
    walker = Walker(w)
    leaks = walker.walk(routes)
    assert leaks == [], "\n".join(leaks)
    assert walker.checked >= 20
    assert selectors.current_for(w.member_b).issued_by is None  # nobody of side A touched it


def test_the_demo_step_issues_verifiable_credentials(w):
    from sanxin.demo.registry import DemoContext
    from sanxin.transfers.credentials.demo import build_credentials

    lines = []
    build_credentials(DemoContext(progress=lines.append))
    issued = list(Credential.objects.order_by("pk"))
    assert len(issued) >= 3 and "党员数字身份证" in lines[0]
    statuses = [selectors.verify(c.token).status for c in issued]
    assert statuses.count("revoked") == 2 and statuses.count("valid") == len(issued) - 2
    assert {c.revocation for c in issued if c.revoked_at} == {"reissued", "lost"}


def test_the_database_keeps_one_valid_credential_per_member_and_verification_is_cheap(w):
    from django.db import IntegrityError, transaction

    from tests.helpers import assert_max_queries

    cred = services.credential_issue(actor=None, member=w.member_a)
    twin = Credential(
        cid="ab" * 16,
        member=w.member_a,
        token=cred.token,
        key=cred.key,
        org_name=cred.org_name,
        org_code=cred.org_code,
        status=cred.status,
        issued_at=cred.issued_at,
        expires_at=cred.expires_at,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    with assert_max_queries(2):  # the key, the credential's row
        assert selectors.verify(cred.token).valid
