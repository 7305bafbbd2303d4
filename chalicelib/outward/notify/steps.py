"""Telling the customer of the step their repair order reached, and sending a text written
elsewhere (a reminder) the same way.

An order's state change reaches `on_order_change` from the table's stream. The shop's settings
say which steps notify and in which words, and which are urgent: the others wait out quiet hours
(quiet_hours.py). An order may reach a step more than once (a second estimate): each time is an
occurrence of its own, counted from the order's step events, and sent once (delivery.py).
"""
from __future__ import annotations

from chalicelib import models
from chalicelib.core import clock
from chalicelib.outward import links
from chalicelib.outward.notify.delivery import _address, _channels, _customer, deliver
from chalicelib.outward.notify.quiet_hours import next_send_time, queue, quiet
from chalicelib.records import shop_settings, shops, vehicles
from chalicelib.work import order_store


def on_order_change(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to an order (chalicelib/changes.py): a state change tells the
    customer (when the shop says so), and so does a new promised time."""
    if event_name == "REMOVE" or not new_image:
        return
    order, before = _plain(new_image), _plain(old_image)
    step = order.get("state")
    if step and step != before.get("state"):
        notify_step(order, step)
    revised = (order.get("promise") or {}).get("revised_at")
    if revised and revised != (before.get("promise") or {}).get("revised_at"):
        notify_promise(order)


def notify_promise(order: dict) -> list[dict]:
    """The promised time revised after authorization: the customer hears the new time and why,
    once per revision (its step names it), quiet hours respected."""
    shop = shops.get_shop(order["shop_id"]) or {}
    promise = order["promise"]
    plate = vehicles.mask_plate(order.get("vehicle", {}).get("plate", ""))
    link = links.url_for(order["shop_id"], order["order_id"]) or ""
    text = (f"{shop.get('name', '')}：您的愛車 {plate} 預計完成時間更新為 "
            f"{clock.local_text(promise['at'])}（{promise['reason']}）。進度：{link}").strip()
    return send_text(order, f"promise:{promise['revised_at']}", text)


def on_line_change(event_name: str, new_image: dict, old_image: dict) -> None:
    """The stream's reaction to an order line: a part's expected date, new or changed, tells
    the customer when it is due (once per line and date, quiet hours respected)."""
    if event_name == "REMOVE" or not new_image:
        return
    line, before = _plain(new_image), _plain(old_image)
    supply = line.get("supply") or {}
    day = supply.get("expected_on")
    if day and day != (before.get("supply") or {}).get("expected_on"):
        notify_parts_date(line, day)


def notify_parts_date(line: dict, day: str) -> list[dict]:
    """零件預計 M/D 到貨: the day a part the car waits for is expected, with the progress link.
    Its step names the line and the day, so each date is sent once however often the change is
    handed over, and a later date is a message of its own."""
    shop_id, order_id = models.order_of(line["pk"])
    order = models.Order.read(models.order_key(shop_id, order_id))
    if not order or order["state"] in order_store.CLOSED:
        return []
    shop = shops.get_shop(shop_id) or {}
    plate = vehicles.mask_plate(order.get("vehicle", {}).get("plate", ""))
    link = links.url_for(shop_id, order_id) or ""
    text = (f"{shop.get('name', '')}：您的愛車 {plate} 所需零件（{line['description']}）預計 "
            f"{clock.day_text(day)} 到貨，到貨後即安排施工。進度：{link}").strip()
    return send_text(order, f"parts:{line['line_id']}:{day}", text)


def _plain(image: dict) -> dict:
    """A stream record's image (DynamoDB's typed JSON) as the plain dict its model reads."""
    return models.Item.from_image(image).as_dict() if image else {}


def notify_step(order: dict, step: str) -> list[dict]:
    """Send (or queue, in quiet hours) the step's message; answers what each channel did."""
    shop_id, order_id = order["shop_id"], order["order_id"]
    rules = shop_settings.notification_settings(shop_id)
    if step not in rules["notify_steps"] or step not in rules["templates"]:
        return []
    customer = _customer(shop_id, order)
    if customer is None or customer.get("channel") == "none":
        return []  # the customer asked not to be told
    shop = shops.get_shop(shop_id) or {}
    text = render(rules["templates"][step], shop=shop.get("name", ""),
                  plate=order.get("vehicle", {}).get("plate", ""),
                  link=links.url_for(shop_id, order_id),
                  total=int((order.get("totals") or {}).get("total") or 0))
    return _send_or_queue(order, step, text, customer, rules, step in rules["urgent_steps"],
                          occurrence=_occurrence(order, step))


def _occurrence(order: dict, step: str) -> int:
    """Which time this is that the order reached `step` (1, 2, …). Each step event is written
    in the transaction that moved the header, `at` its `updated_at`: the ones before this change
    are the same however often, or late, the stream hands the change over."""
    event = models.Event
    events = event.items(models.order_pk(order["shop_id"], order["order_id"]),
                         event.sk.startswith(models.EVENT_PREFIX), consistent_read=True,
                         attributes_to_get=["from", "to", "at"])
    changed_at = order.get("updated_at", "")
    return 1 + sum(1 for event in events if event.get("to") == step
                   and event.get("from") != step and event.get("at", "") < changed_at)


def send_text(order: dict, step: str, text: str) -> list[dict]:
    """A message written elsewhere (a reminder) to the order's customer, on their channel:
    held back in quiet hours, at most once per (order, step, channel): its step names the
    occurrence itself (`reminder:tyres:2027-03-24`)."""
    customer = _customer(order["shop_id"], order)
    if customer is None or customer.get("channel") == "none":
        return []
    rules = shop_settings.notification_settings(order["shop_id"])
    return _send_or_queue(order, step, text, customer, rules, urgent=False)


def _send_or_queue(order: dict, step: str, text: str, customer: dict, rules: dict,
                   urgent: bool, occurrence: int = 1) -> list[dict]:
    shop_id, order_id = order["shop_id"], order["order_id"]
    now = clock.now()
    if not urgent and quiet(now, rules):
        # Recorded on the channel that will carry it (the first that reaches the customer).
        reaching = [channel for channel in _channels(customer, rules)
                    if _address(customer, channel)]
        return [queue(shop_id, order_id, step, reaching, text, next_send_time(now, rules),
                      occurrence)]
    return deliver(shop_id, order_id, step, text, customer, rules, occurrence=occurrence)


def render(template: str, *, shop: str, plate: str, link: str | None, total: int) -> str:
    values = {"shop": shop, "plate": vehicles.mask_plate(plate) if plate else "",
              "link": link or "", "total": f"{total:,}"}
    return template.format_map(values).strip()
