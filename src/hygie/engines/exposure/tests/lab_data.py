"""Lab servers: lab_data (being written)."""

__all__: list[str] = []
