"""Remove, from the installed packages, the HTML templates that load assets from the internet.

The portal works offline: its own pages load nothing from outside (tests/test_home.py and the
browser tests check it). Two packages it installs ship a page of their own that does:
moto's S3 test server dashboard (bootstrap from a CDN; the tests start moto's server, never its
dashboard) and drf-spectacular's stock ReDoc page (no URL of the portal routes to it: the API's
docs are templates/cooperation/api_docs.html with Swagger UI from the sidecar package). Neither
is ever served, but left installed they are one `include` away from a page that breaks offline.
Run by `make venv` after pip (the Makefile), and checked by tests/test_offline_templates.py.

Usage: python scripts/offline_templates.py [--check]   (--check: list them, exit 1 if any)
"""

from __future__ import annotations

import re
import sys
import sysconfig
from pathlib import Path

# A script, a stylesheet or a font loaded from another host (links to documentation are fine).
ONLINE_ASSET = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE
)


def online_templates(site_packages: Path):
    for path in site_packages.rglob("*.html"):
        if "templates" not in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="ignore")
        except OSError:
            continue
        for match in ONLINE_ASSET.finditer(text):
            tag = text[match.start() : text.find(">", match.start()) + 1]
            if re.search(r"""rel\s*=\s*["'](?:noopener|alternate|canonical)""", tag) and tag.lower().startswith(
                "<link"
            ):
                continue
            yield path
            break


def main(argv):
    site_packages = Path(sysconfig.get_paths()["purelib"])
    found = sorted(online_templates(site_packages))
    if "--check" in argv:
        for path in found:
            print(path)
        return 1 if found else 0
    for path in found:
        path.unlink()
        print(f"removed (loads assets from the internet, never served by the portal): {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
