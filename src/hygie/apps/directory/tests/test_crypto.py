"""Credentials: the password is stored encrypted, never in clear, never in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from hygie.apps.accounts.models import AuditEvent
from hygie.apps.directory import crypto
from hygie.apps.directory.models import DirectoryCredential

SECRET = "Zq-S3cret-Passw0rd!"  # noqa: S105 - a test value looked for in the database


def _credential(node: Any) -> DirectoryCredential:
    credential = DirectoryCredential(node=node, label="DC1", url="ldaps://dc1.chu.local", bind_user="CHU\\audit")
    credential.set_password(SECRET)
    credential.save()
    return credential


class TestStorage:
    """What lands in the database."""

    def test_password_not_in_clear_in_the_row(self, tenants: Any) -> None:
        """The raw row holds a Fernet token, not the password; it decrypts back to the password."""
        credential = _credential(tenants.site_a)
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM directory_directorycredential WHERE id = %s", [credential.pk])
            row = cursor.fetchone()
        assert not any(SECRET in str(value) for value in row)
        assert SECRET == DirectoryCredential.objects.get(pk=credential.pk).password()

    def test_password_not_in_the_audit_log(self, tenants: Any) -> None:
        """Neither the password nor its token is written to the audit log."""
        credential = _credential(tenants.site_a)
        events = AuditEvent.objects.filter(object_type="directory.DirectoryCredential", object_id=str(credential.pk))
        assert 1 == events.count()
        text = str(list(events.values("before", "after", "changes")))
        assert SECRET not in text
        assert credential.password_encrypted not in text
        assert "password_encrypted" not in text


class TestKeys:
    """Configured keys, rotation and the wrong-key error."""

    def test_wrong_key_is_a_clear_error(self, tenants: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        """Encrypted with one key, read with another: CredentialKeyError naming the setting."""
        monkeypatch.setenv(crypto.KEY_ENV, Fernet.generate_key().decode())
        credential = _credential(tenants.site_a)
        monkeypatch.setenv(crypto.KEY_ENV, Fernet.generate_key().decode())
        with pytest.raises(crypto.CredentialKeyError, match=crypto.KEY_ENV):
            credential.password()

    def test_rotation_keeps_old_tokens_readable(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """New key first, old key after: old tokens decrypt, ``rotate`` re-encrypts with the new key."""
        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        monkeypatch.setenv(crypto.KEY_ENV, old)
        token = crypto.encrypt(SECRET)
        monkeypatch.setenv(crypto.KEY_ENV, f"{new},{old}")
        assert SECRET == crypto.decrypt(token)
        rotated = crypto.rotate(token)
        monkeypatch.setenv(crypto.KEY_ENV, new)
        assert SECRET == crypto.decrypt(rotated)

    def test_malformed_key(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A key that is not a Fernet key is refused with the setting's name."""
        monkeypatch.setenv(crypto.KEY_ENV, "not-a-key")
        with pytest.raises(crypto.CredentialKeyError, match=crypto.KEY_ENV):
            crypto.encrypt(SECRET)

    def test_derived_key_without_setting(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without the setting, the key derived from SECRET_KEY is used (and is a valid Fernet key)."""
        monkeypatch.delenv(crypto.KEY_ENV, raising=False)
        assert SECRET == crypto.decrypt(crypto.encrypt(SECRET))
        Fernet(crypto.derived_key("x"))
