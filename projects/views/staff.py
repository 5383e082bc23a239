"""Pages of the projects' staff (see views/__init__.py)."""
