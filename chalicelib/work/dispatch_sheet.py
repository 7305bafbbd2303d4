"""The 派工表 (dispatch sheet) of a day: each technician's jobs with the order, the plate, the
sold and the actual hours, when they started and finished, and where they stand; on screen and
as an A4 PDF the shop pins up or files (KPS5220-004v1 P1.2.3, P1.2.5).

A day's orders are the board's (one Query: the open ones and those closed that day); each
order's lines are a Query of its partition, read side by side. fpdf2 is imported inside the
function that draws, never on a cold start.
"""
from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from chalicelib import models
from chalicelib.api import Body, Caller, Day
from chalicelib.api.roles import require
from chalicelib.core import aws, clock, objects
from chalicelib.core.dates import paper_date
from chalicelib.core.config import settings
from chalicelib.records import shop_settings, shops
from chalicelib.work import fonts, jobs, order_store
from chalicelib.work.order_store import is_job

URL_SECONDS = 15 * 60
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
    data = render(content, _shop_name(caller.shop_id), shop_settings.dates_roc(caller.shop_id))
    digest = hashlib.sha256(data).hexdigest()[:12]
    filename = f"dispatch-{content['date']}-{digest}.pdf"
    key = objects.report_object(caller.shop_id, filename)
    aws.client("s3").put_object(Bucket=settings().bucket_name, Key=key, Body=data,
                                ContentType="application/pdf")
    return {"url": aws.download_url(key, filename, "application/pdf", URL_SECONDS),
            "filename": filename, "content_type": "application/pdf", "bytes": len(data)}


def _shop_name(shop_id: str) -> str:
    return (shops.get_shop(shop_id) or {}).get("name", "")


def render(content: dict, shop_name: str, roc: bool = False) -> bytes:
    """A4 landscape: a table per technician, their totals under it; `roc`: 民國 dates."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font("noto", "", str(fonts.font_path("regular")))
    pdf.add_font("noto", "B", str(fonts.font_path("bold")))
    if not fonts.covers(str(content)):
        pdf.add_font("noto-rare", "", str(fonts.font_path("rare")))
        pdf.set_fallback_fonts(["noto-rare"], exact_match=False)
    day = paper_date(content["date"], roc)
    pdf.set_title(f"派工表 {day}")
    pdf.set_creator("ServiceLane")
    pdf.set_lang("zh-TW")
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdf.set_font("noto", "B", 16)
    pdf.cell(0, 9, f"派工表 Dispatch sheet　{day}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("noto", "", 9)
    pdf.cell(0, 5, f"{shop_name}　印出 Printed {paper_date(clock.now_iso(), roc, time=True)}",
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    if not content["technicians"]:
        pdf.set_font("noto", "", 11)
        pdf.cell(0, 8, "這一天沒有派工。No jobs were dispatched this day.")
    headings = ["工單 Order", "車牌 Plate", "項目 Job", "標準工時 Sold h", "實際工時 Actual h",
                "開始 Start", "完成 Finish", "狀態 Status"]
    widths = [30, 24, 0, 28, 30, 22, 22, 30]
    widths[2] = pdf.epw - sum(widths)
    for person in content["technicians"]:
        pdf.set_font("noto", "B", 12)
        pdf.cell(0, 8, f"{person['name']}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("noto", "", 9)
        heading = FontFace(family="noto", emphasis="B", size_pt=8, fill_color=(236, 239, 242))
        with pdf.table(col_widths=widths, width=sum(widths), line_height=5,
                       headings_style=heading, borders_layout="HORIZONTAL_LINES",
                       text_align=("L", "L", "L", "R", "R", "C", "C", "L")) as table:
            row = table.row()
            for text in headings:
                row.cell(text)
            for job in person["jobs"]:
                row = table.row()
                zh, en = STATUS[job["status"]]
                pause = f"（{jobs.PAUSE_REASONS[job['reason']][0]}）" if job.get("reason") else ""
                for text in (job["number"], job["plate"], job["description"],
                             _number(job["sold_hours"]), _number(job["worked_hours"]),
                             _time(job["started_at"]), _time(job["finished_at"]),
                             f"{zh}{pause} {en}"):
                    row.cell(text)
        pdf.set_font("noto", "B", 9)
        rate = f"{person['efficiency']}%" if person["efficiency"] is not None else "—"
        pdf.cell(0, 7, f"合計 Total：標準工時 {_number(person['sold_hours'])} h（已完成）　"
                       f"實際工時 {_number(person['worked_hours'])} h　工時效率 {rate}",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())


def _number(value: Any) -> str:
    return "—" if value is None else f"{Decimal(value):.2f}"


def _time(text: str | None) -> str:
    return clock.parse_iso(text).astimezone(clock.SHOP_TIMEZONE).strftime("%H:%M") \
        if text else "—"

