"""Known-exploited vulnerabilities catalogue (being written)."""


class KevCatalogue:
    """Being written."""
