"""The ``hygie`` command line: one module per command group."""
