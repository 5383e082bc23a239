"""`make screenshots`: PNGs of the main pages at desktop (1366x900) and phone (390x844) widths.

Starts the test live server on PostgreSQL (the test database of `make test`), builds the pages' data
with the test factories, logs in as each role and writes artifacts/screenshots/<page>-<width>.png
with headless Chromium. Fails when a page is wider than the screen.
"""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(
        pytest.main(
            [str(ROOT / "tests" / "e2e" / "screenshot_pages.py"), "-q", "-s", "-p", "no:cacheprovider", *sys.argv[1:]]
        )
    )
