"""The shop's numbers: daily aggregates kept from the table's real stream (DynamoDB Local), and
the manager's dashboard read from them — figures, CSV, roles, tenants, periods, a rebuild."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

import app as api
from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.after import dashboard
from chalicelib.core import aws
from chalicelib.outward import notify
from tests.builders import (a_customer_and_vehicle, a_shop, a_signature, add_lines, an_added_line,
                            checked, new_id, paid_in_full)

MORNING = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Taipei
DAY = "2026-03-02"
TOTAL = 2700  # the two lines of add_lines, tax included: nothing added


class Clock:
    """times.now, set by the test: each step of an order happens at a known time."""

    def __init__(self, start: datetime):
        self.value: datetime | None = start
        self.real = times.now

    def __call__(self):
        return self.value or self.real()

    def at(self, minutes: float) -> None:
        self.value = MORNING + timedelta(minutes=minutes)


@pytest.fixture
def clock(monkeypatch):
    moved = Clock(MORNING)
    monkeypatch.setattr(times, "now", moved)
    return moved


def step(shop, order_id, to):
    answer = shop.advisor.post(f"/api/orders/{order_id}/transitions",
                               {"to": to, "client_id": new_id("step")})
    assert answer.status == 200, answer.body
    return answer.body


def new_order(shop):
    customer, vehicle = a_customer_and_vehicle(shop)
    answer = shop.advisor.post("/api/orders", {
        "order_id": new_id("order"), "customer_id": customer["customer_id"],
        "vehicle_id": vehicle["vehicle_id"], "concerns": ["冷氣不冷"]})
    assert answer.status == 201, answer.body
    add_lines(shop, answer.body["order_id"])
    return answer.body["order_id"]


COMPLETE_WALKAROUND = {"mileage_km": 42000, "fuel_eighths": 4, "lights_none": True,
                       "valuables_reminded": True,
                       **{f"tyres.{pos}.centre": 5.5 for pos in ("LF", "RF", "LR", "RR")}}


def walk_around(shop, order_id, fields):
    at = times.iso(times.now())
    answer = shop.advisor.patch(f"/api/orders/{order_id}/inspection", {"changes": [
        {"field": name, "value": value, "changed_at": at} for name, value in fields.items()]})
    assert answer.status == 200, answer.body


def an_added_line_id(shop, order_id, description, price):
    return an_added_line(shop, order_id, description, price, origin="additional",
                         reason="技師檢查發現磨損")["line_id"]


def a_working_day(shop, clock):
    """Order A: complete walk-around, two added items (one approved after 40 min, one declined),
    delivered at 15:00 and followed up. Order B: walk-around half done, cancelled."""
    a = new_order(shop)                                   # 09:00 checked in
    walk_around(shop, a, COMPLETE_WALKAROUND)
    clock.at(20)
    a_signature(shop, a, "authorization")
    step(shop, a, "authorized")                           # 09:20: checked in 20 min
    clock.at(30)
    step(shop, a, "in_progress")                          # 09:30
    clock.at(60)
    approved = an_added_line_id(shop, a, "煞車來令片（前）", 2400)   # 10:00
    declined = an_added_line_id(shop, a, "雨刷片", 600)
    step(shop, a, "awaiting_approval")                     # 10:00: in progress 30 min
    clock.at(100)
    a_signature(shop, a, "estimate", decisions={approved: "approved", declined: "declined"})
    step(shop, a, "in_progress")                          # 10:40: answered after 40 min
    clock.at(180)
    step(shop, a, "quality_check")                        # 12:00: in progress 80 min
    clock.at(200)
    checked(shop, a)
    step(shop, a, "ready")                                # 12:20
    clock.at(360)
    a_signature(shop, a, "checkout")
    paid_in_full(shop, a)                                 # 15:00: money taken at the counter
    delivered = step(shop, a, "delivered")                # 15:00: ready 160 min
    clock.at(400)
    step(shop, a, "followed_up")

    b = new_order(shop)
    walk_around(shop, b, {"mileage_km": 88000})
    clock.at(410)
    a_signature(shop, b, "authorization")
    step(shop, b, "authorized")
    clock.at(420)
    step(shop, b, "cancelled")
    return a, b, delivered["totals"]["total"]


def figures(person, start=DAY, end=DAY):
    answer = person.get(f"/api/dashboard?from={start}&to={end}")
    assert answer.status == 200, answer.body
    return answer.body


def within(seconds, low_minutes, high_minutes):
    return seconds is not None and low_minutes * 60 <= seconds <= high_minutes * 60


def test_a_day_of_orders_adds_up_from_the_stream(app_env, shop, clock, stream):
    a, b, total = a_working_day(shop, clock)
    assert stream.drain() > 0
    shown = figures(shop.manager)
    assert shown["orders"] == {"opened": 2, "per_day": 2, "delivered": 1, "cancelled": 1,
                               "revenue": total, "revenue_tax": 243,
                               "average_order_value": total}
    assert total == TOTAL + 2400  # the approved brake pads, as priced
    # 5,100 holds 243 of tax: its 銷售額 is 5,100 ÷ 1.05 = 4,857.14, rounded to 4,857
    assert shown["walkaround"] == {"checked": 2, "complete": 1, "share_complete": 0.5}
    states = shown["states"]
    assert states["checked_in"]["stays"] == 2 and within(states["checked_in"]["median"], 10, 20)  # 20 and 10 min
    assert states["in_progress"]["stays"] == 2  # 30 min, then 80 min after the answer
    assert within(states["in_progress"]["median"], 20, 90)
    assert within(states["in_progress"]["p90"], 60, 90)
    assert within(states["awaiting_approval"]["median"], 30, 45)
    assert within(states["ready"]["median"], 120, 180)
    assert states["booked"]["stays"] == 0 and states["booked"]["median"] is None
    additional = shown["additional"]
    assert additional["proposed"] == {"count": 2, "amount": 3000}
    assert additional["approved"] == {"count": 1, "amount": 2400}
    assert additional["declined"] == {"count": 1, "amount": 600}
    assert within(additional["approval_median"], 30, 45)
    assert shown["follow_ups"]["done"] == 1
    sent = [m for order in (a, b) for m in notify.list_messages(shop.shop_id, order)]
    for channel in ("line", "sms", "email"):
        for state in ("sent", "failed"):
            expected = sum(1 for m in sent if m["channel"] == channel and m["state"] == state)
            assert shown["notifications"][channel][state] == expected, (channel, state)
    assert sum(n["sent"] for n in shown["notifications"].values()) >= 1
    (day,) = shown["days"]
    assert day["date"] == DAY and day["opened"] == 2 and day["revenue"] == total


def test_a_batch_handed_over_twice_counts_once(app_env, shop, clock, stream):
    a_working_day(shop, clock)
    stream.drain()
    before = figures(shop.owner)
    records = stream.records(shop.shop_id)
    assert api.on_change({"Records": records}, None) == {"batchItemFailures": []}
    assert api.on_change({"Records": records[len(records) // 2:]}, None) == {
        "batchItemFailures": []}
    assert figures(shop.owner) == before


def test_the_order_reaction_still_notifies_beside_the_counts(app_env, shop, clock, stream):
    order_id = new_order(shop)
    stream.drain()
    assert any(m["step"] == "checked_in" for m in notify.list_messages(shop.shop_id, order_id))
    assert figures(shop.owner)["orders"]["opened"] == 1


def test_days_are_the_shop_s_days_and_every_day_of_the_period_has_a_row(app_env, shop, clock,
                                                                         stream):
    clock.value = datetime(2026, 3, 2, 15, 59, tzinfo=timezone.utc)  # 23:59 in Taipei
    new_order(shop)
    clock.value = datetime(2026, 3, 2, 16, 1, tzinfo=timezone.utc)  # 00:01 on the 3rd
    new_order(shop)
    stream.drain()
    shown = figures(shop.manager, "2026-03-01", "2026-03-04")
    assert [(d["date"], d["opened"]) for d in shown["days"]] == [
        ("2026-03-01", 0), ("2026-03-02", 1), ("2026-03-03", 1), ("2026-03-04", 0)]
    assert shown["orders"]["per_day"] == 0.5


def test_the_csv_has_a_bom_chinese_and_english_headers_and_a_row_per_day(app_env, shop, clock,
                                                                         stream):
    _, _, total = a_working_day(shop, clock)
    stream.drain()
    answer = shop.manager.client.http.get(
        "/api/dashboard?from=2026-03-01&to=2026-03-03&format=csv",
        headers={"authorization": f"Bearer {shop.manager.token}"})
    assert answer.status_code == 200
    headers = {name.lower(): value for name, value in answer.headers.items()}
    assert headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="dashboard-2026-03-01-2026-03-03.csv"' in headers["content-disposition"]
    raw = answer.body
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["日期 Date"] for row in rows] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    day = rows[1]
    assert day["開單數 Orders opened"] == "2" and day["營收（含稅，元）Revenue, tax included (NT$)"] == str(total)
    assert day["其中營業稅（元）Business tax in it (NT$)"] == "243"
    assert day["追加同意件數 Additional approved"] == "1"
    assert day["關懷完成 Follow-ups done"] == "1"
    assert rows[0]["營收（含稅，元）Revenue, tax included (NT$)"] == "0"
    assert rows[0]["平均客單價（元）Average order value (NT$)"] == ""


@pytest.mark.parametrize("role,status", [("owner", 200), ("manager", 200), ("advisor", 403),
                                         ("technician", 403), ("anonymous", 401)])
def test_only_managers_and_owners_see_the_numbers(chalice_client, shop, role, status):
    answer = shop.as_role(role).get(f"/api/dashboard?from={DAY}&to={DAY}")
    assert answer.status == status, answer.body
    if status == 403:
        assert answer.error == "forbidden" and "營運報表" in answer.body["error"]["message"]


def test_another_shop_sees_only_its_own_numbers(app_env, shop, clock, stream):
    a_working_day(shop, clock)
    stream.drain()
    clock.value = None  # B's tokens are signed now, as the sign-in would
    other = a_shop(shop.owner.client, name="B 廠")
    shown = figures(other.owner)
    assert shown["orders"]["opened"] == 0 and shown["orders"]["revenue"] == 0
    assert shown["additional"]["proposed"]["count"] == 0
    assert figures(shop.owner)["orders"]["opened"] == 2


@pytest.mark.parametrize("query", [
    "", "?from=2026-03-01", "?from=2026-3-1&to=2026-03-02", "?from=2026-02-30&to=2026-03-02",
    "?from=2026-03-05&to=2026-03-01", "?from=2025-03-01&to=2026-03-02",
    "?from=yesterday&to=today", "?from=2026-03-01&to=2026-03-02&format=xlsx"])
def test_a_bad_period_is_a_400_that_says_why(chalice_client, shop, query):
    answer = shop.owner.get(f"/api/dashboard{query}")
    assert answer.status == 400, answer.body
    assert answer.error in ("invalid_period", "invalid_format")
    assert answer.body["error"]["message"]


def test_a_period_of_366_days_is_allowed(chalice_client, shop):
    shown = figures(shop.owner, "2025-03-02", "2026-03-02")
    assert len(shown["days"]) == 366


def test_cases_opened_and_closed_count_and_the_open_ones_show(app_env, shop, clock, stream):
    key = models.Case.key(shop.shop_id, "case-1")
    aws.table().put_item(Item={**key, "type": "case", "shop_id": shop.shop_id,
                               "case_id": "case-1", "state": "open",
                               "created_at": times.iso(MORNING)})
    aws.table().put_item(Item={**models.Case.key(shop.shop_id, "case-2"), "type": "case",
                               "shop_id": shop.shop_id, "case_id": "case-2", "state": "open",
                               "created_at": times.iso(MORNING)})
    stream.drain()
    assert figures(shop.manager)["follow_ups"] == {"done": 0, "cases_opened": 2,
                                                   "cases_closed": 0, "cases_open": 2}
    aws.table().update_item(Key=key, UpdateExpression="SET #s = :closed, closed_at = :at",
                            ExpressionAttributeNames={"#s": "state"},
                            ExpressionAttributeValues={":closed": "closed",
                                                       ":at": times.iso(MORNING + timedelta(days=1))})
    stream.drain()
    assert figures(shop.manager, DAY, "2026-03-03")["follow_ups"] == {
        "done": 0, "cases_opened": 2, "cases_closed": 1, "cases_open": 1}
    assert not dashboard.case_closed(shop.shop_id, "case-1", times.iso(MORNING))  # counted once


def test_a_rebuild_from_the_orders_gives_the_same_figures(app_env, shop, clock, stream):
    a_working_day(shop, clock)
    stream.drain()
    from_stream = figures(shop.owner)
    for item in aws.table().query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={
            ":pk": models.dashboard_pk(shop.shop_id)})["Items"]:
        aws.table().delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    assert figures(shop.owner)["orders"]["opened"] == 0
    assert dashboard.backfill(shop.shop_id)["orders"] == 2
    assert figures(shop.owner) == from_stream
    assert dashboard.backfill(shop.shop_id)["orders"] == 2  # again: the same, not twice
    stream.handed.clear()
    stream.drain()  # and the stream seen again after the rebuild adds nothing
    assert figures(shop.owner) == from_stream


def test_the_dashboard_is_one_query_and_one_read(app_env, shop, clock, stream):
    a_working_day(shop, clock)
    stream.drain()
    calls = []
    client = models.Item._get_connection().connection.client  # the models' one connection
    client.meta.events.register("before-send.dynamodb.*",
                                lambda request, **_: calls.append(
                                    request.headers["X-Amz-Target"].decode().split(".")[-1]))
    figures(shop.owner, "2025-12-03", DAY)  # 90 days
    assert sorted(calls) == ["GetItem", "Query"]


def test_time_on_jobs_adds_up_to_each_technicians_efficiency_and_a_rebuild_agrees(
        app_env, shop, clock, stream):
    order_id = new_order(shop)  # 冷氣系統檢查 1.5 h sold, and a part
    a_signature(shop, order_id, "authorization")
    step(shop, order_id, "authorized")
    shop.advisor.post(f"/api/orders/{order_id}/dispatch",
                      {"technician_id": shop.technician.staff_id})
    step(shop, order_id, "in_progress")
    labour = next(line for line in shop.advisor.get(f"/api/orders/{order_id}").body["lines"]
                  if line["kind"] == "labour")
    path = f"/api/orders/{order_id}/lines/{labour['line_id']}/clock"
    for minutes, action, extra in ((10, "start", {}), (70, "pause", {"reason": "parts"}),
                                   (100, "resume", {}), (130, "finish", {})):
        clock.at(minutes)  # 60 + 30 minutes worked, the 30-minute pause not
        answer = shop.technician.post(path, {"client_id": new_id("tap"), "action": action,
                                             **extra})
        assert answer.status == 200, answer.body
    stream.drain()
    mine = figures(shop.manager)["technicians"]
    assert mine == [{"staff_id": shop.technician.staff_id, "jobs": 1, "sold_hours": 1.5,
                     "worked_hours": 1.5, "efficiency": 100}]
    for item in aws.table().query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={
            ":pk": models.dashboard_pk(shop.shop_id)})["Items"]:
        aws.table().delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    dashboard.backfill(shop.shop_id)
    assert figures(shop.manager)["technicians"] == mine


# --- bookings: by source, show rate, no-shows, turned into orders ---

def a_booking(shop, source, at_minutes):
    customer, vehicle = a_customer_and_vehicle(shop)
    at = times.iso(MORNING + timedelta(minutes=at_minutes))
    answer = shop.advisor.post("/api/appointments", {
        "appointment_id": new_id("appt"), "at": at, "duration_minutes": 60,
        "purpose": "定期保養", "source": source, "customer_id": customer["customer_id"],
        "vehicle_id": vehicle["vehicle_id"]})
    assert answer.status == 201, answer.body
    return answer.body["appointment_id"]


def a_day_of_bookings(shop, clock):
    """Four bookings made at 09:00 for the day: the phone one checked in (an order), the
    invitation's missed, the LINE one cancelled, the walk-in one still ahead."""
    kept, missed, cancelled = (a_booking(shop, source, minutes) for source, minutes in (
        ("phone", 60), ("invitation", 120), ("line", 180)))
    a_booking(shop, "walk_in", 480)
    clock.at(70)
    checked_in = shop.advisor.post(f"/api/appointments/{kept}/check-in",
                                   {"order_id": new_id("order")})
    assert checked_in.status == 201, checked_in.body
    clock.at(200)
    for appointment_id, state in ((missed, "no_show"), (cancelled, "cancelled")):
        answer = shop.advisor.patch(f"/api/appointments/{appointment_id}", {"state": state})
        assert answer.status == 200, answer.body


def test_bookings_count_by_source_with_the_show_rate_and_the_orders_they_became(
        app_env, shop, clock, stream):
    a_day_of_bookings(shop, clock)
    stream.drain()
    booked = figures(shop.owner)["bookings"]
    assert booked["made"] == 4
    assert booked["by_source"] == {"phone": 1, "line": 1, "online": 0, "walk_in": 1,
                                   "invitation": 1}
    assert (booked["checked_in"], booked["no_show"], booked["cancelled"]) == (1, 1, 1)
    assert booked["converted"] == 1
    assert booked["show_rate"] == 0.5  # one came of the two whose time has come
    assert booked["conversion"] == 0.25  # one order of four bookings
    (day,) = figures(shop.owner)["days"]
    assert day["bookings"]["made"] == 4 and day["bookings"]["no_show"] == 1
    sheet = shop.owner.get(f"/api/dashboard?from={DAY}&to={DAY}&format=csv").body
    rows = list(csv.reader(io.StringIO(sheet.decode("utf-8").lstrip("\ufeff"))))
    values = dict(zip(rows[0], rows[1]))
    assert values["預約來源：邀約 Bookings by invitation"] == "1"
    assert values["預約未到 No-shows"] == "1"
    assert values["預約轉工單 Bookings turned into orders"] == "1"


def test_a_booking_s_change_handed_over_twice_counts_once_and_a_rebuild_agrees(
        app_env, shop, clock, stream):
    a_day_of_bookings(shop, clock)
    stream.drain()
    before = figures(shop.owner)
    bookings = [record for record in stream.records(shop.shop_id)
                if "#APPT#" in record["dynamodb"]["Keys"]["pk"]["S"]]
    assert bookings
    assert api.on_change({"Records": bookings}, None) == {"batchItemFailures": []}
    assert figures(shop.owner) == before
    for item in aws.table().query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={
            ":pk": models.dashboard_pk(shop.shop_id)})["Items"]:
        aws.table().delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
    dashboard.backfill(shop.shop_id)
    assert figures(shop.owner)["bookings"] == before["bookings"]
