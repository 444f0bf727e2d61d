"""The Django project: settings, URLs, base templates, generic views and the API root."""
