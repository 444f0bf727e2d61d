"""Encryption at rest of the directory bind passwords (Fernet: AES-128-CBC with HMAC-SHA256).

The key comes from ``HYGIE_CREDENTIAL_KEY`` (one or more Fernet keys separated by commas: the
first encrypts, every one decrypts, so a key can be rotated without losing the stored passwords),
else it is derived from ``SECRET_KEY`` with HKDF-SHA256. Changing ``SECRET_KEY`` without setting
``HYGIE_CREDENTIAL_KEY`` to the old derived key makes the stored passwords unreadable: the error
says so, and the passwords must be typed again. See docs/user-guide/directory.md.
"""

from __future__ import annotations

import base64
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

__all__ = ["KEY_ENV", "CredentialKeyError", "decrypt", "derived_key", "encrypt", "rotate"]

KEY_ENV = "HYGIE_CREDENTIAL_KEY"
_HKDF_INFO = b"hygie directory credential key v1"


class CredentialKeyError(Exception):
    """The key is malformed or does not decrypt a stored password."""


def derived_key(secret: str) -> bytes:
    """The Fernet key derived from ``secret`` (the Django ``SECRET_KEY`` by default)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


def _fernet() -> MultiFernet:
    configured = [k.strip() for k in os.environ.get(KEY_ENV, "").split(",") if k.strip()]
    keys = configured or [derived_key(settings.SECRET_KEY).decode()]
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise CredentialKeyError(
            _("%(env)s must hold Fernet keys (32 url-safe base64-encoded bytes), separated by commas.")
            % {"env": KEY_ENV}
        ) from exc


def encrypt(password: str) -> str:
    """The token stored in the database for ``password``."""
    return _fernet().encrypt(password.encode()).decode()


def decrypt(token: str) -> str:
    """The password behind ``token``; ``CredentialKeyError`` when the key cannot read it."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise CredentialKeyError(
            _(
                "The stored password cannot be decrypted with the configured key (was %(env)s or the secret key "
                "changed?). Type the password of this credential again."
            )
            % {"env": KEY_ENV}
        ) from exc


def rotate(token: str) -> str:
    """``token`` re-encrypted with the first configured key (after a key rotation)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise CredentialKeyError(_("A stored password cannot be decrypted with any configured key.")) from exc
