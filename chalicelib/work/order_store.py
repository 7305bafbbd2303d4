"""A repair order (工單) as it is stored: its states, its partition read and assembled in one
Query, and every write of it in one transaction guarded by the header's version.

The order's rules (who may move it, the guards, its lines and dispatch) and the order screen
live above, in chalicelib/work/orders.py; the modules between (photos, the walk-around, old
parts, the documents) read and write the order through here (docs/design.md, "Layers").
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib import models
from chalicelib.api import Caller
from chalicelib.api.roles import EVERYONE, FRONT_DESK
from chalicelib.core import clock, money
from chalicelib.core.errors import Busy, Conflict, NotFound

# --- the states ---

State = Literal["booked", "checked_in", "authorized", "in_progress", "awaiting_approval",
                "quality_check", "ready", "delivered", "followed_up", "cancelled"]
STATES: tuple[str, ...] = State.__args__  # the board's columns, in the order of the work
CLOSED = frozenset({"delivered", "followed_up", "cancelled"})

STATE_NAMES = {
    "booked": ("已預約", "Booked"), "checked_in": ("已接車", "Checked in"),
    "authorized": ("已委修", "Authorized"), "in_progress": ("維修中", "In progress"),
    "awaiting_approval": ("待追加同意", "Awaiting approval"),
    "quality_check": ("品檢中", "Quality check"), "ready": ("待交車", "Ready"),
    "delivered": ("已交車", "Delivered"), "followed_up": ("已關懷", "Followed up"),
    "cancelled": ("已取消", "Cancelled"),
}
# A line's state as the order screen names it (pwa/src/i18n `line.*`).
LINE_STATE_NAMES = {"proposed": ("待確認", "Proposed"), "approved": ("已同意", "Approved"),
                    "declined": ("不做", "Declined"), "done": ("完工", "Done")}


@dataclass(frozen=True)
class Step:
    """Who may take a step, and the guards (named in orders.GUARDS) that must allow it."""
    roles: frozenset[str]
    guards: tuple[str, ...] = ()


# docs/design.md §1, and the repair standard contract: no work before the signed authorization, no
# added work before the customer answered it, no delivery before the signed checkout list or
# above what the customer consented to.
TRANSITIONS: dict[tuple[str, str], Step] = {
    ("booked", "checked_in"): Step(FRONT_DESK),
    ("checked_in", "authorized"): Step(FRONT_DESK, guards=("authorization_signed",)),
    ("authorized", "in_progress"): Step(EVERYONE),
    ("in_progress", "awaiting_approval"): Step(FRONT_DESK),
    ("awaiting_approval", "in_progress"): Step(FRONT_DESK, guards=("additional_items_answered",)),
    ("in_progress", "quality_check"): Step(EVERYONE),
    ("quality_check", "in_progress"): Step(EVERYONE),  # the check found something: back to work
    ("quality_check", "ready"): Step(FRONT_DESK, guards=("quality_passed",)),
    ("ready", "delivered"): Step(FRONT_DESK, guards=("checkout_signed", "within_consented_total",
                                                    "old_parts_decided", "paid")),
    ("delivered", "followed_up"): Step(FRONT_DESK),
    **{(state, "cancelled"): Step(FRONT_DESK)
       for state in ("booked", "checked_in", "authorized", "in_progress", "awaiting_approval",
                     "quality_check", "ready")},
}


def next_states(state: str, role: str) -> list[str]:
    """The states `role` may move an order in `state` to (before the guards: the buttons)."""
    return [to for (start, to), step in TRANSITIONS.items() if start == state and role in step.roles]


def can_move(state: str, to: str, role: str) -> bool:
    step = TRANSITIONS.get((state, to))
    return step is not None and role in step.roles


# The walk-around (and its photos) may change at reception only, before the signed
# authorization covers it.
WALKAROUND_STATES = ("booked", "checked_in")


def walkaround_editable(order: dict) -> bool:
    """Before the service authorization is signed: the signature covers the walk-around."""
    return order["state"] in WALKAROUND_STATES and "authorization" not in order.get("signed", {})


def refuse_walkaround_frozen(order: dict) -> None:
    if not walkaround_editable(order):
        raise Conflict("委修確認單已簽署，檢修確認表不能再修改。",
                       "The service authorization is signed: the walk-around can no longer change.",
                       code="inspection_frozen")


# --- reading ---

def load(shop_id: str, order_id: str) -> dict:
    """The order with everything beside it (`assemble`), from one Query on its partition."""
    order = read(shop_id, order_id)
    if order is None:
        raise NotFound("找不到這張工單。", "No such repair order.")
    return order


def read(shop_id: str, order_id: str, consistent: bool = False) -> dict | None:
    """The order assembled from its partition (one Query), or None when it has no header."""
    items = list(models.Item.items(models.order_pk(shop_id, order_id),
                                   consistent_read=consistent))
    header = next((item for item in items if item["sk"] == models.ORDER_SK), None)
    return assemble(header, items) if header else None


def assemble(header: dict, items: list[dict]) -> dict:
    """The header with what lives beside it: lines, events, signatures, old-part tags (each in
    its order), and the walk-around, which the signed authorization covers."""
    def under(prefix: str, order_by: str) -> list[dict]:
        return sorted((item for item in items if item["sk"].startswith(prefix)),
                      key=lambda item: item[order_by])

    inspection = next((item for item in items if item["sk"] == models.INSPECTION_SK), None)
    lines = under(models.LINE_PREFIX, "created_at")
    # An open order's totals are its lines' (written before prices included the tax, they are
    # worked out again); a closed one's are what the customer paid, as written.
    totals = money.stored(header.get("totals")) if header["state"] in CLOSED \
        else totals_of(lines)
    return {**header, "totals": totals, "lines": lines,
            "events": under(models.EVENT_PREFIX, "at"),
            "signatures": under(models.SIGNATURE_PREFIX, "signed_at"),
            "parts": under(models.PART_PREFIX, "created_at"),
            "messages": under(models.MESSAGE_PREFIX, "created_at"),
            "photos": under(models.PHOTO_PREFIX, "created_at"), "inspection": inspection,
            "payments": under(models.PAYMENT_PREFIX, "at"),
            "invoices": under(models.INVOICE_PREFIX, "seq"),
            "invoice_changes": under(models.INVOICE_CHANGE_PREFIX, "at")}


def balance(order: dict) -> int:
    """What is still to pay: the total less what was paid, refunds taken off (work/payments.py;
    below zero: paid too much)."""
    return int(order["totals"]["total"]) - int((order.get("paid") or {}).get("paid", 0))


def totals_of(lines: list[dict]) -> dict:
    """The order's totals: the lines that count (a declined one does not), tax included."""
    return money.totals(line["amount"] for line in lines if line["state"] != "declined")


def of_lines(lines: list[dict]) -> dict:
    """What the header keeps of its lines, for a write that changed them: the totals, how
    many a technician proposed that still wait for the advisor's price (the board's badge),
    and the parts the car waits for (the board's 待料, the customer's page)."""
    return {"totals": totals_of(lines),
            "found": sum(1 for line in lines if line.get("unpriced")
                         and line["state"] != "declined"),
            "parts_wait": parts_wait(lines)}


WAITING = ("to_order", "ordered")  # a part's status while it is not yet in the shop


def parts_wait(lines: list[dict]) -> dict | None:
    """How many part lines wait to be ordered or to arrive, and the latest day one of them is
    expected (of those with a date); None when none waits."""
    waiting = [line for line in lines if line["kind"] == "part" and line["state"] != "declined"
               and (line.get("supply") or {}).get("status") in WAITING]
    if not waiting:
        return None
    days = [line["supply"]["expected_on"] for line in waiting
            if line["supply"].get("expected_on")]
    return {"lines": len(waiting), **({"expected_on": max(days)} if days else {})}


def is_job(line: dict) -> bool:
    """Work a technician does: labour, or a part the shop fits. A discount or a part the
    customer brought is never a job (fitting it is a labour line of its own)."""
    return line["kind"] == "labour" or (line["kind"] == "part"
                                        and not line.get("customer_supplied"))


def open_jobs(order: dict) -> list[dict]:
    """The jobs not yet finished: approved work, and added work not yet answered."""
    return [line for line in order["lines"] if is_job(line)
            and line["state"] in ("proposed", "approved")]


HIDDEN = {"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "type", "version"}
# What `assemble` puts beside the header: each shown by its own view, or not at all.
BESIDE = ("lines", "events", "signatures", "parts", "messages", "photos", "inspection",
          "payments", "invoices", "invoice_changes")
SHOWN_BESIDE = ("lines", "events", "payments", "invoices", "invoice_changes")


def public(order: dict) -> dict:
    """The header and its lines, events, payments and invoices as the API shows them (no keys,
    no version); what else lives beside the header is shown by its own module's view."""
    clean = {key: value for key, value in order.items()
             if key not in HIDDEN and key not in BESIDE}
    for name in SHOWN_BESIDE:
        clean[name] = [{k: v for k, v in item.items() if k not in HIDDEN}
                       for item in order.get(name, [])]
    return clean


def event_item(caller: Caller, order_id: str, event_id: str, start: str | None, to: str,
               note: str | None, at: str, **extra) -> dict:
    """Who did what to the order, when, from which device (kept under the order for good)."""
    return {**models.Event.key(caller.shop_id, order_id, event_id), "type": "order_event",
            "event_id": event_id, "at": at, "by": caller.stamp(),
            "device_id": caller.device_id, "from": start, "to": to,
            **({"note": note} if note else {}), **extra}


# --- writing ---

def busy() -> Busy:
    """What a write of the order answers when others keep winning (models.retry's 503)."""
    return Busy("工單正被多人同時修改，請再送一次。",
                "Several people are changing this order right now: send it again.")


# An item outside the order's partition that a write uses up, deleted in its transaction only
# while its condition holds (a texted code, by when it was sent).
Consumed = tuple[models.Item, Any]


def save(caller: Caller, order: dict, changes: dict, puts: list[dict] = (),
         deletes: list[dict] = (), unfrozen: list[str] = (),
         as_read: dict[str, int | None] | None = None,
         consumed: list[Consumed] = ()) -> dict:
    """Write the header's changes with the items beside it; `puts`: items of any type, as dicts
    (a versioned one carries the version it was read at, or none when new); `unfrozen`: sort
    keys of items the write may touch only while no signature covers them; `as_read`: sort keys
    of items beside the header that must still be as this write read them (their version, or
    None: not there), for what the header's version does not guard (the walk-around, old-part
    tags); `consumed`: items used up by this write. Raises models.LostRace for models.retry."""
    return write(caller, order, {**changes, "updated_at": clock.now_iso()}, puts=list(puts),
                 deletes=list(deletes), unfrozen=frozenset(unfrozen), as_read=as_read,
                 consumed=consumed)


def write(caller: Caller, order: dict, changes: dict, puts: list[dict],
          expect_state: str | None = None, deletes: list[dict] = (),
          unfrozen: frozenset[str] = frozenset(),
          as_read: dict[str, int | None] | None = None,
          consumed: list[Consumed] = ()) -> dict:
    """The header's changes and the items beside it in one transaction, guarded by the header's
    version so two tablets never overwrite each other's totals (and, with `expect_state`, only
    while the order is still in that state). Returns the order as it now is (the transaction
    succeeded, so no second read is needed to answer)."""
    as_read = as_read or {}
    header = models.Order.from_dict({**models.order_key(caller.shop_id, order["order_id"]),
                                     "version": order["version"]})
    saved = [_saved(item, unfrozen, as_read) for item in puts]
    written = {item["sk"] for item in puts} | {key["sk"] for key in deletes}
    with models.transaction() as writes:
        writes.update(header, actions=[_set(name, value) for name, value in changes.items()],
                      condition=(models.Order.state == expect_state) if expect_state else None)
        for model, condition in saved:
            writes.save(model, condition=condition)
        for key in deletes:
            model = _model_at(key["sk"])
            writes.delete(model.from_dict(key), add_version_condition=False,
                          condition=_guard(model, key["sk"], unfrozen, as_read))
        for sk in [sk for sk in as_read if sk not in written]:
            model = _model_at(sk)
            writes.condition_check(model, header.pk, sk,
                                   condition=_guard(model, sk, unfrozen, as_read))
        for item, condition in consumed:
            writes.delete(item, condition=condition, add_version_condition=False)
    return _applied(order, changes, [model.as_dict() for model, _ in saved], deletes)


def _applied(order: dict, changes: dict, puts: list[dict], deletes: list[dict]) -> dict:
    header = {key: value for key, value in order.items() if key not in BESIDE}
    header.update(changes, version=order["version"] + 1)
    for name in [name for name, value in changes.items() if value is None]:
        header.pop(name, None)  # removed
    items = {item["sk"]: item for item in (*order["lines"], *order["events"], *order["signatures"],
                                           *order["parts"], *order["messages"], *order["photos"],
                                           *order.get("payments", []), *order.get("invoices", []),
                                           *order.get("invoice_changes", []),
                                           order["inspection"]) if item}
    items.update({item["sk"]: item for item in puts})
    for key in deletes:
        items.pop(key["sk"], None)
    return assemble(header, list(items.values()))


# The models of the items in an order's partition, by sort key (its prefix, or all of it).
_BESIDE_MODELS: tuple[tuple[str, type[models.Item]], ...] = (
    (models.LINE_PREFIX, models.Line), (models.EVENT_PREFIX, models.Event),
    (models.SIGNATURE_PREFIX, models.Signature), (models.PART_PREFIX, models.PartTag),
    (models.MESSAGE_PREFIX, models.Message), (models.PHOTO_PREFIX, models.Photo),
    (models.INSPECTION_SK, models.Inspection), (models.LINK_SK, models.ProgressLink),
    (models.FOLLOWUP_SK, models.FollowUp), (models.PAYMENT_PREFIX, models.Payment),
    (models.INVOICE_PREFIX, models.Invoice), (models.INVOICE_CHANGE_PREFIX, models.InvoiceChange))
_ORDER_FIELDS = {attribute.attr_name: attribute
                 for attribute in models.Order.get_attributes().values()}


def _model_at(sk: str) -> type[models.Item]:
    return next(model for start, model in _BESIDE_MODELS
                if sk == start or (start.endswith("#") and sk.startswith(start)))


def _versioned(model: type[models.Item]) -> bool:
    return isinstance(model.get_attributes().get("version"), models.Version)


def _set(name: str, value: object) -> Action:
    """The header's change of one attribute (None removes it)."""
    if name not in _ORDER_FIELDS:
        raise models.UndeclaredAttribute(f"Order does not declare {name}")
    return _ORDER_FIELDS[name].remove() if value is None else _ORDER_FIELDS[name].set(value)


def _guard(model: type[models.Item], sk: str, unfrozen: frozenset[str],
           as_read: dict[str, int | None], version: bool = True) -> Condition | None:
    """What the item at `sk` must still be for `write`: not covered by a signature (`unfrozen`),
    or as read (`as_read`: absent, or at that version, unless `version` is left to PynamoDB)."""
    condition = None
    if sk in unfrozen:
        condition &= models.Line.frozen_by.does_not_exist()
    if sk in as_read and as_read[sk] is None:
        condition &= model.pk.does_not_exist()
    elif sk in as_read and version:
        condition &= model.version == as_read[sk]
    return condition


def _saved(item: dict, unfrozen: frozenset[str],
           as_read: dict[str, int | None]) -> tuple[models.Item, Condition | None]:
    """An item `write` puts, as its model, with its condition."""
    model = models.Item.model_of(item["type"])
    saved = model.from_dict(item)
    if item["sk"] in as_read and _versioned(model):
        saved.version = as_read[item["sk"]]  # PynamoDB checks it and writes the next one
    return saved, _guard(model, item["sk"], unfrozen, as_read, version=not _versioned(model))


# --- a signed document set aside ---

def set_aside(caller: Caller, order: dict, kind: str, event_id: str,
              reason: dict | None = None) -> tuple[dict, list[dict]]:
    """What setting the signed `kind` aside writes (the header's changes, the items), for `save`:
    the signature kept, marked superseded (and why, when the advisor did not choose it), the
    lines it froze freed of it, and the order's event. The advisor revising a document
    (signatures.revise) and an old part changed under a signed checkout list (parts) both write
    it."""
    now = clock.now_iso()
    signature_id = order["signed"][kind]["signature_id"]
    item = next(item for item in order["signatures"] if item["signature_id"] == signature_id)
    superseded = {**item, "superseded_at": now, "superseded_by": caller.stamp(),
                  **({"superseded_reason": reason} if reason else {})}
    lines = [{**line, "frozen_by": [sid for sid in line["frozen_by"] if sid != signature_id]}
             for line in order["lines"] if signature_id in line.get("frozen_by", [])]
    for line in lines:
        if not line["frozen_by"]:
            del line["frozen_by"]
    changes: dict = {"signed": {key: value for key, value in order["signed"].items()
                                if key != kind}}
    if kind == "authorization":
        changes["consented_total"] = 0
    event = event_item(caller, order["order_id"], event_id, order["state"], order["state"], None,
                       now, document={"kind": kind, "version": item["version"],
                                      "signature_id": signature_id, "superseded": True})
    return changes, [superseded, event, *lines]
