"""A vehicle's 維修履歷 (service history): its visits with what was done, what the walk-arounds
found over time (tyre tread per wheel, brake pads per axle), its mileage, and the work the
customer declined that no later visit did (KPS5220-004v1 P3.2.2, P5.2.2); on screen and as an
A4 PDF the owner can keep or hand to a buyer.

The cost is bounded: one Query of the vehicle's partition (the vehicle, its readings), one of
its orders on gsi1 (the newest VISITS), then one Query per order for just its walk-around and
lines (`INSPECTION` to `LINE#~` sorts between the events and the messages), eight at a time:
2 + at most VISITS requests. The PDF is drawn on the shop's sheet (work/paper.py).
"""
from __future__ import annotations

import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from chalicelib import models
from chalicelib.api import Caller
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import NotFound
from chalicelib.records import vehicles
from chalicelib.records.shop_settings import TREAD_LEGAL_MIN_MM
from chalicelib.work import order_store, paper, pdf, signatures
from chalicelib.work.inspections import AXLES, GROOVES, POSITIONS

VISITS = 24  # the newest orders read: a car seen monthly for two years
DONE = ("approved", "done")  # a line that was (or is being) done
_SPACES = re.compile(r"\s+")


def history(caller: Caller, vehicle_id: str) -> dict:
    """The vehicle's history as the screen shows it (docs/api.md, "A vehicle's history")."""
    require(caller, "orders.read")
    return _history(caller.shop_id, vehicle_id)


def history_of(shop_id: str, vehicle_id: str) -> dict:
    """The history without a caller: the invitation list's backfill reads its declined work."""
    return _history(shop_id, vehicle_id)


def _history(shop_id: str, vehicle_id: str) -> dict:
    items = list(models.Item.items(models.vehicle_pk(shop_id, vehicle_id)))
    vehicle = next((item for item in items if item["sk"] == models.VEHICLE_SK), None)
    if vehicle is None:
        raise NotFound("找不到這輛車。", "No such vehicle.")
    readings = [item for item in items if item["sk"].startswith(models.MILEAGE_PREFIX)]
    orders_pk, prefix = models.vehicle_orders_lookup(shop_id, vehicle_id)
    headers = [order.as_dict() for order in models.Order.lookup.query(
        orders_pk, models.Order.gsi1sk.startswith(prefix), scan_index_forward=False,
        limit=VISITS + 1)]
    more = len(headers) > VISITS
    headers = [header for header in headers[:VISITS] if header["state"] != "cancelled"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parts = list(pool.map(lambda header: _beside(shop_id, header["order_id"]), headers))
    visits = [_visit(header, inspection, lines)
              for header, (inspection, lines) in zip(headers, parts)]
    oldest_first = list(reversed(visits))
    return {
        "vehicle": vehicles.public(vehicle),
        "visits": visits,
        "tyres": {pos: series for pos in POSITIONS
                  if (series := _series(oldest_first, "tyres", pos))},
        "brakes": {axle: series for axle in AXLES
                   if (series := _series(oldest_first, "brakes", axle))},
        "mileage": [{"at": reading["at"], "km": reading["km"]} for reading in readings],
        "declined_open": declined_open(oldest_first),
        "legal_tread_mm": TREAD_LEGAL_MIN_MM,
        "more": more,
    }


def _beside(shop_id: str, order_id: str) -> tuple[dict | None, list[dict]]:
    """An order's walk-around and lines: one Query of the part of its partition they sort in."""
    found = list(models.Item.items(models.order_pk(shop_id, order_id), models.Item.sk.between(
        models.INSPECTION_SK, f"{models.LINE_PREFIX}~")))
    inspection = next((item for item in found if item["sk"] == models.INSPECTION_SK), None)
    lines = sorted((item for item in found if item["sk"].startswith(models.LINE_PREFIX)),
                   key=lambda line: line["created_at"])
    return inspection, lines


def _visit(header: dict, inspection: dict | None, lines: list[dict]) -> dict:
    values = (inspection or {}).get("values") or {}
    tyres = {}
    for pos in POSITIONS:
        grooves = [Decimal(values[f"tyres.{pos}.{groove}"]) for groove in GROOVES
                   if values.get(f"tyres.{pos}.{groove}") is not None]
        if grooves:
            tyres[pos] = min(grooves)  # a tyre is as worn as its worst groove
    brakes = {axle: Decimal(values[f"brakes.{axle}.pad_mm"]) for axle in AXLES
              if values.get(f"brakes.{axle}.pad_mm") is not None}
    zh, en = order_store.STATE_NAMES[header["state"]]
    return {
        "order_id": header["order_id"], "number": header["number"], "state": header["state"],
        "state_zh": zh, "state_en": en, "date": clock.local_date(header["created_at"]),
        "created_at": header["created_at"], "closed_on": header.get("closed_on"),
        "mileage_km": signatures.mileage_of({**header, "inspection": inspection}),
        "total": order_store.totals_of(lines)["total"] if header["state"] not in
        order_store.CLOSED else (header.get("totals") or {}).get("total"),
        "concerns": header.get("concerns") or [],
        "lines": [{"line_id": line["line_id"], "kind": line["kind"],
                   "description": line["description"], "amount": line["amount"],
                   "state": line["state"], "state_zh": order_store.LINE_STATE_NAMES[line["state"]][0],
                   **({"part_number": line["part_number"]} if line.get("part_number") else {})}
                  for line in lines],
        "tyres": tyres, "brakes": brakes,
    }


def _series(visits: list[dict], kind: str, where: str) -> list[dict]:
    """One wheel's (or axle's) readings over the visits, oldest first."""
    return [{"date": visit["date"], "order_id": visit["order_id"], "number": visit["number"],
             "mm": visit[kind][where]} for visit in visits if where in visit[kind]]


def _same_work(line: dict) -> str:
    """What makes two lines the same work: the part number, else the description's words
    (spaces dropped: 雨刷 更換 is 雨刷更換; full-width letters as ASCII)."""
    return line.get("part_number") or \
        _SPACES.sub("", unicodedata.normalize("NFKC", line["description"])).lower()


def declined_open(visits: list[dict]) -> list[dict]:
    """Lines the customer declined that no later visit did (approved or done), oldest first."""
    still = []
    for index, visit in enumerate(visits):
        later = {_same_work(line) for after in visits[index + 1:] for line in after["lines"]
                 if line["state"] in DONE}
        still += [{"order_id": visit["order_id"], "number": visit["number"],
                   "date": visit["date"], "line_id": line["line_id"],
                   "description": line["description"], "amount": line["amount"]}
                  for line in visit["lines"]
                  if line["state"] == "declined" and _same_work(line) not in later]
    return still


# --- the A4 PDF, for the owner (and a buyer): the car and its work, nobody's contact details ---

def pdf_link(caller: Caller, vehicle_id: str) -> dict:
    """The history as an A4 PDF in the bucket, and a 15-minute link to it (no plate in its
    name: file names travel)."""
    require(caller, "history.print")
    content = _history(caller.shop_id, vehicle_id)
    return paper.link(caller.shop_id, f"history-{clock.local_date()}",
                      render(caller.shop_id, content))


def render(shop_id: str, content: dict) -> bytes:
    """A4 portrait on the shop's sheet (its header, its dates): the car, then each visit (newest
    first) with its km and the work done, the tread and pads measured, and the declined work
    still open. Nothing of the owner: the car's record, for its next owner too."""
    car = content["vehicle"]
    sheet = paper.sheet(shop_id, ("維修履歷", "Service history"), str(content))
    sheet.add_page()
    km = (car.get("mileage") or {}).get("km")
    title = " ".join(str(part) for part in (car.get("make"), car.get("model"), car.get("year"))
                     if part)
    paper.header(sheet, [("車牌", "Plate", car["plate"]), ("車型", "Car", title or "—"),
                         ("車身號碼", "VIN", car.get("vin") or "—"),
                         ("目前里程", "Mileage", f"{int(km):,} km" if km is not None else "—")])
    pdf.section(sheet, "維修紀錄", "Visits", needs=24)
    visits = [visit for visit in content["visits"] if visit["state"] != "booked"]
    if not visits:
        paper.none_line(sheet, "尚無維修紀錄。", "No visits yet.")
    for visit in visits:
        km = visit["mileage_km"]
        pdf.font(sheet, 10, bold=True)
        sheet.cell(0, 7, f"{sheet.date(visit['date'])}　工單 {visit['number']}　"
                         f"{f'{int(km):,} km' if km is not None else ''}　{visit['state_zh']}",
                   new_x="LMARGIN", new_y="NEXT")
        done = [line for line in visit["lines"] if line["state"] in DONE]
        if done:
            paper.table(sheet, [("施工項目", "Work done"), ("類別", "Kind")], [0, 30],
                        [[line["description"], pdf.KIND_NAMES.get(line["kind"], line["kind"])]
                         for line in done])
        found = [f"{name} {visit['tyres'][pos]} mm" for pos, name in _WHEELS.items()
                 if pos in visit["tyres"]] + \
            [f"{name} {visit['brakes'][axle]} mm" for axle, name in _PADS.items()
             if axle in visit["brakes"]]
        if found:
            pdf.font(sheet, 9)
            sheet.multi_cell(0, 5, "檢查量測 Measured：" + "、".join(found),
                             new_x="LMARGIN", new_y="NEXT")
        sheet.ln(2)
    if content["declined_open"]:
        pdf.section(sheet, "建議尚未施作", "Recommended, not yet done", needs=18)
        paper.table(sheet, [("建議日期", "Recommended on"), ("項目", "Work")], [34, 0],
                    [[sheet.date(line["date"]), line["description"]]
                     for line in content["declined_open"]])
    sheet.ln(3)
    pdf.font(sheet, 8, colour=pdf.GREY)
    sheet.multi_cell(0, 4, f"胎紋法定最低 {content['legal_tread_mm']} mm。"
                           f"Legal minimum tread depth {content['legal_tread_mm']} mm.")
    return bytes(sheet.output())


_WHEELS = {"LF": "左前胎", "RF": "右前胎", "LR": "左後胎", "RR": "右後胎", "SPARE": "備胎"}
_PADS = {"front": "前來令片", "rear": "後來令片"}
