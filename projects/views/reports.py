"""Pages of the projects' reports (see views/__init__.py)."""
