"""Appointments (預約表): the day's list in Asia/Taipei, reschedules, cancellations and
check-in as a repair order."""
import pytest

from tests.builders import a_customer, a_shop, a_vehicle, new_id

WRITERS = ("owner", "manager", "advisor")


@pytest.fixture
def booked_car(shop):
    customer = a_customer(shop, name="張先生")
    vehicle = a_vehicle(shop, customer["customer_id"], plate="RAB-5678", model="RAV4")
    return customer, vehicle


def appointment_body(booked_car, **fields):
    customer, vehicle = booked_car
    return {"appointment_id": new_id("appt"), "at": "2026-11-22T09:30:00+08:00",
            "duration_minutes": 60, "purpose": "四萬公里保養", "source": "line",
            "parts_to_prepare": ["機油濾芯", "空氣濾芯"], "customer_id": customer["customer_id"],
            "vehicle_id": vehicle["vehicle_id"], **fields}


def book(shop, booked_car, **fields):
    answer = shop.advisor.post("/api/appointments", appointment_body(booked_car, **fields))
    assert answer.status == 201, answer.body
    return answer.body


def day(shop, date, client=None):
    answer = (client or shop.technician).get(f"/api/appointments?date={date}")
    assert answer.status == 200, answer.body
    assert answer.body["date"] == date
    return answer.body["appointments"]


def test_an_appointment_is_stored_in_utc_with_the_customer_and_plate(shop, booked_car):
    body = appointment_body(booked_car)
    answer = shop.advisor.post("/api/appointments", body)
    assert answer.status == 201
    booked = answer.body
    assert booked["at"] == "2026-11-22T01:30:00.000Z"
    assert booked["customer_name"] == "張先生" and booked["plate"] == "RAB-5678"
    assert booked["state"] == "booked" and "order_id" not in booked
    assert booked["parts_to_prepare"] == ["機油濾芯", "空氣濾芯"]
    assert day(shop, "2026-11-22") == [booked]


@pytest.mark.parametrize("role", WRITERS)
def test_front_desk_roles_may_book_and_change_appointments(shop, booked_car, role):
    body = appointment_body(booked_car)
    assert shop.as_role(role).post("/api/appointments", body).status == 201
    changed = shop.as_role(role).patch(f"/api/appointments/{body['appointment_id']}",
                                       {"duration_minutes": 90})
    assert changed.status == 200 and changed.body["duration_minutes"] == 90


def test_a_technician_reads_the_list_but_cannot_book_change_or_check_in(shop, booked_car):
    body = appointment_body(booked_car)
    assert shop.technician.post("/api/appointments", body).status == 403
    assert day(shop, "2026-11-22") == []
    booked = book(shop, booked_car)
    path = f"/api/appointments/{booked['appointment_id']}"
    assert shop.technician.patch(path, {"state": "cancelled"}).status == 403
    assert shop.technician.post(f"{path}/check-in", {"order_id": new_id("order")}).status == 403
    assert [a["state"] for a in day(shop, "2026-11-22")] == ["booked"]
    assert shop.anonymous.get("/api/appointments?date=2026-11-22").status == 401


def test_a_replayed_booking_changes_nothing_and_answers_the_same(shop, booked_car):
    body = appointment_body(booked_car)
    first = shop.advisor.post("/api/appointments", body)
    again = shop.advisor.post("/api/appointments", {**body, "purpose": "別的"})
    assert again.status == 201 and again.body == first.body
    assert len(day(shop, "2026-11-22")) == 1


@pytest.mark.parametrize("change", [
    {"at": "2026-11-22T09:30:00"},            # no offset
    {"at": "22/11/2026 09:30"}, {"at": "2026-02-30T09:30:00+08:00"}, {"at": 1764000000},
    {"duration_minutes": 10}, {"duration_minutes": 601}, {"duration_minutes": "60"},
    {"source": "fax"}, {"purpose": ""}, {"purpose": "保" * 201},
    {"parts_to_prepare": ["x"] * 31}, {"parts_to_prepare": ["濾" * 101]},
    {"parts_to_prepare": "機油"}, {"room": "A"}, {"appointment_id": "bad id!"},
])
def test_bad_booking_input_is_refused_and_nothing_is_stored(shop, booked_car, change):
    body = appointment_body(booked_car, **change)
    answer = shop.advisor.post("/api/appointments", body)
    assert answer.status == 422 and answer.error == "validation", answer.body
    assert day(shop, "2026-11-22") == []


def test_a_booking_needs_a_customer_and_vehicle_of_the_shop(shop, booked_car, chalice_client):
    other = a_shop(chalice_client)
    their_customer = a_customer(other)
    their_vehicle = a_vehicle(other, their_customer["customer_id"])
    customer, vehicle = booked_car
    for ids in ({"customer_id": their_customer["customer_id"]},
                {"vehicle_id": their_vehicle["vehicle_id"]},
                {"customer_id": new_id("cust")}, {"vehicle_id": new_id("veh")}):
        answer = shop.advisor.post("/api/appointments", appointment_body(booked_car, **ids))
        assert answer.status == 404 and answer.error == "not_found", ids
    assert day(shop, "2026-11-22") == []


def test_the_days_list_is_the_taipei_day_in_time_order(shop, booked_car):
    late = book(shop, booked_car, at="2026-11-22T23:30:00+08:00")
    early = book(shop, booked_car, at="2026-11-22T00:00:00+08:00")   # 21 Nov in UTC
    noon = book(shop, booked_car, at="2026-11-22T04:00:00Z")          # 12:00 in Taipei
    next_day = book(shop, booked_car, at="2026-11-22T16:00:00Z")      # 00:00 on the 23rd
    assert [a["appointment_id"] for a in day(shop, "2026-11-22")] == \
        [early["appointment_id"], noon["appointment_id"], late["appointment_id"]]
    assert [a["appointment_id"] for a in day(shop, "2026-11-23")] == [next_day["appointment_id"]]
    assert day(shop, "2026-11-21") == []


def test_another_shops_appointments_are_never_listed_or_changed(shop, booked_car, chalice_client):
    other = a_shop(chalice_client)
    their_customer = a_customer(other)
    their_vehicle = a_vehicle(other, their_customer["customer_id"])
    theirs = book(other, (their_customer, their_vehicle))
    assert day(shop, "2026-11-22") == []
    path = f"/api/appointments/{theirs['appointment_id']}"
    assert shop.owner.patch(path, {"state": "cancelled"}).status == 404
    assert shop.owner.post(f"{path}/check-in", {"order_id": new_id("order")}).status == 404
    assert [a["state"] for a in day(other, "2026-11-22")] == ["booked"]


@pytest.mark.parametrize("date", ["2026-13-01", "2026-02-30", "tomorrow", "20261122", ""])
def test_a_bad_date_is_refused(shop, date):
    answer = shop.advisor.get(f"/api/appointments?date={date}")
    assert answer.status == 422 and answer.error == "validation"


def test_a_reschedule_moves_the_booking_to_its_new_day(shop, booked_car):
    booked = book(shop, booked_car)
    path = f"/api/appointments/{booked['appointment_id']}"
    moved = shop.advisor.patch(path, {"at": "2026-11-24T14:00:00+08:00", "purpose": "換輪胎",
                                      "parts_to_prepare": []})
    assert moved.status == 200
    assert moved.body["at"] == "2026-11-24T06:00:00.000Z"
    assert moved.body["purpose"] == "換輪胎" and moved.body["parts_to_prepare"] == []
    assert day(shop, "2026-11-22") == []
    assert day(shop, "2026-11-24") == [moved.body]


# ("booked" confirms a pending booking: on a booked one it changes nothing, test_bookings.py)
@pytest.mark.parametrize("change", [{"state": "checked_in"}, {"state": "pending"},
                                    {"at": "soon"}, {"duration_minutes": 0},
                                    {"customer_id": "someone-else"}, {"plate": "XYZ-1234"}])
def test_a_patch_refuses_what_it_may_not_change(shop, booked_car, change):
    booked = book(shop, booked_car)
    answer = shop.advisor.patch(f"/api/appointments/{booked['appointment_id']}", change)
    assert answer.status == 422
    assert day(shop, "2026-11-22") == [booked]


@pytest.mark.parametrize("state", ["cancelled", "no_show"])
def test_a_cancelled_or_no_show_booking_stays_listed_and_is_closed(shop, booked_car, state):
    booked = book(shop, booked_car)
    path = f"/api/appointments/{booked['appointment_id']}"
    closed = shop.advisor.patch(path, {"state": state})
    assert closed.status == 200 and closed.body["state"] == state
    replayed = shop.advisor.patch(path, {"state": state})
    assert replayed.status == 200 and replayed.body == closed.body
    refused = shop.advisor.patch(path, {"at": "2026-11-25T09:00:00+08:00"})
    assert refused.status == 409 and refused.error == "conflict"
    assert [a["state"] for a in day(shop, "2026-11-22")] == [state]


def test_patching_an_unknown_appointment_is_not_found(shop):
    assert shop.advisor.patch(f"/api/appointments/{new_id('appt')}",
                              {"purpose": "x"}).status == 404


# --- check-in ---

def test_check_in_opens_the_order_and_marks_the_booking(shop, booked_car):
    customer, vehicle = booked_car
    booked = book(shop, booked_car)
    order_id = new_id("order")
    answer = shop.advisor.post(f"/api/appointments/{booked['appointment_id']}/check-in",
                               {"order_id": order_id})
    assert answer.status == 201, answer.body
    order = answer.body
    assert order["order_id"] == order_id and order["state"] == "checked_in"
    assert order["concerns"] == ["四萬公里保養"]
    assert order["customer"]["customer_id"] == customer["customer_id"]
    assert order["vehicle"]["vehicle_id"] == vehicle["vehicle_id"]
    assert order["appointment_id"] == booked["appointment_id"]
    [listed] = day(shop, "2026-11-22")
    assert listed["state"] == "checked_in" and listed["order_id"] == order_id
    assert shop.advisor.get(f"/api/orders/{order_id}").status == 200


def test_a_replayed_check_in_answers_the_same_order(shop, booked_car):
    booked = book(shop, booked_car)
    path = f"/api/appointments/{booked['appointment_id']}/check-in"
    order_id = new_id("order")
    first = shop.advisor.post(path, {"order_id": order_id})
    again = shop.manager.post(path, {"order_id": order_id})
    assert again.status == 201
    assert again.body["order_id"] == order_id and again.body["number"] == first.body["number"]
    vehicle_orders = shop.advisor.get(f"/api/vehicles/{booked['vehicle_id']}").body["orders"]
    assert [o["order_id"] for o in vehicle_orders] == [order_id]


def test_a_second_check_in_with_another_order_is_refused(shop, booked_car):
    booked = book(shop, booked_car)
    path = f"/api/appointments/{booked['appointment_id']}/check-in"
    first = shop.advisor.post(path, {"order_id": new_id("order")})
    other = new_id("order")
    refused = shop.advisor.post(path, {"order_id": other})
    assert refused.status == 409 and refused.error == "conflict"
    assert shop.advisor.get(f"/api/orders/{other}").status == 404
    assert day(shop, "2026-11-22")[0]["order_id"] == first.body["order_id"]
    assert shop.advisor.patch(f"/api/appointments/{booked['appointment_id']}",
                              {"state": "cancelled"}).status == 409


def test_a_cancelled_booking_cannot_be_checked_in(shop, booked_car):
    booked = book(shop, booked_car)
    path = f"/api/appointments/{booked['appointment_id']}"
    shop.advisor.patch(path, {"state": "cancelled"})
    order_id = new_id("order")
    refused = shop.advisor.post(f"{path}/check-in", {"order_id": order_id})
    assert refused.status == 409
    assert shop.advisor.get(f"/api/orders/{order_id}").status == 404


def test_a_late_customer_marked_no_show_can_still_check_in(shop, booked_car):
    booked = book(shop, booked_car)
    path = f"/api/appointments/{booked['appointment_id']}"
    shop.advisor.patch(path, {"state": "no_show"})
    answer = shop.advisor.post(f"{path}/check-in", {"order_id": new_id("order")})
    assert answer.status == 201
    assert day(shop, "2026-11-22")[0]["state"] == "checked_in"


def test_a_check_in_with_another_orders_id_is_refused_and_the_booking_stays_open(shop,
                                                                               booked_car):
    customer, vehicle = booked_car
    booked = book(shop, booked_car)
    existing = shop.advisor.post("/api/orders", {"order_id": new_id("order"),
                                                 "customer_id": customer["customer_id"],
                                                 "vehicle_id": vehicle["vehicle_id"]})
    assert existing.status == 201
    refused = shop.advisor.post(f"/api/appointments/{booked['appointment_id']}/check-in",
                                {"order_id": existing.body["order_id"]})
    assert refused.status == 409
    [listed] = day(shop, "2026-11-22")
    assert listed["state"] == "booked" and "order_id" not in listed


def test_checking_in_a_car_that_already_has_an_open_order_is_refused_naming_it(shop,
                                                                              booked_car):
    customer, vehicle = booked_car
    booked = book(shop, booked_car)
    walk_in = shop.advisor.post("/api/orders", {"order_id": new_id("order"),
                                                "customer_id": customer["customer_id"],
                                                "vehicle_id": vehicle["vehicle_id"]})
    assert walk_in.status == 201
    order_id = new_id("order")
    path = f"/api/appointments/{booked['appointment_id']}/check-in"
    refused = shop.advisor.post(path, {"order_id": order_id})
    assert (refused.status, refused.error) == (409, "vehicle_has_open_order"), refused.body
    assert walk_in.body["number"] in refused.body["error"]["message"]
    assert shop.advisor.get(f"/api/orders/{order_id}").status == 404
    [listed] = day(shop, "2026-11-22")
    assert listed["state"] == "booked" and "order_id" not in listed
    vehicle_orders = shop.advisor.get(f"/api/vehicles/{vehicle['vehicle_id']}").body["orders"]
    assert [o["order_id"] for o in vehicle_orders] == [walk_in.body["order_id"]]
    # once that order is delivered or cancelled, the booking checks in as usual
    shop.advisor.post(f"/api/orders/{walk_in.body['order_id']}/transitions",
                      {"to": "cancelled", "client_id": new_id("step")})
    assert shop.advisor.post(path, {"order_id": order_id}).status == 201


@pytest.mark.parametrize("body", [{}, {"order_id": "x"}, {"order_id": new_id(), "note": "x"}])
def test_a_bad_check_in_is_refused(shop, booked_car, body):
    booked = book(shop, booked_car)
    answer = shop.advisor.post(f"/api/appointments/{booked['appointment_id']}/check-in", body)
    assert answer.status == 422
    assert day(shop, "2026-11-22")[0]["state"] == "booked"


def test_checking_in_an_unknown_appointment_is_not_found(shop):
    answer = shop.advisor.post(f"/api/appointments/{new_id('appt')}/check-in",
                               {"order_id": new_id("order")})
    assert answer.status == 404
