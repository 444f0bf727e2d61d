"""Test helpers shipped with Hygie: a two-tenant organisation tree with a user per role."""

from hygie.testing.tenants import Tenants, build_tenants
from hygie.testing.world import MARK_A, MARK_B, World, build_world, database_fingerprint

__all__ = ["MARK_A", "MARK_B", "Tenants", "World", "build_tenants", "build_world", "database_fingerprint"]
