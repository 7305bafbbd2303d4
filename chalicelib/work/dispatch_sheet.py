"""The 派工表 (dispatch sheet) of a day: each technician's jobs with the order, the plate, the
sold and the actual hours, when they started and finished, and where they stand; on screen and
as an A4 PDF the shop pins up or files (KPS5220-004v1 P1.2.3, P1.2.5).

A day's orders are the board's (one Query: the open ones and those closed that day); each
order's lines are a Query of its partition, read side by side. The PDF is drawn on the shop's
sheet (work/paper.py), fpdf2 imported only then.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from chalicelib import models
from chalicelib.api import Body, Caller, Day
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.work import jobs, order_store, paper, pdf
from chalicelib.work.order_store import is_job

STATUS = {"idle": ("待開始", "Not started"), "running": ("施工中", "Working"),
          "paused": ("暫停", "Paused"), "finished": ("完成", "Finished"),
          "proposed": ("待同意", "Awaiting answer"), "declined": ("客戶拒絕", "Declined")}


class SheetQuery(Body):
    date: Day | None = None  # a day that exists: the PDF writes it as a date


def sheet(caller: Caller, query: SheetQuery) -> dict:
    """The day's jobs by technician, with sold and actual hours and each one's 工時效率."""
    require(caller, "jobs.others")
    day = query.date or clock.local_date()
    orders = _orders_of(caller.shop_id, day)
    people: dict[str, dict] = {}
    for order in orders:
        for line in order["lines"]:
            if not is_job(line) or not line.get("technician_id"):
                continue
            person = people.setdefault(line["technician_id"], {
                "staff_id": line["technician_id"], "name": line.get("technician_name", ""),
                "jobs": []})
            person["jobs"].append(_job(order, line))
    technicians = []
    for person in sorted(people.values(), key=lambda p: p["name"]):
        person["jobs"].sort(key=lambda job: (job["started_at"] or "~", job["number"]))
        sold = sum((job["sold_hours"] or Decimal(0)) for job in person["jobs"]
                   if job["status"] == "finished")
        worked = sum(job["worked_hours"] for job in person["jobs"])
        technicians.append({**person, "sold_hours": _hours(sold), "worked_hours": _hours(worked),
                            "efficiency": efficiency(sold, worked)})
    return {"date": day, "technicians": technicians}


def efficiency(sold: Decimal | int, worked: Decimal | int) -> int | None:
    """工時效率: the sold hours of the finished labour jobs over the time worked, in percent
    (None before any time is recorded); the dispatch sheet's and the dashboard's."""
    return round(sold / worked * 100) if worked else None


def _orders_of(shop_id: str, day: str) -> list[dict]:
    """The day's orders (the board's) with their lines: one Query for the headers, then one
    per order, eight at a time."""
    pk = models.board_pk(shop_id)
    headers = [header.as_dict() for header in models.Order.lists.query(
        pk, models.Order.gsi2sk >= day, attributes_to_get=["order_id", "closed_on", "state"])]
    wanted = [header["order_id"] for header in headers
              if not header.get("closed_on") or header["closed_on"] == day]
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda order_id: order_store.read(shop_id, order_id), wanted))
    return [order for order in found if order and order["state"] != "cancelled"]


def _job(order: dict, line: dict) -> dict:
    now = line.get("clock") or {}
    status = ("declined" if line["state"] == "declined" else "proposed"
              if line["state"] == "proposed" else "finished" if line["state"] == "done"
              else now.get("state", "idle"))
    seconds = Decimal(int(now.get("seconds") or 0))
    if now.get("state") == "running":
        seconds += Decimal(int((clock.now() - clock.parse_iso(now["since"])).total_seconds()))
    sold = Decimal(str(line["hours"])) if line["kind"] == "labour" and line.get("hours") else None
    return {"order_id": order["order_id"], "number": order["number"],
            "plate": order["vehicle"]["plate"], "line_id": line["line_id"],
            "description": line["description"], "kind": line["kind"], "status": status,
            **({"reason": now["reason"]} if status == "paused" and now.get("reason") else {}),
            "sold_hours": sold, "worked_hours": _hours(seconds / 3600),
            "started_at": now.get("started_at"), "finished_at": now.get("finished_at")}


def _hours(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


# --- the A4 PDF ---

def pdf_link(caller: Caller, query: SheetQuery) -> dict:
    """The day's sheet as an A4 PDF in the bucket, and a 15-minute link to it."""
    content = sheet(caller, query)
    return paper.link(caller.shop_id, f"dispatch-{content['date']}",
                      render(caller.shop_id, content))


def render(shop_id: str, content: dict) -> bytes:
    """A4 landscape on the shop's sheet (its header, its dates): a table per technician, their
    totals under it."""
    page = paper.sheet(shop_id, ("派工表", "Dispatch sheet"), str(content), landscape=True)
    page.add_page()
    paper.header(page, [("日期", "Date", page.date(content["date"])),
                        ("技師", "Technicians", f"{len(content['technicians'])} 位")])
    if not content["technicians"]:
        paper.none_line(page, "這一天沒有派工。", "No jobs were dispatched this day.")
    for person in content["technicians"]:
        pdf.section(page, person["name"], "", needs=24)
        rows = []
        for job in person["jobs"]:
            zh, en = STATUS[job["status"]]
            pause = f"（{jobs.PAUSE_REASONS[job['reason']][0]}）" if job.get("reason") else ""
            rows.append([job["number"], job["plate"], job["description"],
                         _number(job["sold_hours"]), _number(job["worked_hours"]),
                         _time(job["started_at"]), _time(job["finished_at"]),
                         f"{zh}{pause} {en}"])
        paper.table(page, [("工單", "Order"), ("車牌", "Plate"), ("項目", "Job"),
                           ("標準工時", "Sold h"), ("實際工時", "Actual h"), ("開始", "Start"),
                           ("完成", "Finish"), ("狀態", "Status")],
                    [30, 24, 0, 24, 24, 18, 18, 34], rows,
                    aligns=["L", "L", "L", "R", "R", "C", "C", "L"])
        pdf.font(page, 9, bold=True)
        rate = f"{person['efficiency']}%" if person["efficiency"] is not None else "—"
        page.cell(0, 7, f"合計 Total：標準工時 {_number(person['sold_hours'])} h（已完成）　"
                        f"實際工時 {_number(person['worked_hours'])} h　工時效率 {rate}",
                  new_x="LMARGIN", new_y="NEXT")
        page.ln(2)
    return bytes(page.output())


def _number(value: Any) -> str:
    return "—" if value is None else f"{Decimal(value):.2f}"


def _time(text: str | None) -> str:
    return clock.parse_iso(text).astimezone(clock.SHOP_TIMEZONE).strftime("%H:%M") \
        if text else "—"

