"""Login, throttling and API tokens."""

from __future__ import annotations

from typing import Any

from django.test import Client, override_settings

from hygie.apps.accounts.models import ApiToken
from hygie.testing.tenants import PASSWORD


class TestLoginThrottling:
    """Repeated failures lock a user name for a while, even with the right password."""

    @override_settings(HYGIE_LOGIN_MAX_FAILURES=3)
    def test_lock_after_failures(self, tenants: Any) -> None:
        """Three failures lock the account: the right password is then refused with 429."""
        client = Client()
        for _ in range(3):
            response = client.post("/login/", {"username": "viewer_a", "password": "wrong"})
            assert 200 == response.status_code
        response = client.post("/login/", {"username": "viewer_a", "password": PASSWORD})
        assert 429 == response.status_code
        assert "_auth_user_id" not in client.session

    def test_success_logs_in(self, tenants: Any) -> None:
        """The right password logs in and redirects."""
        client = Client()
        response = client.post("/login/", {"username": "viewer_a", "password": PASSWORD})
        assert 302 == response.status_code


class TestApiToken:
    """Tokens are stored hashed and authenticate API calls."""

    def test_token_authenticates_and_is_hashed(self, tenants: Any) -> None:
        """The clear key works as a Bearer token; only its digest is stored."""
        token, key = ApiToken.issue(tenants.users["viewer"], "script")
        assert key not in token.digest
        response = Client().get("/api/accounts/me", headers={"Authorization": f"Bearer {key}"})
        assert 200 == response.status_code
        assert "viewer_a" == response.json()["username"]

    def test_wrong_token_is_refused(self, tenants: Any) -> None:
        """An unknown key gives 401."""
        response = Client().get("/api/accounts/me", headers={"Authorization": "Bearer hyg_nope"})
        assert 401 == response.status_code
