"""The invitation list (邀約回廠名單) on DynamoDB Local: what it lists and leaves out, one row per
car with its reasons merged, contacts that claim the car (two advisors at once: one wins), a
replay that changes nothing, the marketing refusal, a message that lands in the outbox, and what
the list costs in DynamoDB requests."""
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

import pytest

from chalicelib import models
from chalicelib.after import invitations
from chalicelib.records import customers
from tests.builders import a_customer_and_vehicle, a_visit, new_id
from tests.integration.test_customer_page_requests import sent  # noqa: F401 (fixture)
from tests.integration.test_notify import handle, item_records, stream_records

TAIPEI = timezone(timedelta(hours=8))
TODAY = date(2027, 3, 10)


@pytest.fixture
def today(clock):
    """The shop's clock at 10:00 on TODAY (outside quiet hours)."""
    clock.value = datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0, tzinfo=TAIPEI)
    return TODAY


def a_car_due(shop, inspection: int | None = None, insurance: int | None = None,
              **customer_fields):
    """A customer's car whose inspection and/or insurance falls due so many days from today."""
    customer, vehicle = a_customer_and_vehicle(shop)
    if customer_fields:
        changed = shop.advisor.patch(f"/api/customers/{customer['customer_id']}",
                                     customer_fields)
        assert changed.status == 200, changed.body
    dates = {f"{kind}_due_on": (TODAY + timedelta(days=days)).isoformat()
             for kind, days in (("inspection", inspection), ("insurance", insurance))
             if days is not None}
    answer = shop.advisor.patch(f"/api/vehicles/{vehicle['vehicle_id']}", dates)
    assert answer.status == 200, answer.body
    return customer, vehicle


def the_list(person, weeks=None) -> dict:
    answer = person.get("/api/invitations" + (f"?weeks={weeks}" if weeks else ""))
    assert answer.status == 200, answer.body
    return answer.body


def rows_of(listed: dict, part: str = "invitations") -> dict:
    return {row["vehicle_id"]: row for row in listed[part]}


def contact(person, vehicle_id, client_id=None, **fields):
    return person.post(f"/api/invitations/{vehicle_id}/contacts", {
        "client_id": client_id or new_id("contact"), "method": "call",
        "outcome": "no_answer", **fields})


def test_the_list_holds_the_coming_weeks_due_one_row_per_car_with_its_reasons(shop, today):
    _, soon = a_car_due(shop, inspection=10, insurance=12)
    _, later = a_car_due(shop, insurance=60)
    _, overdue = a_car_due(shop, inspection=-20)
    _, long_ago = a_car_due(shop, inspection=-45)
    rows = rows_of(the_list(shop.advisor))
    assert set(rows) >= {soon["vehicle_id"], overdue["vehicle_id"]}
    assert later["vehicle_id"] not in rows and long_ago["vehicle_id"] not in rows
    row = rows[soon["vehicle_id"]]
    assert [(reason["kind"], reason["zh"]) for reason in row["reasons"]] == [
        ("inspection", "定期檢驗"), ("insurance", "強制險到期")]
    assert row["due_on"] == (TODAY + timedelta(days=10)).isoformat() and not row["overdue"]
    assert row["plate"] == soon["plate"] and row["name"] == "林美玲"
    assert row["mobile_masked"].endswith(row["mobile"][-3:]) and "***" in row["mobile_masked"]
    assert row["state"] == "todo" and row["last_contact"] is None and row["marketing"] is True
    assert rows[overdue["vehicle_id"]]["overdue"] is True
    # overdue first, then by due day
    order = [r["vehicle_id"] for r in the_list(shop.advisor)["invitations"]]
    assert order.index(overdue["vehicle_id"]) < order.index(soon["vehicle_id"])
    # twelve weeks ahead reach the insurance due in 60 days
    assert later["vehicle_id"] in rows_of(the_list(shop.advisor, weeks=12))
    assert shop.advisor.get("/api/invitations?weeks=13").status == 422
    assert shop.technician.get("/api/invitations").status == 403


def test_declined_work_still_open_is_listed_and_a_later_visit_that_does_it_settles_it(
        shop, today, clock):
    _, vehicle = a_customer_and_vehicle(shop)
    first = a_visit(shop, vehicle, 30_000, {"LF": (6, 6, 6)}, {"front": 8},
                    [("機油更換", "approved"), ("雨刷更換", "declined"), ("冷氣濾網更換", "declined")])
    handle(stream_records(first["order_id"]))
    row = rows_of(the_list(shop.advisor))[vehicle["vehicle_id"]]
    (declined,) = [reason for reason in row["reasons"] if reason["kind"] == "declined"]
    assert sorted(declined["lines"]) == sorted(["雨刷更換", "冷氣濾網更換"])
    assert declined["zh"] == "未做項目"
    assert declined["due_on"] == (TODAY + timedelta(days=21)).isoformat()
    clock.value += timedelta(hours=1)
    second = a_visit(shop, vehicle, 31_000, {"LF": (6, 6, 6)}, {"front": 8},
                     [("雨刷 更換", "approved")])
    handle(stream_records(second["order_id"]))
    handle(stream_records(second["order_id"]))  # the batch handed over again
    row = rows_of(the_list(shop.advisor))[vehicle["vehicle_id"]]
    (declined,) = [reason for reason in row["reasons"] if reason["kind"] == "declined"]
    assert declined["lines"] == ["冷氣濾網更換"]
    clock.value += timedelta(hours=1)
    third = a_visit(shop, vehicle, 32_000, {"LF": (6, 6, 6)}, {"front": 8},
                    [("冷氣濾網更換", "approved")])
    handle(stream_records(third["order_id"]))
    assert vehicle["vehicle_id"] not in rows_of(the_list(shop.advisor, weeks=12))


def test_a_car_booked_ahead_is_not_to_do_and_comes_back_when_the_booking_is_cancelled(
        shop, today):
    customer, vehicle = a_car_due(shop, inspection=7)
    appointment_id = new_id("appt")
    booked = shop.advisor.post("/api/appointments", {
        "appointment_id": appointment_id, "at": "2027-03-15T09:00:00+08:00",
        "duration_minutes": 60, "purpose": "驗車前檢查", "source": "invitation",
        "customer_id": customer["customer_id"], "vehicle_id": vehicle["vehicle_id"]})
    assert booked.status == 201, booked.body
    records = item_records(lambda pk, sk: pk.endswith(f"#APPT#{appointment_id}"))
    handle(records)
    listed = the_list(shop.advisor)
    assert vehicle["vehicle_id"] not in rows_of(listed)
    row = rows_of(listed, "contacted")[vehicle["vehicle_id"]]
    assert row["state"] == "booked" and row["booking"]["appointment_id"] == appointment_id
    cancelled = shop.advisor.patch(f"/api/appointments/{appointment_id}", {"state": "cancelled"})
    assert cancelled.status == 200, cancelled.body
    handle(item_records(lambda pk, sk: pk.endswith(f"#APPT#{appointment_id}")))
    assert rows_of(the_list(shop.advisor))[vehicle["vehicle_id"]]["state"] == "todo"


def test_a_contact_hides_the_row_until_its_call_back_day_and_for_good_when_declined(
        shop, today, clock):
    _, called_back = a_car_due(shop, inspection=10)
    _, declined = a_car_due(shop, inspection=10)
    answer = contact(shop.advisor, called_back["vehicle_id"], outcome="later",
                     call_back_on="2027-03-14", note="出差中，下週再打")
    assert answer.status == 200, answer.body
    assert answer.body["last_contact"]["by"]["staff_id"] == shop.advisor.staff_id
    assert contact(shop.advisor, declined["vehicle_id"], outcome="declined").status == 200
    listed = the_list(shop.advisor)
    assert {called_back["vehicle_id"], declined["vehicle_id"]}.isdisjoint(rows_of(listed))
    row = rows_of(listed, "contacted")[called_back["vehicle_id"]]
    assert row["state"] == "contacted" and row["last_contact"]["outcome"] == "later"
    assert row["last_contact"]["note"] == "出差中，下週再打"
    clock.value += timedelta(days=4)  # the day to call back
    rows = rows_of(the_list(shop.advisor))
    assert called_back["vehicle_id"] in rows and declined["vehicle_id"] not in rows
    # a new reason is a new round: the customer who declined is on the list again
    moved = shop.advisor.patch(f"/api/vehicles/{declined['vehicle_id']}",
                               {"insurance_due_on": "2027-03-20"})
    assert moved.status == 200, moved.body
    assert declined["vehicle_id"] in rows_of(the_list(shop.advisor))
    bad = contact(shop.advisor, called_back["vehicle_id"], outcome="declined",
                  call_back_on="2027-03-20")
    assert bad.status == 422
    _, not_due = a_customer_and_vehicle(shop)
    assert contact(shop.advisor, not_due["vehicle_id"]).error == "not_on_list"


def test_two_advisors_recording_at_once_one_wins_the_other_is_told_who(shop, today):
    for _ in range(3):
        _, vehicle = a_car_due(shop, inspection=5)
        people = [shop.advisor, shop.manager] * 3
        with ThreadPoolExecutor(max_workers=len(people)) as pool:
            answers = list(pool.map(lambda person: contact(person, vehicle["vehicle_id"],
                                                           outcome="later"), people))
        won = [n for n, answer in enumerate(answers) if answer.status == 200]
        assert len(won) == 1, [answer.body for answer in answers]
        winner = people[won[0]]
        refused = [answer for answer in answers if answer.status != 200]
        assert {answer.status for answer in refused} == {409}
        assert {answer.error for answer in refused} == {"already_contacted"}
        stored = models.Invitation.read(models.Invitation.key(shop.shop_id,
                                                              vehicle["vehicle_id"]))
        (recorded,) = stored["contacts"]  # one contact, the winner's
        assert recorded["by"]["staff_id"] == winner.staff_id
        # the refusal names who called
        assert all(recorded["by"]["name"] in answer.body["error"]["message"]
                   for answer in refused)


def test_a_replayed_contact_changes_nothing_even_sent_twice_at_once(shop, today):
    _, vehicle = a_car_due(shop, inspection=5)
    client_id = new_id("contact")
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: contact(shop.advisor, vehicle["vehicle_id"],
                                                  client_id, outcome="booked"), range(4)))
    assert [answer.status for answer in answers] == [200] * 4, [a.body for a in answers]
    again = contact(shop.advisor, vehicle["vehicle_id"], client_id, outcome="booked")
    assert again.status == 200 and len(again.body["contacts"]) == 1


def test_an_invitation_by_sms_lands_in_the_outbox_and_counts_as_the_contact(shop, today):
    customer, vehicle = a_car_due(shop, inspection=5)
    order = a_visit(shop, vehicle, 20_000, {"LF": (6, 6, 6)}, {"front": 8},
                    [("機油更換", "approved")])
    answer = shop.advisor.post(f"/api/invitations/{vehicle['vehicle_id']}/messages",
                               {"client_id": new_id("send")})
    assert answer.status == 200, answer.body
    assert answer.body["last_contact"]["method"] == "sms"
    assert answer.body["last_contact"]["outcome"] == "sent"
    (message,) = [m for m in models.Message.items(models.order_pk(shop.shop_id,
                                                                  order["order_id"]))
                  if m["step"].startswith("invitation:")]
    assert message["channel"] == "sms" and message["state"] == "sent"
    assert "定期檢驗" in message["text"] and "/o/" in message["text"]
    assert vehicle["vehicle_id"] in rows_of(the_list(shop.advisor), "contacted")
    again = shop.manager.post(f"/api/invitations/{vehicle['vehicle_id']}/messages",
                              {"client_id": new_id("send")})
    assert again.status == 409 and again.error == "already_contacted"
    assert customer["customer_id"]


def test_an_invitation_is_refused_to_a_customer_who_said_no_to_marketing(shop, today):
    _, vehicle = a_car_due(shop, inspection=5,
                           marketing={"agreed": False, "method": "tablet"})
    a_visit(shop, vehicle, 20_000, {"LF": (6, 6, 6)}, {"front": 8}, [("機油更換", "approved")])
    row = rows_of(the_list(shop.advisor))[vehicle["vehicle_id"]]
    assert row["marketing"] is False
    answer = shop.advisor.post(f"/api/invitations/{vehicle['vehicle_id']}/messages",
                               {"client_id": new_id("send"), "channel": "line"})
    assert answer.status == 409 and answer.error == "no_marketing"
    assert "行銷" in answer.body["error"]["message"]
    assert rows_of(the_list(shop.advisor))[vehicle["vehicle_id"]]["state"] == "todo"
    # a call is still the shop's to make
    assert contact(shop.advisor, vehicle["vehicle_id"]).status == 200


def test_quiet_hours_hold_the_invitation(shop, today, clock):
    _, vehicle = a_car_due(shop, inspection=5)
    customer = customers.get_customer(shop.shop_id, vehicle["customer_id"])
    assert customer
    a_visit(shop, vehicle, 20_000, {"LF": (6, 6, 6)}, {"front": 8}, [("機油更換", "approved")])
    clock.value = datetime(TODAY.year, TODAY.month, TODAY.day, 22, 0, tzinfo=TAIPEI)
    answer = shop.advisor.post(f"/api/invitations/{vehicle['vehicle_id']}/messages",
                               {"client_id": new_id("send")})
    assert answer.status == 409 and answer.error == "quiet_hours"


def test_the_list_of_forty_cars_costs_three_requests(shop, today, sent):
    for n in range(40):
        a_car_due(shop, inspection=n % 20, insurance=(n % 20) + 3)
    sent.clear()
    listed = the_list(shop.advisor)
    assert len(listed["invitations"]) == 40
    # Query gsi1 INVITE#<shop>; BatchGetItem 80 cars and Invitation items (100 a request);
    # BatchGetItem 40 owners: the signed-in check reads nothing.
    assert sent == ["Query", "BatchGetItem", "BatchGetItem"], sent


def test_the_backfill_lists_a_shop_s_cars_from_before_the_list(shop, today, clock):
    """Data from before the index: reminders without gsi1, declined work without its reminder,
    a booking without its mark on the car; the backfill puts each on the list, and again
    changes nothing."""
    customer, booked_car = a_car_due(shop, inspection=4)
    _, due_car = a_car_due(shop, inspection=6)
    _, vehicle = a_customer_and_vehicle(shop)
    visit = a_visit(shop, vehicle, 30_000, {"LF": (6, 6, 6)}, {"front": 8},
                    [("機油更換", "approved"), ("雨刷更換", "declined")])
    assert visit["state"] == "delivered"  # its stream record never handled: as before the list
    appointment_id = new_id("appt")
    booked = shop.advisor.post("/api/appointments", {
        "appointment_id": appointment_id, "at": "2027-03-12T09:00:00+08:00",
        "duration_minutes": 60, "purpose": "驗車", "source": "phone",
        "customer_id": customer["customer_id"], "vehicle_id": booked_car["vehicle_id"]})
    assert booked.status == 201, booked.body
    Reminder = models.Reminder
    for car in (booked_car, due_car):
        Reminder.from_dict(Reminder.key(shop.shop_id, car["vehicle_id"], "inspection")).update(
            actions=[Reminder.gsi1pk.remove(), Reminder.gsi1sk.remove()])
    assert not {booked_car["vehicle_id"], due_car["vehicle_id"], vehicle["vehicle_id"]} & set(
        rows_of(the_list(shop.advisor)))
    counts = invitations.backfill(shop.shop_id)
    assert counts["reminders"] == 2 and counts["declined"] == 1 and counts["bookings"] == 1
    listed = the_list(shop.advisor)
    rows = rows_of(listed)
    assert due_car["vehicle_id"] in rows and vehicle["vehicle_id"] in rows
    (declined,) = rows[vehicle["vehicle_id"]]["reasons"]
    assert declined["kind"] == "declined" and declined["lines"] == ["雨刷更換"]
    assert rows_of(listed, "contacted")[booked_car["vehicle_id"]]["state"] == "booked"
    again = invitations.backfill(shop.shop_id)
    assert again["reminders"] == 0 and the_list(shop.advisor) == listed
