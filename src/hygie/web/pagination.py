"""Page-number pagination of the API lists, with the page number bounded.

django-ninja accepts any page number; a huge one (``?page=116444736000000000``) makes an OFFSET
that overflows the database's integers and ends in a server error. Past the bound a page is
refused with 422, like any other invalid parameter.
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination as NinjaPageNumberPagination

__all__ = ["MAX_PAGE", "PageNumberPagination"]

#: Far beyond any real list (a billion pages), far below the database's integer limits.
MAX_PAGE = 1_000_000_000


class PageNumberPagination(NinjaPageNumberPagination):
    """django-ninja's page-number pagination with ``page`` bounded by ``MAX_PAGE``."""

    class Input(Schema):
        """Query parameters."""

        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)
