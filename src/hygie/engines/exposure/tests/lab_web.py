"""Lab servers: lab_web (being written)."""

__all__: list[str] = []
