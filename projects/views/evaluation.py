"""Pages of the projects' evaluation (see views/__init__.py)."""
