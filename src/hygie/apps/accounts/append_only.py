"""Database triggers that make a table append-only even for raw SQL (audit log, crisis log).

Used by the migrations that install them and by the test helper that lifts them for one flush
(:mod:`hygie.testing.database`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["AppendOnlyTable"]


@dataclass(frozen=True)
class AppendOnlyTable:
    """A table whose rows may be inserted, never updated nor deleted."""

    table: str
    function: str  # the PostgreSQL trigger function's name
    message: str

    def _install(self) -> dict[str, list[str]]:
        t, m = self.table, self.message
        return {
            "sqlite": [
                f"CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t} BEGIN SELECT RAISE(ABORT, '{m}'); END;",
                f"CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} BEGIN SELECT RAISE(ABORT, '{m}'); END;",
            ],
            "postgresql": [
                (f"CREATE OR REPLACE FUNCTION {self.function}() RETURNS trigger AS $$ "
                 f"BEGIN RAISE EXCEPTION '{m}'; END; $$ LANGUAGE plpgsql;"),
                (f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
                 f"FOR EACH ROW EXECUTE FUNCTION {self.function}();"),
            ],
        }

    def _remove(self) -> dict[str, list[str]]:
        t = self.table
        return {
            "sqlite": [f"DROP TRIGGER IF EXISTS {t}_no_update;", f"DROP TRIGGER IF EXISTS {t}_no_delete;"],
            "postgresql": [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};",
                           f"DROP FUNCTION IF EXISTS {self.function}();"],
        }

    def forwards(self, _apps: Any, schema_editor: Any) -> None:
        """Install the triggers for the running database (a migration's ``RunPython``)."""
        for sql in self._install().get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    def backwards(self, _apps: Any, schema_editor: Any) -> None:
        """Remove them."""
        for sql in self._remove().get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
