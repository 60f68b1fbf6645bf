"""Encryption of secrets at rest (SSNs, MFA keys) and keyed digests to look them up.

Fernet gives authenticated encryption; because it is randomised, equal SSNs encrypt differently,
so lookups by SSN go through `digest()`, a keyed HMAC stored beside the ciphertext.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(purpose: bytes) -> bytes:
    master = (settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY).encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


@cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"portal field encryption")))


@cache
def _digest_key() -> bytes:
    return _derive(b"portal lookup digest")


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def digest(text: str) -> str:
    """A stable keyed hash of `text`, for an indexed equality lookup without the plaintext."""
    return hmac.new(_digest_key(), text.encode(), hashlib.sha256).hexdigest()
