"""The faults database: migrated, then a small dataset of bench/dataset.py (an open Tremplin call
with complete drafts, each of its own researcher, the bench staff member, and the subscribers of
the bench topic), rebuilt at every run so each scenario starts from the same rows."""

from __future__ import annotations

import time

DRAFTS = 2_000  # one researcher each: also the 2,000 subscribers of the topic scenarios
SUBSCRIBERS = 2_000


def prepare(var_dir):
    from django.core.management import call_command

    from bench.run import dataset_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    figures = dataset_command(applications=1, reviewers=3, rush_drafts=DRAFTS, subscribers=SUBSCRIBERS, projects=0)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "drafts": figures["rush_drafts"],
        "subscribers": figures["subscribers"],
    }
