"""Helpers of the awareness tests: CSV files written here, in the formats the imports read.

The GoPhish file follows the results export of GoPhish's campaign page (its documented columns
and status names); no file is copied from elsewhere.
"""

from __future__ import annotations

from typing import Any

__all__ = ["GOPHISH_HEADER", "TRAINING_HEADER", "gophish_csv", "training_csv"]

TRAINING_HEADER = "email,first_name,last_name,category,establishment,session,completed_on"
GOPHISH_HEADER = "id,status,ip,latitude,longitude,send_date,reported,modified_date,email,first_name,last_name,position"


def training_csv(*rows: str, header: str = TRAINING_HEADER) -> bytes:
    """A training CSV of ``rows`` (already comma-separated)."""
    return ("\n".join([header, *rows]) + "\n").encode()


def gophish_row(index: int, status: str, position: str = "Infirmier", *, reported: bool = False,
                email: str | None = None, send_date: str = "2026-03-02T09:00:00.123456789Z") -> str:
    """One result line as GoPhish exports it."""
    email = email or f"user{index}@chu.example"
    modified = "2026-03-02T10:15:00Z"
    return (f"r{index:04d},{status},192.0.2.{index % 250},45.76,4.83,{send_date},{str(reported).lower()},"
            f"{modified},{email},First{index},Last{index},{position}")


def gophish_csv(rows: list[Any], header: str = GOPHISH_HEADER) -> bytes:
    """A GoPhish results export of ``rows`` (lines or ``(status, position, reported)`` tuples)."""
    lines = [row if isinstance(row, str) else gophish_row(i, *row[:2], reported=row[2] if len(row) > 2 else False)
             for i, row in enumerate(rows)]
    return ("\n".join([header, *lines]) + "\n").encode()
