"""Data exports as jobs: a customer's data (個資法 §3/§10) or the whole shop's, started by a
manager's request and run in pieces (core/pieces.py), watched by the PWA until the files are
ready (docs/design.md, "Long work").

`POST /api/exports` writes the job (its id is the tablet's client id: a replayed start finds it)
and asks for its first piece; `GET /api/exports/{job_id}` answers its state, how far it is, and
once done 15-minute links to the files. A shop's export reads a page at a time (customers, then
vehicles, then the board's orders with their lines), writes each page's rows to S3 as a part
and saves where it got to on the job; a piece stops after PIECE_SECONDS and asks for the next,
which goes on from the saved place. So a shop of any size finishes within Lambda's limits, a run
cut off is taken up where it saved, and the last piece joins the parts into the JSON and the
zip of CSVs (on disk, never whole in memory). A customer's export reads that customer's items
only (portability.customer_data) and is one piece.

Files go under `reports/` (the bucket's lifecycle removes them the next day), their keys and
file names hold no personal data, and each start leaves an audit item, written with the job.
"""
from __future__ import annotations

import csv
import json
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, Callable, Iterator, Literal

from chalicelib import models
from chalicelib.after import jobs, portability
from chalicelib.api import Body, Caller, ClientId, jsonable
from chalicelib.api.roles import require
from chalicelib.core import aws, clock, money, objects, phones
from chalicelib.core.config import settings
from chalicelib.core.errors import Unprocessable
from chalicelib.records import customers, vehicles
from chalicelib.work import signatures

KINDS = ("shop", "customer")
PAGE = 500  # customers or vehicles read per page, each page one part
ORDERS_PAGE = 100  # orders per page: each costs a Query of its lines
CATALOGUE_PAGE = 2_000  # catalogue items per page (a few hundred bytes each)
SHOP_PHASES = ("shop", "catalogue", "customers", "vehicles", "orders", "files")
# Where each phase starts on the progress bar (percent); the orders move it by the days read.
PHASE_START = {"shop": 0, "catalogue": 1, "customers": 2, "vehicles": 10, "orders": 20, "files": 95}

class NewExport(Body):
    job_id: ClientId
    kind: Literal["shop", "customer"]
    customer_id: ClientId | None = None


# --- starting and watching ---

def start(caller: Caller, body: NewExport) -> dict:
    """The job written, recorded (the audit) and its first piece asked for; a replayed start
    answers the job as it is."""
    require(caller, "data.rights")
    customer_id = body.customer_id if body.kind == "customer" else None
    if body.kind == "customer":
        if not customer_id:
            raise Unprocessable("請指定要匯出的客戶。", "customer_id: required for a customer's "
                                "export", code="customer_id")
        portability.customer_of(caller.shop_id, customer_id)  # 404 for no such customer
    audit = portability.audit_item(caller, f"{body.kind}_export", job_id=body.job_id,
                                   **({"customer_id": customer_id} if customer_id else {}))
    job = jobs.start(caller, body.job_id, body.kind, run_piece, along=[audit],
                     customer_id=customer_id, audit_id=audit.audit_id,
                     phase=SHOP_PHASES[0] if body.kind == "shop" else None)
    if job.audit_id == audit.audit_id:  # started now, not a replay
        portability.logged(audit)
    return view(job)


def status(caller: Caller, job_id: str) -> dict:
    require(caller, "data.rights")
    return view(jobs.found(caller, job_id, KINDS))


def view(job: models.Job) -> dict:
    """The job as the PWA shows it; the files as 15-minute links, made anew each time."""
    answer = {"job_id": job.job_id, "kind": job.kind, "state": job.state,
              "percent": job.percent, "counts": job.counts, "created_at": job.created_at,
              "audit_id": job.audit_id}
    if job.customer_id:
        answer["customer_id"] = job.customer_id
    if job.state == "done" and job.files:
        base = (f"客戶資料-{job.customer_id}" if job.kind == "customer" else "全店資料") + \
            f"-{clock.local_date(job.created_at)}"  # ids, never a name: file names travel
        answer["files"] = {
            "json": _link(job.files["json"], f"{base}.json", "application/json"),
            "csv": _link(job.files["csv"], f"{base}.zip", "application/zip")}
        answer["expires_in"] = portability.LINK_SECONDS
    return answer


def _link(key: str, filename: str, content_type: str) -> dict:
    return {"url": aws.download_url(key, filename, content_type, portability.LINK_SECONDS,
                                    attachment=True), "filename": filename}


def run_piece(payload: dict) -> dict:
    """One piece of an export (the pieces Lambda, or a thread locally): jobs.run."""
    return jobs.run(payload, _step, run_piece)


def _step(job: models.Job, deadline: float) -> bool:
    return (_shop_piece if job.kind == "shop" else _customer_piece)(job, deadline)


def _put_part(job: models.Job, rows: list[dict]) -> str:
    key = objects.report_object(job.shop_id, f"exports/{job.job_id}/parts/"
                                             f"{len(job.parts):05d}-{job.phase}.jsonl")
    body = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in jsonable(rows))
    aws.client("s3").put_object(Bucket=settings().bucket_name, Key=key,
                                Body=body.encode("utf-8"), ContentType="application/x-ndjson")
    return key


# --- a shop's export ---

def _shop_piece(job: models.Job, deadline: float) -> bool:
    """Pages until the deadline (one at least): each page of the phase read, its rows written
    as a part, the place saved. Answers whether more remains (the next piece)."""
    pages = 0
    while True:
        if job.phase == "files":
            _join(job)
            return False
        if pages and time.monotonic() >= deadline:
            return True
        pages += 1
        rows, cursor, last = PAGES[job.phase](job.shop_id, job.cursor)
        counts, first_day = dict(job.counts), job.first_day
        if job.phase == "orders" and not first_day and rows:
            first_day = rows[0].get("closed_on") or clock.local_date(rows[0]["created_at"])
        counts[job.phase] = counts.get(job.phase, 0) + len(rows)
        if job.phase == "orders":
            counts["lines"] = counts.get("lines", 0) + sum(len(row["lines"]) for row in rows)
        parts = [*job.parts, _put_part(job, rows)] if rows else list(job.parts)
        phase = job.phase if cursor else SHOP_PHASES[SHOP_PHASES.index(job.phase) + 1]
        jobs.save(job, state="running", counts=counts, parts=parts, cursor=cursor, phase=phase,
              first_day=first_day, percent=_percent(job.phase, phase, last, first_day))


def _percent(was: str, phase: str, last: str | None, first: str | None) -> int:
    """How far along, for the bar: each phase its share; within the orders, the days read out
    of those since the shop's first closed order (the board sorts them by day)."""
    if phase != was or was != "orders":
        return PHASE_START[phase]
    today = date.fromisoformat(clock.local_date())
    if not last or not first or last.startswith(models.BOARD_OPEN):
        return PHASE_START["files"] - 1 if last else PHASE_START["orders"]
    span = max((today - date.fromisoformat(first)).days, 1)
    done = (date.fromisoformat(last[:10]) - date.fromisoformat(first)).days
    share = PHASE_START["files"] - PHASE_START["orders"]
    return PHASE_START["orders"] + min(share - 1, share * done // span)


Page = tuple[list[dict], dict | None, str | None]


def _page_of(results: Any, cursor_sort: str) -> tuple[list[models.Item], dict | None, str | None]:
    items = list(results)
    last = getattr(items[-1], cursor_sort) if items else None
    return items, results.last_evaluated_key, last


def _shop_page(shop_id: str, cursor: dict | None) -> Page:
    """The shop's own items, in one page: its partition (the shop, staff, settings, checklist,
    order counters), its audit, dashboard, alerts, dead letters and old parts not on an order,
    and its cases open and closed. Each is small beside the orders (a counter a day, an audit
    an export or import); nine Queries."""
    pk = models.shop_pk(shop_id)
    partitions = [pk, f"{pk}#AUDIT", models.dashboard_pk(shop_id),
                  models.integrity_alerts_pk(shop_id), f"{pk}#DEADLETTERS", f"{pk}#PARTS"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = [item for items in pool.map(lambda where: list(models.Item.items(where)),
                                            partitions) for item in items]
    for state in ("open", "closed"):
        found += [case.as_dict() for case in models.Case.lists.query(
            models.cases_pk(shop_id, state))]
    rows = [{"type": item["type"], **portability.record(item)} for item in found
            if item["type"] in portability.EXPORTED]
    return rows, None, None


def _catalogue_page(shop_id: str, cursor: dict | None) -> Page:
    """A page of the catalogue's partition (its head, parts, operations, menus), then of the
    stock's: a price list of 30,000 parts is many pages."""
    in_stock = bool(cursor) and (cursor.get("stock") or cursor.get("pk", {}).get("S")
                                 == models.stock_pk(shop_id))
    pk = models.stock_pk(shop_id) if in_stock else models.catalogue_pk(shop_id)
    found = models.Item.query(pk, limit=CATALOGUE_PAGE,
                              last_evaluated_key=None if (cursor or {}).get("stock") else cursor)
    items = [item.as_dict() for item in found]
    cursor = found.last_evaluated_key
    if cursor is None and not in_stock:
        cursor = {"stock": True}  # the stock's partition next
    return [{"type": item["type"], **portability.record(item)} for item in items
            if item["type"] in portability.EXPORTED], cursor, None


def _customers_page(shop_id: str, cursor: dict | None) -> Page:
    """A page of customers, each with their appointments (a Query of gsi1 each) and their LINE
    conversation (a Query of their partition), eight at a time."""
    found = models.Customer.lookup.query(models.phone_lookup(shop_id, "")[0], limit=PAGE,
                                         last_evaluated_key=cursor)
    items, cursor, last = _page_of(found, "gsi1sk")
    people = [item.as_dict() for item in items]

    def appointments(customer: dict) -> list[dict]:
        chats = models.Item.query(
            models.customer_key(shop_id, customer["customer_id"])["pk"],
            models.Item.sk.startswith(models.CHAT_PREFIX))
        return list(models.Item.lookup.query(models.customer_appointments_pk(
            shop_id, customer["customer_id"]))) + list(chats)

    with ThreadPoolExecutor(max_workers=8) as pool:
        booked = list(pool.map(appointments, people))
    return [{**portability.record(person), **customers.public(person),
             "records": portability.records(item.as_dict() for item in theirs)}
            for person, theirs in zip(people, booked)], cursor, last


def _vehicles_page(shop_id: str, cursor: dict | None) -> Page:
    """A page of vehicles, each with its partition's readings, owners and reminders (a Query
    each, eight at a time)."""
    found = models.Vehicle.lookup.query(models.plate_lookup(shop_id, "")[0], limit=PAGE,
                                        last_evaluated_key=cursor)
    items, cursor, last = _page_of(found, "gsi1sk")
    cars = [item.as_dict() for item in items]

    def partition(car: dict) -> list[dict]:
        return [item for item in models.Item.items(models.vehicle_pk(shop_id, car["vehicle_id"]))
                if item["sk"] != models.VEHICLE_SK]

    with ThreadPoolExecutor(max_workers=8) as pool:
        beside = list(pool.map(partition, cars))
    return [{**portability.record(car), **vehicles.public(car), "records": portability.records(more)}
            for car, more in zip(cars, beside)], cursor, last


def _orders_page(shop_id: str, cursor: dict | None) -> Page:
    """A page of the board's orders (closed by day, then the open ones), each with everything
    in its partition (a Query each, eight at a time): its lines (with their job clocks), events,
    walk-around, photos, signatures, old parts, messages and follow-up, and the mileage its
    documents show. The final check (品檢) and the delivery walk-around are on the header."""
    found = models.Order.lists.query(models.board_pk(shop_id), limit=ORDERS_PAGE,
                                     last_evaluated_key=cursor)
    headers, cursor, last = _page_of(found, "gsi2sk")
    orders = [header.as_dict() for header in headers]

    def partition(order: dict) -> list[dict]:
        return [item for item in models.Item.items(models.order_pk(shop_id, order["order_id"]))
                if item["sk"] != models.ORDER_SK]

    with ThreadPoolExecutor(max_workers=8) as pool:
        beside = list(pool.map(partition, orders))
    rows = []
    for order, items in zip(orders, beside):
        its_lines = sorted((item for item in items if item["type"] == "order_line"),
                           key=lambda line: line["created_at"])
        inspection = next((item for item in items if item["type"] == "inspection"), None)
        mileage = signatures.mileage_of({**order, "inspection": inspection})
        rows.append({**portability.record(order), **{key: order.get(key) for key in (
            "order_id", "number", "state", "created_at", "closed_on", "customer", "vehicle",
            "concerns", "buyer") if order.get(key) is not None},
            "totals": money.stored(order.get("totals")),
            **({"mileage_km": mileage} if mileage is not None else {}),
            "lines": [portability.record(line) for line in its_lines],
            "records": portability.records(item for item in items
                                           if item["type"] != "order_line")})
    return rows, cursor, last


PAGES: dict[str, Callable[[str, dict | None], Page]] = {
    "shop": _shop_page, "catalogue": _catalogue_page, "customers": _customers_page, "vehicles": _vehicles_page, "orders": _orders_page}


def _rows(job: models.Job, phase: str) -> Iterator[dict]:
    """The rows of a phase, part after part, as written."""
    s3, bucket = aws.client("s3"), settings().bucket_name
    for key in job.parts:
        if key.endswith(f"-{phase}.jsonl"):
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
            for line in body.iter_lines():
                if line:
                    yield json.loads(line)


SHOP_CUSTOMER_FIELDS = ["customer_id", "姓名", "手機", "Email", "channel", "備註",
                        "個資告知版本", "個資告知同意時間", "行銷訊息", "行銷訊息回覆時間", "created_at"]
# A customer's answer to the marketing question, as the CSV writes it (none: never asked).
MARKETING_WORDS = {True: "同意 agreed", False: "不同意 declined", None: "未詢問 not asked"}
SHOP_VEHICLE_FIELDS = ["vehicle_id", "車牌", "車身號碼", "廠牌", "車型", "年份", "燃料", "顏色",
                       "customer_id", "姓名", "手機", "mileage_km", "created_at"]


def _join(job: models.Job) -> None:
    """The parts joined into the export's JSON and its zip of CSVs (the customers' and
    vehicles' CSVs import back as they are): each part read once, its rows written to the JSON
    and to their CSVs side by side in temporary files, then the CSVs zipped and both uploaded."""
    files = {"json": _key(job, "shop.json"), "csv": _key(job, "shop.zip")}
    mobiles: dict[str, str] = {}  # the customers come first: the vehicles' CSV shows the number
    with tempfile.TemporaryDirectory() as folder:
        json_path, zip_path = f"{folder}/shop.json", f"{folder}/shop.zip"
        sheets = {name: _CsvFile(f"{folder}/{name}", columns) for name, columns in (
            ("customers.csv", SHOP_CUSTOMER_FIELDS), ("vehicles.csv", SHOP_VEHICLE_FIELDS),
            ("orders.csv", portability.ORDER_FIELDS + ["customer_id"]),
            ("lines.csv", portability.LINE_FIELDS))}
        with open(json_path, "w", encoding="utf-8") as out:
            out.write("{" + f'"exported_at": {json.dumps(clock.now_iso())}')
            out.write(f', "left_out": {json.dumps(portability.LEFT_OUT, ensure_ascii=False)}')
            for phase in ("shop", "catalogue", "customers", "vehicles", "orders"):
                out.write(f', "{phase}": [')
                for index, row in enumerate(_rows(job, phase)):
                    out.write(("," if index else "") + json.dumps(row, ensure_ascii=False))
                    _sheet_rows(phase, row, sheets, mobiles)
                    _record_rows(phase, row, sheets, folder)
                out.write("]")
            out.write("}")
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, sheet in sheets.items():
                archive.write(sheet.close(), name)
        s3, bucket = aws.client("s3"), settings().bucket_name
        for path, key, kind in ((json_path, files["json"], "application/json"),
                                (zip_path, files["csv"], "application/zip")):
            with open(path, "rb") as body:  # one PutObject each (up to 5 GB), read from disk
                s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=kind)
    counts = {key: job.counts.get(key, 0) for key in ("customers", "vehicles", "orders", "lines")}
    jobs.save(job, state="done", phase=None, cursor=None, percent=100, files=files, counts=counts)


def _record_rows(phase: str, row: dict, sheets: dict[str, "_CsvFile"], folder: str) -> None:
    """The items beside the main sheets, a CSV per type (`records/<type>.csv`, its columns the
    model's attributes and the words beside the codes): the shop's own, and those a customer,
    vehicle or order carries (named by its id or number)."""
    if phase in ("shop", "catalogue"):
        _sheet(sheets, folder, row["type"]).add(row)
        return
    owner = {"customers": "customer_id", "vehicles": "vehicle_id", "orders": "number"}[phase]
    for kind, items in row.get("records", {}).items():
        for item in items:
            _sheet(sheets, folder, kind).add({**item, f"of_{owner}": row[owner]})


def _sheet(sheets: dict[str, "_CsvFile"], folder: str, kind: str) -> "_CsvFile":
    name = f"records/{kind}.csv"
    if name not in sheets:
        model = models.Item.model_of(kind)
        stored = [attribute.attr_name for attribute in model.get_attributes().values()]
        columns = [column for column in stored if column not in portability.HIDDEN]
        labelled = [field for (of, field) in portability.LABELS if of == kind]
        for field in labelled:
            columns.insert(columns.index(field) + 1, f"{field}_zh")
        columns += ["of_customer_id", "of_vehicle_id", "of_number"]
        sheets[name] = _CsvFile(f"{folder}/records-{kind}.csv", columns)
    return sheets[name]


def _sheet_rows(phase: str, row: dict, sheets: dict[str, "_CsvFile"],
                mobiles: dict[str, str]) -> None:
    """A row of a phase, as the CSVs show it."""
    if phase in ("shop", "catalogue"):
        return
    if phase == "customers":
        mobiles[row["customer_id"]] = row.get("mobile", "")
        sheets["customers.csv"].add({
            "customer_id": row["customer_id"], "姓名": row["name"],
            "手機": phones.national(row.get("mobile", "")), "Email": row.get("email"),
            "channel": row["channel"], "備註": row.get("notes"),
            "個資告知版本": (row.get("consent") or {}).get("version"),
            "個資告知同意時間": (row.get("consent") or {}).get("at"),
            "行銷訊息": MARKETING_WORDS[(row.get("marketing") or {}).get("agreed")],
            "行銷訊息回覆時間": (row.get("marketing") or {}).get("at"),
            "created_at": row["created_at"]})
    elif phase == "vehicles":
        sheets["vehicles.csv"].add({
            "vehicle_id": row["vehicle_id"], "車牌": row["plate"], "車身號碼": row.get("vin"),
            "廠牌": row["make"], "車型": row["model"], "年份": row.get("year"), "燃料": row.get("fuel"),
            "顏色": row.get("colour"), "customer_id": row["customer_id"],
            "姓名": row.get("customer_name"),
            "手機": phones.national(mobiles.get(row["customer_id"], "")),
            "mileage_km": (row.get("mileage") or {}).get("km"), "created_at": row["created_at"]})
    else:
        sheets["orders.csv"].add({**row, **portability.money_columns(row),
                                  "plate": row["vehicle"]["plate"],
                                  "customer_id": row["customer"]["customer_id"]})
        for line in row["lines"]:
            sheets["lines.csv"].add({**line, "order_number": row["number"]})


class _CsvFile:
    """A CSV written row by row to a temporary file (BOM first, formulas guarded)."""

    def __init__(self, path: str, columns: list[str]) -> None:
        self.path, self.columns = path, columns
        self.file = open(path, "w", encoding=portability.CSV_ENCODING, newline="")
        self.writer = csv.DictWriter(self.file, fieldnames=columns, extrasaction="ignore",
                                     lineterminator="\r\n")
        self.writer.writeheader()

    def add(self, row: dict) -> None:
        self.writer.writerow({key: portability.cell(row.get(key)) for key in self.columns})

    def close(self) -> str:
        self.file.close()
        return self.path


def _key(job: models.Job, name: str) -> str:
    return objects.report_object(job.shop_id, f"exports/{job.job_id}/{name}")


# --- a customer's export ---

def _customer_piece(job: models.Job, deadline: float) -> bool:
    """Everything the shop holds about one person (portability.customer_data: their items
    only), as JSON and a zip of CSVs: one piece."""
    data = jsonable(portability.customer_data(job.shop_id, job.customer_id))
    orders = data["orders"]

    def each(key: str) -> list[dict]:
        return [{**row, "order_number": order["number"]} for order in orders for row in order[key]]

    s3, bucket = aws.client("s3"), settings().bucket_name
    csv_files = {
        "customer.csv": portability.csv_bytes([data["customer"]], portability.CUSTOMER_FIELDS),
        "vehicles.csv": portability.csv_bytes(data["vehicles"], portability.VEHICLE_FIELDS),
        "appointments.csv": portability.csv_bytes(data["appointments"],
                                                  portability.APPOINTMENT_FIELDS),
        "orders.csv": portability.csv_bytes(
            [{**order, **portability.money_columns(order), "plate": order["vehicle"]["plate"]}
             for order in orders], portability.ORDER_FIELDS),
        "lines.csv": portability.csv_bytes(each("lines"), portability.LINE_FIELDS),
        "signatures.csv": portability.csv_bytes(each("signatures"),
                                                portability.SIGNATURE_FIELDS),
        "messages.csv": portability.csv_bytes(each("messages"), portability.MESSAGE_FIELDS),
        "photos.csv": portability.csv_bytes(each("photos"), portability.PHOTO_FIELDS),
        "followups.csv": portability.csv_bytes(
            [{**order["followup"], "order_number": order["number"]} for order in orders
             if order.get("followup")], portability.FOLLOWUP_FIELDS),
        "cases.csv": portability.csv_bytes(data["cases"], portability.CASE_FIELDS),
    }
    files = {"json": _key(job, "customer.json"), "csv": _key(job, "customer.zip")}
    s3.put_object(Bucket=bucket, Key=files["json"], ContentType="application/json",
                  Body=json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    for order in orders:  # the photos themselves, beside the CSVs
        for photo in order["photos"]:
            key = objects.photo_object(job.shop_id, order["order_id"], photo["photo_id"],
                                       "display")
            csv_files[photo["file"]] = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    s3.put_object(Bucket=bucket, Key=files["csv"], ContentType="application/zip",
                  Body=portability.zip_bytes(csv_files))
    counts = {"vehicles": len(data["vehicles"]), "orders": len(orders),
              "followups": sum(1 for order in orders if order.get("followup")),
              "photos": sum(len(order["photos"]) for order in orders),
              "signatures": sum(len(order["signatures"]) for order in orders)}
    jobs.save(job, state="done", percent=100, files=files, counts=counts)
    return False
