"""No template in the installed environment loads assets from the internet (the portal works
offline): `make venv` removes the two packages' pages that did (scripts/offline_templates.py)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_installed_template_loads_assets_from_the_internet():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "offline_templates.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, f"templates loading assets from the internet:\n{result.stdout}"


def test_the_check_finds_a_page_that_loads_a_cdn_script(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from offline_templates import online_templates
    finally:
        sys.path.pop(0)
    templates = tmp_path / "pkg" / "templates"
    templates.mkdir(parents=True)
    (templates / "online.html").write_text('<script src="https://cdn.example.org/x.js"></script>')
    (templates / "offline.html").write_text(
        '<script src="/static/x.js"></script><a href="https://docs.example.org">docs</a>'
    )
    assert [path.name for path in online_templates(tmp_path)] == ["online.html"]
