"""The 預約表 on paper: a day's or a week's bookings, by time, as an A4 PDF the front desk pins
up (KPS5220-004v1 P1.1). The bookings are the appointments screen's (one Query a day)."""
from __future__ import annotations

from datetime import date, timedelta

from pydantic import model_validator

from chalicelib.api import Body, Caller, Day, field_error
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.work import paper, pdf
from chalicelib.work.appointments import DayQuery, day as day_list

SOURCES = {"phone": ("電話", "Phone"), "line": ("LINE", "LINE"), "online": ("線上", "Online"),
           "walk_in": ("現場", "Walk-in"), "invitation": ("回廠邀約", "Invited back")}
STATES = {"pending": ("待確認", "Awaiting confirmation"), "booked": ("已預約", "Booked"),
          "checked_in": ("已報到", "Checked in"),
          "cancelled": ("已取消", "Cancelled"), "no_show": ("未到", "No-show")}
WEEKDAYS = "一二三四五六日"


class SheetQuery(Body):
    """`day`: one day; `week`: the seven days from the Monday of that date's week."""
    day: Day | None = None
    week: Day | None = None

    @model_validator(mode="after")
    def _one(self) -> "SheetQuery":
        if self.day and self.week:
            raise field_error("請選一天或一週，不要兩個都填。", "day or week, not both")
        return self


def days_of(query: SheetQuery) -> list[str]:
    """The days the sheet covers: the day asked (today if none), or Monday to Sunday."""
    if query.week:
        start = date.fromisoformat(query.week)
        monday = start - timedelta(days=start.weekday())
        return [(monday + timedelta(days=n)).isoformat() for n in range(7)]
    return [query.day or clock.local_date()]


def pdf_link(caller: Caller, query: SheetQuery) -> dict:
    """The bookings of the day or the week as an A4 PDF: a 15-minute link."""
    require(caller, "orders.read")
    days = days_of(query)
    booked = {day: day_list(caller, DayQuery(date=day))["appointments"] for day in days}
    data = render(caller.shop_id, days, booked)
    name = f"appointments-{days[0]}" + ("-week" if len(days) > 1 else "")
    return paper.link(caller.shop_id, name, data)


def render(shop_id: str, days: list[str], booked: dict[str, list[dict]]) -> bytes:
    """A table a day: time, plate, customer, what they want done, parts to prepare, the
    source, the time it takes and where it stands."""
    sheet = paper.sheet(shop_id, ("預約表", "Appointments"), str(booked))
    sheet.add_page()
    span = sheet.date(days[0]) if len(days) == 1 else \
        f"{sheet.date(days[0])} – {sheet.date(days[-1])}"
    count = sum(len(items) for items in booked.values())
    paper.header(sheet, [("日期", "Date", span), ("預約", "Bookings", f"{count} 筆")])
    for day in days:
        items = booked[day]
        weekday = WEEKDAYS[date.fromisoformat(day).weekday()]
        pdf.section(sheet, f"{sheet.date(day)}（{weekday}）", f"{len(items)} booking(s)",
                    needs=24)
        if not items:
            paper.none_line(sheet, "這天沒有預約。", "No bookings.")
            continue
        rows = []
        for item in items:
            source, state = SOURCES.get(item["source"], (item["source"], "")), \
                STATES.get(item["state"], (item["state"], ""))
            wanted = item["purpose"] + (f"\n備料 Parts: {'、'.join(item['parts_to_prepare'])}"
                                        if item.get("parts_to_prepare") else "")
            rows.append([_time(item["at"]), item["plate"], item["customer_name"], wanted,
                         f"{source[0]}\n{source[1]}", f"{item['duration_minutes']} 分鐘",
                         f"{state[0]}\n{state[1]}"])
        paper.table(sheet, [("時間", "Time"), ("車牌", "Plate"), ("客戶", "Customer"),
                            ("預約項目", "Service wanted"), ("來源", "Source"),
                            ("預估工時", "Est. time"), ("狀態", "State")],
                    [14, 24, 28, 0, 20, 20, 20], rows,
                    aligns=["C", "L", "L", "L", "C", "R", "C"])
    return bytes(sheet.output())


def _time(text: str) -> str:
    return clock.parse_iso(text).astimezone(clock.SHOP_TIMEZONE).strftime("%H:%M")
