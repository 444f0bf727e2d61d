"""Test helpers shipped with Hygie: a two-tenant organisation tree with a user per role."""

from hygie.testing.tenants import Tenants, build_tenants

__all__ = ["Tenants", "build_tenants"]
