"""Data rights (個資法 §3, §10, §11) and portability: a customer's data exported or erased on
request, customers and vehicles imported from CSV. Managers only. The exports run as jobs
(after/exports.py) over what this module reads and writes.

A customer's items are read through the customer's partition, which lists their orders
(models.CustomerOrder), never through the shop's: the cost grows with what that customer has.
Files are written under `reports/` (the bucket's lifecycle removes them the next day) and handed
out through 15-minute presigned links whose key and file name hold no personal data. Every
action leaves an audit item (who, when, which customer id, counts) and a log line without
personal data.

Erasure keeps what the law makes the shop keep: the signed documents (委修確認單, 估價單,
結帳清單) are the repair contract and the accounting voucher (商業會計法 §38: five years), so
each signed record is sealed — moved whole out of the table to S3 beside its PDF — and its item
keeps the hash, the chain and the non-personal summary: `GET /api/verify/<hash>` still says
intact. Everything else personal goes: the customer item becomes a tombstone, the copies of the
name and number on orders, vehicles, owner records, appointments and messages are replaced, the
photos of the customer's orders that no signed document cites are deleted.
"""
from __future__ import annotations

import csv
import io
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, Iterable

from pydantic import ConfigDict, Field, StringConstraints
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.after import jobs
from chalicelib.api import Body, Caller, ClientId, ShortText, jsonable, validate
from chalicelib.api.roles import require
from chalicelib.core import aws, clock, money, objects, phones
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict, NotFound, Unprocessable
from chalicelib.core.observability import logger
from chalicelib.records import catalogue, customers, vehicles
from chalicelib.work import order_store, parts as old_parts, signatures
from chalicelib.work.pdf import KIND_NAMES

LINK_SECONDS = 15 * 60
ERASED = "（已刪除）"
CSV_ENCODING = "utf-8-sig"  # the BOM makes Excel read UTF-8 (zh-TW) correctly
# What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection"): = + - @, their
# full-width forms (typed with a zh-TW input method; Excel reads them as formulas too), tab and
# carriage return. A cell starting with one gets GUARD in front, which the import takes off.
FORMULA_STARTS = frozenset("=+-@＝＋－＠\t\r")
GUARD = "'"


class Erasure(Body):
    client_id: ClientId
    # The PWA asks the manager to type the customer's name: a slip of the finger erases nothing.
    confirm_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                   max_length=100)]


# --- every item type, exported or left out, and how an item reads in an export ---

# Every item type of the table is in a shop's export (EXPORTED: the phase that reads it) or left
# out for the reason given; tests/integration/test_exports_complete.py holds every model to it.
EXPORTED = {
    "shop": "shop", "staff": "shop", "shop_settings": "shop", "notify_settings": "shop",
    "inspection_template": "shop", "quality_template": "shop", "order_counter": "shop", "audit": "shop", "case": "shop",
    "dashboard_day": "shop", "dashboard_totals": "shop", "integrity_alert": "shop",
    "message_dead_letter": "shop", "part_tag": "shop",  # the shop's own; an order's, with it
    "booking_setup": "shop",
    # the catalogue (its head: the labour rates) and the stock of the parts kept
    "catalogue_head": "catalogue", "catalogue_part": "catalogue", "labour_op": "catalogue",
    "service_menu": "catalogue", "stock_item": "catalogue",
    "customer": "customers", "appointment": "customers", "chat_message": "customers",
    "vehicle": "vehicles", "mileage": "vehicles", "vehicle_owner": "vehicles",
    "reminder": "vehicles", "invitation": "vehicles",
    "order": "orders", "order_line": "orders", "order_event": "orders", "inspection": "orders",
    "photo": "orders", "signature": "orders", "followup": "orders", "message": "orders",
    "payment": "orders", "invoice": "orders", "invoice_change": "orders",
}
LEFT_OUT = {
    "customer_order": "an index of a customer's orders (ids only): each order names its customer",
    "plate_claim": "a guard that keeps a plate to one vehicle: the vehicle holds its plate",
    "phone_claim": "a guard that keeps a mobile to one customer: the customer holds the number",
    "welcome": "a new shop owner's one-time sign-in link (its hash, 72 hours): a credential",
    "push_subscription": "a browser's Web Push endpoint and keys: a credential, of no use elsewhere",
    "staff_push": "a desk tablet's Web Push endpoint and keys: a credential",
    "opt_out_link": "the hash of a customer's opt-out link: a credential (the opt-out itself is "
                    "on the customer)",
    "line_link": "a one-time code to link LINE, gone within minutes",
    "line_user": "a LINE user's look-up of their customer: the customer holds the LINE id",
    "chat_claim": "a reply's client id, against a replayed send: the message holds its id",
    "inbox_entry": "the count of unread LINE messages: the messages are exported",
    "line_event": "a LINE webhook event already handled (TTL)",
    "line_strangers": "a daily count of messages from unlinked LINE users, across shops",
    "progress_link": "the customer's progress link (its token's hash): a credential",
    "link_hash": "the progress link's look-up by its hash: a credential",
    "approval_code": "a texted approval code's HMAC and tries (TTL): a credential",
    "login": "a sign-in name's look-up: the staff items hold the person",
    "login_guard": "sign-in tries of the last 15 minutes (TTL)",
    "pin_guard": "PIN tries of the last 15 minutes (TTL)",
    "refresh": "a refresh token's hash: a credential",
    "refresh_revoked": "a revoked chain of refresh tokens: a credential",
    "client_guard": "a client's turns at a public route in a minute (TTL)",
    "device": "a shared tablet's secret's hash: a credential",
    "staff_alert": "a desk alert's sent-once mark",
    "dashboard_seen": "a change already counted on the dashboard (TTL 7 days)",
    "signed_recently": "the daily integrity check's list across shops (TTL)",
    "line_delivery_tag": "a LINE message's delivery tag (TTL)",
    "outbox": "local development only: what would have been sent",
    "job": "the bookkeeping of long work such as this export (its parts and cursor)",
    "part_code": "a tag code's look-up across shops: the tag holds its code",
    "part_client_id": "a tablet's id for a new tag, against a replayed create",
    "booking_code": "a booking page's texted code: its HMAC, tries and sends (TTL): a credential",
    "manage_link": "a booking's manage link (its token's hash): a credential",
    "booking_page": "the booking page's code look-up across shops: the booking setup holds its code",
    "slot_day": "a day's places taken per slot: a count of the appointments, which are exported",
}
# Never exported, whatever the item: keys, credentials and their hashes, the signed record
# (its hash is exported; the record and its seal stay in the table).
HIDDEN = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "password_hash",
                    "pin_hash", "secret_hash", "token_hash", "token_version", "endpoint", "keys",
                    "seal", "record"})
_APPOINTMENT = {"pending": ("待確認", "Awaiting confirmation"), "booked": ("已預約", "Booked"), "checked_in": ("已報到", "Checked in"),
                "cancelled": ("已取消", "Cancelled"), "no_show": ("未到", "No show")}
_CASE = {"open": ("處理中", "Open"), "closed": ("已結案", "Closed")}
_FOLLOWUP = {"pending": ("待關懷", "Not yet due"), "due": ("待打電話", "To call"),
             "done": ("已關懷", "Done"), "closed_elsewhere": ("免關懷", "Closed elsewhere")}
_FUELS = {"gasoline": ("汽油", "Gasoline"), "diesel": ("柴油", "Diesel"),
          "hybrid": ("油電混合", "Hybrid"), "plugin": ("插電式油電", "Plug-in hybrid"),
          "ev": ("電動車", "Electric")}
_ROLES = {"owner": ("老闆", "Owner"), "manager": ("店長", "Manager"),
          "advisor": ("服務專員", "Advisor"), "technician": ("技師", "Technician")}
# (type, field) → its codes in words, written beside the code as `<field>_zh`.
LABELS: dict[tuple[str, str], dict[str, Any]] = {
    ("order", "state"): order_store.STATE_NAMES,
    ("order_event", "from"): order_store.STATE_NAMES,
    ("order_event", "to"): order_store.STATE_NAMES,
    ("order_line", "state"): order_store.LINE_STATE_NAMES,
    ("order_line", "kind"): KIND_NAMES,
    ("part_tag", "state"): old_parts.STATE_NAMES,
    ("signature", "method"): signatures.METHODS,
    ("appointment", "state"): _APPOINTMENT,
    ("case", "state"): _CASE,
    ("followup", "status"): _FOLLOWUP,
    ("vehicle", "fuel"): _FUELS,
    ("staff", "role"): _ROLES,
    ("catalogue_part", "grade"): models.GRADE_NAMES,
}
# The catalogue's head as data: its labour rates (its version and snapshot are the tablets'
# copy's bookkeeping, made again on the first read after an import).
HEAD_DATA = ("type", "shop_id", "rates", "updated_at")


def record(item: dict) -> dict:
    """An item as the export shows it: no keys or credentials, and each coded field's words in
    zh-TW beside it (`state: in_progress`, `state_zh: 維修中`)."""
    kind = item["type"]
    if kind == "signature":
        item = {**item, **signatures.view(item)}
    if kind == "catalogue_head":
        item = {name: value for name, value in item.items() if name in HEAD_DATA}
    row = {name: value for name, value in item.items() if name not in HIDDEN}
    for (of, field), names in LABELS.items():
        if of == kind and row.get(field) in names:
            words = names[row[field]]
            row[f"{field}_zh"] = words if isinstance(words, str) else words[0]
    return row


def records(items: Iterable[dict]) -> dict[str, list[dict]]:
    """Items by type, each as `record` shows it (the types left out are left out)."""
    found: dict[str, list[dict]] = {}
    for item in items:
        if item["type"] in EXPORTED:
            found.setdefault(item["type"], []).append(record(item))
    return found


# --- reading what belongs to a customer: their partition, then each of their orders' ---

def _partition(pk: str) -> list[models.Item]:
    """Every item of a partition, each as its own model."""
    return list(models.Item.query(pk))


def _orders_of(shop_id: str, customer_id: str) -> list[list[models.Item]]:
    """Each order of the customer's (found in their partition: models.CustomerOrder), as its
    partition's items, oldest order first: reads that customer's orders only."""
    marks = models.CustomerOrder.query(
        models.customer_key(shop_id, customer_id)["pk"],
        models.Item.sk.startswith(models.CUSTOMER_ORDER_PREFIX))
    order_pks = [models.order_pk(shop_id, mark.order_id) for mark in marks]
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(_partition, order_pks))
    return [items for items in found if any(item.sk == models.ORDER_SK for item in items)]


def _header(items: list[models.Item]) -> dict:
    return next(item for item in items if item.sk == models.ORDER_SK).as_dict()


def _cases_of(shop_id: str, orders: list[list[models.Item]]) -> list[models.Item]:
    """The follow-up cases (open or closed) opened on these orders: each order's follow-up
    names its case."""
    case_ids = [item.case_id for items in orders for item in items
                if item.sk == models.FOLLOWUP_SK and getattr(item, "case_id", None)]
    keys = [models.Case.key(shop_id, case_id) for case_id in case_ids]
    return list(models.Case.batch_get([(key["pk"], key["sk"]) for key in keys]))


def _appointments(shop_id: str, customer_id: str) -> list[models.Item]:
    return list(models.Item.lookup.query(models.customer_appointments_pk(shop_id, customer_id)))


def customer_of(shop_id: str, customer_id: str) -> dict:
    customer = customers.get_customer(shop_id, customer_id)
    if customer is None:
        raise NotFound("找不到這位客戶。", "No such customer.")
    return customer


def _vehicle_ids(shop_id: str, customer_id: str, headers: list[dict]) -> list[str]:
    owned = [item["vehicle_id"] for item in vehicles.vehicles_of(shop_id, customer_id)]
    return list(dict.fromkeys(owned + [order["vehicle"]["vehicle_id"] for order in headers]))


# --- files and the audit trail ---

def csv_bytes(rows: Iterable[dict], columns: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: cell(row.get(key)) for key in columns})
    return out.getvalue().encode(CSV_ENCODING)


def cell(value: Any) -> Any:
    value = jsonable(value)
    if isinstance(value, (dict, list)):
        value = readable(value)
    if isinstance(value, str) and _formula_like(value) and not _number(value):
        return GUARD + value  # not a formula when Excel opens it (CSV injection)
    return "" if value is None else value


def readable(value: Any) -> str:
    """A list or a map as a person reads it in a spreadsheet cell, not as JSON: `冷氣不冷、異音`,
    `at: 2026-12-01T02:00:00Z；by: 王店長`."""
    if isinstance(value, list):
        return "、".join(readable(item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{key}: {readable(item)}" for key, item in value.items()
                        if item not in (None, "", [], {}))
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def _formula_like(text: str) -> bool:
    """A formula's first sign, behind any apostrophes a person typed: `'=1` is guarded too, so
    that the import can take off exactly one guard and give back both `=1` and `'=1`."""
    return text.lstrip(GUARD)[:1] in FORMULA_STARTS


def _unguarded(cell: str) -> str:
    """A cell as it was before `_cell` guarded it: one leading apostrophe off, only where the
    export would have put one (a person's own `'阿嬤` stays as typed)."""
    return cell[1:] if cell[:1] == GUARD and _formula_like(cell) else cell


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def audit_item(caller: Caller, action: str, audit_id: str | None = None,
               **facts: Any) -> models.Audit:
    """Who did what, when; ids and counts only (the audit must not become a copy of the data).
    Not yet written: `audit` writes it, a job's start writes it with the job (after/jobs.py)."""
    at, audit_id = clock.now_iso(), audit_id or uuid.uuid4().hex[:16]
    return models.Audit.from_dict({
        **models.Audit.key(caller.shop_id, at, audit_id), "type": "audit",
        "shop_id": caller.shop_id, "audit_id": audit_id, "action": action, "at": at,
        "by": caller.stamp(), **facts})


def logged(item: models.Audit) -> None:
    """The audit's line in the log: the action and ids, nothing personal."""
    logger().info("data rights", extra={"action": item.action, "audit_id": item.audit_id,
                                        **{name: getattr(item, name) for name in
                                           ("customer_id", "import_id", "job_id")
                                           if getattr(item, name)}})


def audit(caller: Caller, action: str, audit_id: str | None = None, **facts: Any) -> dict:
    item = audit_item(caller, action, audit_id, **facts)
    item.save()
    logged(item)
    return item.as_dict()


# --- a customer's data, exported ---

CUSTOMER_FIELDS = ["customer_id", "name", "mobile", "email", "channel", "notes", "created_at",
                    "updated_at", "line_linked_at"]
VEHICLE_FIELDS = ["vehicle_id", "plate", "vin", "make", "model", "year", "colour", "fuel",
                   "created_at"]
ORDER_FIELDS = ["order_id", "number", "state", "state_zh", "created_at", "closed_on", "plate", "mileage_km",
                 "concerns", "total_tax_included", "sales_amount", "tax_included",
                 "buyer_tax_id"]
LINE_FIELDS = ["order_number", "line_id", "kind", "kind_zh", "description", "part_number", "quantity",
                "hours", "rate", "unit_price", "amount", "origin", "state", "state_zh", "created_at"]
SIGNATURE_FIELDS = ["order_number", "kind", "version", "signed_at", "signer_name", "method",
                     "hash", "verify_url", "superseded_at"]
MESSAGE_FIELDS = ["order_number", "step", "channel", "state", "created_at", "sent_at", "text"]
PHOTO_FIELDS = ["order_number", "photo_id", "subject", "created_at", "file"]


def money_columns(order: dict) -> dict:
    """An order's amounts as its CSV row names them: the total the customer paid (tax
    included), and the 銷售額 and 稅額 it splits into; the business buyer's 統一編號."""
    totals = money.stored(order.get("totals"))
    return {"total_tax_included": totals["total"], "sales_amount": totals["sales"],
            "tax_included": totals["tax"],
            "buyer_tax_id": (order.get("buyer") or {}).get("tax_id")}


def photo_file(order_number: str, photo_id: str) -> str:
    """Where a photo sits in a customer's export zip (the order's number, not a name)."""
    return f"photos/{order_number}-{photo_id}.jpg"
APPOINTMENT_FIELDS = ["appointment_id", "at", "purpose", "source", "state", "plate"]
FOLLOWUP_FIELDS = ["order_number", "delivered_on", "due_on", "status", "status_zh", "calls",
                   "call_back_at", "case_id", "done_at"]
CASE_FIELDS = ["case_id", "number", "summary", "call_note", "due_on", "state", "state_zh",
               "resolution", "created_at", "closed_at"]


def customer_data(shop_id: str, customer_id: str) -> dict:
    """Everything the shop holds about one person, as the export shows it (JSON)."""
    customer = customer_of(shop_id, customer_id)
    orders = _orders_of(shop_id, customer_id)
    headers = [_header(items) for items in orders]
    found = []
    for header, stored in zip(headers, orders):
        items = [item.as_dict() for item in stored]
        under = {prefix: sorted((item for item in items if item["sk"].startswith(prefix)),
                                key=lambda item: item.get("signed_at") or item.get("created_at", ""))
                 for prefix in (models.LINE_PREFIX, models.SIGNATURE_PREFIX, models.MESSAGE_PREFIX,
                                models.PHOTO_PREFIX)}
        number = header["number"]
        followup = next((item for item in items if item["sk"] == models.FOLLOWUP_SK), None)
        found.append({
            "order_id": header["order_id"], "number": number, "state": header["state"],
            "state_zh": order_store.STATE_NAMES[header["state"]][0],
            "created_at": header["created_at"], "closed_on": header.get("closed_on"),
            "vehicle": header["vehicle"],
            "mileage_km": signatures.mileage_of({**header, "inspection": next(
                (item for item in items if item["sk"] == "INSPECTION"), None)}),
            "concerns": header.get("concerns", []), "totals": money.stored(header["totals"]),
            **({"buyer": header["buyer"]} if header.get("buyer") else {}),
            "lines": [{key: value for key, value in record(line).items() if key in LINE_FIELDS}
                      for line in under[models.LINE_PREFIX]],
            # The call after delivery (維修後關懷): when, what the customer said.
            **({"followup": record(followup)} if followup else {}),
            # The record of each signature, not the drawn strokes: the signed PDF (linked) shows
            # the signature as signed, and strokes are a biometric trace nobody asked for.
            "signatures": [{**signatures.view(item), "signer_name": item["signer_name"]}
                           for item in under[models.SIGNATURE_PREFIX]],
            "messages": [{key: item.get(key) for key in MESSAGE_FIELDS[1:]
                          if item.get(key) is not None} for item in under[models.MESSAGE_PREFIX]],
            # Each photo as a file in the export's zip (links inside a file would expire).
            "photos": [{"photo_id": item["photo_id"], "subject": item["subject"],
                        "created_at": item["created_at"],
                        "file": photo_file(number, item["photo_id"])}
                       for item in under[models.PHOTO_PREFIX]],
        })
    owned = [vehicles.get_vehicle(shop_id, vehicle_id)
             for vehicle_id in _vehicle_ids(shop_id, customer_id, headers)]
    return {
        "exported_at": clock.now_iso(),
        "customer": {**customers.public(customer),
                     **({"line_user_id": customer["line_user_id"]}
                        if customer.get("line_user_id") else {}),
                     "consent_history": customer.get("consent_history", []),
                     "marketing_history": customer.get("marketing_history", [])},
        "vehicles": [vehicles.public(item) for item in owned if item],
        "appointments": [{key: item.get(key) for key in APPOINTMENT_FIELDS
                          if item.get(key) is not None}
                         for item in (appointment.as_dict() for appointment in
                                      _appointments(shop_id, customer_id))],
        "orders": found,
        "cases": [record(case.as_dict()) for case in _cases_of(shop_id, orders)],
    }


# --- a customer's data, erased ---

def _personal_values(customer: dict) -> list[str]:
    """The strings that identify the person, in the forms they were stored or typed."""
    values = [customer.get("name", ""), customer.get("email", ""),
              customer.get("line_user_id", "")]
    mobile = customer.get("mobile", "")
    if mobile:
        national = phones.national(mobile)
        values += [mobile, national, f"{national[:4]}-{national[4:7]}-{national[7:]}"]
    return sorted({value for value in values if value}, key=len, reverse=True)


def _scrub(value: Any, personal: list[str]) -> Any:
    """Every string that is or contains a personal value, with it replaced. A one-character
    name is replaced only where it is the whole string (inside text it would hit other words)."""
    if isinstance(value, str):
        if value in personal:
            return ERASED
        for word in personal:
            if len(word) > 1 and word in value:
                value = value.replace(word, ERASED)
        return value
    if isinstance(value, dict):
        return {key: _scrub(item, personal) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, personal) for item in value]
    return value


def _cited_photos(items: list[dict]) -> set[str]:
    """Photos a signed document cites (an added item's reason, shown to and signed by the
    customer): part of the signed record, so kept with it."""
    return {line["photo_id"] for line in items if line["sk"].startswith(models.LINE_PREFIX)
            and line.get("photo_id") and (line.get("frozen_by") or
                                          line.get("estimate_signature_id"))}


def start_erasure(caller: Caller, customer_id: str, body: Erasure, language: str) -> dict:
    """Erase a customer on request (個資法 §11), as a job: the name checked here, the work done
    by its piece (`erase`), which the PWA follows at `GET /api/erasures/<job>`. A customer
    erased already answers that erasure (a replay from the tablet's queue)."""
    require(caller, "data.rights")
    customer = customer_of(caller.shop_id, customer_id)
    if customer.get("erased_at"):
        return {"job_id": body.client_id, "kind": "erasure", "state": "done", "percent": 100,
                "customer_id": customer_id, "erasure": customer["erasure"]}
    if body.confirm_name != customer["name"]:
        raise Unprocessable("輸入的姓名與客戶姓名不符，未刪除任何資料。",
                            "confirm_name: does not match the customer's name; nothing erased.",
                            code="confirm_name")
    return erasure_view(jobs.start(caller, body.client_id, "erasure", run_erasure,
                                   customer_id=customer_id), language)


def erasure_status(caller: Caller, job_id: str, language: str) -> dict:
    require(caller, "data.rights")
    return erasure_view(jobs.found(caller, job_id, ("erasure",)), language)


def erasure_view(job: models.Job, language: str) -> dict:
    answer = {"job_id": job.job_id, "kind": job.kind, "state": job.state,
              "percent": job.percent, "customer_id": job.customer_id}
    if job.result:
        answer["erasure"] = job.result
    refusal = jobs.refusal_of(job, language)
    if refusal:
        answer["error"] = refusal
    return answer


def run_erasure(payload: dict) -> dict:
    """The erasure's one piece (the pieces Lambda, or a thread locally): jobs.run."""
    return jobs.run(payload, _erasure_step, run_erasure)


def _erasure_step(job: models.Job, deadline: float) -> bool:
    erasure = erase(jobs.caller_of(job), job.customer_id)
    jobs.save(job, state="done", percent=100, counts=erasure["counts"], result=erasure,
              audit_id=erasure["audit_id"])
    return False


def erase(caller: Caller, customer_id: str) -> dict:
    """Personal data removed everywhere the shop holds a copy, signed documents sealed (kept
    as the law requires, still verifiable); refused while an order or a booking is open."""
    customer = customer_of(caller.shop_id, customer_id)
    if customer.get("erased_at"):
        return customer["erasure"]
    orders = _orders_of(caller.shop_id, customer_id)
    headers = [_header(items) for items in orders]
    if any(order["state"] not in order_store.CLOSED for order in headers):
        raise Conflict("這位客戶還有未結案的工單，請交車或取消後再刪除個資。",
                       "The customer has an open repair order: deliver or cancel it first.",
                       code="open_order")
    appointments = _appointments(caller.shop_id, customer_id)
    if any(item.state in ("pending", "booked") for item in appointments):
        raise Conflict("這位客戶還有預約，請先取消預約再刪除個資。",
                       "The customer has a booking: cancel it first.", code="open_appointment")
    personal = _personal_values(customer)
    counts = {"orders": 0, "vehicles": 0, "appointments": 0, "messages": 0,
              "photos_removed": 0, "photos_kept": 0, "signatures_sealed": 0}
    s3, bucket = aws.client("s3"), settings().bucket_name

    def rewrite(stored: models.Item, item: dict, changed: dict) -> None:
        """The item written again as its own model when erasing changed it (a versioned one
        only over the version read)."""
        if changed != item:
            try:
                with models.refusals():
                    type(stored).from_dict(changed).save()
            except models.Refused:
                raise _changed_meanwhile() from None

    for header, stored in zip(headers, orders):
        order_id = header["order_id"]
        items = [model.as_dict() for model in stored]
        cited = _cited_photos(items)
        counts["orders"] += 1
        for model, item in zip(stored, items):
            sk = item["sk"]
            if sk.startswith(models.PHOTO_PREFIX) and item["photo_id"] not in cited:
                for size in ("display", "thumb"):
                    s3.delete_object(Bucket=bucket, Key=objects.photo_object(
                        caller.shop_id, order_id, item["photo_id"], size))
                model.delete()
                counts["photos_removed"] += 1
                continue
            counts["photos_kept"] += sk.startswith(models.PHOTO_PREFIX)
            counts["messages"] += sk.startswith(models.MESSAGE_PREFIX)
            changed = dict(item)
            if sk.startswith(models.SIGNATURE_PREFIX) and "record" in item:
                s3.put_object(Bucket=bucket, Key=objects.sealed_record_object(
                    caller.shop_id, order_id, item["signature_id"]),
                    Body=item["record"].encode("utf-8"), ContentType="application/json")
                changed.pop("record")
                changed.update(signer_name=ERASED, redacted=["signer_name"],
                               sealed_at=clock.now_iso())
                counts["signatures_sealed"] += 1
            if sk == models.ORDER_SK:
                changed["customer"] = {"customer_id": customer_id, "name": ERASED, "mobile": ""}
            rewrite(model, item, _scrub(changed, personal))
    for vehicle_id in _vehicle_ids(caller.shop_id, customer_id, headers):
        counts["vehicles"] += 1
        for model in _partition(models.vehicle_pk(caller.shop_id, vehicle_id)):
            item = model.as_dict()
            changed = dict(item)
            if item.get("customer_id") == customer_id and "customer_name" in item:
                changed["customer_name"] = ERASED
            rewrite(model, item, _scrub(changed, personal))
    for model in appointments:
        counts["appointments"] += 1
        item = model.as_dict()
        rewrite(model, item, _scrub({**item, "customer_name": ERASED}, personal))
    for model in _cases_of(caller.shop_id, orders):
        case = model.as_dict()
        rewrite(model, case, _scrub({**case, "customer": {"customer_id": customer_id,
                                                          "name": ERASED, "mobile": ""}},
                                    personal))
    for model in _partition(models.customer_key(caller.shop_id, customer_id)["pk"]):
        if model.sk.startswith(models.PUSH_PREFIX):  # a browser's push endpoint: gone
            model.delete()
        if model.sk.startswith((models.CHAT_PREFIX, models.CHAT_ID_PREFIX)):  # LINE chats
            counts["messages"] += model.sk.startswith(models.CHAT_PREFIX)
            model.delete()
    models.InboxEntry.from_dict(models.InboxEntry.key(caller.shop_id, customer_id)).delete()
    if customer.get("line_user_id"):  # what they write on LINE no longer finds them
        models.LineUser.from_dict(models.LineUser.key(
            customer["line_user_id"], caller.shop_id, customer_id)).delete()
    now = clock.now_iso()
    audited = audit(caller, "customer_erasure", customer_id=customer_id, counts=counts)
    erasure = {"customer_id": customer_id, "erased_at": now, "audit_id": audited["audit_id"],
               "counts": counts}
    tombstone = {**models.customer_key(caller.shop_id, customer_id), "type": "customer",
                 "shop_id": caller.shop_id, "customer_id": customer_id, "name": ERASED,
                 "channel": "none", "notes": "", "created_at": customer["created_at"],
                 "updated_at": now, "erased_at": now, "erased_by": caller.stamp(),
                 "erasure": erasure}
    try:  # only over the customer as read: a change meanwhile is erased by the next try
        with models.transaction() as writes:
            writes.save(models.Customer.from_dict(tombstone),
                        condition=models.Customer.updated_at == customer["updated_at"])
            if customer.get("mobile"):  # the number is free for a new customer
                customers.release_number(writes, caller.shop_id, customer["mobile"],
                                         customer_id)
    except models.LostRace:
        raise _changed_meanwhile() from None
    return erasure


def _changed_meanwhile() -> Conflict:
    return Conflict("客戶資料剛被修改，請再刪除一次。",
                    "The customer changed meanwhile: erase again.", code="changed")


# --- customers and vehicles, imported from CSV ---

# The column names a shop's file may use (ours, as the shop export writes them, and English).
COLUMNS = {
    "name": ("姓名", "name", "客戶", "客戶姓名", "車主"),
    "mobile": ("手機", "mobile", "電話", "phone"),
    "email": ("email", "e-mail", "電子郵件"),
    "plate": ("車牌", "plate", "車號"),
    "vin": ("車身號碼", "vin"),
    "make": ("廠牌", "make", "品牌"),
    "model": ("車型", "model"),
    "year": ("年份", "year", "出廠年"),
    "fuel": ("燃料", "fuel"),
    "colour": ("顏色", "colour", "color"),
    "notes": ("備註", "notes"),
}
FUELS = {"汽油": "gasoline", "柴油": "diesel", "油電": "hybrid", "油電混合": "hybrid",
         "插電": "plugin", "插電式油電": "plugin", "電動": "ev", "純電": "ev"}


def _stable_id(kind: str, shop_id: str, natural_key: str) -> str:
    """The same row imported twice (or by two requests at once) makes the same id: written
    only if new, it is created exactly once."""
    return f"imp-{kind}-{uuid.uuid5(uuid.NAMESPACE_URL, f'{shop_id}/{kind}/{natural_key}').hex}"


def _by_mobile(shop_id: str, mobile: str) -> dict | None:
    pk, _ = models.phone_lookup(shop_id, mobile)
    found = next(iter(models.Item.lookup.query(
        pk, models.Item.gsi1sk.startswith(f"{mobile}#"), limit=1)), None)
    return found.as_dict() if found else None


def read_rows(text: str) -> list[tuple[int, dict]]:
    """The file's rows as (line number, {field: cell}), blank rows skipped; 422 `csv_columns`
    when the first row does not name the columns."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = next(reader, None) or []
    names = {alias.casefold(): field for field, aliases in COLUMNS.items() for alias in aliases}
    columns = [names.get(cell.strip().casefold()) for cell in header]
    if "name" not in columns or "mobile" not in columns:
        raise Unprocessable("檔案第一列要有「姓名」和「手機」欄位。",
                            "csv: the first row must name the columns, with 姓名 (name) and "
                            "手機 (mobile).", code="csv_columns")
    rows, line = [], 1
    for cells in reader:
        start, line = line + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            rows.append((start, {column: _unguarded(cell.strip())
                                 for column, cell in zip(columns, cells) if column}))
    return rows


def import_row(caller: Caller, row: dict) -> dict:
    """One row, validated by the API's own rules and imported once: a customer is known by
    their number, a vehicle by its plate. Answers what it did (`customer`, `vehicle`: created
    or existing); a bad row raises its DomainError and changes nothing."""
    mobile = phones.normalise(row.get("mobile", ""))
    customer_body = validate(customers.NewCustomer, {
        "customer_id": _stable_id("c", caller.shop_id, mobile or "?"),
        "name": row.get("name", ""), "mobile": row.get("mobile", ""),
        "email": row.get("email") or None, "notes": row.get("notes", ""),
        "channel": "sms" if mobile and phones.is_mobile(mobile) else "none"})
    vehicle_body = None
    if row.get("plate"):
        plate = vehicles.normalise_plate(row["plate"]) or row["plate"]
        year = row.get("year") or None
        fuel = row.get("fuel") or "gasoline"
        vehicle_body = validate(vehicles.NewVehicle, {
            "vehicle_id": _stable_id("v", caller.shop_id, plate),
            "plate": row["plate"], "vin": row.get("vin") or None,
            "make": row.get("make", ""), "model": row.get("model", ""),
            "year": int(year) if year and year.isdigit() else year,
            "colour": row.get("colour") or None, "fuel": FUELS.get(fuel, fuel.lower()),
            "customer_id": customer_body.customer_id})
    done = {}
    known = _by_mobile(caller.shop_id, customer_body.mobile)
    if known:
        done["customer"], customer_id = "existing", known["customer_id"]
    else:
        customer_id = customers.create_customer(caller, customer_body, imported=True)["customer_id"]
        done["customer"] = "created"
    if vehicle_body is None:
        return done
    vehicle_body = vehicle_body.model_copy(update={"customer_id": customer_id})
    if vehicles.get_vehicle(caller.shop_id, vehicle_body.vehicle_id):
        done["vehicle"] = "existing"
        return done
    try:
        vehicles.create_vehicle(caller, vehicle_body)
        done["vehicle"] = "created"
    except Conflict:  # the plate is already registered here (typed in by hand, say)
        done["vehicle"] = "existing"
    return done


# --- the catalogue and stock of a shop's export, imported again ---

RESTORE_ROWS = 1_000  # a request's rows: about 300 KB, far below a request's limit


class CatalogueRestore(Body):
    """A part of an export's `catalogue` list (shop.json), as the tablet sends it: in pieces of
    up to RESTORE_ROWS rows, each piece written whole or not at all."""
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=RESTORE_ROWS)


def restore_catalogue(caller: Caller, body: CatalogueRestore) -> dict[str, int]:
    """POST /api/catalogue/restore: the catalogue of an export (this shop's, or another branch's
    to start from its prices) written into the caller's shop."""
    return import_catalogue(caller, body.rows)


Count = Annotated[Decimal, Field(ge=-1_000_000, le=1_000_000, max_digits=10, decimal_places=3)]


class StockRow(Body):
    """A kept part's stock as an export shows it (its words and keys beside are ignored)."""
    model_config = ConfigDict(extra="ignore")
    part_key: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,60}(~[A-Z0-9]{1,40})?$")]
    part_number: ShortText
    name: ShortText
    on_hand: Count
    reserved: Count | None = None
    minimum: Count | None = None


def import_catalogue(caller: Caller, rows: list[dict]) -> dict[str, int]:
    """The `catalogue` list of a shop's export (this shop's or another's: a second branch
    starting from the first's prices) written into the caller's shop: the catalogue by its
    keys, then the stock of the parts kept (counts and minimums as exported). Answers how
    many of each; a bad row raises its error (422) before anything is written."""
    require(caller, "catalogue.write")
    stock = [validate(StockRow, row).model_dump() for row in rows
             if row.get("type") == models.StockItem.type_name()]  # all checked before a write
    counts = catalogue.restore(caller.shop_id, rows)
    now = clock.now_iso()
    for row in stock:
        key = models.StockItem.key(caller.shop_id, row["part_key"])
        kept = models.StockItem.read(key, consistent=True)  # saved on its version
        models.StockItem.from_dict({
            **key, "shop_id": caller.shop_id,
            **({"version": kept["version"]} if kept else {}),
            **{name: row[name] for name in ("part_key", "part_number", "name", "on_hand",
                                             "reserved", "minimum") if row.get(name) is not None},
            "updated_at": now}).save()
    return {**counts, "stock": len(stock)}
