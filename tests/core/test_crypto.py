import base64
import os

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from sanxin.core import crypto
from sanxin.core.fields import EncryptedTextField


@pytest.fixture(autouse=True)
def _fresh_keys():
    crypto.reset_key_cache()
    yield
    crypto.reset_key_cache()


@given(st.text(max_size=200))
def test_roundtrip(text):
    token = crypto.encrypt(text)
    assert crypto.decrypt(token) == text


def test_ciphertext_carries_alg_and_kid_and_differs_each_time():
    a, b = crypto.encrypt("320102199001011234"), crypto.encrypt("320102199001011234")
    assert a.startswith("enc:v1:A256GCM:dev:") and a != b
    assert "320102199001011234" not in a


def test_aad_binds_the_value_to_its_place():
    token = crypto.encrypt("x", aad="person:1:resident_id")
    with pytest.raises(InvalidTag):
        crypto.decrypt(token, aad="person:2:resident_id")


def test_tampering_is_detected():
    token = crypto.encrypt("秘密")
    head, body = token.rsplit(":", 1)
    raw = bytearray(crypto._b64d(body))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt(f"{head}:{crypto._b64e(bytes(raw))}")


def test_key_rotation(settings):
    old = base64.b64encode(os.urandom(32)).decode()
    new = base64.b64encode(os.urandom(32)).decode()
    settings.FIELD_KEYS = f"k1:{old}"
    crypto.reset_key_cache()
    token_old = crypto.encrypt("旧数据")
    settings.FIELD_KEYS = f"k2:{new},k1:{old}"
    crypto.reset_key_cache()
    assert crypto.decrypt(token_old) == "旧数据"
    assert crypto.encrypt("新数据").split(":")[3] == "k2"
    settings.FIELD_KEYS = f"k2:{new}"
    crypto.reset_key_cache()
    with pytest.raises(ValueError, match="unknown key id"):
        crypto.decrypt(token_old)


def test_blind_index_is_stable_normalized_and_purpose_separated():
    a = crypto.blind_index("11010519491231002x", purpose="resident_id")
    assert a == crypto.blind_index(" 11010519491231002X ", purpose="resident_id")
    assert a != crypto.blind_index("11010519491231002X", purpose="phone")
    assert len(a) == 64


@given(st.text(min_size=6, max_size=40))
def test_mask_keeps_first_three_and_last_two(value):
    masked = crypto.mask(value)
    assert masked[:3] == value[:3] and masked[-2:] == value[-2:]
    assert set(masked[3:-2]) <= {"*"} and len(masked) == len(value)


def test_mask_examples():
    assert crypto.mask("320102199001011234") == "320*************34"
    assert crypto.mask_phone("13800138000") == "138****8000"
    assert crypto.mask("1234") == "****"


def test_encrypted_field_stores_ciphertext_and_reads_plaintext():
    field = EncryptedTextField()
    stored = field.get_prep_value("13800138000")
    assert crypto.is_encrypted(stored)
    assert field.from_db_value(stored, None, None) == "13800138000"
    assert field.get_prep_value(stored) == stored  # never double-encrypted
    assert field.get_prep_value("") == "" and field.from_db_value(None, None, None) is None
    assert field.mask_value("320102199001011234") == "320*************34"
