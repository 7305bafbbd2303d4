"""Online booking: the shop's booking setup and page code, slots and their places (taken in
one conditional write, never more than a slot holds, whatever the number of bookings at once),
the booking's life (pending, confirmed, rescheduled, cancelled, a no-show) and the week view."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest

from chalicelib import changes, models
from chalicelib.after import daily
from chalicelib.core import aws
from chalicelib.core import clock as times
from chalicelib.outward import booking_links, booking_messages
from chalicelib.outward.notify import quiet_hours
from chalicelib.records import booking_setup, customers, onboarding
from chalicelib.work import appointments, slots
from tests.builders import a_customer, a_plate, a_shop, a_vehicle, new_id
from tests.integration.test_notify import item_records

TAIPEI = times.SHOP_TIMEZONE
# Monday 2026-12-07, 08:00 in Taipei: tomorrow is Tuesday 12/08.
MONDAY_MORNING = datetime(2026, 12, 7, 8, 0, tzinfo=TAIPEI)
HOURS = {day: {"open": "08:30", "close": "18:00"} for day in ("mon", "tue", "wed", "thu", "fri")}
HOURS["sat"] = {"open": "09:00", "close": "12:00"}  # Sunday: closed


def setup_body(**fields):
    return {"slot_minutes": 30, "cars_per_slot": 2, "days_ahead": 30, "notice_hours": 2,
            "confirm_by_hand": False, "holidays": [], "online": True,
            "services": [{"service_id": "oil", "zh": "換機油", "en": "Oil change", "minutes": 30},
                         {"service_id": "service", "zh": "定期保養", "en": "Service",
                          "minutes": 60}], **fields}


@pytest.fixture
def open_shop(shop, clock):
    """The shop open Monday to Saturday, its booking setup as `setup_body`, at Monday 08:00."""
    clock.value = MONDAY_MORNING
    assert shop.manager.patch("/api/shop", {"opening_hours": HOURS}).status == 200
    answer = shop.manager.put("/api/booking-setup", setup_body())
    assert answer.status == 200, answer.body
    return shop


def configure(shop, **fields):
    answer = shop.manager.put("/api/booking-setup", setup_body(**fields))
    assert answer.status == 200, answer.body
    return answer.body


def a_car(shop):
    customer = a_customer(shop, name="陳小姐")
    return customer, a_vehicle(shop, customer["customer_id"], plate=a_plate())


def at(day: str, time_of_day: str) -> str:
    return f"{day}T{time_of_day}:00+08:00"


def book_online(shop, when: str, minutes: int = 30, car=None, appointment_id=None):
    """A booking as the public page makes it (chalicelib.work.appointments.book)."""
    customer, vehicle = car or a_car(shop)
    return appointments.book(shop.shop_id, appointment_id=appointment_id or new_id("appt"),
                             at=when, duration_minutes=minutes, purpose="換機油",
                             service_id="oil", source="online", note=None, customer=customer,
                             vehicle=vehicle, by={"customer": True})


def taken(shop, day: str) -> dict:
    return slots.taken_on(shop.shop_id, day)


def refusal(work):
    """The DomainError `work()` raises: (status, code)."""
    try:
        work()
    except Exception as err:  # noqa: BLE001 - the domain's errors carry status and code
        return getattr(err, "status", None), getattr(err, "code", type(err).__name__)
    raise AssertionError("not refused")


# --- the setup ---

def test_a_shop_that_changed_nothing_reads_the_defaults_with_its_page_link_and_qr(shop):
    answer = shop.advisor.get("/api/booking-setup")
    assert answer.status == 200, answer.body
    setup = answer.body
    assert (setup["slot_minutes"], setup["cars_per_slot"], setup["days_ahead"],
            setup["notice_hours"], setup["confirm_by_hand"], setup["online"]) == \
        (30, 2, 30, 2, False, True)
    assert setup["holidays"] == [] and setup["services"][0]["minutes"] == 60
    code = setup["booking_url"].rsplit("/b/", 1)[1]
    assert booking_setup.shop_of_booking_code(code) == shop.shop_id
    assert booking_setup.shop_of_booking_code("nosuchcode") is None
    assert setup["booking_qr_svg"].lstrip().startswith("<?xml") or "<svg" in setup["booking_qr_svg"]
    again = shop.owner.get("/api/booking-setup").body
    assert again["booking_url"] == setup["booking_url"]  # made once


def test_a_new_shop_has_its_booking_page_from_the_start(chalice_client):
    opened = onboarding.open_shop(onboarding.NewShop(
        shop_id=new_id("new").lower()[:30], name="新開保養廠", tax_id="04595257",
        phone="02-2345-6789", address="新北市板橋區文化路一段 1 號",
        owner_name="林老闆", owner_login=f"{new_id('boss')}@new.test"), welcome=False)
    code = booking_setup.read(opened.shop_id)["code"]
    assert code and booking_setup.shop_of_booking_code(code) == opened.shop_id


def test_first_reads_at_once_keep_one_page_code(chalice_client):
    shop = a_shop(chalice_client)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: shop.advisor.get("/api/booking-setup"), range(6)))
    assert {answer.status for answer in answers} == {200}
    urls = {answer.body["booking_url"] for answer in answers}
    assert len(urls) == 1
    code = urls.pop().rsplit("/b/", 1)[1]
    assert booking_setup.shop_of_booking_code(code) == shop.shop_id
    pages = [item for item in aws.table().scan(
        FilterExpression="#t = :t AND shop_id = :s",
        ExpressionAttributeNames={"#t": "type"},
        ExpressionAttributeValues={":t": "booking_page", ":s": shop.shop_id})["Items"]]
    assert [page["code"] for page in pages] == [code]  # the losers' look-ups are gone


def test_the_setup_is_replaced_whole_by_a_manager_and_keeps_its_code(shop):
    before = shop.advisor.get("/api/booking-setup").body
    changed = shop.manager.put("/api/booking-setup", setup_body(
        slot_minutes=20, cars_per_slot=3, confirm_by_hand=True,
        holidays=["2026-12-25", "2026-12-25", "2026-12-24"]))
    assert changed.status == 200, changed.body
    assert changed.body["slot_minutes"] == 20 and changed.body["cars_per_slot"] == 3
    assert changed.body["holidays"] == ["2026-12-24", "2026-12-25"]
    assert changed.body["booking_url"] == before["booking_url"]
    assert shop.advisor.get("/api/booking-setup").body["confirm_by_hand"] is True


@pytest.mark.parametrize("role,status", [("advisor", 403), ("technician", 403)])
def test_only_owners_and_managers_change_the_setup(shop, role, status):
    assert shop.as_role(role).put("/api/booking-setup", setup_body()).status == status


def test_a_technician_does_not_read_the_setup(shop):
    assert shop.technician.get("/api/booking-setup").status == 403


@pytest.mark.parametrize("bad", [{"slot_minutes": 10}, {"cars_per_slot": 0}, {"days_ahead": 121},
                                 {"notice_hours": 73}, {"services": []},
                                 {"holidays": ["2026-02-30"]},
                                 {"services": [{"service_id": "oil", "zh": "a", "en": "a",
                                                "minutes": 30}] * 2}])
def test_a_setup_out_of_bounds_is_refused(shop, bad):
    answer = shop.manager.put("/api/booking-setup", setup_body(**bad))
    assert answer.status == 422, answer.body


# --- free slots ---

def test_free_slots_follow_the_opening_hours_from_the_notice_on(open_shop):
    today = slots.free_slots(open_shop.shop_id, "2026-12-07", 30)
    # 08:00 now, 2 hours' notice: 10:00 is the first; the last starts 17:30.
    assert today[0] == {"at": "2026-12-07T02:00:00.000Z", "free": 2}
    assert today[-1]["at"] == "2026-12-07T09:30:00.000Z" and len(today) == 16
    hour_long = slots.free_slots(open_shop.shop_id, "2026-12-08", 60)
    assert hour_long[0]["at"] == "2026-12-08T00:30:00.000Z"  # 08:30
    assert hour_long[-1]["at"] == "2026-12-08T09:00:00.000Z"  # 17:00: both slots before 18:00
    saturday = slots.free_slots(open_shop.shop_id, "2026-12-12", 30)
    assert [slot["at"] for slot in saturday][:1] == ["2026-12-12T01:00:00.000Z"]
    assert len(saturday) == 6


def test_no_free_slots_on_a_holiday_a_closed_day_or_beyond_the_days_ahead(open_shop):
    configure(open_shop, holidays=["2026-12-25"], days_ahead=10)
    assert slots.free_slots(open_shop.shop_id, "2026-12-25", 30) == []  # a Friday, a holiday
    assert slots.free_slots(open_shop.shop_id, "2026-12-13", 30) == []  # Sunday
    assert slots.free_slots(open_shop.shop_id, "2026-12-17", 30) != []  # day 10
    assert slots.free_slots(open_shop.shop_id, "2026-12-18", 30) == []  # day 11


def test_a_full_slot_is_not_offered_and_a_half_full_one_says_one_left(open_shop):
    book_online(open_shop, at("2026-12-08", "09:00"))
    book_online(open_shop, at("2026-12-08", "09:00"))
    book_online(open_shop, at("2026-12-08", "09:30"))
    free = {slot["at"]: slot["free"] for slot in
            slots.free_slots(open_shop.shop_id, "2026-12-08", 30)}
    assert "2026-12-08T01:00:00.000Z" not in free  # 09:00 full
    assert free["2026-12-08T01:30:00.000Z"] == 1
    hour = {slot["at"]: slot["free"] for slot in
            slots.free_slots(open_shop.shop_id, "2026-12-08", 60)}
    assert "2026-12-08T00:30:00.000Z" not in hour  # 08:30 + 09:00: 09:00 is full
    assert hour["2026-12-08T01:30:00.000Z"] == 1


def count_requests():
    counts = {"dynamodb": 0}

    def count(**_):
        counts["dynamodb"] += 1

    clients = (aws.client("dynamodb"), aws.table().meta.client,
               models.Item._get_connection().connection.client)
    for client in clients:
        client.meta.events.register("before-send", count)
    return counts, lambda: [client.meta.events.unregister("before-send", count)
                            for client in clients]


def test_a_days_free_slots_are_one_request_once_the_calendar_is_read(open_shop):
    book_online(open_shop, at("2026-12-09", "10:00"))
    counts, stop = count_requests()
    cal = slots.calendar(open_shop.shop_id)
    read_calendar = counts["dynamodb"]
    free = slots.free_slots(open_shop.shop_id, "2026-12-09", 30, cal)
    stop()
    assert read_calendar == 1  # the setup and the opening hours: one BatchGetItem
    assert counts["dynamodb"] - read_calendar == 1  # the day's counts: one GetItem
    assert {"at": "2026-12-09T02:00:00.000Z", "free": 1} in free


# --- places taken, never more than a slot holds ---

def test_eight_bookings_at_once_for_the_last_two_places_two_are_taken(open_shop):
    configure(open_shop, cars_per_slot=3)
    when = at("2026-12-08", "10:00")
    book_online(open_shop, when)
    cars = [a_car(open_shop) for _ in range(8)]

    def attempt(car):
        try:
            return book_online(open_shop, when, car=car)["state"]
        except Exception as err:  # noqa: BLE001
            return f"{getattr(err, 'status', '?')} {getattr(err, 'code', repr(err))}"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, cars))
    assert sorted(outcomes) == ["409 slot_full"] * 6 + ["booked"] * 2
    assert taken(open_shop, "2026-12-08") == {"10:00": 3}
    listed = open_shop.advisor.get("/api/appointments?date=2026-12-08").body["appointments"]
    assert len(listed) == 3


def test_an_hour_long_booking_takes_two_slots_or_none(open_shop):
    configure(open_shop, cars_per_slot=1)
    book_online(open_shop, at("2026-12-08", "10:30"))
    assert refusal(lambda: book_online(open_shop, at("2026-12-08", "10:00"), minutes=60)) == \
        (409, "slot_full")
    assert taken(open_shop, "2026-12-08") == {"10:30": 1}  # 10:00 not taken either
    booked = book_online(open_shop, at("2026-12-08", "11:00"), minutes=60)
    assert booked["state"] == "booked"
    assert taken(open_shop, "2026-12-08") == {"10:30": 1, "11:00": 1, "11:30": 1}


def test_a_replayed_booking_takes_its_places_once(open_shop):
    car, appointment_id = a_car(open_shop), new_id("appt")
    first = book_online(open_shop, at("2026-12-08", "10:00"), car=car,
                        appointment_id=appointment_id)
    again = book_online(open_shop, at("2026-12-08", "10:00"), car=car,
                        appointment_id=appointment_id)
    assert first == again
    assert taken(open_shop, "2026-12-08") == {"10:00": 1}


@pytest.mark.parametrize("when,code", [
    (at("2026-12-07", "09:00"), "too_soon"),  # within the two hours' notice
    (at("2026-12-07", "07:30"), "too_soon"),  # past
    (at("2027-01-08", "10:00"), "too_far"),
    (at("2026-12-08", "10:10"), "not_a_slot"),
    (at("2026-12-13", "10:00"), "not_a_slot"),  # Sunday
    (at("2026-12-08", "17:30"), "not_a_slot"),  # an hour's service at 17:30 ends after 18:00
])
def test_the_page_books_only_slot_starts_within_the_window(open_shop, when, code):
    assert refusal(lambda: book_online(open_shop, when, minutes=60)) == (422, code)


def test_the_page_takes_no_booking_while_online_booking_is_off(open_shop):
    configure(open_shop, online=False)
    assert refusal(lambda: book_online(open_shop, at("2026-12-08", "10:00"))) == \
        (409, "booking_off")


def test_the_advisor_books_a_full_slot_only_on_purpose(open_shop):
    configure(open_shop, cars_per_slot=1)
    book_online(open_shop, at("2026-12-08", "10:00"))
    customer, vehicle = a_car(open_shop)
    body = {"appointment_id": new_id("appt"), "at": at("2026-12-08", "10:00"),
            "duration_minutes": 30, "purpose": "異音檢查", "source": "phone",
            "customer_id": customer["customer_id"], "vehicle_id": vehicle["vehicle_id"]}
    full = open_shop.advisor.post("/api/appointments", body)
    assert full.status == 409 and full.error == "slot_full"
    assert "額滿" in full.body["error"]["message"]
    forced = open_shop.advisor.post("/api/appointments", {**body, "overbook": True})
    assert forced.status == 201 and forced.body["overbooked"] is True
    assert taken(open_shop, "2026-12-08") == {"10:00": 2}


# --- the booking's life ---

def test_a_reschedule_moves_the_places_in_one_write(open_shop):
    booked = book_online(open_shop, at("2026-12-08", "10:00"), minutes=60)
    moved = appointments.reschedule(open_shop.shop_id, booked["appointment_id"],
                                    at("2026-12-09", "14:00"), {"customer": True})
    assert moved["at"] == "2026-12-09T06:00:00.000Z"
    assert taken(open_shop, "2026-12-08") == {"10:00": 0, "10:30": 0}
    assert taken(open_shop, "2026-12-09") == {"14:00": 1, "14:30": 1}
    later = open_shop.advisor.patch(f"/api/appointments/{booked['appointment_id']}",
                                    {"at": at("2026-12-09", "14:30")})
    assert later.status == 200, later.body
    assert taken(open_shop, "2026-12-09") == {"14:00": 0, "14:30": 1, "15:00": 1}


def test_two_reschedules_into_the_last_place_one_wins(open_shop):
    configure(open_shop, cars_per_slot=2)
    book_online(open_shop, at("2026-12-08", "15:00"))
    movers = [book_online(open_shop, at("2026-12-08", "09:00")) for _ in range(2)]

    def move(booking):
        try:
            appointments.reschedule(open_shop.shop_id, booking["appointment_id"],
                                    at("2026-12-08", "15:00"), {"customer": True})
            return "moved"
        except Exception as err:  # noqa: BLE001
            return getattr(err, "code", repr(err))

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(move, movers))
    assert outcomes == ["moved", "slot_full"]
    assert taken(open_shop, "2026-12-08") == {"09:00": 1, "15:00": 2}


def test_a_cancellation_gives_the_places_back(open_shop):
    configure(open_shop, cars_per_slot=1)
    booked = book_online(open_shop, at("2026-12-08", "10:00"))
    cancelled = appointments.cancel(open_shop.shop_id, booked["appointment_id"],
                                    {"customer": True})
    assert cancelled["state"] == "cancelled"
    assert taken(open_shop, "2026-12-08") == {"10:00": 0}
    assert book_online(open_shop, at("2026-12-08", "10:00"))["state"] == "booked"
    again = appointments.cancel(open_shop.shop_id, booked["appointment_id"], {"customer": True})
    assert again["state"] == "cancelled" and taken(open_shop, "2026-12-08") == {"10:00": 1}


def test_a_no_show_only_once_its_time_has_come(open_shop, clock):
    booked = book_online(open_shop, at("2026-12-08", "10:00"))
    path = f"/api/appointments/{booked['appointment_id']}"
    early = open_shop.advisor.patch(path, {"state": "no_show"})
    assert early.status == 422 and early.error == "not_yet"
    clock.value = datetime(2026, 12, 8, 10, 20, tzinfo=TAIPEI)
    late = open_shop.advisor.patch(path, {"state": "no_show"})
    assert late.status == 200 and late.body["state"] == "no_show"
    assert taken(open_shop, "2026-12-08") == {"10:00": 0}


def test_a_pending_booking_waits_for_the_advisor_to_confirm(open_shop):
    configure(open_shop, confirm_by_hand=True)
    booked = book_online(open_shop, at("2026-12-08", "10:00"))
    assert booked["state"] == "pending" and "confirmed_at" not in booked
    assert taken(open_shop, "2026-12-08") == {"10:00": 1}  # a pending booking holds its place
    path = f"/api/appointments/{booked['appointment_id']}"
    confirmed = open_shop.advisor.patch(path, {"state": "booked"})
    assert confirmed.status == 200 and confirmed.body["state"] == "booked"
    assert confirmed.body["confirmed_at"]
    again = open_shop.advisor.patch(path, {"state": "booked"})
    assert again.status == 200 and again.body["confirmed_at"] == confirmed.body["confirmed_at"]


def test_a_technician_is_pre_assigned_only_if_an_active_technician_of_the_shop(open_shop,
                                                                               chalice_client):
    booked = book_online(open_shop, at("2026-12-08", "10:00"))
    path = f"/api/appointments/{booked['appointment_id']}"
    assigned = open_shop.advisor.patch(path, {"technician_id": open_shop.technician.staff_id})
    assert assigned.status == 200, assigned.body
    assert assigned.body["technician_id"] == open_shop.technician.staff_id
    assert assigned.body["technician_name"].startswith("technician")
    other = a_shop(chalice_client)
    for wrong in (open_shop.advisor.staff_id, other.technician.staff_id, "nobody-1234"):
        refused = open_shop.advisor.patch(path, {"technician_id": wrong})
        assert refused.status == 422 and refused.error == "not_a_technician"
    cleared = open_shop.advisor.patch(path, {"technician_id": None})
    assert cleared.status == 200 and "technician_id" not in cleared.body
    assert "technician_name" not in cleared.body


def test_parts_ready_are_among_the_parts_to_prepare(open_shop):
    booked = book_online(open_shop, at("2026-12-08", "10:00"))
    path = f"/api/appointments/{booked['appointment_id']}"
    listed = open_shop.advisor.patch(path, {"parts_to_prepare": ["機油", "機油濾芯"],
                                            "estimate_amount": 1800})
    assert listed.status == 200 and listed.body["estimate_amount"] == 1800
    ticked = open_shop.advisor.patch(path, {"parts_ready": ["機油"]})
    assert ticked.status == 200 and ticked.body["parts_ready"] == ["機油"]
    unknown = open_shop.advisor.patch(path, {"parts_ready": ["雨刷"]})
    assert unknown.status == 422
    shorter = open_shop.advisor.patch(path, {"parts_to_prepare": ["機油濾芯"]})
    assert shorter.body["parts_ready"] == []
    day = open_shop.technician.get("/api/appointments?date=2026-12-08").body["appointments"]
    assert day[0]["parts_to_prepare"] == ["機油濾芯"] and day[0]["estimate_amount"] == 1800


# --- the week ---

def test_the_week_shows_hours_slots_places_and_bookings(open_shop):
    configure(open_shop, holidays=["2026-12-10"])
    booked = book_online(open_shop, at("2026-12-08", "10:00"), minutes=60)
    week = open_shop.technician.get("/api/appointments/week?start=2026-12-07")
    assert week.status == 200, week.body
    assert week.body["start"] == "2026-12-07" and week.body["slot_minutes"] == 30
    days = {day["date"]: day for day in week.body["days"]}
    assert list(days) == [f"2026-12-{n:02d}" for n in range(7, 14)]
    tuesday = days["2026-12-08"]
    assert tuesday["open"] and tuesday["hours"] == ["08:30", "18:00"]
    assert len(tuesday["slots"]) == 19
    ten = {slot["at"]: slot for slot in tuesday["slots"]}["2026-12-08T02:00:00.000Z"]
    assert ten == {"at": "2026-12-08T02:00:00.000Z", "taken": 1, "capacity": 2}
    assert [a["appointment_id"] for a in tuesday["appointments"]] == [booked["appointment_id"]]
    assert days["2026-12-10"] == {"date": "2026-12-10", "open": False, "hours": None,
                                  "slots": [], "appointments": []}
    assert days["2026-12-13"]["open"] is False  # Sunday
    assert open_shop.advisor.get("/api/appointments/week?start=2026-13-01").status == 422


# --- telling the customer ---

def appointment_records(appointment_id):
    return item_records(lambda pk, sk: pk.endswith(f"#APPT#{appointment_id}"))


def react(appointment_id):
    """The appointment's changes as the stream hands them over, through the reactions."""
    answer = changes.handle({"Records": appointment_records(appointment_id)})
    assert answer == {"batchItemFailures": []}


def sent_about(appointment_id) -> list[dict]:
    """What the local outbox holds about the booking: all of it read, not the newest (other
    tests of the session write theirs at the times their clocks say, some days ahead)."""
    key = booking_messages.message_key(appointment_id)
    every = models.Outbox.items(models.Outbox.key("", "")["pk"])
    return sorted((item for item in every if item["order_id"] == key),
                  key=lambda item: item["at"])


def recorded(shop, appointment) -> list[tuple]:
    """The booking's messages as recorded (step, state)."""
    key = booking_messages.message_key(appointment["appointment_id"])
    return [(message["step"], message["state"])
            for message in models.Message.items(models.order_pk(shop.shop_id, key))]


def test_an_online_booking_is_confirmed_by_sms_once(open_shop):
    car = a_car(open_shop)
    booked = book_online(open_shop, at("2026-12-08", "09:30"), car=car)
    react(booked["appointment_id"])
    react(booked["appointment_id"])  # the batch handed over again
    [message] = sent_about(booked["appointment_id"])
    assert message["channel"] == "sms" and message["to"] == car[0]["mobile"]
    assert message["text"].startswith("【測試保養廠】您已預約 12/08（二）09:30 換機油，車牌 ")
    assert "如需改期或取消：" in message["text"]
    assert booking_links.url_for(open_shop.shop_id, booked["appointment_id"]) in message["text"]
    assert car[1]["plate"] not in message["text"]  # masked, as every text shows a plate


def test_a_linked_customer_hears_by_line(open_shop):
    car = a_car(open_shop)
    customers.link_line(open_shop.shop_id, car[0]["customer_id"], "U-booking-line-1")
    booked = book_online(open_shop, at("2026-12-08", "10:00"), car=car)
    react(booked["appointment_id"])
    [message] = sent_about(booked["appointment_id"])
    assert (message["channel"], message["to"]) == ("line", "U-booking-line-1")


def test_pending_then_confirmed_moved_and_cancelled_each_tell_the_customer(open_shop):
    configure(open_shop, confirm_by_hand=True)
    booked = book_online(open_shop, at("2026-12-08", "10:00"))
    path = f"/api/appointments/{booked['appointment_id']}"
    assert open_shop.advisor.patch(path, {"state": "booked"}).status == 200
    assert open_shop.advisor.patch(path, {"at": at("2026-12-09", "11:00")}).status == 200
    assert open_shop.advisor.patch(path, {"purpose": "換機油、輪胎對調"}).status == 200
    appointments.cancel(open_shop.shop_id, booked["appointment_id"], {"customer": True})
    react(booked["appointment_id"])
    texts = {message["step"]: message["text"] for message in sent_about(booked["appointment_id"])}
    assert len(texts) == 4, texts  # the purpose changed alone tells nothing
    assert "已收到您 12/08（二）10:00 換機油的預約" in texts["booking:received"]
    assert "店家確認後" in texts["booking:received"]
    assert "12/08（二）10:00 換機油的預約已確認" in texts["booking:confirmed"]
    assert "您的預約已改到 12/09（三）11:00 換機油" in \
        texts["booking:moved:2026-12-09T03:00:00.000Z"]
    assert "12/09（三）11:00 換機油、輪胎對調的預約已取消" in texts["booking:cancelled"]


def test_what_the_shop_does_in_quiet_hours_waits_for_the_morning(open_shop, clock):
    configure(open_shop, confirm_by_hand=True)
    booked = book_online(open_shop, at("2026-12-08", "10:00"))
    clock.value = datetime(2026, 12, 7, 22, 0, tzinfo=TAIPEI)
    path = f"/api/appointments/{booked['appointment_id']}"
    assert open_shop.advisor.patch(path, {"state": "booked"}).status == 200
    react(booked["appointment_id"])
    assert len(sent_about(booked["appointment_id"])) == 1  # the customer's own booking: at once
    clock.value = datetime(2026, 12, 8, 8, 0, tzinfo=TAIPEI)
    quiet_hours.send_due(clock.value)
    texts = {message["step"]: message["text"] for message in sent_about(booked["appointment_id"])}
    assert len(texts) == 2 and "已確認" in texts["booking:confirmed"]


def test_the_day_before_reminder_is_sent_once_across_two_runs_after_quiet_hours(open_shop,
                                                                                 clock):
    reminded = book_online(open_shop, at("2026-12-08", "09:30"))
    cancelled = book_online(open_shop, at("2026-12-08", "11:00"))
    appointments.cancel(open_shop.shop_id, cancelled["appointment_id"], {"customer": True})
    configure(open_shop, confirm_by_hand=True)
    pending = book_online(open_shop, at("2026-12-08", "14:00"))
    day_after = book_online(open_shop, at("2026-12-09", "09:30"))
    clock.value = datetime(2026, 12, 7, 6, 0, tzinfo=TAIPEI)  # the daily job's time
    shard = models.shard_of(open_shop.shop_id)
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda _: daily.run_piece({"date": "2026-12-07", "shard": shard},
                                                       seconds=None), range(2)))
    # (the shard's other shops, from other tests, may have bookings tomorrow too)
    assert all(run["booking_reminders"]["reminded"] == 0 for run in runs)  # 06:00: all held
    assert sum(run["booking_reminders"]["held"] for run in runs) >= 1
    assert recorded(open_shop, reminded) == [("booking:reminder:2026-12-08T01:30:00.000Z",
                                              "queued")]
    assert sent_about(reminded["appointment_id"]) == []
    clock.value = datetime(2026, 12, 7, 8, 0, tzinfo=TAIPEI)
    quiet_hours.send_due(clock.value)
    quiet_hours.send_due(clock.value)
    [message] = sent_about(reminded["appointment_id"])
    assert message["text"].startswith("【測試保養廠】提醒您明天 12/08（二）09:30 換機油")
    stored = appointments.get_appointment(open_shop.shop_id, reminded["appointment_id"])
    assert stored["reminded_at"]
    for other in (cancelled, pending, day_after):
        assert "reminded_at" not in appointments.get_appointment(open_shop.shop_id,
                                                                 other["appointment_id"])
    daily.run_piece({"date": "2026-12-07", "shard": shard}, seconds=None)  # a third run
    assert recorded(open_shop, reminded) == [("booking:reminder:2026-12-08T01:30:00.000Z",
                                              "sent")]


def test_a_reminder_held_by_quiet_hours_is_dropped_when_the_customer_cancels_before_morning(
        open_shop, clock):
    booked = book_online(open_shop, at("2026-12-08", "09:30"))
    clock.value = datetime(2026, 12, 7, 6, 0, tzinfo=TAIPEI)  # the daily job's time: held
    assert booking_messages.remind_day(open_shop.shop_id, "2026-12-08") == {"reminded": 0,
                                                                            "held": 1}
    clock.value = datetime(2026, 12, 7, 7, 0, tzinfo=TAIPEI)
    appointments.cancel(open_shop.shop_id, booked["appointment_id"], {"customer": True})
    clock.value = datetime(2026, 12, 7, 8, 0, tzinfo=TAIPEI)
    quiet_hours.send_due(clock.value)
    assert sent_about(booked["appointment_id"]) == []  # no "see you tomorrow" after cancelling
    assert recorded(open_shop, booked) == [("booking:reminder:2026-12-08T01:30:00.000Z",
                                            "dropped")]
