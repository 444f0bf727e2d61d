"""Repeated failed logins lock the name: the login page says so and answers 429."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse

from hygie.testing.tenants import PASSWORD


class TestLoginThrottling:
    """After the configured number of failures the right password is refused too, with a clear message."""

    def test_locked_after_failures(self, tenants: Any) -> None:
        client = Client()
        url = reverse("login")
        for _attempt in range(settings.HYGIE_LOGIN_MAX_FAILURES):
            response = client.post(url, {"username": "manager_a", "password": "not-the-password"})
            assert 200 == response.status_code
        response = client.post(url, {"username": "manager_a", "password": PASSWORD})
        assert 429 == response.status_code
        assert "Too many failed attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_other_names_are_not_locked(self, tenants: Any) -> None:
        client = Client()
        for _attempt in range(settings.HYGIE_LOGIN_MAX_FAILURES):
            client.post(reverse("login"), {"username": "manager_a", "password": "not-the-password"})
        response = client.post(reverse("login"), {"username": "viewer_a", "password": PASSWORD})
        assert 302 == response.status_code
