"""The final check before the car is ready (品檢, KPS5220-004v1 P4.1.2–4.1.4): a checklist,
each item passed or failed with a note, recorded by someone other than who did the work (where
the shop has more than one technician).

Passed, it is what `ready` needs (orders.GUARDS `quality_passed`) and the road test the checkout
list shows. Failed, the order goes back to work in the same write, and the jobs of the order
carry the note to the technicians' phones (`rework`) until they finish them again.
"""
from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pydantic import Field

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, LongText
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, Unprocessable
from chalicelib.records.shop_settings import Template
from chalicelib.work import orders
from chalicelib.work.order_store import busy, event_item, is_job, load, write

DATA = Path(__file__).resolve().parent.parent / "catalogue" / "quality_check.json"


class ItemResult(Body):
    ok: bool
    note: LongText | None = None
    km: Decimal | None = Field(default=None, ge=0, le=1000, max_digits=6, decimal_places=1)


class QualityCheck(Body):
    client_id: ClientId
    items: dict[str, ItemResult] = Field(max_length=60)


ROAD_TEST = "road_test"  # the item that takes the distance driven; its code stays when renamed
GROUP = {"group": "quality", "zh": "品檢項目", "en": "Final check"}


@lru_cache(maxsize=1)
def default_template() -> dict:
    return {"items": json.loads(DATA.read_text(encoding="utf-8"))["items"]}


def template(shop_id: str) -> dict:
    """The shop's checklist, or the shipped one until the shop edits it (one GetItem)."""
    stored = models.QualityTemplate.read(models.QualityTemplate.key(shop_id))
    if not stored:
        return default_template()
    return {"items": [{**item, **({"kind": ROAD_TEST} if item["item_id"] == ROAD_TEST else {})}
                      for item in stored["items"]]}


def get_template(caller: Caller) -> dict:
    require(caller, "orders.read")
    return template(caller.shop_id)


def replace_template(caller: Caller, body: Template) -> dict:
    """The shop's own list (settings, owners and managers), in the walk-around template's shape;
    a final check already recorded keeps the names it was recorded with."""
    require(caller, "settings.manage")
    items = [{"item_id": item.item_id, "zh": item.zh, "en": item.en} for item in body.items]
    models.QualityTemplate.from_dict({**models.QualityTemplate.key(caller.shop_id),
                                      "shop_id": caller.shop_id, "items": items,
                                      "updated_at": clock.now_iso(),
                                      "updated_by": caller.stamp()}).save()
    return template(caller.shop_id)


def record(caller: Caller, order_id: str, body: QualityCheck) -> dict:
    return models.retry(lambda: _record(caller, order_id, body), busy=busy())


def _record(caller: Caller, order_id: str, body: QualityCheck) -> dict:
    order = load(caller.shop_id, order_id)
    if any(event["event_id"] == body.client_id for event in order["events"]):
        return orders.view(order, caller)  # the same check sent again
    if order["state"] != "quality_check":
        raise Conflict("工單要在品檢中才能記錄品檢結果。",
                       "The order is not at the quality check.", code="not_in_quality_check")
    checklist = template(caller.shop_id)["items"]
    items = _checked(body, checklist)
    _refuse_own_work(caller, order)
    now = clock.now_iso()
    passed = all(item["ok"] for item in items)
    result = {"passed": passed, "items": items, "by": caller.stamp(), "at": now}
    failed = [item for item in items if not item["ok"]]
    note = "；".join(f"{item['zh']}：{item['note']}" for item in failed)
    changes: dict = {"quality": result, "updated_at": now}
    puts = []
    road = next((item for item in items if item["item_id"] == ROAD_TEST), None)
    if passed and road:
        changes["road_test"] = {"done": True, "note": _road_note(road)}
    if passed:
        event = event_item(caller, order_id, body.client_id, "quality_check", "quality_check",
                           None, now, quality={"passed": True})
    else:  # back to work, with what to put right
        changes.update(state="in_progress", **models.board_index(
            caller.shop_id, order["created_at"], order_id, None))
        event = event_item(caller, order_id, body.client_id, "quality_check", "in_progress",
                           f"品檢未通過：{note}", now,
                           quality={"passed": False,
                                    "failed": [item["item_id"] for item in failed]})
        rework = {"note": note, "at": now, "by": caller.stamp()}
        puts = [{**line, "rework": rework, "updated_at": now} for line in order["lines"]
                if is_job(line) and line.get("technician_id") and line["state"] != "declined"]
    return orders.view(write(caller, order, changes, puts=[event, *puts],
                             expect_state="quality_check"), caller)


def _checked(body: QualityCheck, checklist: list[dict]) -> list[dict]:
    """Every item of the checklist answered, a failed one with its note, the road test with
    the distance driven; in the checklist's order, each with the name it was checked under."""
    names = {item["item_id"]: {"zh": item["zh"], "en": item["en"]} for item in checklist}
    unknown = sorted(set(body.items) - set(names))
    missing = [item_id for item_id in names if item_id not in body.items]
    if unknown:
        raise Unprocessable(f"沒有這些品檢項目：{'、'.join(unknown)}。",
                            f"Not items of the checklist: {', '.join(unknown)}.")
    if missing:
        listed = "、".join(names[item_id]["zh"] for item_id in missing)
        raise Unprocessable(f"還有品檢項目沒有檢查：{listed}。",
                            f"Items not checked yet: {', '.join(missing)}.",
                            code="quality_incomplete")
    checked = []
    for item_id, name in names.items():
        answer = body.items[item_id]
        if not answer.ok and not answer.note:
            raise Unprocessable(f"「{name['zh']}」未通過，請寫下要處理什麼。",
                                f"{item_id} failed: say what must be put right.",
                                code="quality_incomplete")
        if item_id == ROAD_TEST and answer.ok and answer.km is None:
            raise Unprocessable("路試請填寫試車里程。", "The road test needs the distance driven.",
                                code="quality_incomplete")
        checked.append({"item_id": item_id, "ok": answer.ok, **name,
                        **({"note": answer.note} if answer.note else {}),
                        **({"km": answer.km} if answer.km is not None else {})})
    return checked


def _refuse_own_work(caller: Caller, order: dict) -> None:
    """A second pair of eyes: the technician who did the work does not check it, unless they
    are the shop's only technician."""
    worked = {line.get("technician_id") for line in order["lines"]}
    worked |= {staff for line in order["lines"]
               for staff in ((line.get("clock") or {}).get("by_staff") or {})}
    if caller.staff_id not in worked:
        return
    technicians = [member for member in models.Staff.items(
        models.shop_pk(caller.shop_id), models.Staff.sk.startswith(models.STAFF_PREFIX))
        if member["role"] == "technician" and member.get("active", True)]
    if len(technicians) > 1:
        raise Conflict("品檢要由沒做這張工單的另一位同仁來做。",
                       "Someone who did not work on this order does the quality check.",
                       code="own_work")


def _road_note(road: dict) -> str:
    distance = f"試車 {road['km']} km"
    return f"{distance}：{road['note']}" if road.get("note") else distance
