"""The fault figures' rows of the results table: (figure, measured, target, met), the targets and
their status as each scenario judged them (its ``targets`` and ``met``)."""

from __future__ import annotations


def _topic_rows(number, figures, fault):
    drain = figures["seconds_to_drain"]
    return [
        ("lost", f"faults {number}, {fault}: {figures['messages']:,} topic messages, lost", figures["lost"]),
        ("duplicates", f"faults {number}: delivered twice", figures["duplicates"]),
        (
            "seconds_to_drain",
            f"faults {number}: seconds to drain after {figures['drain_measured_from']}",
            f"{drain} s" if drain is not None else f"not within 180 s, left: {figures['left_unsent_after_180_s']}",
        ),
    ]


def _scenario_rows(name, figures):
    """(key of the target, figure, measured) for one scenario."""
    if name == "redis_restart":
        return [
            (
                "submitted",
                "faults 1, Redis stopped: the submission (POST to gunicorn)",
                f"HTTP {figures['submit_status']} in {figures['submit_ms']} ms, submitted: {figures['submitted']}",
            ),
            ("receipt_deliveries", "faults 1: receipt deliveries", figures["receipt_deliveries"]),
            (
                "seconds_restart_to_delivery",
                f"faults 1: receipt delivered, seconds after Redis restarted ({figures['redis_down_seconds']} s down)",
                f"{figures['seconds_restart_to_delivery']} s",
            ),
        ]
    if name == "worker_kills":
        return _topic_rows(2, figures, f"worker SIGKILLed {figures['kills']} times (2 sending processes each)")
    if name == "pg_terminate":
        terminated = sum(figures["connections_terminated"])
        return _topic_rows(3, figures, f"worker's PostgreSQL connections terminated ({terminated})")
    if name == "double_submit":
        return [
            (
                "submitted",
                f"faults 4, two browsers submit the same draft at once ({figures['drafts']} times, "
                f"{figures['pairs_in_flight_together']} with both requests in flight together): submitted",
                figures["submitted"],
            ),
            ("duplicates", "faults 4: second submissions, references or receipts", figures["duplicates"]),
            (
                "receipts_delivered",
                "faults 4: receipts delivered / delivered twice",
                f"{figures['receipts_delivered']} / {figures['receipt_deliveries_duplicated']}",
            ),
        ]
    intervals = sorted(figures["attempt_intervals_seconds"].values(), key=len)
    return [
        (
            "accepted_later_delivered",
            f"faults 5, mail server refuses (554) the first {figures['refused_attempts_before_accepting']} "
            "attempts: delivered",
            f"{figures['accepted_later_delivered']}, attempts {intervals[0]} s apart",
        ),
        ("backoff_followed", "faults 5: retries with backoff", figures["backoff_followed"]),
        ("marked_sent_not_accepted", "faults 5: marked sent but not accepted", figures["marked_sent_not_accepted"]),
        (
            "failed",
            "faults 5: refused every time → failed after its attempts",
            f"{figures['failed']} (attempts {intervals[-1]} s apart)",
        ),
        (
            "admin_changelist_shows_the_error",
            "faults 5: the failure in admin with the server's error (changelist / page)",
            f"{figures.get('admin_changelist_shows_the_error')} / {figures.get('admin_page_shows_the_error')}",
        ),
    ]


def rows(faults):
    out = []
    for name in ("redis_restart", "worker_kills", "pg_terminate", "double_submit", "smtp_refusals"):
        figures = (faults or {}).get(name)
        if not figures:
            continue
        if "error" in figures:
            out.append((f"faults: {name}", figures["error"], "runs", False))
            continue
        for key, figure, value in _scenario_rows(name, figures):
            out.append((figure, str(value), figures["targets"][key], figures["met"][key]))
    return out
