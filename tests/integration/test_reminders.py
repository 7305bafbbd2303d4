"""Reminders after the car leaves, on DynamoDB Local: a delivered order schedules them from the
real stream record, the daily job sends them on the customer's channel (held back by quiet hours,
at most one per customer in the shop's gap), and an opt-out stops them.

The shop's clock (times.now) is moved: the day of delivery, then the morning the reminder is due.
"""
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

from chalicelib import customer_routes, models
from chalicelib.core import clock as times
from chalicelib.after import reminders
from chalicelib.core import aws, pieces
from chalicelib.outward import notify, opt_out
from tests.builders import (a_mobile, a_plate, a_signature, a_shop, an_order, checked,
                            new_id, paid_in_full)
from tests.integration.test_links import own_ip  # noqa: F401 (each test a client of its own)
from tests.integration.test_notify import handle, stream_records

TAIPEI = timezone(timedelta(hours=8))
DELIVERY_DAY = date(2027, 3, 10)


def taipei(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=TAIPEI)


def walk(shop, order_id: str, *values) -> None:
    now = times.now()
    answer = shop.advisor.patch(f"/api/orders/{order_id}/inspection", {"changes": [
        {"field": field, "value": value,
         "changed_at": times.iso(now - timedelta(seconds=60 - n))}
        for n, (field, value) in enumerate(values)]})
    assert answer.status == 200, answer.body


def delivered(shop, clock, lines, walk_values=(), mileage=None, day=DELIVERY_DAY,
              make=None) -> dict:
    """An order with these lines (and walk-around) taken to delivered at 11:00 on `day`, its
    stream records handed to the stream handler as Lambda would. A line's `menu` (the service
    menu it came with) is written on the line as the order screen's catalogue does."""
    clock.value = taipei(day, 10)
    order = an_order(shop, **({"mileage_km": mileage} if mileage else {})) if not make else \
        an_order_for(shop, make, mileage)
    for line in lines:
        menu = line.get("menu")
        line = {name: value for name, value in line.items() if name != "menu"}
        answer = shop.advisor.post(f"/api/orders/{order['order_id']}/lines",
                                   {"line_id": new_id("line"), **line})
        assert answer.status == 201, answer.body
        if menu:
            line_id = answer.body["lines"][-1]["line_id"]
            models.Line.from_dict(models.Line.key(shop.shop_id, order["order_id"], line_id)) \
                .update(actions=[models.Line.menu.set(menu), models.Line.menu_id.set(
                    menu["menu_id"])])
    if walk_values:
        walk(shop, order["order_id"], *walk_values)
    a_signature(shop, order["order_id"], "authorization")
    for step in ("authorized", "in_progress", "quality_check", "ready"):
        if step == "ready":
            checked(shop, order["order_id"])
        moved = shop.advisor.post(f"/api/orders/{order['order_id']}/transitions",
                                  {"to": step, "client_id": new_id("step")})
        assert moved.status == 200, moved.body
    clock.value = taipei(day, 11)
    a_signature(shop, order["order_id"], "checkout")
    paid_in_full(shop, order["order_id"])
    moved = shop.advisor.post(f"/api/orders/{order['order_id']}/transitions",
                              {"to": "delivered", "client_id": new_id("step")})
    assert moved.status == 200, moved.body
    handle(stream_records(order["order_id"]))
    return moved.body


def an_order_for(shop, make: str, mileage: int) -> dict:
    """A checked-in order of a car of this make (model FIT for a Honda, ALTIS for a Toyota)."""
    customer = shop.advisor.post("/api/customers", {
        "customer_id": new_id("cust"), "name": "陳志明", "mobile": a_mobile(shop),
        "channel": "line", "consent": {"version": "2026-01", "method": "tablet"}}).body
    vehicle = shop.advisor.post("/api/vehicles", {
        "vehicle_id": new_id("veh"), "plate": a_plate(), "make": make,
        "model": {"Honda": "Fit", "Toyota": "Corolla Altis"}[make], "fuel": "gasoline",
        "customer_id": customer["customer_id"]}).body
    answer = shop.advisor.post("/api/orders", {
        "order_id": new_id("order"), "customer_id": customer["customer_id"],
        "vehicle_id": vehicle["vehicle_id"], "concerns": ["定期保養"], "mileage_km": mileage})
    assert answer.status == 201, answer.body
    return answer.body


def vehicle_reminders(shop, order) -> dict:
    answer = shop.advisor.get(f"/api/vehicles/{order['vehicle']['vehicle_id']}")
    assert answer.status == 200, answer.body
    return {item["kind"]: item for item in answer.body["reminders"]}


def run_daily_job(chalice_client) -> dict:
    """The schedule's Lambda as CloudWatch Events invokes it: it asks for one piece per shard
    and answers at once; locally the pieces run on threads, and are waited for."""
    event = chalice_client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={}, resources=[])
    asked = chalice_client.lambda_.invoke("daily_jobs", event).payload
    assert asked["pieces"] == models.SHARDS, asked
    pieces.wait()
    return asked


def reminder_messages(shop, order_id) -> list[dict]:
    return [m for m in notify.list_messages(shop.shop_id, order_id)
            if m["step"].startswith("reminder:")]


SERVICE = {"kind": "labour", "description": "定期保養（更換機油）", "hours": 1, "rate": 800}


def test_a_service_schedules_the_next_one_by_months_or_by_the_car_s_pace(shop, clock):
    order = delivered(shop, clock, [SERVICE], mileage=42_000)
    service = vehicle_reminders(shop, order)["service"]
    # 5,000 km at the usual 30 km a day is 166 days: before the six months are up.
    assert service["due_on"] == (DELIVERY_DAY + timedelta(days=166)).isoformat()
    assert service["detail"]["due_km"] == 47_000
    assert service["send_on"] == (DELIVERY_DAY + timedelta(days=159)).isoformat()
    assert service["status"] == "pending"
    # A car that is driven little: six months come first.
    assert reminders.service_due(DELIVERY_DAY, 42_000, 10, 6, 5_000) == (date(2027, 9, 10), 47_000)
    assert reminders.service_due(date(2027, 8, 31), None, 30, 6, 5_000) == (date(2028, 2, 29), None)


def a_schedule(shop) -> None:
    """TOYOTA every 10,000 km or 6 months, HONDA every 5,000 km or 3 months, and a generic
    menu every 5,000 km or 6 months."""
    shop.manager.put("/api/catalogue/rates", {"rates": [
        {"rate_id": "general", "name": "一般工資", "rate": 1600}]})
    shop.manager.put("/api/catalogue/operations/OIL", {"name": "更換機油", "hours": 0.5,
                                                       "rate_id": "general"})
    menus = [("toyota", "TOYOTA", 10_000, 6), ("honda", "HONDA", 5_000, 3),
             ("any", None, 5_000, 6)]
    for name, make, every, months in menus:
        for step in (1, 2, 3):
            answer = shop.manager.put(f"/api/catalogue/menus/{name}-{step}", {
                "name": f"{every * step:,} 公里保養", "mileage_km": every * step, "months": months,
                **({"make": make} if make else {}), "items": [{"kind": "labour", "code": "OIL"}]})
            assert answer.status == 200, answer.body


def served(menu_id: str, mileage_km: int, months: int) -> dict:
    return {**SERVICE, "description": "定期保養套餐", "menu": {
        "menu_id": menu_id, "name": f"{mileage_km:,} 公里保養", "mileage_km": mileage_km,
        "months": months}}


def test_the_next_service_follows_each_make_s_schedule_of_menus(shop, clock):
    a_schedule(shop)
    toyota = vehicle_reminders(shop, delivered(shop, clock, [served("toyota-1", 10_000, 6)],
                                               mileage=10_000, make="Toyota"))["service"]
    honda = vehicle_reminders(shop, delivered(shop, clock, [served("honda-1", 5_000, 3)],
                                              mileage=5_000, make="Honda"))["service"]
    # the Toyota's next menu is at 20,000 km: 10,000 km at 30 km a day is 333 days, so the six
    # months come first; the Honda's at 10,000 km, in three months (5,000 km would take 166 days)
    assert (toyota["due_on"], toyota["detail"]["due_km"]) == ("2027-09-10", 20_000)
    assert toyota["detail"]["menu_id"] == "toyota-2"
    assert (honda["due_on"], honda["detail"]["due_km"]) == ("2027-06-10", 10_000)
    assert honda["detail"]["menu_name"] == "10,000 公里保養"
    # a car driven further than the menu done: the next menu above its own mileage
    ahead = vehicle_reminders(shop, delivered(shop, clock, [served("honda-1", 5_000, 3)],
                                              mileage=11_000, make="Honda"))["service"]
    assert (ahead["detail"]["due_km"], ahead["detail"]["menu_id"]) == (15_000, "honda-3")
    assert ahead["due_on"] == "2027-06-10"  # three months before the 4,000 km


def test_without_a_schedule_for_the_car_a_menu_service_keeps_the_shop_s_interval(shop, clock):
    order = delivered(shop, clock, [served("gone", 10_000, 6)], mileage=42_000)
    service = vehicle_reminders(shop, order)["service"]
    assert service["detail"]["due_km"] == 47_000  # settings: 5,000 km or six months
    assert "menu_id" not in service["detail"]


def test_the_same_delivery_seen_twice_schedules_once_and_a_later_service_replaces_it(shop, clock):
    order = delivered(shop, clock, [SERVICE], mileage=42_000)
    first = vehicle_reminders(shop, order)["service"]
    handle(stream_records(order["order_id"]))  # the batch handed over again
    assert vehicle_reminders(shop, order)["service"] == first


def test_declined_red_tyres_and_yellow_brakes_are_reminded_a_fix_is_not(shop, clock):
    worn = [(f"tyres.LF.{g}", 1.4) for g in ("inner", "centre", "outer")] + [
        ("brakes.front.pad_mm", 4)]
    order = delivered(shop, clock, [SERVICE], walk_values=worn)
    found = vehicle_reminders(shop, order)
    assert found["tyres"]["detail"] == {"colour": "red"}
    assert found["tyres"]["send_on"] == (DELIVERY_DAY + timedelta(days=14)).isoformat()
    assert found["brakes"]["detail"] == {"colour": "yellow"}
    assert found["brakes"]["send_on"] == (DELIVERY_DAY + timedelta(days=90)).isoformat()
    fixed = delivered(shop, clock, [SERVICE, {"kind": "part", "description": "輪胎 205/55R16",
                                              "quantity": 1, "unit_price": 3200}],
                      walk_values=worn)
    assert set(vehicle_reminders(shop, fixed)) == {"service", "brakes"}


def test_the_daily_job_sends_after_quiet_hours_once_and_respects_the_gap(shop, clock,
                                                                        chalice_client):
    worn = [(f"tyres.LF.{g}", 1.4) for g in ("inner", "centre", "outer")]
    order = delivered(shop, clock, [SERVICE], walk_values=worn, mileage=42_000)
    tyres_day = DELIVERY_DAY + timedelta(days=14)
    clock.value = taipei(tyres_day - timedelta(days=1), 6)
    run_daily_job(chalice_client)
    assert reminder_messages(shop, order["order_id"]) == []  # not yet
    clock.value = taipei(tyres_day, 6)  # the job runs at 06:00, in quiet hours
    run_daily_job(chalice_client)
    [queued] = reminder_messages(shop, order["order_id"])
    assert queued["state"] == "queued" and queued["not_before"].startswith(
        f"{tyres_day.isoformat()}T00:00")  # 08:00 in Taipei
    clock.value = taipei(tyres_day, 8) + timedelta(minutes=1)
    notify.send_due(times.now())
    [sent] = reminder_messages(shop, order["order_id"])
    assert sent["state"] == "sent"
    stored = aws.table().get_item(Key=models.Message.key(shop.shop_id, order["order_id"],
                                                     sent["message_id"]))["Item"]
    assert "輪胎" in stored["text"] and "/o/" in stored["text"]
    run_daily_job(chalice_client)  # the same morning, run again: nothing more
    assert len(reminder_messages(shop, order["order_id"])) == 1
    assert vehicle_reminders(shop, order)["tyres"]["status"] == "sent"
    # With a year between reminders, the service (due 159 days after delivery) waits until the
    # year since the tyres' reminder is up.
    assert shop.manager.patch("/api/shop/settings", {"reminder_gap_days": 365}).status == 200
    service_day = date.fromisoformat(vehicle_reminders(shop, order)["service"]["send_on"])
    clock.value = taipei(service_day, 6)
    run_daily_job(chalice_client)
    postponed = vehicle_reminders(shop, order)["service"]
    assert postponed["status"] == "pending"
    assert postponed["send_on"] == (tyres_day + timedelta(days=365)).isoformat()


def test_one_tap_on_the_link_stops_reminders_and_the_desk_can_turn_them_back_on(
        shop, clock, chalice_client):
    other = a_shop(chalice_client)  # signed in before the clock moves
    worn = [(f"tyres.LF.{g}", 1.4) for g in ("inner", "centre", "outer")]
    order = delivered(shop, clock, [SERVICE], walk_values=worn)
    customer_id = order["customer"]["customer_id"]
    url = opt_out.url(shop.shop_id, customer_id)
    path = "/o/" + url.rsplit("/o/", 1)[1]
    page = shop.anonymous.request("GET", path, headers={"accept": "text/html"})
    body = page.body.decode() if isinstance(page.body, bytes) else page.body
    assert page.status == 200 and "停止提醒" in body
    assert "script-src 'sha256-" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Robots-Tag"].startswith("noindex")
    # Opening the page (a link preview does that too) changes nothing: the page's script does.
    assert "reminders_opt_out" not in aws.table().get_item(
        Key=models.customer_key(shop.shop_id, customer_id))["Item"]
    off = shop.anonymous.post(path, {"reminders": "off"})
    assert off.status == 200 and off.body["reminders"] == "off"
    clock.value = taipei(DELIVERY_DAY + timedelta(days=14), 6)
    run_daily_job(chalice_client)
    assert reminder_messages(shop, order["order_id"]) == []
    assert vehicle_reminders(shop, order)["tyres"]["status"] == "opted_out"
    customer = aws.table().get_item(Key=models.customer_key(shop.shop_id, customer_id))["Item"]
    assert customer["opt_out_history"][-1]["via"] == "link"
    on = shop.advisor.put(f"/api/customers/{customer_id}/reminders", {"reminders": "on"})
    assert on.status == 200 and on.body["reminders"] == "on"
    assert shop.technician.put(f"/api/customers/{customer_id}/reminders",
                               {"reminders": "off"}).status == 403
    assert shop.advisor.put(f"/api/customers/{customer_id}/reminders",
                            {"reminders": "maybe"}).status == 422
    assert other.advisor.put(f"/api/customers/{customer_id}/reminders",
                             {"reminders": "off"}).status == 404


def test_a_made_up_opt_out_token_gets_the_404_page(shop):
    for token in ("x" * 24, "not-a-token", "A" * 200):
        answer = shop.anonymous.request("GET", f"/o/{token}", headers={"accept": "text/html"})
        assert answer.status == 404
        assert shop.anonymous.post(f"/o/{token}", {"reminders": "off"}).status == 404


def test_inspection_and_insurance_dates_are_reminded_two_weeks_before(shop, clock):
    order = delivered(shop, clock, [SERVICE])
    vehicle_id = order["vehicle"]["vehicle_id"]
    changed = shop.advisor.patch(f"/api/vehicles/{vehicle_id}",
                                 {"inspection_due_on": "2027-06-30", "insurance_due_on": "2027-12-01"})
    assert changed.status == 200, changed.body
    found = vehicle_reminders(shop, order)  # at once: the desk's screen shows them on its answer
    assert found["inspection"]["send_on"] == "2027-06-16"
    assert found["insurance"]["send_on"] == "2027-11-17"
    assert shop.advisor.patch(f"/api/vehicles/{vehicle_id}",
                              {"inspection_due_on": "2027-02-30"}).status == 422
    shop.advisor.patch(f"/api/vehicles/{vehicle_id}", {"insurance_due_on": None})
    assert "insurance" not in vehicle_reminders(shop, order)


# --- the opt-out link under abuse: a bounded item, a per-client limit ---

def opted_in_customer(shop) -> tuple[str, str]:
    """A customer whose reminders are on, and the path of their opt-out link."""
    customer_id = an_order(shop)["customer"]["customer_id"]
    opt_out.keep_link(shop.shop_id, customer_id)
    url = opt_out.url(shop.shop_id, customer_id)
    return customer_id, "/o/" + url.rsplit("/o/", 1)[1]


def test_toggling_without_end_keeps_only_the_last_changes_on_the_customer(shop):
    customer_id, path = opted_in_customer(shop)
    for n in range(12):
        answer = shop.advisor.put(f"/api/customers/{customer_id}/reminders",
                                  {"reminders": "off" if n % 2 == 0 else "on"})
        assert answer.status == 200, answer.body
    assert shop.anonymous.post(path, {"reminders": "off"}).status == 200
    key = models.customer_key(shop.shop_id, customer_id)
    customer = aws.table().get_item(Key=key, ConsistentRead=True)["Item"]
    history = customer["opt_out_history"]
    assert len(history) == reminders.HISTORY_KEPT
    assert [change["out"] for change in history] == [True, False, True, False, True]
    assert history[-1]["via"] == "link" and customer["reminders_opt_out"]["via"] == "link"
    assert [change["at"] for change in history] == sorted(change["at"] for change in history)
    # The same under a burst: whichever change lands last, the item holds the last few.
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda n: shop.advisor.put(
            f"/api/customers/{customer_id}/reminders",
            {"reminders": "off" if n % 2 else "on"}), range(16)))
    assert [answer.status for answer in answers] == [200] * 16
    customer = aws.table().get_item(Key=key, ConsistentRead=True)["Item"]
    history = customer["opt_out_history"]
    assert len(history) <= reminders.HISTORY_KEPT
    assert history[-1]["out"] == ("reminders_opt_out" in customer)
    assert len(json.dumps(customer, default=str)) < 4_000
    # The front desk still sees who stopped reminders and when.
    shown = shop.advisor.get(f"/api/customers/{customer_id}").body
    assert ("reminders_opt_out" in shown) == history[-1]["out"]


def test_a_burst_of_taps_from_one_client_past_the_limit_gets_429(shop, clock, monkeypatch):
    clock.value = datetime(2027, 3, 10, 3, 7, 30, tzinfo=timezone.utc)  # one minute, still
    customer_id, path = opted_in_customer(shop)
    limit = reminders.OPT_OUT_PER_MINUTE
    with ThreadPoolExecutor(2 * limit) as pool:
        answers = list(pool.map(lambda n: shop.anonymous.post(
            path, {"reminders": "off" if n % 2 else "on"}), range(2 * limit)))
    statuses = sorted(answer.status for answer in answers)
    print(f"\n{2 * limit} taps at once, limit {limit}: {statuses}")
    assert statuses == [200] * limit + [429] * limit
    for answer in answers:
        if answer.status == 429:
            assert answer.error == "too_many_attempts"
            assert 1 <= int(answer.headers["Retry-After"]) <= 60
    opened = shop.anonymous.request("GET", path, headers={"accept": "text/html"})
    assert opened.status == 429 and "Retry-After" in opened.headers
    assert shop.anonymous.post("/o/" + "x" * 24, {"reminders": "off"}).status == 429
    first = customer_routes.client
    monkeypatch.setattr(customer_routes, "client", lambda: {"ip": "203.0.113.9-other",
                                                            "user_agent": "pytest"})
    assert shop.anonymous.request("GET", path, headers={"accept": "text/html"}).status == 200
    monkeypatch.setattr(customer_routes, "client", first)
    clock.value += timedelta(minutes=1)  # the next minute: the first client may tap again
    assert shop.anonymous.post(path, {"reminders": "off"}).status == 200


def test_a_customer_item_already_at_the_size_limit_is_cut_by_the_next_change(shop):
    """Before the history was bounded, taps grew customer items to DynamoDB's 400 KB and every
    write to them failed. The next change keeps the last few and goes through. (Filled here with
    a long note: writing the ~7,600 changes it took would take minutes.)"""
    from botocore.exceptions import ClientError

    customer_id, path = opted_in_customer(shop)
    key = models.customer_key(shop.shop_id, customer_id)
    customer = aws.table().get_item(Key=key, ConsistentRead=True)["Item"]
    history = [{"at": f"2026-11-28T03:07:{n:02d}.000Z", "via": "link", "out": n % 2 == 0}
               for n in range(40)]

    def fits(length: int) -> bool:
        try:
            aws.table().put_item(Item={**customer, "opt_out_history": history,
                                       "notes": "x" * length})
            return True
        except ClientError as err:
            assert "maximum allowed size" in str(err)
            return False

    fitting, too_long = 0, 400 * 1024
    while too_long - fitting > 1:  # the longest note that fits: the item is full
        middle = (fitting + too_long) // 2
        fitting, too_long = (middle, too_long) if fits(middle) else (fitting, middle)
    assert fits(fitting)
    off = shop.anonymous.post(path, {"reminders": "off"})
    assert off.status == 200, off.body
    stored = aws.table().get_item(Key=key, ConsistentRead=True)["Item"]
    assert len(stored["opt_out_history"]) == reminders.HISTORY_KEPT
    assert stored["opt_out_history"][-1]["via"] == "link" and stored["reminders_opt_out"]


def test_a_history_grown_before_it_was_bounded_is_cut_to_the_last_changes(shop):
    customer_id, path = opted_in_customer(shop)
    key = models.customer_key(shop.shop_id, customer_id)
    customer = aws.table().get_item(Key=key, ConsistentRead=True)["Item"]
    aws.table().put_item(Item={**customer, "opt_out_history": [
        {"at": f"2026-11-28T03:{n // 60 % 60:02d}:{n % 60:02d}.000Z", "via": "link",
         "out": n % 2 == 0} for n in range(3_000)]})
    assert shop.anonymous.post(path, {"reminders": "off"}).status == 200
    history = aws.table().get_item(Key=key, ConsistentRead=True)["Item"]["opt_out_history"]
    assert len(history) == reminders.HISTORY_KEPT
    assert history[-1]["via"] == "link" and history[-2]["at"] == "2026-11-28T03:49:59.000Z"
