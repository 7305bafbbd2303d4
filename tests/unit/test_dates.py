"""How printed documents write dates: ISO days, or 民國 years when the shop prints them."""
from datetime import date

from chalicelib.core.dates import paper_date


def test_a_day_prints_as_iso_or_in_roc_years():
    assert paper_date("2026-12-07") == "2026-12-07"
    assert paper_date("2026-12-07", roc=True) == "民國115年12月07日"
    assert paper_date(date(2011, 1, 1), roc=True) == "民國100年01月01日"


def test_a_stored_time_prints_on_the_shops_clock_with_or_without_its_time():
    assert paper_date("2026-11-29T06:05:00.000Z", time=True) == "2026-11-29 14:05"
    assert paper_date("2026-11-29T17:30:00Z", time=True) == "2026-11-30 01:30"
    assert paper_date("2026-11-29T17:30:00Z", roc=True) == "民國115年11月30日"
    assert paper_date("2026-11-29T17:30:00Z", roc=True, time=True) == "民國115年11月30日 01:30"


def test_nothing_prints_as_a_dash():
    assert paper_date(None) == "—" and paper_date("", roc=True) == "—"
