"""Two records of one customer made one (owner, manager): POST /api/customers/{id}/merge.

The other customer's vehicles, orders (their customer reference and the customer's order marks,
so the messages under each order follow), bookings, reminders, browsers' push subscriptions and
consents move onto the kept one; the other stays as a tombstone naming the kept one
(`merged_into`), so its old links resolve, and leaves the phone index (its number is free).

Safe to retry and against a parallel change, by conditional writes in three steps:
1. the other is marked `merging_into` the kept one, in a transaction that checks the kept one is
   not itself being merged (two tablets merging A into B and B into A: one wins, 409 for the
   other); from then on the other cannot be changed (records.customers refuses it);
2. each moved item is written only if it still names the other customer (a retry skips what
   moved already);
3. the consents are joined on the kept one over the version read (a parallel change of it is
   read again), then the other becomes the tombstone.
"""
from __future__ import annotations

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.errors import Conflict, NotFound, Unprocessable
from chalicelib.after import portability
from chalicelib.records import customers, vehicles


class Merge(Body):
    from_customer_id: ClientId


def merge(caller: Caller, customer_id: str, body: Merge) -> dict:
    """The kept customer's page, with the other's records moved onto it."""
    require(caller, "customers.merge")
    other_id = body.from_customer_id
    if other_id == customer_id:
        raise Unprocessable("不能把客戶合併到自己。", "from_customer_id: that is this customer.",
                            code="same_customer")
    kept, other = _read(caller, customer_id), _read(caller, other_id)
    if other.get("merged_into") == customer_id:
        return customers.customer_page(caller, customer_id)  # done already: a retry
    for customer in (kept, other):
        if customer.get("erased_at"):
            raise Conflict(f"客戶「{customer['name']}」的個資已刪除，不能合併。",
                           f"The customer {customer['name']} was erased: no merge.",
                           code="customer_erased")
        if customer.get("merged_into") or customer.get("merging_into") not in (None, customer_id):
            raise _busy()
    if kept.get("merging_into"):
        raise _busy()
    _mark(caller.shop_id, customer_id, other_id)
    moved = _move(caller, kept, other)
    models.retry(lambda: _join(caller.shop_id, customer_id, other))
    _bury(caller, customer_id, other)
    portability.audit(caller, "customer_merge", customer_id=customer_id,
                      merged_customer_id=other_id, counts=moved)
    return customers.customer_page(caller, customer_id)


def _read(caller: Caller, customer_id: str) -> dict:
    customer = models.Customer.read(models.customer_key(caller.shop_id, customer_id),
                                    consistent=True)
    if customer is None:
        raise NotFound("找不到這位客戶。", "No such customer.")
    return customer


def _busy() -> Conflict:
    return Conflict("其中一位客戶已經或正在合併到別的客戶，請重新整理。",
                    "One of these customers is (being) merged into another: reload.",
                    code="merge_conflict")


def _mark(shop_id: str, customer_id: str, other_id: str) -> None:
    row = models.Customer
    try:
        with models.transaction() as writes:
            writes.update(row.from_dict(models.customer_key(shop_id, other_id)),
                          actions=[row.merging_into.set(customer_id)],
                          condition=row.pk.exists() & row.merged_into.does_not_exist()
                          & row.erased_at.does_not_exist()
                          & (row.merging_into.does_not_exist()
                             | (row.merging_into == customer_id)))
            writes.condition_check(row, models.customer_key(shop_id, customer_id)["pk"],
                                   "CUSTOMER", condition=row.merging_into.does_not_exist()
                                   & row.merged_into.does_not_exist()
                                   & row.erased_at.does_not_exist())
    except models.LostRace:
        raise _busy() from None


def _move(caller: Caller, kept: dict, other: dict) -> dict:
    shop_id, kept_id, other_id = caller.shop_id, kept["customer_id"], other["customer_id"]
    counts = {"vehicles": 0, "orders": 0, "appointments": 0, "reminders": 0}
    for vehicle in vehicles.vehicles_of(shop_id, other_id):
        counts["vehicles"] += _move_vehicle(shop_id, vehicle, kept)
    for vehicle in vehicles.vehicles_of(shop_id, kept_id):
        counts["reminders"] += _move_reminders(shop_id, vehicle["vehicle_id"], kept_id, other_id)
    for mark in list(models.CustomerOrder.query(
            models.customer_key(shop_id, other_id)["pk"],
            models.Item.sk.startswith(models.CUSTOMER_ORDER_PREFIX))):
        counts["orders"] += _move_order(shop_id, mark, kept_id)
    for appointment in list(models.Appointment.lookup.query(
            models.customer_appointments_pk(shop_id, other_id))):
        counts["appointments"] += _move_appointment(shop_id, appointment.as_dict(), kept)
    for item in list(models.Item.query(models.customer_key(shop_id, other_id)["pk"],
                                       models.Item.sk.startswith(models.PUSH_PREFIX))):
        pushed = item.as_dict()
        models.PushSubscription.from_dict({
            **pushed, "pk": models.customer_key(shop_id, kept_id)["pk"],
            "customer_id": kept_id}).save()
        item.delete()
    return counts


def _move_vehicle(shop_id: str, vehicle: dict, kept: dict) -> int:
    row = models.Vehicle
    listed = models.customer_vehicles_index(shop_id, kept["customer_id"], vehicle["plate"],
                                            vehicle["vehicle_id"])
    try:
        with models.refusals():
            row.from_dict(models.vehicle_key(shop_id, vehicle["vehicle_id"])).update(
                actions=[row.customer_id.set(kept["customer_id"]),
                         row.customer_name.set(kept["name"]), row.gsi2pk.set(listed["gsi2pk"]),
                         row.gsi2sk.set(listed["gsi2sk"]), row.updated_at.set(clock.now_iso())],
                condition=row.customer_id == vehicle["customer_id"])
    except models.Refused:
        return 0  # moved by a retry meanwhile, or sold to someone else
    return 1


def _move_reminders(shop_id: str, vehicle_id: str, kept_id: str, other_id: str) -> int:
    row, moved = models.Reminder, 0
    for reminder in list(row.query(models.vehicle_pk(shop_id, vehicle_id),
                                   row.sk.startswith(models.REMINDER_PREFIX))):
        if reminder.customer_id != other_id:
            continue
        try:
            with models.refusals():
                reminder.update(actions=[row.customer_id.set(kept_id)],
                                condition=row.customer_id == other_id)
            moved += 1
        except models.Refused:
            pass  # replaced by a new delivery meanwhile: it names the owner as it is now
    return moved


def _move_order(shop_id: str, mark: models.CustomerOrder, kept_id: str) -> int:
    """The order's header names the kept customer (over its version, read again when it
    changed meanwhile), then its mark moves to the kept customer's partition."""
    order_id = mark.order_id

    def rename() -> None:
        header = models.Order.read(models.order_key(shop_id, order_id), consistent=True)
        if header is None or header["customer"].get("customer_id") == kept_id:
            return
        stored = models.Order.from_dict(header)
        with models.refusals():
            stored.update(actions=[models.Order.customer["customer_id"].set(kept_id)])

    models.retry(rename)
    models.CustomerOrder.from_dict({
        **models.CustomerOrder.key(shop_id, kept_id, mark.created_at, order_id),
        "shop_id": shop_id, "customer_id": kept_id, "order_id": order_id,
        "created_at": mark.created_at}).save()
    mark.delete()
    return 1


def _move_appointment(shop_id: str, appointment: dict, kept: dict) -> int:
    row = models.Appointment
    listed = models.customer_appointments_index(shop_id, kept["customer_id"],
                                                appointment["appointment_id"])
    try:
        with models.refusals():
            row.from_dict(row.key(shop_id, appointment["appointment_id"])).update(
                actions=[row.customer_id.set(kept["customer_id"]),
                         row.customer_name.set(kept["name"]), row.gsi1pk.set(listed["gsi1pk"]),
                         row.gsi1sk.set(listed["gsi1sk"])],
                condition=row.customer_id == appointment["customer_id"])
    except models.Refused:
        return 0
    return 1


def _joined(*histories: list | None) -> list:
    """Two histories as one, by time, each record once (a retried merge joins them again)."""
    seen, joined = set(), []
    for record in sorted((record for history in histories for record in history or []),
                         key=lambda record: record.get("at", "")):
        mark = (record.get("at"), record.get("version"), str(record.get("agreed")))
        if mark not in seen:
            seen.add(mark)
            joined.append(record)
    return joined[-customers.HISTORY_KEPT:]


def _join(shop_id: str, customer_id: str, other: dict) -> None:
    """The other's consents, opt-out, LINE link and contacts joined on the kept customer, over
    the kept customer as read (models.retry reads again after a change meanwhile)."""
    kept = models.Customer.read(models.customer_key(shop_id, customer_id), consistent=True)
    row = models.Customer
    actions = [row.updated_at.set(clock.now_iso())]
    for current, history in (("consent", "consent_history"),
                             ("marketing", "marketing_history")):
        joined = _joined(kept.get(history), other.get(history))
        if joined:
            actions += [getattr(row, history).set(joined),
                        getattr(row, current).set(joined[-1])]
    if other.get("reminders_opt_out") and not kept.get("reminders_opt_out"):
        actions.append(row.reminders_opt_out.set(other["reminders_opt_out"]))  # the safe side
    if other.get("line_user_id") and not kept.get("line_user_id"):
        actions += [row.line_user_id.set(other["line_user_id"]),
                    row.line_linked_at.set(other.get("line_linked_at") or clock.now_iso())]
    names = {contact["name"] for contact in kept.get("contacts") or []}
    extra = [contact for contact in other.get("contacts") or [] if contact["name"] not in names]
    if other["name"] not in names | {kept["name"]}:
        extra.append({"name": other["name"], "role": "",
                      **({"mobile": other["mobile"]} if other.get("mobile") else {})})
    if extra:
        contacts = (kept.get("contacts") or []) + extra
        actions.append(row.contacts.set(contacts[:customers.MAX_CONTACTS]))
    with models.refusals():
        row.from_dict(models.customer_key(shop_id, customer_id)).update(
            actions=actions, condition=row.updated_at == kept["updated_at"])


def _bury(caller: Caller, customer_id: str, other: dict) -> None:
    """The other customer as a tombstone naming the kept one; its number is free."""
    row, now = models.Customer, clock.now_iso()
    try:
        with models.transaction() as writes:
            writes.update(row.from_dict(models.customer_key(caller.shop_id,
                                                            other["customer_id"])),
                          actions=[row.merged_into.set(customer_id), row.merged_at.set(now),
                                   row.merged_by.set(caller.stamp()), row.updated_at.set(now),
                                   row.merging_into.remove(), row.gsi1pk.remove(),
                                   row.gsi1sk.remove()],
                          condition=row.merging_into == customer_id)
            if other.get("mobile"):
                customers.release_number(writes, caller.shop_id, other["mobile"],
                                         other["customer_id"])
    except models.LostRace:
        pass  # a parallel retry of this merge buried it first
