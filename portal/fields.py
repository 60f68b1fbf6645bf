from django.db import models

from portal import crypto


class EncryptedTextField(models.TextField):
    """Stores its value encrypted; Python code sees the plaintext.

    It cannot be filtered or sorted on: keep a `crypto.digest()` column beside it for lookups.
    """

    def from_db_value(self, value, expression, connection):
        return None if value in (None, "") else crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else crypto.encrypt(value)
