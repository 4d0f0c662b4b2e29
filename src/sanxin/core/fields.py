"""Model fields for personal data. An ``EncryptedTextField`` stores ciphertext and gives plaintext in
Python; it is never searchable — pair it with a ``blind index`` column for exact lookups. The audit log
records it masked (``sensitive = True``)."""

from __future__ import annotations

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    sensitive = True

    def __init__(self, *args, mask_head: int = 3, mask_tail: int = 2, **kwargs):
        self.mask_head = mask_head
        self.mask_tail = mask_tail
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.mask_head != 3:
            kwargs["mask_head"] = self.mask_head
        if self.mask_tail != 2:
            kwargs["mask_tail"] = self.mask_tail
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def to_python(self, value):
        if isinstance(value, str) and crypto.is_encrypted(value):
            try:
                return crypto.decrypt(value)
            except crypto.DecryptionError:
                return value  # text a person typed that merely looks like ciphertext
        return value

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        if isinstance(value, str) and crypto.is_encrypted(value):
            # Genuine ciphertext (copied between rows) is never encrypted twice; text that only
            # *looks* like ciphertext is a person's input and must not be stored in clear.
            try:
                crypto.decrypt(value)
            except crypto.DecryptionError:
                return crypto.encrypt(value)
            return value
        return crypto.encrypt(str(super().get_prep_value(value)))

    def mask_value(self, value: str) -> str:
        return crypto.mask(value or "", head=self.mask_head, tail=self.mask_tail)
