"""Personal data at rest: AES-GCM with alg and kid, key rotation, blind indexes, masking, and the
encrypted model field (on a field instance, on the real Person model, and in the audit snapshot)."""

import base64
import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from sanxin.core import audit, crypto
from sanxin.core.fields import EncryptedTextField


@pytest.fixture(autouse=True)
def _fresh_keys(settings):
    settings.FIELD_KEYS = ""
    settings.INDEX_KEY = ""
    crypto.reset_key_cache()
    yield
    crypto.reset_key_cache()


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def use_keys(settings, field_keys: str = "", index_key: str = "") -> None:
    settings.FIELD_KEYS = field_keys
    settings.INDEX_KEY = index_key
    crypto.reset_key_cache()


# --- encryption -----------------------------------------------------------------------------------


@given(st.text(max_size=200), st.text(max_size=40))
def test_roundtrip(text, aad):
    token = crypto.encrypt(text, aad=aad)
    assert crypto.is_encrypted(token)
    assert crypto.decrypt(token, aad=aad) == text


def test_ciphertext_carries_alg_and_kid_and_a_fresh_nonce():
    a, b = crypto.encrypt("320102199001011234"), crypto.encrypt("320102199001011234")
    prefix, version, alg, kid, body = a.split(":")
    assert (prefix, version, alg, kid) == ("enc", "v1", "A256GCM", "dev")
    assert len(crypto._b64d(body)) == 12 + len("320102199001011234") + 16  # nonce, ciphertext, tag
    assert a != b and a.rsplit(":", 1)[1][:16] != b.rsplit(":", 1)[1][:16]
    assert "320102199001011234" not in a and "320102" not in a


def test_aad_binds_the_value_to_its_place():
    token = crypto.encrypt("110105194912310021", aad="person:1:resident_id")
    assert crypto.decrypt(token, aad="person:1:resident_id") == "110105194912310021"
    for wrong in ("person:2:resident_id", "person:1:phone", ""):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(token, aad=wrong)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(crypto.encrypt("x"), aad="person:1:resident_id")


@given(st.data())
def test_any_flipped_bit_is_detected(data):
    token = crypto.encrypt("秘密：13800138000")
    head, body = token.rsplit(":", 1)
    raw = bytearray(crypto._b64d(body))
    i = data.draw(st.integers(0, len(raw) - 1))
    raw[i] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{head}:{crypto._b64e(bytes(raw))}")


@pytest.mark.parametrize(
    "token",
    [
        "13800138000",
        "enc:v1:A256GCM",
        "enc:v1:A256GCM:dev",
        "enc:v1:SM4GCM:dev:AAAA",
        "enc:v1:A256GCM:nokey:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "enc:v1:A256GCM:dev:AAAA",
        "enc:v1:A256GCM:dev:!!!!not-base64!!!!",
    ],
)
def test_malformed_ciphertext_is_one_error_type(token):
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)
    assert issubclass(crypto.DecryptionError, ValueError)


def test_key_rotation(settings):
    old, new = new_key(), new_key()
    use_keys(settings, f"old:{old}")
    token_old = crypto.encrypt("旧数据", aad="ctx")
    assert token_old.split(":")[3] == "old"

    use_keys(settings, f"new:{new},old:{old}")
    assert crypto.decrypt(token_old, aad="ctx") == "旧数据"
    token_new = crypto.encrypt("新数据")
    assert token_new.split(":")[3] == "new"
    assert crypto.decrypt(token_new) == "新数据"

    use_keys(settings, f"new:{new}")  # the old key retired: its values no longer open
    with pytest.raises(crypto.DecryptionError, match="unknown key id old"):
        crypto.decrypt(token_old, aad="ctx")
    assert crypto.decrypt(token_new) == "新数据"


def test_same_kid_with_another_key_does_not_open(settings):
    use_keys(settings, f"k1:{new_key()}")
    token = crypto.encrypt("x")
    use_keys(settings, f"k1:{new_key()}")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_keys_are_cached_until_reset(settings):
    use_keys(settings, f"a:{new_key()}")
    assert crypto.encrypt("x").split(":")[3] == "a"
    settings.FIELD_KEYS = f"b:{new_key()}"
    assert crypto.encrypt("x").split(":")[3] == "a"
    crypto.reset_key_cache()
    assert crypto.encrypt("x").split(":")[3] == "b"


@pytest.mark.parametrize(
    "raw",
    [
        "k1:" + base64.b64encode(b"short").decode(),
        ":" + base64.b64encode(b"k" * 32).decode(),
        "k1:" + "!" * 44,
        "k1:" + base64.b64encode(b"k" * 32).decode() + ",k1:" + base64.b64encode(b"j" * 32).decode(),
        "k1",
        ",",
    ],
)
def test_bad_key_configuration_is_refused(settings, raw):
    use_keys(settings, raw)
    with pytest.raises(ImproperlyConfigured, match="SANXIN_FIELD_KEYS"):
        crypto.encrypt("x")


def test_spaces_and_a_trailing_comma_in_the_key_list_are_fine(settings):
    key = new_key()
    use_keys(settings, f" k1 : {key} ,")
    assert crypto.encrypt("x").split(":")[3] == "k1"


# --- blind index ----------------------------------------------------------------------------------


def test_blind_index_is_stable_normalized_and_purpose_separated():
    a = crypto.blind_index("11010519491231002x", purpose="resident_id")
    assert len(a) == 64 and int(a, 16) >= 0
    assert a == crypto.blind_index("11010519491231002X", purpose="resident_id")
    assert a == crypto.blind_index(" 110105 19491231 002X\t", purpose="resident_id")
    assert a == crypto.blind_index("110105\u300019491231002X", purpose="resident_id")  # ideographic space
    crypto.reset_key_cache()
    assert a == crypto.blind_index("11010519491231002X", purpose="resident_id")
    assert a != crypto.blind_index("11010519491231002X", purpose="phone")
    assert a != crypto.blind_index("110105194912310021", purpose="resident_id")
    assert "11010519491231002X" not in a


@given(st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=30))
def test_blind_index_separates_purposes(value, other_value):
    assert crypto.blind_index(value, purpose="phone") != crypto.blind_index(value, purpose="resident_id")
    same = "".join(value.split()).upper() == "".join(other_value.split()).upper()
    assert (
        crypto.blind_index(value, purpose="phone") == crypto.blind_index(other_value, purpose="phone")
    ) is same


def test_blind_index_depends_on_the_index_key(settings):
    dev = crypto.blind_index("13800138000", purpose="phone")
    use_keys(settings, index_key=new_key())
    keyed = crypto.blind_index("13800138000", purpose="phone")
    assert keyed != dev and keyed == crypto.blind_index("13800138000", purpose="phone")


@pytest.mark.parametrize("raw", ["!!!not base64!!!", base64.b64encode(b"short").decode()])
def test_bad_index_key_is_refused(settings, raw):
    use_keys(settings, index_key=raw)
    with pytest.raises(ImproperlyConfigured, match="SANXIN_INDEX_KEY"):
        crypto.blind_index("x", purpose="phone")


# --- masking --------------------------------------------------------------------------------------


@given(st.text(min_size=6, max_size=40))
def test_mask_keeps_first_three_and_last_two(value):
    masked = crypto.mask(value)
    assert len(masked) == len(value)
    assert masked[:3] == value[:3] and masked[-2:] == value[-2:]
    assert masked[3:-2] == "*" * (len(value) - 5)


@given(st.text(max_size=5))
def test_short_values_are_masked_entirely(value):
    assert crypto.mask(value) == "*" * len(value)


def test_mask_examples():
    assert crypto.mask("320102199001011234") == "320*************34"
    assert crypto.mask("11010519491231002X") == "110*************2X"
    assert crypto.mask_phone("13800138000") == "138****8000"
    assert crypto.mask("1234") == "****"
    assert crypto.mask("") == "" and crypto.mask(None) == ""


# --- the model field ------------------------------------------------------------------------------


def test_encrypted_field_stores_ciphertext_and_reads_plaintext():
    field = EncryptedTextField()
    stored = field.get_prep_value("13800138000")
    assert crypto.is_encrypted(stored) and "13800138000" not in stored
    assert field.from_db_value(stored, None, connection) == "13800138000"
    assert field.to_python(stored) == "13800138000"
    assert field.get_prep_value("13800138000") != stored  # a fresh nonce every save
    assert field.get_prep_value(stored) == stored  # genuine ciphertext is never encrypted twice
    assert field.get_prep_value("") == "" and field.get_prep_value(None) is None
    assert (
        field.from_db_value(None, None, connection) is None
        and field.from_db_value("", None, connection) == ""
    )
    assert (
        field.get_prep_value(12345) != "12345"
        and field.from_db_value(field.get_prep_value(12345), None, None) == "12345"
    )


def test_text_that_only_looks_like_ciphertext_is_encrypted_too():
    field = EncryptedTextField()
    typed = "enc:v1:A256GCM:dev:not-really"
    stored = field.get_prep_value(typed)
    assert stored != typed and crypto.is_encrypted(stored)
    assert field.from_db_value(stored, None, connection) == typed
    assert field.to_python(typed) == typed  # a form's clean() must not crash on it


def test_encrypted_field_masks_and_deconstructs():
    assert EncryptedTextField().mask_value("320102199001011234") == "320*************34"
    phone = EncryptedTextField(mask_head=3, mask_tail=4)
    assert phone.mask_value("13800138000") == "138****8000" and phone.mask_value(None) == ""
    _, path, _, kwargs = phone.deconstruct()
    assert path == "sanxin.core.fields.EncryptedTextField" and kwargs["mask_tail"] == 4
    assert "mask_head" not in kwargs and "mask_tail" not in EncryptedTextField().deconstruct()[3]


@pytest.mark.django_db
def test_person_identifiers_are_ciphertext_in_the_database(settings):
    from sanxin.orgs.models import Person

    use_keys(settings, f"k2026:{new_key()}")
    p = Person.objects.create(name="张三", phone="13800138000", resident_id="11010519491231002X")
    with connection.cursor() as cur:
        cur.execute("SELECT phone, resident_id FROM orgs_person WHERE id = %s", [p.pk])
        phone, resident_id = cur.fetchone()
    assert phone.startswith("enc:v1:A256GCM:k2026:") and "13800138000" not in phone
    assert resident_id.startswith("enc:v1:A256GCM:k2026:") and "19491231" not in resident_id
    fresh = Person.objects.get(pk=p.pk)
    assert (fresh.phone, fresh.resident_id) == ("13800138000", "11010519491231002X")
    assert Person.objects.filter(pk=p.pk).values_list("phone", flat=True).get() == "13800138000"


def test_audit_snapshot_masks_encrypted_fields():
    from sanxin.orgs.models import Person

    p = Person(name="张三", phone="13800138000", resident_id="320102199001011234")
    snap = audit.snapshot(p)
    assert snap["name"] == "张三"
    assert snap["phone"] == "138****8000"
    assert snap["resident_id"] == "320*************34"
    assert "13800138000" not in repr(snap) and "320102199001011234" not in repr(snap)
    assert audit.snapshot(Person(name="李四"))["phone"] == ""
