"""The delivery walk-around (交車檢查, KPS5220-004v1 P5.1.1): before the car leaves, the advisor
and the customer walk around it with the check-in damage marks and photos beside the car as it
is now, mark anything new, and confirm the valuables were returned. What they find is the
header's `handover`, which the checkout list shows and its signature covers; the list cannot be
signed before it (signatures `handover_unchecked`).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, LongText, ShortText
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import Conflict
from chalicelib.work import orders
from chalicelib.work.order_store import busy, event_item, load, save

DamageKind = Literal["scratch", "dent", "crack", "chip", "rust", "other"]
MAX_NEW_DAMAGE = 30


class NewDamage(Body):
    """A mark on the car's outline found at delivery: where (0–1 across and along), what."""
    mark_id: ClientId
    x: Decimal = Field(ge=0, le=1, max_digits=5, decimal_places=4)
    y: Decimal = Field(ge=0, le=1, max_digits=5, decimal_places=4)
    kind: DamageKind
    note: ShortText | None = None


class Handover(Body):
    client_id: ClientId
    new_damage: list[NewDamage] = Field(default_factory=list, max_length=MAX_NEW_DAMAGE)
    valuables_returned: bool
    note: LongText | None = None


def record(caller: Caller, order_id: str, body: Handover) -> dict:
    require(caller, "documents.sign")  # done with the customer, at the car
    return models.retry(lambda: _record(caller, order_id, body), busy=busy())


def _record(caller: Caller, order_id: str, body: Handover) -> dict:
    order = load(caller.shop_id, order_id)
    if any(event["event_id"] == body.client_id for event in order["events"]):
        return orders.view(order, caller)
    if order["state"] != "ready":
        raise Conflict("交車檢查在待交車時與客戶一起做。",
                       "The delivery walk-around is done with the customer once the car is ready.",
                       code="not_ready")
    if "checkout" in order.get("signed", {}):
        orders.refuse_signed("checkout")
    now = clock.now_iso()
    values = (order.get("inspection") or {}).get("values", {})
    handover = {"new_damage": [mark.model_dump(exclude_none=True) for mark in body.new_damage],
                "valuables_returned": body.valuables_returned,
                "checked_in_damage": sum(1 for name in values if name.startswith("damage.")),
                "by": caller.stamp(), "at": now, **({"note": body.note} if body.note else {})}
    event = event_item(caller, order_id, body.client_id, "ready", "ready", body.note, now,
                       handover={"new_damage": len(body.new_damage),
                                 "valuables_returned": body.valuables_returned})
    return orders.view(save(caller, order, {"handover": handover}, puts=[event]), caller)
