"""Pages of the projects' changes (see views/__init__.py)."""
