"""The demo hospital group: a realistic, fictional GHT used by ``hygie demo``, tests and benchmarks."""

from __future__ import annotations

from hygie.demo.loader import DEMO_PASSWORD, DEMO_SEED, DemoLogin, DemoSummary, load_demo

__all__ = ["DEMO_PASSWORD", "DEMO_SEED", "DemoLogin", "DemoSummary", "load_demo"]
