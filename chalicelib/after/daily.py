"""The daily job: the shop's early-morning work, one task after another.

The `daily_jobs` Lambda (app.py) runs it once a day at 06:00 Asia/Taipei; `make daily` runs it on
demand against the local engines. A later part adds its task to TASKS (reminders, expiry). A
task that fails does not stop the others; the run then fails as a whole (the Lambda's error
alarm), and every task is written so that running again does nothing twice.
"""
from __future__ import annotations

from typing import Callable

from chalicelib.core import clock
from chalicelib.core.observability import logger


def _followups(today: str) -> dict:
    from chalicelib.after import followups

    return followups.make_due(today)


def _reminders(today: str) -> dict:
    from chalicelib.after import reminders

    return reminders.send_due(today)


def _signed_orders(today: str) -> dict:
    """Recently signed open orders still as their documents show them; owners told if not."""
    from chalicelib.work import signatures

    return signatures.check_signed_orders(today)


# (name, task): each takes the shop's local date (Asia/Taipei) and answers what it did, in counts.
TASKS: list[tuple[str, Callable[[str], dict]]] = [
    ("followups", _followups),
    ("reminders", _reminders),
    ("signed_orders", _signed_orders),
]


class DailyTasksFailed(Exception):
    """Some tasks failed (named in the message); the others ran."""


def run(today: str | None = None) -> dict:
    """Run every task for `today` (default: today in Taipei); answer each one's counts."""
    today = today or clock.local_date()
    done, failed = {}, []
    for name, task in TASKS:
        try:
            done[name] = task(today)
            logger().info("daily task", extra={"task": name, "date": today, **done[name]})
        except Exception:
            logger().exception("daily task failed", extra={"task": name, "date": today})
            failed.append(name)
    if failed:
        raise DailyTasksFailed(f"daily tasks failed: {', '.join(failed)}")
    return {"date": today, **done}
