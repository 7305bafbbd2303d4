"""The one clock, and how times are written: stored UTC, ISO 8601 to the millisecond, shown and
counted in days of Asia/Taipei (tests move `now` to pass a lock-out without waiting)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

# Taiwan keeps UTC+8 all year (no daylight saving since 1979): no tz database needed in Lambda.
SHOP_TIMEZONE = timezone(timedelta(hours=8), "Asia/Taipei")


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(now())


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def local_date(when: str | None = None) -> str:
    """The shop's calendar date (Asia/Taipei) of a stored UTC time, or of now."""
    moment = parse_iso(when) if when else now()
    return moment.astimezone(SHOP_TIMEZONE).date().isoformat()


def local_text(when: str) -> str:
    """A stored UTC time as a customer reads it on their phone: `12/6 15:30` (Asia/Taipei)."""
    local = parse_iso(when).astimezone(SHOP_TIMEZONE)
    return f"{local.month}/{local.day} {local:%H:%M}"


def day_text(day: str) -> str:
    """A local day (`2026-12-09`) as a customer reads it on their phone: `12/9`."""
    _, month, dom = day.split("-")
    return f"{int(month)}/{int(dom)}"
