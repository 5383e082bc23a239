"""The French catalogue is complete: regenerated from the code, no user-facing string is left
untranslated or fuzzy. The catalogue is regenerated in a copy of the tree, never in locale/."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# What users never read: tooling, tests and generated or third-party files.
NOT_USER_FACING = [".venv", ".git", "tests", "bench", "scripts", "staticfiles", "media", "var", "artifacts", "htmlcov"]
COPIED_SUFFIXES = {".py", ".html", ".txt", ".po"}


def copy_sources(destination):
    """The files makemessages reads (Python, templates, plain-text mails) and the current .po."""

    def ignore(folder, names):
        skipped = set()
        for name in names:
            path = Path(folder, name)
            if Path(folder) == BASE_DIR and name in NOT_USER_FACING or name == "__pycache__":
                skipped.add(name)
            elif path.is_file() and path.suffix not in COPIED_SUFFIXES:
                skipped.add(name)
        return skipped

    shutil.copytree(BASE_DIR, destination, ignore=ignore, symlinks=False)


def untranslated(po_path):
    with po_path.open("rb") as handle:
        catalogue = read_po(handle, locale="fr")
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif not all(strings):
            problems.append(f"untranslated: {msgid!r}")
    return problems


def test_every_user_facing_string_has_a_french_translation(tmp_path):
    assert shutil.which("xgettext") and shutil.which("msgmerge"), "GNU gettext is needed (apt-get install gettext)"
    tree = tmp_path / "tree"
    copy_sources(tree)
    po_path = tree / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    assert po_path.exists(), "the French catalogue locale/fr/LC_MESSAGES/django.po is missing"

    environment = {**os.environ, "DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:", "PORTAL_VAR_DIR": str(tmp_path)}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0"],
        cwd=tree,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )

    problems = untranslated(po_path)
    assert not problems, (
        f"{len(problems)} French translation(s) missing in locale/fr/LC_MESSAGES/django.po "
        "(run `make makemessages`, then translate):\n" + "\n".join(problems)
    )
