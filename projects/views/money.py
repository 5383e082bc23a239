"""Pages of the projects' money (see views/__init__.py)."""
