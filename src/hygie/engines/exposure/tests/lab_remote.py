"""Lab servers: lab_remote (being written)."""

__all__: list[str] = []
