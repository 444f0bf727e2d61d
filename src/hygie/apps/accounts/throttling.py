"""Login throttling: too many failures for a user name or an address lock them for a while."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from hygie.apps.accounts.models import LoginFailure


def _since() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.HYGIE_LOGIN_WINDOW_SECONDS)


def is_locked(username: str, address: str | None) -> bool:
    """True when recent failures for this name or this address reached the limit."""
    recent = LoginFailure.objects.filter(timestamp__gte=_since())
    limit = settings.HYGIE_LOGIN_MAX_FAILURES
    if recent.filter(username__iexact=username).count() >= limit:
        return True
    return bool(address) and recent.filter(address=address).count() >= limit * 4


def record_failure(username: str, address: str | None) -> None:
    """Remember one failed attempt (and forget those older than the window)."""
    LoginFailure.objects.filter(timestamp__lt=_since()).delete()
    LoginFailure.objects.create(username=username[:150], address=address or None)


def clear(username: str) -> None:
    """A successful login forgets the failures of that name."""
    LoginFailure.objects.filter(Q(username__iexact=username)).delete()
