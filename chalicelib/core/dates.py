"""How a printed document writes a date: `2026-12-07`, or in 民國 years, `民國115年12月07日`.

Taiwanese offices date their papers in the Republic's years (民國元年 is 1912); a shop chooses
which its documents print (`dates_roc` in its settings, chalicelib/records/shop_settings.py).
Every PDF writes its dates through `paper_date`, so the choice holds on all of them.
"""
from __future__ import annotations

from datetime import date, datetime

from chalicelib.core import clock

ROC_OFFSET = 1911  # 民國 year = Gregorian year - 1911


def paper_date(value: str | date | datetime | None, roc: bool = False,
               time: bool = False) -> str:
    """A day (`2026-12-07`, a `date`) or a stored UTC time (ISO 8601, a `datetime`) as a
    document prints it, in the shop's time zone; `time` adds the wall clock (`14:05`)."""
    if value is None or value == "":
        return "—"
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value.astimezone(clock.SHOP_TIMEZONE)
    elif isinstance(value, date):
        day = value
    elif len(value) == 10:
        day = date.fromisoformat(value)
    else:
        moment = clock.parse_iso(value).astimezone(clock.SHOP_TIMEZONE)
    if moment is not None:
        day = moment.date()
    text = (f"民國{day.year - ROC_OFFSET}年{day.month:02d}月{day.day:02d}日" if roc
            else day.isoformat())
    if time and moment is not None:
        text += f" {moment:%H:%M}"
    return text
