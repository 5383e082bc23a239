"""The projects' pages, one module per part: ``pages`` (the project page and My projects),
``reports``, ``money``, ``changes``, ``evaluation`` and ``staff`` (list, dashboard, exports)."""
