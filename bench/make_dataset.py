"""Generate the bench data alone: ``.venv/bin/python bench/make_dataset.py --reset [--applications N]``.

The same environment as `make bench` (bench/run.py: the ``inserm_bench`` database unless
DATABASE_URL says otherwise, production settings), then bench/dataset.py's command with the
arguments given (``--help`` lists them).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import ensure_database, setup_environment  # noqa: E402


def main(argv):
    import os

    setup_environment()
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from bench.dataset import Command

    Command().run_from_argv([argv[0], "make_dataset", *argv[1:]])


if __name__ == "__main__":
    main(sys.argv)
