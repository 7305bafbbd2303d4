"""Reminders after the car leaves: the next service, tyres and brakes the customer declined,
and the vehicle's inspection and insurance dates.

A delivered order schedules its vehicle's reminders, and a vehicle's changed inspection or
insurance date its own (both reactions to the table's stream, chalicelib/changes.py): one item
per (vehicle, kind) under the vehicle, `REMINDER#service` and so on, with the day it is due and
the day to send it, listed on gsi2 under `REMINDERS_PENDING#<shard of the shop>` by that day.
A later delivery replaces them, so a car serviced again is never reminded of the old service. The
daily job's piece for the shard (chalicelib/after/daily.py) sends the reminders whose day has
come through the customer's channel (chalicelib/outward/notify: quiet hours hold them until
morning), at most one per customer in the shop's `reminder_gap_days`, never to a customer who
opted out (個資法 §20): every reminder ends with a link that stops them in one tap (`/o/<token>`,
chalicelib/outward/opt_out.py).

That link needs no sign-in, so what one can do with it is bounded: taps and page views per client
and minute (links.take_turn), and the customer item keeps only the last few changes (who stopped
or resumed reminders, when, and how), so no number of taps can grow it towards DynamoDB's 400 KB.

The next service follows the shop's maintenance schedule when the order had a service menu
(a line with `menu`): the next menu of the car's make (and model) by mileage, else the shop's
generic menus (records/catalogue.py `next_menu`), due at its mileage or after its months,
whichever the car reaches first. Without a menu (or past the schedule's last one), which lines
are a service is read from their words (保養, 機油, oil…): a shop's lines are free text, and a
service always says so; the next one is then the shop's `service_months` / `service_km` on.
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Iterator, Literal

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import size

from chalicelib import models
from chalicelib.api import Body, Caller, parse
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import NotFound
from chalicelib.outward import links, notify, opt_out
from chalicelib.records import catalogue, customers, shop_settings, shops, vehicles
from chalicelib.work import history, inspections, order_store

KINDS = ("service", "tyres", "brakes", "inspection", "insurance")
SERVICE_WORDS = re.compile(r"保養|機油|oil|service", re.IGNORECASE)
TYRE_WORDS = re.compile(r"輪胎|胎|tyre|tire", re.IGNORECASE)
BRAKE_WORDS = re.compile(r"煞車|來令|碟盤|剎車|brake|pad", re.IGNORECASE)
FLAGGED = ("red", "yellow")
DEFAULT_KM_PER_DAY = 30  # about 11,000 km a year, a Taiwanese car's usual
REMIND_DAYS_BEFORE = {"service": 7, "inspection": 14, "insurance": 14}
# A red tyre or pad the customer declined is worth a call soon; a yellow one in a few months.
DECLINED_AFTER_DAYS = {"red": 14, "yellow": 90}
# Work the customer declined (a line, not a finding) is worth a call three weeks on.
DECLINED_WORK_AFTER_DAYS = 21
DATES = ("inspection_due_on", "insurance_due_on")  # the vehicle's own, as the shop records them
NAMES = {"service": ("定期保養", "Service"), "tyres": ("輪胎", "Tyres"),
         "brakes": ("煞車來令片", "Brake pads"), "inspection": ("定期檢驗", "Vehicle inspection"),
         "insurance": ("強制險到期", "Compulsory insurance"),
         "declined": ("未做項目", "Declined work")}
OPT_OUT_PER_MINUTE = 10  # opt-out page views and taps per client (a person needs two or three)
HISTORY_KEPT = 5  # the last changes of the opt-out kept on the customer


# --- scheduling ---

def _plain(image: dict) -> dict:
    """A stream record's image (DynamoDB's typed JSON) as the plain dict its model reads."""
    return models.Item.from_image(image).as_dict() if image else {}


def on_order_change(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to an order (chalicelib/changes.py): an order just delivered
    schedules its vehicle's reminders."""
    order, before = _plain(new_image), _plain(old_image)
    if event_name == "REMOVE" or order.get("state") != "delivered" \
            or before.get("state") == "delivered":
        return
    schedule_after_delivery(order_store.load(order["shop_id"], order["order_id"]))


def update_vehicle(caller: Caller, vehicle_id: str, body: vehicles.VehicleChange) -> dict:
    """A vehicle changed at the desk (the one writer of its inspection and insurance dates): a
    date set, moved or cleared schedules or drops its reminder before the answer, so the screen
    that saved it shows the reminder."""
    vehicle = vehicles.update_vehicle(caller, vehicle_id, body)
    if body.model_fields_set & set(DATES):
        schedule_dates(caller.shop_id, vehicle)
    return vehicle


def _words(line: dict) -> str:
    return f"{line.get('description', '')} {line.get('part_number', '')}"


def _pace(shop_id: str, vehicle_id: str) -> tuple[int | None, Decimal]:
    """The last mileage read and the km a day, from the vehicle's readings: the distance over
    the days between the first and the last (at least 30 days apart), else the usual pace."""
    readings = list(models.Item.items(models.vehicle_pk(shop_id, vehicle_id),
                                      models.Item.sk.startswith(models.MILEAGE_PREFIX)))
    if not readings:
        return None, Decimal(DEFAULT_KM_PER_DAY)
    first, last = readings[0], readings[-1]
    days = (clock.parse_iso(last["at"]) - clock.parse_iso(first["at"])).days
    km = int(last["km"]) - int(first["km"])
    pace = Decimal(km) / days if days >= 30 and km > 0 else Decimal(DEFAULT_KM_PER_DAY)
    return int(last["km"]), pace


def service_due(delivered_on: date, mileage_km: int | None, km_per_day: Decimal,
                months: int, interval_km: int) -> tuple[date, int | None]:
    """When the next service is due: after `months`, or after `interval_km` at the car's pace,
    whichever comes first; and at what mileage."""
    by_date = _add_months(delivered_on, months)
    if mileage_km is None or km_per_day <= 0:
        return by_date, None
    by_km = delivered_on + timedelta(days=int(interval_km / km_per_day))
    return min(by_date, by_km), mileage_km + interval_km


def _next_menu(order: dict, served: dict, mileage: int | None) -> tuple[int, int, dict] | None:
    """The next menu of the car's schedule after the one served: (months, km to it, detail);
    None when the shop has no schedule for the car, its mileage is unknown, or it is past the
    last menu. Its months count from this service (the served menu's when it names none)."""
    vehicle = order.get("vehicle") or {}
    if mileage is None:
        return None
    upcoming = catalogue.next_menu(order["shop_id"], vehicle.get("make"), vehicle.get("model"),
                                   mileage)
    months = (upcoming or {}).get("months") or served.get("months")
    if not upcoming or not months:
        return None
    return int(months), int(upcoming["mileage_km"]) - mileage, {
        "menu_id": upcoming["menu_id"], "menu_name": upcoming["name"]}


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _declined_findings(order: dict) -> dict[str, dict]:
    """Tyres and brakes the walk-around flagged that no approved line fixed: {kind: worst}."""
    values = (order.get("inspection") or {}).get("values") or {}
    if not values:
        return {}
    found = inspections.findings(values, shop_settings.thresholds(order["shop_id"]))
    fixed = " ".join(_words(line) for line in order["lines"]
                     if line.get("state") in ("approved", "done"))
    flagged = {
        "tyres": [f["colour"] for f in found["tyres"].values() if f["colour"] in FLAGGED]
        + ["red" for f in found["tyres"].values() if f.get("dot_old")],
        "brakes": [f["colour"] for f in found["brakes"].values() if f["colour"] in FLAGGED],
    }
    words = {"tyres": TYRE_WORDS, "brakes": BRAKE_WORDS}
    return {kind: {"colour": "red" if "red" in colours else "yellow"}
            for kind, colours in flagged.items() if colours and not words[kind].search(fixed)}


def schedule_after_delivery(order: dict) -> list[dict]:
    """The reminders a delivered order leaves for its vehicle (each written once per order: a
    redelivered stream record changes nothing)."""
    shop_id, vehicle = order["shop_id"], order.get("vehicle") or {}
    customer_id = (order.get("customer") or {}).get("customer_id")
    if customer_id:  # the delivered order's page offers the opt-out link from now on
        opt_out.keep_link(shop_id, customer_id)
    vehicle_id = vehicle.get("vehicle_id")
    if not vehicle_id:
        return []
    settings = shop_settings.thresholds(shop_id)
    delivered_on = date.fromisoformat(clock.local_date(order.get("updated_at")))
    written = []
    counted = [line for line in order["lines"] if line.get("state") in ("approved", "done")]
    served = next((line["menu"] for line in counted if line.get("menu")), None)
    if served or any(SERVICE_WORDS.search(_words(line)) for line in counted):
        last_km, pace = _pace(shop_id, vehicle_id)
        mileage = order.get("mileage_km", last_km)
        if mileage is None and served and served.get("mileage_km"):
            mileage = served["mileage_km"]  # the menu done says where the car was
        mileage = int(mileage) if mileage is not None else None
        due = _next_menu(order, served, mileage) if served else None
        if due:
            months, interval_km, detail = due
        else:
            months, interval_km, detail = (int(settings["service_months"]),
                                           int(settings["service_km"]), {})
        due_on, due_km = service_due(delivered_on, mileage, pace, months, interval_km)
        written.append(_schedule(order, "service", due_on,
                                 due_on - timedelta(days=REMIND_DAYS_BEFORE["service"]),
                                 {"due_km": due_km, "last_service_on": delivered_on.isoformat(),
                                  **detail}))
    findings = _declined_findings(order)
    for kind, finding in findings.items():
        send_on = delivered_on + timedelta(days=DECLINED_AFTER_DAYS[finding["colour"]])
        written.append(_schedule(order, kind, send_on, send_on, finding))
    for kind in ("tyres", "brakes"):
        if kind not in findings:  # fixed (or fine) this time: no longer worth a call
            _unlist(shop_id, vehicle_id, kind, order["order_id"])
    written.append(_schedule_declined(order, delivered_on))
    return [item for item in written if item]


def _unlist(shop_id: str, vehicle_id: str, kind: str, order_id: str) -> None:
    """Off the invitation list: an earlier order's reminder this delivery settled."""
    Reminder = models.Reminder
    try:
        with models.refusals():
            Reminder.from_dict(Reminder.key(shop_id, vehicle_id, kind)).update(
                actions=[Reminder.gsi1pk.remove(), Reminder.gsi1sk.remove()],
                condition=Reminder.pk.exists() & (Reminder.source != order_id))
    except models.Refused:
        pass  # none, or this order's own


def _schedule_declined(order: dict, delivered_on: date) -> dict | None:
    """The declined work still open after this delivery (as work/history.py says it: declined,
    and no later visit did it), as one `declined` reminder for the invitation list, due
    DECLINED_WORK_AFTER_DAYS after the newest of it was declined; never sent by the daily job.
    None left open: the item goes."""
    shop_id, vehicle_id = order["shop_id"], order["vehicle"]["vehicle_id"]
    Reminder = models.Reminder
    key = Reminder.key(shop_id, vehicle_id, "declined")
    stored = Reminder.read(key, consistent=True) or {}
    if stored.get("source") == order["order_id"]:
        return None  # this delivery's record handed over again
    earlier: dict[str, dict] = {}
    for line in (stored.get("detail") or {}).get("lines", []):
        visit = earlier.setdefault(line["order_id"], {
            "order_id": line["order_id"], "number": line["number"], "date": line["date"],
            "lines": []})
        visit["lines"].append({**line, "state": "declined"})
    this_visit = {"order_id": order["order_id"], "number": order.get("number"),
                  "date": delivered_on.isoformat(),
                  "lines": sorted(order["lines"], key=lambda line: line.get("created_at", ""))}
    still = history.declined_open(sorted(earlier.values(), key=lambda visit: visit["date"])
                                  + [this_visit])
    return write_declined(shop_id, vehicle_id, (order.get("customer") or {}).get("customer_id"),
                          order["order_id"], still, bool(stored))


def write_declined(shop_id: str, vehicle_id: str, customer_id: str | None, order_id: str,
                   still: list[dict], stored: bool = True) -> dict | None:
    """The car's `declined` reminder as `still` says (history.declined_open's lines): written,
    or gone when nothing is left open."""
    Reminder = models.Reminder
    key = Reminder.key(shop_id, vehicle_id, "declined")
    if not still:
        if stored:
            Reminder.from_dict(key).delete()
        return None
    lines = [{name: line[name] for name in ("order_id", "number", "date", "line_id",
                                             "description", "amount")} for line in still]
    due_on = date.fromisoformat(max(line["date"] for line in still)) \
        + timedelta(days=DECLINED_WORK_AFTER_DAYS)
    item = {**key, "type": "reminder", "shop_id": shop_id, "vehicle_id": vehicle_id,
            "kind": "declined", "customer_id": customer_id, "order_id": order_id,
            "source": order_id, "status": "listed",
            "due_on": due_on.isoformat(), "send_on": due_on.isoformat(),
            "detail": {"lines": lines}, "created_at": clock.now_iso(),
            **models.invite_index(shop_id, due_on.isoformat(), vehicle_id, "declined")}
    Reminder.from_dict(item).save()
    return item


def _schedule(order: dict, kind: str, due_on: date, send_on: date, detail: dict,
              source: str | None = None) -> dict | None:
    shop_id, vehicle = order["shop_id"], order["vehicle"]
    source = source or order["order_id"]
    send_on = max(send_on, date.fromisoformat(clock.local_date()) + timedelta(days=1))
    item = {
        **models.Reminder.key(shop_id, vehicle["vehicle_id"], kind), "type": "reminder",
        "shop_id": shop_id, "vehicle_id": vehicle["vehicle_id"], "kind": kind,
        "customer_id": (order.get("customer") or {}).get("customer_id"),
        "order_id": order.get("order_id"), "source": source, "status": "pending",
        "due_on": due_on.isoformat(), "send_on": send_on.isoformat(),
        "detail": {name: value for name, value in detail.items() if value is not None},
        "created_at": clock.now_iso(),
        **models.reminder_pending_index(send_on.isoformat(), shop_id, vehicle["vehicle_id"], kind),
        **models.invite_index(shop_id, due_on.isoformat(), vehicle["vehicle_id"], kind)}
    Reminder = models.Reminder
    try:
        with models.refusals():  # a new one, or one another order (or date) scheduled
            Reminder.from_dict(item).save(
                condition=Reminder.pk.does_not_exist() | (Reminder.source != source))
    except models.Refused:
        return None  # this order (or date) scheduled it already
    if item["customer_id"]:
        opt_out.keep_link(shop_id, item["customer_id"])
    return item


def schedule_dates(shop_id: str, vehicle: dict) -> None:
    """The vehicle's inspection and insurance dates, as the shop recorded them: each reminded
    two weeks before, to the vehicle's owner, about their latest order."""
    latest = None
    for kind in ("inspection", "insurance"):
        due = vehicle.get(f"{kind}_due_on")
        key = models.Reminder.key(shop_id, vehicle["vehicle_id"], kind)
        if not due:
            models.Reminder.from_dict(key).delete()
            continue
        if latest is None:  # the vehicle's latest order, read once for both dates
            index = models.vehicle_orders_index(shop_id, vehicle["vehicle_id"], "")
            latest = list(models.Item.lookup.query(
                index["gsi1pk"], models.Item.gsi1sk.startswith(index["gsi1sk"]),
                scan_index_forward=False, limit=1))
        due_on = date.fromisoformat(due)
        order = {"shop_id": shop_id, "order_id": latest[0].order_id if latest else None,
                 "vehicle": vehicle, "customer": {"customer_id": vehicle.get("customer_id")}}
        _schedule(order, kind, due_on, due_on - timedelta(days=REMIND_DAYS_BEFORE[kind]), {},
                  source=f"date:{due}")


# --- sending (the daily job) ---

def pending(today: str, shard: int) -> Iterator[tuple[str, models.Reminder]]:
    """The reminders of the shard's shops whose day has come, with their shop: the daily job's
    piece for the shard sends each (send_one). The list drains as they are claimed."""
    for item in models.Item.lists.query(models.reminders_pending_pk(shard),
                                        models.Item.gsi2sk <= f"{today}#~"):
        yield item.shop_id, item


def send_one(item: models.Reminder, today: str) -> dict:
    """Send (or, in quiet hours, queue) one reminder whose day has come. It is claimed first,
    so two runs never both send it."""
    Reminder = models.Reminder
    claimed = Reminder.from_dict(Reminder.key(item.shop_id, item.vehicle_id, item.kind))
    try:
        with models.refusals():
            claimed.update(actions=[Reminder.status.set("sending"), Reminder.gsi2pk.remove(),
                                    Reminder.gsi2sk.remove()],
                           condition=(Reminder.status == "pending")
                           & (Reminder.send_on == item.send_on))
    except models.Refused:
        return {}  # another run took it, or a new delivery replaced it
    return {_send(claimed.as_dict(), today): 1}


def _send(reminder: dict, today: str) -> str:
    Reminder = models.Reminder
    shop_id = reminder["shop_id"]
    stored = Reminder.from_dict(Reminder.key(shop_id, reminder["vehicle_id"], reminder["kind"]))
    customer = customers.get_customer(shop_id, reminder.get("customer_id") or "")
    if customer is None or customer.get("erased_at") or not reminder.get("order_id"):
        return _close(stored, "unreachable", "the customer or their order is gone")
    if customer.get("reminders_opt_out"):
        return _close(stored, "opted_out", "the customer opted out of reminders")
    if not customers.wants_marketing(customer):
        return _close(stored, "no_consent", "the customer did not agree to reminders")
    gap = int(shop_settings.thresholds(shop_id)["reminder_gap_days"])
    last = customer.get("last_reminder_on")
    if last and date.fromisoformat(today) < date.fromisoformat(last) + timedelta(days=gap):
        later = (date.fromisoformat(last) + timedelta(days=gap)).isoformat()
        listed = models.reminder_pending_index(later, shop_id, reminder["vehicle_id"],
                                               reminder["kind"])
        stored.update(actions=[Reminder.status.set("pending"), Reminder.send_on.set(later),
                               Reminder.gsi2pk.set(listed["gsi2pk"]),
                               Reminder.gsi2sk.set(listed["gsi2sk"])])
        return "postponed"
    order = models.Order.read(models.order_key(shop_id, reminder["order_id"]))
    if order is None:
        return _close(stored, "unreachable", "the order is gone")
    step = f"reminder:{reminder['kind']}:{reminder['due_on']}"
    notify.send_text(order, step, text(reminder, order, customer))
    stored.update(actions=[Reminder.status.set("sent"), Reminder.sent_at.set(clock.now_iso())])
    models.Customer.from_dict(models.customer_key(shop_id, customer["customer_id"])).update(
        actions=[models.Customer.last_reminder_on.set(today)])
    return "sent"


def _close(reminder: models.Reminder, status: str, why: str) -> str:
    reminder.update(actions=[models.Reminder.status.set(status),
                             models.Reminder.skipped.set(why)])
    return status


def text(reminder: dict, order: dict, customer: dict) -> str:
    """The reminder in zh-TW, the shop's phone to book, and the one-tap opt-out link."""
    shop = shops.get_shop(order["shop_id"]) or {}
    plate = vehicles.mask_plate((order.get("vehicle") or {}).get("plate", ""))
    due = date.fromisoformat(reminder["due_on"])
    when = f"{due.year}/{due.month}/{due.day}"
    detail = reminder.get("detail") or {}
    kind = reminder["kind"]
    if kind == "service":
        km = f"或里程 {int(detail['due_km']):,} 公里" if detail.get("due_km") else ""
        what = detail.get("menu_name") or "下次保養"
        body = f"您的 {plate} 建議在 {when} 前{km}進行{what}。"
    elif kind in ("tyres", "brakes"):
        what = NAMES[kind][0]
        body = (f"您的 {plate} 上次檢查時{what}已{'需要更換' if detail.get('colour') == 'red' else '接近更換'}，"
                "為了行車安全，建議回廠檢查。")
    else:
        body = f"您的 {plate} {NAMES[kind][0]}日期是 {when}，別忘了喔。"
    phone = f"預約請電 {shop['phone']}。" if shop.get("phone") else ""
    return (f"【{shop.get('name', '')}】{body}{phone}"
            f"\n不想再收到提醒：{opt_out.url(order['shop_id'], customer['customer_id'])}")


# --- opting out (個資法 §20) ---

def set_opt_out(shop_id: str, customer_id: str, out: bool, via: str) -> dict:
    """Stop (or resume) the customer's reminders; the change is kept with when and how, with the
    HISTORY_KEPT changes before it."""
    Customer = models.Customer
    now = clock.now_iso()
    key = models.customer_key(shop_id, customer_id)
    record = {"at": now, "via": via, "out": out}

    def change() -> list:
        """The customer as changed: the history as it is now, with this change at its end."""
        customer = Customer.from_dict(key)
        customer.update(actions=[
            Customer.reminders_opt_out.set({"at": now, "via": via}) if out
            else Customer.reminders_opt_out.remove(),
            Customer.opt_out_history.set((Customer.opt_out_history | []).append([record]))],
            condition=Customer.pk.exists())
        return customer.opt_out_history

    try:
        with models.refusals():
            try:
                history = change()
            except UpdateError as err:
                if not _too_large(err):
                    raise
                # An item that grew before its history was bounded: cut it, then add the change.
                stored = Customer.read(key, consistent=True) or {}
                _trim(key, stored.get("opt_out_history", []))
                history = change()
    except models.Refused:
        raise NotFound("找不到這位客戶。", "No such customer.") from None
    _trim(key, history)
    return {"reminders": "off" if out else "on", "at": now}


def _trim(key: dict, history: list) -> None:
    """Keep the last HISTORY_KEPT changes of `history`, the list as this request left it; only
    while the list is still that long, so when other changes land meanwhile the last of them
    trims. The oldest entries are removed by position: whatever landed, they are the oldest."""
    Customer = models.Customer
    extra = len(history) - HISTORY_KEPT
    if extra <= 0:
        return
    if extra <= 50:
        actions = [Customer.opt_out_history[n].remove() for n in range(extra)]
    else:
        # A list grown before it was bounded, too long to name in an expression (4 KB): set to
        # its last entries, safe as no change meanwhile can bring it back to this length.
        actions = [Customer.opt_out_history.set(history[-HISTORY_KEPT:])]
    try:
        with models.refusals():
            Customer.from_dict(key).update(
                actions=actions, condition=size(Customer.opt_out_history) == len(history))
    except models.Refused:
        pass  # other changes landed meanwhile: the last of them trims


def _too_large(err: Exception) -> bool:
    """DynamoDB refused the write because the item would pass 400 KB."""
    return (getattr(err, "cause_response_code", None) == "ValidationException"
            and "exceeded the maximum allowed size" in (
                getattr(err, "cause_response_message", None) or ""))


class Switch(Body):
    reminders: Literal["on", "off"]


def customer_switch(caller: Caller, customer_id: str, body: Switch) -> dict:
    """The front desk stops (or resumes) a customer's reminders when they ask in person or on
    the phone."""
    require(caller, "customers.write")
    if customers.get_customer(caller.shop_id, customer_id) is None:
        raise NotFound("找不到這位客戶。", "No such customer.")
    return set_opt_out(caller.shop_id, customer_id, body.reminders == "off",
                       f"staff:{caller.staff_id}")


def link_switch(token: str, raw: bytes | None, ip: str | None) -> dict:
    """The customer's own tap on the link in a reminder (links.Throttled past the client's
    limit this minute)."""
    links.take_turn(ip, "opt_out", OPT_OUT_PER_MINUTE)
    item = opt_out.resolve(token)
    body = parse(Switch, raw)
    return set_opt_out(item["shop_id"], item["customer_id"], body.reminders == "off", "link")


def link_page(token: str, ip: str | None) -> str:
    """The opt-out page's shop name (NotFound for a token that is not one; links.Throttled past
    the client's limit this minute)."""
    links.take_turn(ip, "opt_out", OPT_OUT_PER_MINUTE)
    item = opt_out.resolve(token)
    return (shops.get_shop(item["shop_id"]) or {}).get("name", "")
