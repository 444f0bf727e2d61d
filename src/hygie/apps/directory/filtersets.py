"""Filters of the directory lists (UI and API share them)."""

from __future__ import annotations

from typing import ClassVar

import django_filters
from django.utils.translation import gettext_lazy as _

from hygie.apps.directory.models import DirectoryAudit, DirectoryCredential
from hygie.web.filtering import TenantFilterSet


class DirectoryAuditFilterSet(TenantFilterSet):
    """Audits by node, domain, status, source, text."""

    search_fields = ("domain", "label")
    domain = django_filters.CharFilter(lookup_expr="icontains", label=_("Domain"))

    class Meta:
        model = DirectoryAudit
        fields: ClassVar[list[str]] = ["status", "source", "level"]


class DirectoryCredentialFilterSet(TenantFilterSet):
    """Credentials by text."""

    search_fields = ("label", "url", "bind_user")

    class Meta:
        model = DirectoryCredential
        fields: ClassVar[list[str]] = []
