"""Analysis engines: pure Python, no Django, each runnable alone on files."""
