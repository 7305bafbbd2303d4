"""Signed documents: the service authorization (委修確認單), additional-work estimates (估價單) and
the checkout list (結帳清單) — drawn up from the order, signed with a finger, frozen, verifiable.

Electronic Signatures Act (電子簽章法, amended 2024): a picture of a signature proves little. What
holds is identity (the signer, the staff witness, the device, IP and user agent), integrity (a
SHA-256 over the canonical content and the signature) and a record of how it was made. Each
signature also carries the hash of the order's signature before it, so the order's signatures
form a chain from which none can be dropped unseen.

Signed means frozen (docs/design.md §7): the signature's transaction marks what it covers (the lines
get `frozen_by`, the header `signed`), and later writes are conditional on those marks. What the
header's version does not guard (the walk-around, the old-part tags) the signature's transaction
checks is still as it was read; their own writes check the header in turn.

The hash is a plain SHA-256 that anyone holding the paper copy can check. On the item it is also
sealed with a key the table does not hold (HMAC-SHA256, `document-seal-key`): someone who can
edit the table can hash an edited record again, not seal it. Reading an order compares what its
documents cover with what they show (`integrity`); the daily job does the same for recently
signed open orders (`check_signed_orders`, which records each finding once; the job tells the
shop's owners, chalicelib/after/daily.py).
"""
from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import math
import re
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from html import escape
from itertools import groupby
from pathlib import Path
from typing import Any, Iterator, Literal

from pydantic import Field, StringConstraints
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId
from chalicelib.api.roles import require
from chalicelib.core import aws, clock, money, objects
from chalicelib.core import secrets as secret_store
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict, NotFound, Unprocessable
from chalicelib.core.observability import logger
from chalicelib.records import shop_settings, shops, vehicles
from chalicelib.work import inspections, order_store, paper, parts, pdf, photos

Kind = Literal["authorization", "estimate", "checkout"]
KINDS: tuple[str, ...] = Kind.__args__
METHODS = {"in_person": ("現場簽署", "Signed in person"), "remote": ("遠端簽署", "Signed remotely")}

MIN_POINTS = 10
MAX_POINTS = 2_000
URL_SECONDS = 15 * 60
CHECK_DAYS = 7  # the daily job checks the documents signed this many days back, orders open


@lru_cache(maxsize=1)
def _texts() -> dict:
    """Titles, terms and the privacy notice: data, versioned with the product."""
    return json.loads((Path(__file__).resolve().parents[1] / "catalogue" / "documents.json").read_text("utf-8"))


TITLES: dict[str, dict[str, str]] = _texts()["titles"]

# What each signed document covers on the order's header: changed only by a new version.
COVERED_FIELDS = {"authorization": {"concerns", "promised_at", "waits_in_shop", "old_parts"},
                  "checkout": {"old_parts", "road_test", "buyer", "handover"}}


# --- canonical form and hashes ---

def _plain(value: Any) -> Any:
    """JSON values with one spelling each: money and counts as integers, quantities as decimal
    strings, no floats (a float's text differs between machines and languages)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else format(value.normalize(), "f")
    if isinstance(value, float):
        raise TypeError("floats have no canonical form: use int or Decimal")
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def canonical(value: Any) -> bytes:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 (the bytes that are hashed)."""
    return json.dumps(_plain(value), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def seal(signature_hash: str) -> str:
    """The hash sealed with a key the table does not hold: an edited record can be hashed again
    by anyone who can write the table, not sealed again."""
    key = secret_store.get("document-seal-key").encode()
    return hmac.new(key, signature_hash.encode(), hashlib.sha256).hexdigest()


def sealed(item: dict) -> bool:
    """The item's hash carries its seal."""
    return hmac.compare_digest(str(item.get("seal", "")), seal(str(item.get("hash", ""))))


# --- drawing up a document ---

def get_document(caller: Caller, order_id: str, kind: str) -> dict:
    require(caller, "orders.read")
    return document(caller.shop_id, order_store.load(caller.shop_id, order_id), _kind(kind))


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound("沒有這種文件。", "No such kind of document.")
    return kind


def document(shop_id: str, order: dict, kind: str, shop: dict | None = None,
             vehicle: dict | None = None) -> dict:
    """The draft as the customer will see it, with its hash and whether it can be signed now.
    `shop`, `vehicle`: their items when the caller read them already ({} for none), else read
    here."""
    content = _content(shop_id, order, kind, shop, vehicle)
    refusal = _refusal(order, kind, content)
    return {"kind": kind, "version": content["version"], "signable": refusal is None,
            **({"reason": {"code": refusal[0], "zh": refusal[1], "en": refusal[2]}}
               if refusal else {}),
            "content": _plain(content), "content_hash": digest(content)}


def _refusal(order: dict, kind: str, content: dict) -> tuple[str, str, str] | None:
    """Why the document cannot be signed now: (code, zh, en), or None."""
    state, signed = order["state"], order.get("signed", {})
    if state in order_store.CLOSED:
        return "order_closed", "這張工單已經結案，不能再簽署文件。", "This order is closed."
    if kind in signed:
        return ("already_signed", f"客戶已簽署這份{TITLES[kind]['zh']}。",
                f"The customer already signed this {TITLES[kind]['en'].lower()}.")
    if kind == "authorization" and state != "checked_in":
        return ("not_signable", "委修確認單要在接車後、開工前簽署。",
                "The service authorization is signed after check-in, before work.")
    if kind == "checkout" and state != "ready":
        return ("not_signable", "結帳清單要在待交車時簽署。",
                "The checkout list is signed when the car is ready.")
    waiting = parts.undecided(order["parts"]) if kind == "checkout" else None
    if waiting:  # the list records what became of each old part: settled first
        return ("old_parts_undecided", f"舊品都處理好後才能簽署結帳清單。{waiting[0]}",
                f"The checkout list is signed once every old part is settled. {waiting[1]}")
    if kind == "checkout" and not (order.get("quality") or {}).get("passed"):
        return ("quality_not_passed", "品檢通過後才能簽署結帳清單。",
                "The checkout list is signed once the quality check passed.")
    unfinished = order_store.open_jobs(order) if kind == "checkout" else []
    if unfinished:  # the list says what was done: everything is done or declined first
        names = "、".join(line["description"] for line in unfinished[:3])
        return ("work_open", f"還有 {len(unfinished)} 項工作未完成或未答覆（{names}），"
                "完成或由客戶拒絕後才能簽署結帳清單。",
                f"{len(unfinished)} job(s) are neither done nor declined: the checkout list is "
                "signed once every one is.")
    if kind == "checkout" and not order.get("handover"):
        return ("handover_unchecked", "請先和客戶一起做交車檢查，再簽署結帳清單。",
                "Walk around the car with the customer (the delivery check) before the "
                "checkout list is signed.")
    if kind == "estimate" and state in ("booked", "checked_in"):
        return ("not_signable", "開工前的項目列在委修確認單上。",
                "Before work, items go on the service authorization.")
    unpriced = [line for line in content["lines"] if line.get("unpriced")]
    if unpriced:
        return ("unpriced", f"還有 {len(unpriced)} 個技師提出的項目尚未報價。",
                f"{len(unpriced)} item(s) a technician found have no price yet.")
    if not content["lines"]:
        return ("not_signable", "這份文件還沒有任何項目。", "This document has no items yet.")
    return None


def _content(shop_id: str, order: dict, kind: str, shop: dict | None = None,
             vehicle: dict | None = None) -> dict:
    if shop is None:
        shop = shops.get_shop(shop_id) or {}
    if vehicle is None:
        vehicle = vehicles.get_vehicle(shop_id, order["vehicle"]["vehicle_id"]) or {}
    values = (order.get("inspection") or {}).get("values", {})
    mileage, fuel = mileage_of(order), values.get("fuel_eighths")
    version = 1 + sum(1 for item in order["signatures"] if item["kind"] == kind)
    content: dict = {
        "kind": kind, "version": version, "title": TITLES[kind],
        "shop": {key: shop.get(key, "") for key in ("name", "phone", "address")},
        "order": {"order_id": order["order_id"], "number": order["number"],
                  "created_at": order["created_at"], "waits_in_shop": order["waits_in_shop"],
                  "concerns": order.get("concerns", []),
                  "old_parts": order.get("old_parts", "decide_at_delivery"),
                  **({"promised_at": order["promised_at"]} if order.get("promised_at") else {}),
                  **({"buyer": order["buyer"]} if order.get("buyer") else {}),
                  **({"mileage_km": mileage} if mileage is not None else {})},
        "customer": {"name": order["customer"]["name"], "mobile": order["customer"]["mobile"]},
        "vehicle": {"plate": order["vehicle"]["plate"], "make": vehicle.get("make", ""),
                    "model": vehicle.get("model", ""),
                    **{key: vehicle[key] for key in ("vin", "year") if vehicle.get(key)},
                    **({"fuel_eighths": fuel} if fuel is not None else {})},
        "terms": _texts()["terms"][kind],
    }
    lines, consented = order["lines"], order.get("consented_total") or 0
    if kind == "authorization":
        chosen = [line for line in lines if line["origin"] == "authorization"
                  and line["state"] != "declined"]
        content["privacy"] = _texts()["privacy"]
        if values:
            settings_ = shop_settings.thresholds(shop_id)
            checklist = shop_settings.template(shop_id)["items"]
            content["inspection"] = inspections.summary(values, settings_, checklist)
    elif kind == "estimate":
        chosen = [line for line in lines if line["origin"] == "additional"
                  and not line.get("estimate_signature_id")]
        content["consented_total"] = consented
        content["consented_amount"] = _consented_amount(lines)
    else:
        chosen = [line for line in lines if line["state"] != "declined"]
        content["declined"] = [_doc_line(line) for line in lines if line["state"] == "declined"]
        content["consented_total"] = consented
        warranty = shop_settings.thresholds(shop_id)
        content["warranty"] = {"months": warranty["warranty_months"],
                               "km": warranty["warranty_km"]}
        content["road_test"] = order.get("road_test") or {"done": False}
        if order.get("handover"):
            content["order"]["handover"] = order["handover"]
        # The customer confirms what happened to the old parts (returned ones are handed over).
        content["parts"] = [parts.on_checkout(tag) for tag in order["parts"]]
    content["lines"] = [_doc_line(line, photos.of_line(order["photos"], line["line_id"]))
                        for line in chosen]
    content["totals"] = money.totals(line["amount"] for line in chosen)
    return content


def mileage_of(order: dict) -> int | None:
    """The mileage a document shows: the walk-around's reading when there is one (read at the
    car), else the one typed when the order was made. `order` with its `inspection` item."""
    values = (order.get("inspection") or {}).get("values", {})
    return values.get("mileage_km", order.get("mileage_km"))


def _consented_amount(lines: list[dict]) -> int:
    """What the customer has agreed to so far (tax included): authorized and approved lines."""
    return sum(int(line["amount"]) for line in lines if line["state"] in ("approved", "done"))


def _doc_line(line: dict, shots: list[dict] = ()) -> dict:
    """A line as a document shows it; `shots`: its photos (a technician's finding)."""
    return {**{key: line[key] for key in ("line_id", "kind", "description", "amount", "origin",
                                          "part_number", "quantity", "hours", "rate",
                                          "unit_price", "customer_supplied", "reason", "area",
                                          "photo_id", "unpriced", "grade", "brand")
               if line.get(key) is not None},
            **({"photo_ids": [shot["photo_id"] for shot in shots]} if shots else {})}


# --- signing ---

Coordinate = Annotated[int, Field(ge=-10_000, le=10_000)]
Millis = Annotated[int, Field(ge=0, le=3_600_000)]
Point = tuple[Coordinate, Coordinate, Millis]
SignerName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


Stroke = Annotated[list[Point], Field(min_length=1)]  # a stroke has at least its first point


class NewSignature(Body):
    signature_id: ClientId
    kind: Kind
    content_hash: Hash
    signer_name: SignerName
    consent: bool
    # A Chinese name written stroke by stroke: three characters can take 40 strokes and more.
    strokes: list[Stroke] = Field(min_length=1, max_length=150)
    width: int = Field(ge=100, le=4_000)
    height: int = Field(ge=50, le=4_000)
    decisions: dict[ClientId, Literal["approved", "declined"]] | None = Field(
        default=None, max_length=100)


class RemoteSignature(NewSignature):
    """Through the customer's link: with the texted code when the total asks for one."""
    code: str | None = Field(default=None, pattern=r"^[0-9]{6}$")


class Revision(Body):
    client_id: ClientId


def sign(caller: Caller, order_id: str, body: NewSignature, client: dict) -> dict:
    """The customer signs the document they were shown (`content_hash`) on the shop's tablet;
    the caller witnesses. `client` is where the signature came from: {ip, user_agent}."""
    require(caller, "documents.sign")
    return _signed(caller, order_id, body, client, "in_person", None)


def sign_remotely(shop_id: str, order_id: str, body: NewSignature, client: dict,
                  channel: str, verification: dict | None = None,
                  consumed: order_store.Consumed | None = None) -> dict:
    """The customer signs through their progress link (no staff witness): the record names the
    link's channel (how the link reached them) and, for a large total, the one-time code that
    was checked, used up (`consumed`) in the signature's own transaction; the order's events
    name the customer."""
    order = order_store.load(shop_id, order_id)
    customer = Caller(shop_id=shop_id, staff_id="customer", role="customer",
                      name=order["customer"]["name"])
    return _signed(customer, order_id, body, client, "remote", channel, verification, consumed)


def _signed(caller: Caller, order_id: str, body: NewSignature, client: dict, method: str,
            channel: str | None, verification: dict | None = None,
            consumed: order_store.Consumed | None = None) -> dict:
    _check_ink(body)
    if not body.consent:
        raise Unprocessable("請客戶勾選同意後再簽署。", "The customer must tick the consent first.",
                            code="consent_required")
    png = draw(body.strokes, body.width, body.height)  # drawn once: stored, then on the PDF
    signed = models.retry(lambda: _sign(caller, order_id, body, client, method, channel,
                                        png, verification, consumed), busy=order_store.busy())
    if not signed.get("pdf_at"):
        _store_pdf_quietly(caller.shop_id, order_id, signed, png)
    return view(signed)


def _sign(caller: Caller, order_id: str, body: NewSignature, client: dict, method: str,
          channel: str | None, png: bytes, verification: dict | None = None,
          consumed: order_store.Consumed | None = None) -> dict:
    order = order_store.load(caller.shop_id, order_id)
    replay = next((item for item in order["signatures"]
                   if item["signature_id"] == body.signature_id), None)
    if replay:
        return replay
    drawn = document(caller.shop_id, order, body.kind)
    if not drawn["signable"]:
        reason = drawn["reason"]
        raise Conflict(reason["zh"], reason["en"], code=reason["code"])
    if body.content_hash != drawn["content_hash"]:
        raise Conflict("工單內容已經變更，請重新顯示文件給客戶確認。",
                       "The order changed since the document was shown: show it again.",
                       code="document_changed")
    content = drawn["content"]
    lines = _decided(order, body, content)
    now = clock.now_iso()
    record = {
        "signature_id": body.signature_id, "shop_id": caller.shop_id, "order_id": order_id,
        "kind": body.kind, "version": drawn["version"], "content": content,
        "content_hash": body.content_hash,
        "signature": {"strokes": [[list(point) for point in stroke] for stroke in body.strokes],
                      "width": body.width, "height": body.height,
                      "png_sha256": hashlib.sha256(png).hexdigest()},
        "signer_name": body.signer_name,
        "consent": {"accepted": True, "privacy_version": _texts()["privacy"]["version"]},
        "method": method, "channel": channel,
        "witness": {**caller.stamp(), "device_id": caller.device_id} if method == "in_person"
        else None,
        "signed_at": now, "ip": client.get("ip", ""), "user_agent": client.get("user_agent", ""),
        "previous_hash": order.get("last_signature_hash"),
    }
    if verification:
        record["verification"] = verification  # the code texted for a large remote approval
    signature_hash = digest(record)
    _put_object(objects.signature_object(caller.shop_id, order_id, body.signature_id, "png"), png,
                "image/png")
    item = {**models.Signature.key(caller.shop_id, order_id, body.signature_id),
            **models.signature_hash_index(signature_hash), "type": "signature",
            "shop_id": caller.shop_id, "order_id": order_id, "hash": signature_hash,
            "seal": seal(signature_hash), "plate": content["vehicle"]["plate"],
            **{key: record[key] for key in _SUMMARY},
            "record": canonical(record).decode("utf-8")}
    changes: dict = {"last_signature_hash": signature_hash}
    if body.kind != "estimate":
        changes["signed"] = {**order.get("signed", {}), body.kind: {
            "signature_id": body.signature_id, "hash": signature_hash,
            "version": drawn["version"]}}
    if body.kind == "authorization":
        changes["consented_total"] = content["totals"]["total"]
    if body.kind == "estimate":
        changes["consented_total"] = content["new_total"]
        changes["totals"] = order_store.totals_of(list(lines.values()))
    event = order_store.event_item(caller, order_id, f"signed-{body.signature_id}",
                                   order["state"], order["state"], None, now,
                                   document={"kind": body.kind, "version": drawn["version"],
                                             "signature_id": body.signature_id})
    covered = {line["line_id"] for line in content["lines"]}
    frozen = [{**line, "frozen_by": [*line.get("frozen_by", []), body.signature_id]}
              for line_id, line in lines.items() if line_id in covered]
    order_store.save(caller, order, changes, puts=[item, event, *frozen, _listed(item)],
                     as_read=_shown_as_read(order, body.kind),
                     consumed=[consumed] if consumed else [])
    return item


def _shown_as_read(order: dict, kind: str) -> dict[str, int | None]:
    """What the document shows beside the header, as this signature read it: the walk-around
    (its mileage and fuel are on every document, all of it on the authorization) and, on the
    checkout list, each old part. Their writes do not change the header's version."""
    inspection = order["inspection"]
    read = {models.Inspection.key(order["shop_id"], order["order_id"])["sk"]:
            inspection["version"] if inspection else None}
    if kind == "checkout":
        read.update({tag["sk"]: tag["version"] for tag in order["parts"]})
    return read


def _listed(item: dict) -> dict:
    """The signature on the day's list the daily job checks (gone by TTL once past it)."""
    expires = clock.now().timestamp() + (CHECK_DAYS + 2) * 86400
    return {**models.SignedRecently.key(clock.local_date(item["signed_at"]), item["shop_id"],
                                     item["order_id"], item["signature_id"]),
            "type": "signed_recently", "shop_id": item["shop_id"], "order_id": item["order_id"],
            "signature_id": item["signature_id"], "kind": item["kind"],
            "expires_at": int(expires)}


# Fields of the record kept beside it on the item, to list and show signatures without parsing.
_SUMMARY = ("signature_id", "kind", "version", "signed_at", "signer_name", "method", "witness",
            "previous_hash")


def _decided(order: dict, body: NewSignature, content: dict) -> dict[str, dict]:
    """The order's lines by id, with an estimate's decisions applied (to them and the content)."""
    lines = {line["line_id"]: dict(line) for line in order["lines"]}
    if body.kind != "estimate":
        if body.decisions:
            raise Unprocessable("只有估價單要逐項同意或不同意。",
                                "decisions: only an estimate takes decisions.")
        return lines
    on_it = [line["line_id"] for line in content["lines"]]
    if set(body.decisions or {}) != set(on_it):
        raise Unprocessable("估價單上每個項目都要選同意或不同意。",
                            "decisions: answer every line of the estimate, and only those.",
                            code="decisions_incomplete")
    for doc_line in content["lines"]:
        decision = body.decisions[doc_line["line_id"]]
        doc_line["decision"] = decision
        lines[doc_line["line_id"]].update(
            state="approved" if decision == "approved" else "declined",
            estimate_signature_id=body.signature_id, updated_at=clock.now_iso(),
            answered_at=clock.now_iso())
    content["new_total"] = money.totals([_consented_amount(list(lines.values()))])["total"]
    return lines


def total_if_decided(content: dict, decisions: dict[str, str]) -> int:
    """An estimate's new total (tax included) if answered so: what the customer agreed before
    and the lines they approve now."""
    approved = sum(int(line["amount"]) for line in content["lines"]
                   if decisions.get(line["line_id"]) == "approved")
    return int(money.totals([int(content["consented_amount"]) + approved])["total"])


def _check_ink(body: NewSignature) -> None:
    """An empty pad or a dot is not a signature: enough points and enough stroke length (the
    PWA applies the same rule before enabling confirm)."""
    points = sum(len(stroke) for stroke in body.strokes)
    if points > MAX_POINTS:
        raise Unprocessable(f"簽名的點太多（最多 {MAX_POINTS} 點）。",
                            f"strokes: at most {MAX_POINTS} points.")
    length = sum(math.dist(a[:2], b[:2]) for stroke in body.strokes
                 for a, b in zip(stroke, stroke[1:]))
    if points < MIN_POINTS or length < body.width / 4:
        raise Unprocessable("簽名太短，請客戶完整簽名。",
                            "The signature is too short: ask the customer to sign in full.",
                            code="signature_too_short")


def draw(strokes: list[list[Point]], width: int, height: int) -> bytes:
    """The signature as a PNG (ink on transparent), drawn by the server from the strokes so the
    picture and the stroke data can never disagree."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    scale, ink = 3, (20, 30, 70, 255)  # drawn large, then scaled down: smooth edges
    image = Image.new("RGBA", (width * scale, height * scale), (255, 255, 255, 0))
    pen = ImageDraw.Draw(image)
    radius = max(3, round(scale * 1.4))
    for stroke in strokes:
        points = [(x * scale, y * scale) for x, y, _ in stroke]
        if len(points) > 1:
            pen.line(points, fill=ink, width=radius * 2, joint="curve")
        for x, y in (points[0], points[-1]):
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=ink)
    out = BytesIO()
    image.resize((width, height), Image.LANCZOS).save(out, "PNG", optimize=True)
    return out.getvalue()


# --- reading, the paper copy, new versions ---

def view(item: dict) -> dict:
    """docs/api.md's Signature (the record itself stays on the server)."""
    return {**{key: _plain(item[key]) for key in _SUMMARY}, "hash": item["hash"],
            "title": TITLES[item["kind"]], "verify_url": verify_url(item["hash"]),
            **{key: item[key] for key in ("superseded_at", "superseded_reason")
               if item.get(key)}}


def verify_url(signature_hash: str) -> str:
    return f"{settings().public_origin}/api/verify/{signature_hash}"


def pdf_link(caller: Caller, order_id: str, signature_id: str) -> dict:
    """A link to the signed document's PDF, for the staff (15 minutes)."""
    require(caller, "orders.read")
    return signed_pdf(order_store.load(caller.shop_id, order_id), signature_id, URL_SECONDS)


def draft_pdf(caller: Caller, order_id: str, kind: str) -> dict:
    """The document as it would be signed now, as a PDF marked a draft on every page, to read
    or hand over before signing: a 15-minute link."""
    require(caller, "orders.read")
    drafted = document(caller.shop_id, order_store.load(caller.shop_id, order_id), _kind(kind))
    content = drafted["content"]
    data = pdf.render(content, None, None, roc=shop_settings.dates_roc(caller.shop_id))
    return paper.link(caller.shop_id, f"draft-{kind}-{content['order']['number']}", data)


def signed_pdf(order: dict, signature_id: str, seconds: int) -> dict:
    """`{url, filename}` of one of the order's signed documents, drawn on first asking if
    signing could not store it (the staff's link and the customer's page both ask here)."""
    item = next((item for item in order["signatures"]
                 if item["signature_id"] == signature_id), None)
    if item is None:
        raise NotFound("找不到這份簽署文件。", "No such signed document.")
    key = objects.signature_object(order["shop_id"], order["order_id"], signature_id, "pdf")
    if not item.get("pdf_at"):
        if _stored(key):  # stored, but the answer marking it was lost: only the mark is missing
            _mark_pdf(order["shop_id"], order["order_id"], signature_id)
        else:
            _store_pdf(order["shop_id"], order["order_id"], item)
    filename = f"{TITLES[item['kind']]['zh']}-{order['number']}-v{item['version']}.pdf"
    return {"url": aws.download_url(key, filename, "application/pdf", seconds),
            "filename": filename}


def _store_pdf(shop_id: str, order_id: str, item: dict, png: bytes | None = None) -> None:
    """The PDF drawn and kept, with the signature's PNG as just drawn (when it is the one the
    record names: a replayed request may carry other strokes), else read back from S3."""
    record = json.loads(record_text(item))
    if png is None or hashlib.sha256(png).hexdigest() != record["signature"]["png_sha256"]:
        png = aws.client("s3").get_object(
            Bucket=settings().bucket_name,
            Key=objects.signature_object(shop_id, order_id, item["signature_id"], "png"))["Body"].read()
    _put_object(objects.signature_object(shop_id, order_id, item["signature_id"], "pdf"),
                pdf.render(record["content"], view(item), png,
                           roc=shop_settings.dates_roc(shop_id)), "application/pdf")
    _mark_pdf(shop_id, order_id, item["signature_id"])


def _mark_pdf(shop_id: str, order_id: str, signature_id: str) -> None:
    models.Signature.from_dict(models.Signature.key(shop_id, order_id, signature_id)) \
        .update(actions=[models.Signature.pdf_at.set(clock.now_iso())])


def _stored(key: str) -> bool:
    try:
        aws.client("s3").head_object(Bucket=settings().bucket_name, Key=key)
    except Exception as err:
        if aws.missing(err):
            return False
        raise
    return True


def _store_pdf_quietly(shop_id: str, order_id: str, item: dict, png: bytes) -> None:
    """The signature stands without its paper copy; the copy is drawn again when first asked."""
    try:
        _store_pdf(shop_id, order_id, item, png)
    except Exception:  # noqa: BLE001 — any failure here only delays the PDF
        logger().exception("signed document's PDF not stored",
                           extra={"order_id": order_id, "signature_id": item["signature_id"]})


def _put_object(key: str, body: bytes, content_type: str) -> None:
    aws.client("s3").put_object(Bucket=settings().bucket_name, Key=key, Body=body,
                                ContentType=content_type)


def order_view(order: dict, caller: Caller) -> dict:
    """The order as the API answers it (the order screen, orders.view): the header with its
    lines and events, its documents and what they find of the order as it is now, its old
    parts and messages, and the steps this caller may take now. Drawn up here, below the
    order's rules, because revising a document (`revise`) answers the order too."""
    clean = order_store.public(order)
    clean["signatures"] = [view(item) for item in order["signatures"]]
    clean["parts"] = [parts.summary(tag) for tag in order["parts"]]
    clean["messages"] = models.message_views(order["messages"])
    clean["next_states"] = order_store.next_states(order["state"], caller.role)
    clean["integrity"] = integrity(order)
    again = to_sign_again(order)
    if again:
        clean["sign_again"] = again
    return clean


def revise(caller: Caller, order_id: str, kind: str, body: Revision) -> dict:
    """Set the signed version aside (kept, marked superseded) so the order may change and a new
    version be signed: the authorization before work starts, the checkout list before delivery."""
    require(caller, "documents.sign")
    return models.retry(lambda: _revise(caller, order_id, _kind(kind), body),
                        busy=order_store.busy())


def _revise(caller: Caller, order_id: str, kind: str, body: Revision) -> dict:
    order = order_store.load(caller.shop_id, order_id)
    if any(event["event_id"] == body.client_id for event in order["events"]):
        return order_view(order, caller)
    if (kind, order["state"]) not in (("authorization", "checked_in"), ("checkout", "ready")):
        raise Conflict("這份文件現在不能重新製作。", "This document cannot be redone now.",
                       code="not_signable")
    if kind not in order.get("signed", {}):
        return order_view(order, caller)
    changes, puts = order_store.set_aside(caller, order, kind, body.client_id)
    return order_view(order_store.save(caller, order, changes, puts=puts), caller)


def to_sign_again(order: dict) -> dict[str, dict]:
    """The documents the customer must sign again, with why ({code, zh, en}): the checkout list
    set aside by a change to an old part it showed, or showing the old parts otherwise than they
    are now (a part tagged since it was signed)."""
    if order["state"] in order_store.CLOSED:
        return {}
    current = order.get("signed", {}).get("checkout")
    if current is None:
        checkouts = [item for item in order["signatures"] if item["kind"] == "checkout"]
        last = checkouts[-1] if checkouts else {}
        return {"checkout": last["superseded_reason"]} if last.get("superseded_reason") else {}
    item = next((item for item in order["signatures"]
                 if item["signature_id"] == current["signature_id"]), None)
    record = _record(item) if item else None
    if record is None:
        return {}  # no record to compare with: `integrity` says so
    shown = {part["code"]: part for part in record["content"].get("parts", [])}
    now = {tag["code"]: _plain(parts.on_checkout(tag)) for tag in order["parts"]}
    changed = [now[code].get("part_name", code) for code in now if shown.get(code) != now[code]]
    changed += [shown[code].get("part_name", code) for code in shown if code not in now]
    if not changed:
        return {}
    names = "、".join(changed[:3]) + ("…" if len(changed) > 3 else "")
    return {"checkout": {
        "code": "old_parts_changed",
        "zh": f"結帳清單簽署後舊品有新增或變更（{names}）：請重新製作並請客戶重新簽署。",
        "en": f"Old parts were tagged or changed after the checkout list was signed "
              f"({', '.join(changed[:3])}): redo it and have the customer sign again."}}


# --- verification (public: the QR on the paper copy) ---

def verify(signature_hash: str) -> dict:
    """Recompute the hash from what is stored and say whether the document is intact, with no
    personal data beyond the shop's name and a masked plate."""
    missing = NotFound("找不到這份簽署文件。", "No signed document has this hash.")
    if not re.fullmatch(r"[0-9a-f]{64}", signature_hash):
        raise missing
    index = models.signature_hash_index(signature_hash)
    found = next(iter(models.Item.lookup.query(index["gsi1pk"])), None)
    if found is None:
        raise missing
    item = found.as_dict()
    siblings = list(models.Signature.items(item["pk"],
                                           models.Item.sk.startswith(models.SIGNATURE_PREFIX)))
    number = _order_number(item["shop_id"], item["order_id"])
    shop = shops.get_shop(item["shop_id"]) or {}
    kind, method = item["kind"], item["method"]
    return {"intact": intact(item, siblings, signature_hash), "kind": kind,
            "title": TITLES[kind], "version": int(item["version"]),
            "signed_at": item["signed_at"], "method": method, "method_name": METHODS[method],
            "shop": {"name": shop.get("name", "")}, "plate": vehicles.mask_plate(item["plate"]),
            "order_number": number,
            "superseded": bool(item.get("superseded_at"))}


def _order_number(shop_id: str, order_id: str) -> str:
    """The order's number alone (not the whole header: the page shows no more)."""
    key = models.order_key(shop_id, order_id)
    try:
        return models.Order.get(key["pk"], key["sk"], attributes_to_get=["number"]).number or ""
    except models.Order.DoesNotExist:
        return ""


def intact(item: dict, siblings: list[dict], signature_hash: str) -> bool:
    """Every stored part agrees: the record's hash and its seal, the fields beside it, the PNG
    in S3, and the chain (the signature it names as previous is on the same order, with that
    hash)."""
    from botocore.exceptions import ClientError

    try:
        record = json.loads(record_text(item))
    except (ValueError, ClientError):
        return False
    redacted = set(item.get("redacted", ()))  # fields blanked when the customer was erased
    if not (digest(record) == item["hash"] == signature_hash and sealed(item)
            and all(_plain(item.get(key)) == record.get(key) for key in _SUMMARY
                    if key not in redacted)
            and item["plate"] == record["content"]["vehicle"]["plate"]
            and models.Signature.key(record["shop_id"], record["order_id"],
                                 record["signature_id"]) == {"pk": item["pk"], "sk": item["sk"]}):
        return False
    previous = record["previous_hash"]
    if previous is not None and not any(other["hash"] == previous for other in siblings):
        return False
    try:
        png = aws.client("s3").get_object(
            Bucket=settings().bucket_name,
            Key=objects.signature_object(record["shop_id"], record["order_id"],
                                    record["signature_id"], "png"))["Body"].read()
    except ClientError:
        return False
    return hashlib.sha256(png).hexdigest() == record["signature"]["png_sha256"]


# --- what the documents cover, compared with the order as it is (on read, and daily) ---

# The header's fields a document covers (COVERED_FIELDS), as a person names them.
_FIELD_NAMES = {"concerns": ("客戶陳述", "concerns"), "promised_at": ("預定交車", "promised time"),
                "waits_in_shop": ("等候方式", "waiting"), "old_parts": ("舊品處理", "old parts"),
                "road_test": ("路試", "road test"), "buyer": ("買受人（統一編號）", "business buyer"),
                "handover": ("交車檢查", "delivery walk-around")}


def integrity(order: dict) -> dict:
    """`{ok}`, or `{ok: false, problems}`: each document in force checked against the order
    as it is now (its seal, the lines and fields it covers, the walk-around it shows), so a
    change made in the table behind the API is seen on the order screen. Cheap: what is already
    read with the order, and one HMAC a document."""
    by_id = {item["signature_id"]: item for item in order["signatures"]}
    problems = []
    for kind, current in sorted(order.get("signed", {}).items()):
        item = by_id.get(current["signature_id"])
        if item is None or item["hash"] != current["hash"] or item.get("superseded_at"):
            title = TITLES[kind]
            problems.append({"signature_id": current["signature_id"], "kind": kind,
                             "version": int(current["version"]), "code": "signature_missing",
                             "zh": f"工單記錄的已簽署{title['zh']}找不到或與紀錄不符。",
                             "en": f"The signed {title['en'].lower()} the order names is "
                                   "missing or differs."})
    for item in order["signatures"]:
        if not item.get("superseded_at") and "record" in item:  # erased: sealed in S3 instead
            problems += [{"signature_id": item["signature_id"], "kind": item["kind"],
                          "version": int(item["version"]), "code": code, "zh": zh, "en": en}
                         for code, zh, en in _problems(order, item)]
    if not problems:
        return {"ok": True}
    logger().warning("signed documents do not match their order", extra={
        "order_id": order["order_id"], "problems": [problem["code"] for problem in problems]})
    return {"ok": False, "problems": problems}


def _record(item: dict) -> dict | None:
    """The signed record on the item, or None (sealed in S3 after an erasure, or unreadable)."""
    try:
        return json.loads(item["record"]) if "record" in item else None
    except ValueError:
        return None


def _problems(order: dict, item: dict) -> list[tuple[str, str, str]]:
    record = _record(item)
    if record is None or digest(record) != item["hash"] or not sealed(item):
        return [("seal", "這份已簽署文件的紀錄與簽署時封存的不符。",
                 "The signed record does not match what was sealed when it was signed.")]
    return differences(order, record["content"])


def differences(order: dict, content: dict) -> list[tuple[str, str, str]]:
    """What of the order no longer is as the signed `content` shows it: (code, zh, en) each.
    Only what signing froze: the covered lines (all but their progress), the header's covered
    fields, the walk-around's mileage and fuel on the authorization."""
    found = []
    lines = {line["line_id"]: line for line in order["lines"]}
    for shown in content["lines"]:
        name, line = shown["description"], lines.get(shown["line_id"])
        # Its progress (the answer) and its photos (one may land later from a phone's queue)
        # are not what was consented to.
        signed = {key: value for key, value in shown.items()
                  if key not in ("decision", "photo_ids")}
        if line is None:
            found.append(("line_removed", f"已簽署的項目「{name}」已不在工單上。",
                          f"The signed line “{name}” is no longer on the order."))
        elif _plain(_doc_line(line)) != signed:
            found.append(("line_changed", f"已簽署的項目「{name}」的內容或金額與簽署時不同。",
                          f"The signed line “{name}” differs from what was signed."))
    for field in sorted(COVERED_FIELDS.get(content["kind"], ())):
        if field == "road_test":
            signed, now = content["road_test"], order.get("road_test") or {"done": False}
        else:
            signed, now = content["order"].get(field), order.get(field)
        if field == "old_parts" and signed == "decide_at_delivery":
            continue  # the customer said they would decide later: deciding is no change
        if _plain(now) != signed:
            zh, en = _FIELD_NAMES[field]
            found.append(("field_changed", f"已簽署的「{zh}」與簽署時不同。",
                          f"The signed {en} differs from what was signed."))
    if content["kind"] == "authorization":
        values = (order.get("inspection") or {}).get("values", {})
        # Documents drawn up before the walk-around's reading came first show the typed one.
        mileages = {_plain(mileage_of(order)), _plain(order.get("mileage_km"))}
        if _plain(values.get("fuel_eighths")) != content["vehicle"].get("fuel_eighths") \
                or content["order"].get("mileage_km") not in mileages:
            found.append(("walkaround_changed", "已簽署的檢修確認表（里程、油量）與簽署時不同。",
                          "The signed walk-around (mileage, fuel) differs from what was signed."))
    return found


def signed_by_shop(today: str, shard: int,
                   after: str | None = None) -> Iterator[tuple[str, list[dict]]]:
    """The documents signed in the last CHECK_DAYS days by the shard's shops (models.shard_of),
    one shop at a time with its listed items (SignedRecently), shops in the order of their ids,
    from the one after `after` (where an earlier piece stopped). Each day's partition lists its
    shops in that order (SK `SIGNED#<shop>#…`): the days are read side by side, a page at a
    time, and merged."""
    first = date.fromisoformat(today)
    start = models.SignedRecently.sk > f"{models.SIGNED_PREFIX}{after}#~" if after else None
    days = [models.SignedRecently.items(models.signed_recently_pk(
        (first - timedelta(days=back)).isoformat(), shard), start) for back in range(CHECK_DAYS)]
    merged = heapq.merge(*days, key=lambda item: item["sk"])
    for shop_id, items in groupby(merged, key=lambda item: item["shop_id"]):
        yield shop_id, list(items)


def check_signed_orders(listed: list[dict]) -> dict:
    """The daily job's check of the documents `listed` (a shop's, from signed_by_shop): each
    whose order is still open, checked as on read (`integrity`). An order whose documents no
    longer match is recorded once for each difference (IntegrityAlert). Answers the counts,
    `checked` and `mismatched`, and in `alerts` what was found for the first time (each
    IntegrityAlert item as a dict: shop_id, order_id, number, problems, found_at), for the job
    to tell the shop's owners. Reads by key only what the documents cover: headers, signatures,
    walk-arounds, the lines they show."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for item in listed:
        wanted.setdefault((item["shop_id"], item["order_id"]), set()).add(item["signature_id"])
    headers = [header for header in _read_many([models.order_key(*key) for key in wanted])
               if header["state"] not in order_store.CLOSED]
    keys = []
    for header in headers:
        shop_id, order_id = header["shop_id"], header["order_id"]
        named = wanted[(shop_id, order_id)] | {current["signature_id"] for current
                                               in header.get("signed", {}).values()}
        keys += [models.Signature.key(shop_id, order_id, signature_id) for signature_id in named]
        keys.append(models.Inspection.key(shop_id, order_id))
    beside = _read_many(keys)
    shown = [(item, (_record(item) or {}).get("content", {}).get("lines", []))
             for item in beside if item["sk"].startswith(models.SIGNATURE_PREFIX)
             and not item.get("superseded_at")]
    lines = _read_many([models.Line.key(item["shop_id"], item["order_id"], line["line_id"])
                        for item, covered in shown for line in covered])
    under: dict[str, list[dict]] = {}
    for item in beside + lines:
        under.setdefault(item["pk"], []).append(item)
    found = {"checked": 0, "mismatched": 0, "alerts": []}
    for header in headers:
        items = under.get(header["pk"], [])
        order = {**header, "lines": [item for item in items
                                     if item["sk"].startswith(models.LINE_PREFIX)],
                 "signatures": sorted((item for item in items
                                       if item["sk"].startswith(models.SIGNATURE_PREFIX)),
                                      key=lambda item: item["signed_at"]),
                 "inspection": next((item for item in items if item["sk"] == models.Inspection.key(
                     header["shop_id"], header["order_id"])["sk"]), None)}
        found["checked"] += sum(1 for item in order["signatures"]
                                if not item.get("superseded_at"))
        checked = integrity(order)
        if not checked["ok"]:
            found["mismatched"] += 1
            alert = _alert(order, checked["problems"])
            if alert:
                found["alerts"].append(alert)
    return found


def _read_many(keys: list[dict]) -> list[dict]:
    """Items by key, of any type: 100 a call (BatchGetItem's limit), the unprocessed asked
    again (PynamoDB's batch_get)."""
    return [item.as_dict() for item in models.Item.batch_get(
        {(key["pk"], key["sk"]) for key in keys})]


def _alert(order: dict, problems: list[dict]) -> dict | None:
    """Record the finding once: the IntegrityAlert as written when it is new, None when it was
    recorded (and told) before."""
    shop_id, order_id = order["shop_id"], order["order_id"]
    found = digest([[problem["signature_id"], problem["code"], problem["zh"]]
                    for problem in problems])[:16]
    alert = models.IntegrityAlert.from_dict({
        **models.IntegrityAlert.key(shop_id, order_id, found), "type": "integrity_alert",
        "shop_id": shop_id, "order_id": order_id, "number": order["number"],
        "problems": problems, "found_at": clock.now_iso()})
    try:
        with models.refusals():
            alert.save(condition=models.IntegrityAlert.pk.does_not_exist())
    except models.Refused:
        return None  # told already
    return alert.as_dict()


def record_text(item: dict) -> str:
    """The signed record as hashed: on the item, or (its customer erased) sealed in S3 beside
    the signed PDF (chalicelib/after/portability.py)."""
    if "record" in item:
        return item["record"]
    key = objects.sealed_record_object(item["shop_id"], item["order_id"], item["signature_id"])
    return aws.client("s3").get_object(Bucket=settings().bucket_name,
                                       Key=key)["Body"].read().decode("utf-8")


def verify_page(result: dict) -> str:
    """The verification as a small page, for a phone that scanned the QR on the paper copy."""
    ok = result["intact"]
    verdict = ("✅ 文件完整，未經竄改 The document is intact" if ok else
               "⚠️ 文件與簽署時不符 The document does not match what was signed")
    rows = [("文件 Document", f"{result['title']['zh']} {result['title']['en']} v{result['version']}"),
            ("店家 Shop", result["shop"]["name"]), ("車牌 Plate", result["plate"]),
            ("工單 Order", result["order_number"]),
            ("簽署時間 Signed", _taipei(result["signed_at"])),
            ("方式 Method", " ".join(result["method_name"]))]
    if result["superseded"]:
        rows.append(("狀態 Status", "已由新版本取代 Superseded by a newer version"))
    cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    colour = "#1b5e20" if ok else "#b71c1c"
    return ("<!doctype html><html lang=\"zh-Hant-TW\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            "<meta name=\"robots\" content=\"noindex\"><title>文件驗證 Verify</title><style>"
            "body{font:17px/1.5 system-ui,sans-serif;margin:1.5rem;color:#222}"
            f"h1{{font-size:1.2rem;color:{colour}}}th{{text-align:left;padding:.3rem 1rem .3rem 0;"
            "color:#555;font-weight:normal}td{padding:.3rem 0}</style></head><body>"
            f"<h1>{escape(verdict)}</h1><table>{cells}</table></body></html>")


def _taipei(moment: str) -> str:
    return clock.parse_iso(moment).astimezone(clock.SHOP_TIMEZONE).strftime("%Y/%m/%d %H:%M")
