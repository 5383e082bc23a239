"""``python -m bench.faults <setup | scenario>``: one step of the fault figures in a process of its
own, configured by its environment (DATABASE_URL: the faults database; CELERY_BROKER_URL: the
scenario's own Redis port), printing its figures as the last line, in JSON. Run by
bench/faults/__init__.py's measure()."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def main(step: str) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from bench.faults import scenarios, setup

    steps = {"setup": setup.prepare, **scenarios.SCENARIOS}
    figures = steps[step](Path(os.environ["PORTAL_VAR_DIR"]))
    print(json.dumps(figures, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
