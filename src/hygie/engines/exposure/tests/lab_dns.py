"""Lab servers: lab_dns (being written)."""

__all__: list[str] = []
