"""Internet exposure audit engine (issue 4): what a hospital shows the Internet, audited safely."""

from hygie.engines.exposure.perimeter import Decision, Perimeter, PerimeterError

__all__ = ["Decision", "Perimeter", "PerimeterError"]
