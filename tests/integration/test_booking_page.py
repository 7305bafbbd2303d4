"""The shop's public booking page (/b/<code>) and a booking's manage link (/m/<token>): the
texted code that proves the mobile (its limits under bursts), the customer and car found or
made, a replayed booking booked once, and every bad input refused in the error shape, changing
nothing."""
from __future__ import annotations

import csv
import gzip
import io
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from urllib.parse import unquote

import pytest

from chalicelib import booking_routes, customer_routes, models
from chalicelib.core import clock as times
from chalicelib.outward import booking_codes, booking_links, links, texted_codes
from chalicelib.outward.notify import outbox
from chalicelib.records import booking_setup, customers
from tests.builders import a_customer, a_plate, a_vehicle, new_id
from tests.integration.test_customer_page_requests import sent  # noqa: F401 (fixture)
from tests.integration.test_portability import download, export

HOURS = {day: {"open": "09:00", "close": "18:00"}
         for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
LINE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
           "(KHTML, like Gecko) Mobile/15E148 Safari Line/13.20.0")


@pytest.fixture(autouse=True)
def own_ip(monkeypatch):
    """Each test asks from an address of its own (the limits count per client and minute)."""
    ip = f"203.0.113.{uuid.uuid4().int % 250 + 1}-{uuid.uuid4().hex[:6]}"
    client = {"ip": ip, "user_agent": "pytest"}
    monkeypatch.setattr(booking_routes, "_client", lambda: client)
    monkeypatch.setattr(customer_routes, "client", lambda: client)
    return ip


@pytest.fixture
def booking(shop):
    """The shop open every day 09:00–18:00, its page's path."""
    assert shop.owner.patch("/api/shop", {"opening_hours": HOURS}).status == 200
    return f"/b/{booking_setup.ensure_code(shop.shop_id)}"


def tomorrow() -> str:
    return (date.fromisoformat(times.local_date()) + timedelta(days=1)).isoformat()


def free(shop, base, day=None, service="oil"):
    answer = shop.anonymous.get(f"{base}/slots?date={day or tomorrow()}&service={service}")
    assert answer.status == 200, answer.body
    return answer.body["slots"]


def header(answer, name: str) -> str | None:
    return {key.lower(): value for key, value in answer.headers.items()}.get(name)


def a_mobile_number() -> str:
    return f"0987-{uuid.uuid4().int % 1000:03d}-{uuid.uuid4().int % 1000:03d}"


def texted_code(mobile_e164: str) -> str:
    texts = [item["text"] for item in outbox.recent() if item["to"] == mobile_e164
             and item["step"] == booking_codes.STEP]
    assert texts, "no code was texted"
    return texts[0].split("預約驗證碼 ", 1)[1][:6]


def e164(mobile: str) -> str:
    return "+886" + mobile.replace("-", "")[1:]


def code_for(shop, base, mobile) -> str:
    answer = shop.anonymous.post(f"{base}/code", {"mobile": mobile})
    assert answer.status == 200, answer.body
    return texted_code(e164(mobile))


def a_booking(shop, base, mobile, **fields):
    slot = free(shop, base)[0]
    return {"booking_id": new_id("bk"), "plate": a_plate(), "mobile": mobile, "name": "王小明",
            "service_id": "oil", "at": slot["at"], "note": "冷氣不冷", "privacy_ack": True,
            "source": "online", **fields}


def appointments_of(shop, customer_id):
    return [item.as_dict() for item in models.Item.lookup.query(
        models.customer_appointments_pk(shop.shop_id, customer_id))]


# --- the page ---

def test_the_page_is_one_small_answer_with_strict_headers(shop, booking):
    answer = shop.anonymous.request("GET", booking, headers={"accept": "text/html",
                                                             "user-agent": LINE_UA})
    html = answer.body if isinstance(answer.body, str) else answer.body.decode()
    size = len(gzip.compress(html.encode(), 9))
    print(f"\nbooking page: {len(html.encode())} B, {size} B gzip")
    assert answer.status == 200 and size < 30_000
    assert "確認預約" in html and "傳送驗證碼" in html and "個資告知事項" in html
    assert "data-source=line" in html  # booked from inside LINE
    policy = header(answer, "content-security-policy")
    assert "script-src 'sha256-" in policy and "unsafe-inline" not in policy
    assert header(answer, "cache-control") == "no-store"


def test_what_the_page_its_times_a_code_and_a_booking_cost_in_requests(shop, booking,
                                                                        sent):  # noqa: F811
    mobile = a_mobile_number()
    costs = {}
    sent.clear()
    assert shop.anonymous.request("GET", booking, headers={"accept": "text/html"}).status == 200
    costs["page"] = len(sent)
    sent.clear()
    slot = free(shop, booking)[0]
    costs["times"] = len(sent)
    sent.clear()
    assert shop.anonymous.post(f"{booking}/code", {"mobile": mobile}).status == 200
    costs["code"] = len(sent)
    body = a_booking(shop, booking, mobile, code=texted_code(e164(mobile)), at=slot["at"])
    sent.clear()
    assert shop.anonymous.post(f"{booking}/bookings", body).status == 200
    costs["booking"], booked = len(sent), list(sent)
    sent.clear()
    assert shop.anonymous.get(f"{booking}/slots?date=2020-01-01&service=oil").status == 200
    print(f"\nrequests: {costs}; a new customer's booking: {booked}")
    assert costs["page"] == 2  # the code's look-up; the shop and its setup in one BatchGetItem
    assert costs["times"] == 3  # those, and the day's places
    assert costs["code"] == 6  # those 2, the address's turn, the code item read and written, and
    #                            the local outbox's own write (a real SMS is no table request)
    # a new customer and a new car: the most a booking costs (the last, its LINE link code)
    assert costs["booking"] <= 21


def test_an_unknown_code_gets_the_progress_links_404_page(shop, booking):
    for path in ("/b/nosuchcode", "/b/nosuchcode/slots?date=2030-01-01&service=oil"):
        answer = shop.anonymous.request("GET", path, headers={"accept": "text/html"})
        assert answer.status == 404
        assert "找不到這個連結" in (answer.body if isinstance(answer.body, str)
                              else answer.body.decode())


def test_free_times_and_their_bad_inputs(shop, booking):
    slots = free(shop, booking)
    assert slots and all(slot["free"] > 0 and len(slot["time"]) == 5 for slot in slots)
    bad = shop.anonymous.get(f"{booking}/slots?date=tomorrow&service=oil")
    assert bad.status == 422 and bad.error == "invalid_date"
    assert "請選擇日期" in bad.body["error"]["message"] and "Pick a day" in bad.body["error"]["message"]
    unknown = shop.anonymous.get(f"{booking}/slots?date={tomorrow()}&service=nosuch")
    assert unknown.status == 422 and unknown.error == "invalid_service"


# --- the code ---

def test_a_code_is_texted_blanked_on_record_and_limited_per_minute_and_hour(shop, booking,
                                                                             clock):
    mobile = a_mobile_number()
    code = code_for(shop, booking, mobile)
    stored = models.BookingCode.read(models.BookingCode.key(shop.shop_id, e164(mobile)))
    assert code not in str(stored) and "••••••" in stored["shown"]
    assert stored["code_mac"] != code
    again = shop.anonymous.post(f"{booking}/code", {"mobile": mobile})
    assert again.status == 429 and int(header(again, "retry-after")) > 0
    for _ in range(4):  # four more, two minutes apart: five this hour
        clock.value = (clock.value or times.now()) + timedelta(minutes=2)
        assert shop.anonymous.post(f"{booking}/code", {"mobile": mobile}).status == 200
    clock.value = clock.value + timedelta(minutes=2)
    sixth = shop.anonymous.post(f"{booking}/code", {"mobile": mobile})
    assert sixth.status == 429 and "一小時內" in sixth.body["error"]["message"]


def test_a_bad_mobile_or_a_landline_gets_no_code(shop, booking):
    for typed in ("12345", "02-2765-1234", ""):
        answer = shop.anonymous.post(f"{booking}/code", {"mobile": typed})
        assert answer.status == 422 and answer.error == "invalid_mobile", answer.body
        assert "手機號碼格式不正確" in answer.body["error"]["message"]
        assert "Not a Taiwan mobile" in answer.body["error"]["message"]


def _burst(count, send):
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(send, range(count)))


def test_a_burst_of_code_requests_from_one_number_texts_one_code(shop, booking, monkeypatch):
    monkeypatch.setattr(booking_codes, "IP_PER_MINUTE", 1000)  # this test counts per number
    mobile = a_mobile_number()
    answers = _burst(12, lambda n: shop.anonymous.post(f"{booking}/code", {"mobile": mobile}))
    statuses = sorted(answer.status for answer in answers)
    texts = [item for item in outbox.recent() if item["to"] == e164(mobile)]
    print(f"\n12 code requests at once from one number: {statuses}, {len(texts)} texted")
    assert statuses == [200] + [429] * 11
    assert len(texts) == 1
    assert all(header(answer, "retry-after") for answer in answers if answer.status == 429)


def test_a_burst_of_code_requests_from_one_address_is_held_to_its_limit(shop, booking):
    numbers = [a_mobile_number() for _ in range(16)]
    answers = _burst(16, lambda n: shop.anonymous.post(f"{booking}/code",
                                                       {"mobile": numbers[n]}))
    statuses = sorted(answer.status for answer in answers)
    texted = sum(1 for item in outbox.recent() if item["to"] in {e164(n) for n in numbers})
    print(f"\n16 numbers from one address at once: {statuses}, {texted} texted")
    assert statuses.count(200) == booking_codes.IP_PER_MINUTE == texted
    assert statuses.count(429) == 16 - booking_codes.IP_PER_MINUTE


def test_a_burst_of_wrong_codes_compares_five_at_most(shop, booking, monkeypatch):
    mobile = a_mobile_number()
    code = code_for(shop, booking, mobile)
    body = a_booking(shop, booking, mobile)
    compared = []
    real_mac = booking_codes._mac

    def counted(shop_id, number, typed):
        compared.append(typed)
        return real_mac(shop_id, number, typed)

    monkeypatch.setattr(booking_codes, "_mac", counted)
    wrong = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, 21)]
    answers = _burst(20, lambda n: shop.anonymous.post(
        f"{booking}/bookings", {**body, "booking_id": new_id("bk"), "code": wrong[n]}))
    print(f"\n20 wrong codes at once: {len(compared)} compared")
    assert len(compared) <= texted_codes.MAX_TRIES
    assert {(answer.status, answer.error) for answer in answers} <= {
        (422, "code_wrong"), (422, "code_expired")}
    late = shop.anonymous.post(f"{booking}/bookings", {**body, "code": code})
    assert (late.status, late.error) == (422, "code_expired")
    assert models.PhoneClaim.read(models.PhoneClaim.key(shop.shop_id, e164(mobile))) is None


# --- the booking ---

def test_a_new_customer_books_with_consent_recorded_and_gets_a_manage_link(shop, booking):
    mobile = a_mobile_number()
    code = code_for(shop, booking, mobile)
    body = a_booking(shop, booking, mobile, code=code, source="line")
    answer = shop.anonymous.post(f"{booking}/bookings", body)
    assert answer.status == 200, answer.body
    booked = answer.body["booking"]
    assert booked["state"] == "booked" and booked["at"] == body["at"]
    assert "/m/" in answer.body["manage_url"]
    claim = models.PhoneClaim.read(models.PhoneClaim.key(shop.shop_id, e164(mobile)))
    customer = shop.advisor.get(f"/api/customers/{claim['customer_id']}").body
    assert customer["name"] == "王小明" and customer["consent"]["method"] == "booking_page"
    assert customer["consent"]["version"] == "2026-01"
    assert [car["plate"] for car in customer["vehicles"]] == [body["plate"]]
    appointment = shop.advisor.get(f"/api/appointments?date={tomorrow()}").body
    mine = [item for item in appointment["appointments"]
            if item["appointment_id"] == body["booking_id"]]
    assert mine and mine[0]["source"] == "line" and mine[0]["note"] == "冷氣不冷"
    # The code was used up: the same code books nothing more.
    again = shop.anonymous.post(f"{booking}/bookings", {**body, "booking_id": new_id("bk")})
    assert (again.status, again.error) == (422, "code_expired")


def test_a_customer_not_on_line_gets_a_one_tap_link_to_bind_and_a_linked_one_does_not(
        shop, booking, clock):
    mobile = a_mobile_number()
    body = a_booking(shop, booking, mobile, code=code_for(shop, booking, mobile))
    answer = shop.anonymous.post(f"{booking}/bookings", body)
    assert answer.status == 200, answer.body
    url = unquote(answer.body["line_url"])
    assert url.startswith("https://line.me/R/oaMessage/@servicelane/?綁定通知 ")
    code = url.rsplit(" ", 1)[1]
    claim = models.PhoneClaim.read(models.PhoneClaim.key(shop.shop_id, e164(mobile)))
    link = models.LineLink.read(models.LineLink.key(code))
    assert (link["shop_id"], link["customer_id"]) == (shop.shop_id, claim["customer_id"])
    customers.link_line(shop.shop_id, claim["customer_id"], "U" + "b" * 32)
    clock.value = times.now() + timedelta(minutes=2)  # a new code may be asked for
    again = a_booking(shop, booking, mobile, code=code_for(shop, booking, mobile),
                      at=body["at"])
    answer = shop.anonymous.post(f"{booking}/bookings", again)
    assert answer.status == 200 and "line_url" not in answer.body


def test_a_new_customer_without_the_notice_acknowledged_is_refused(shop, booking):
    mobile = a_mobile_number()
    code = code_for(shop, booking, mobile)
    answer = shop.anonymous.post(f"{booking}/bookings",
                                 a_booking(shop, booking, mobile, code=code, privacy_ack=False))
    assert answer.status == 422 and answer.error == "consent_required"
    assert models.PhoneClaim.read(models.PhoneClaim.key(shop.shop_id, e164(mobile))) is None


def test_a_known_customer_is_matched_by_mobile_and_their_car_by_plate(shop, booking):
    customer = a_customer(shop, mobile="0933-123-456")
    car = a_vehicle(shop, customer["customer_id"], plate=a_plate())
    code = code_for(shop, booking, "0933123456")
    body = a_booking(shop, booking, "0933123456", code=code, plate=car["plate"].lower(),
                     privacy_ack=False, name="小明")
    answer = shop.anonymous.post(f"{booking}/bookings", body)
    assert answer.status == 200, answer.body
    [stored] = appointments_of(shop, customer["customer_id"])
    assert stored["vehicle_id"] == car["vehicle_id"]
    page = shop.advisor.get(f"/api/customers/{customer['customer_id']}").body
    assert page["name"] == "林美玲" and len(page["vehicles"]) == 1  # nothing new made


def test_another_customers_plate_is_booked_under_the_mobile_without_moving_the_car(shop,
                                                                                   booking):
    owner = a_customer(shop)
    car = a_vehicle(shop, owner["customer_id"], plate=a_plate())
    mobile = a_mobile_number()
    code = code_for(shop, booking, mobile)
    answer = shop.anonymous.post(f"{booking}/bookings",
                                 a_booking(shop, booking, mobile, code=code, plate=car["plate"]))
    assert answer.status == 200, answer.body
    stored = models.Appointment.read(models.Appointment.key(
        shop.shop_id, answer.body["booking"]["appointment_id"]))
    assert stored["vehicle_id"] == car["vehicle_id"] and stored["customer_id"] != owner["customer_id"]
    assert "登記在其他客戶名下" in stored["note"] and owner["name"] not in str(answer.body)
    assert shop.advisor.get(f"/api/vehicles/{car['vehicle_id']}").body["customer_id"] == \
        owner["customer_id"]


def test_a_replayed_booking_makes_one_appointment(shop, booking):
    mobile = a_mobile_number()
    body = a_booking(shop, booking, mobile, code=code_for(shop, booking, mobile))
    answers = [shop.anonymous.post(f"{booking}/bookings", body) for _ in range(3)]
    assert [answer.status for answer in answers] == [200] * 3, [a.body for a in answers]
    assert len({answer.body["manage_url"] for answer in answers}) == 1
    claim = models.PhoneClaim.read(models.PhoneClaim.key(shop.shop_id, e164(mobile)))
    assert len(appointments_of(shop, claim["customer_id"])) == 1


@pytest.mark.parametrize("change, code", [
    ({"plate": "不是車牌"}, "invalid_plate"),
    ({"mobile": "0212345678"}, "invalid_mobile"),
    ({"service_id": "nosuch"}, "invalid_service"),
    ({"at": "2020-01-01T01:00:00.000Z"}, "slot_past"),
    ({"code": "000000x"}, "code_required"),
])
def test_bad_input_is_refused_in_both_languages_and_changes_nothing(shop, booking, change,
                                                                     code):
    mobile = a_mobile_number()
    body = {**a_booking(shop, booking, mobile, code="123456"), **change}
    answer = shop.anonymous.post(f"{booking}/bookings", body)
    assert answer.status == 422 and answer.error == code, answer.body
    message = answer.body["error"]["message"]
    assert any("\u4e00" <= char <= "\u9fff" for char in message) and any(
        char.isascii() and char.isalpha() for char in message)
    assert models.PhoneClaim.read(models.PhoneClaim.key(shop.shop_id, e164(mobile))) is None
    assert models.Appointment.read(models.Appointment.key(shop.shop_id,
                                                          body["booking_id"])) is None


def test_a_full_slot_is_refused_with_the_code_given_back(shop, booking):
    first = a_mobile_number()
    slot = free(shop, booking)[0]
    for _ in range(slot["free"]):
        mobile = a_mobile_number()
        taken = shop.anonymous.post(f"{booking}/bookings", a_booking(
            shop, booking, mobile, code=code_for(shop, booking, mobile), at=slot["at"]))
        assert taken.status == 200, taken.body
    code = code_for(shop, booking, first)
    late = shop.anonymous.post(f"{booking}/bookings", a_booking(
        shop, booking, first, code=code, at=slot["at"]))
    assert late.status == 409 and late.error == "slot_full"
    other = free(shop, booking)[0]
    assert other["at"] != slot["at"]
    again = shop.anonymous.post(f"{booking}/bookings", a_booking(
        shop, booking, first, code=code, at=other["at"]))
    assert again.status == 200, again.body


# --- the manage link ---

def _booked(shop, booking):
    mobile = a_mobile_number()
    answer = shop.anonymous.post(f"{booking}/bookings", a_booking(
        shop, booking, mobile, code=code_for(shop, booking, mobile)))
    assert answer.status == 200, answer.body
    return answer.body, "/m/" + answer.body["manage_url"].rsplit("/m/", 1)[1]


def test_the_manage_link_moves_and_cancels_the_booking(shop, booking):
    booked, path = _booked(shop, booking)
    assert booking_links.url_for(shop.shop_id, booked["booking"]["appointment_id"]) == \
        booked["manage_url"]
    page = shop.anonymous.request("GET", path, headers={"accept": "text/html"})
    html = page.body if isinstance(page.body, str) else page.body.decode()
    assert page.status == 200 and "改時間" in html and "取消預約" in html
    later = free(shop, booking, day=(date.fromisoformat(tomorrow()) + timedelta(days=1))
                 .isoformat())[0]
    moved = shop.anonymous.post(f"{path}/reschedule", {"at": later["at"]})
    assert moved.status == 200 and moved.body["booking"]["at"] == later["at"], moved.body
    past = shop.anonymous.post(f"{path}/reschedule", {"at": "2020-01-01T01:00:00.000Z"})
    assert past.status == 422 and past.error == "slot_past"
    cancelled = shop.anonymous.post(f"{path}/cancel")
    assert cancelled.status == 200 and cancelled.body["booking"]["state"] == "cancelled"
    page = shop.anonymous.request("GET", path, headers={"accept": "text/html"})
    html = page.body if isinstance(page.body, str) else page.body.decode()
    assert "已取消" in html and "改時間" not in html
    again = shop.anonymous.post(f"{path}/cancel")
    assert again.status == 409 and again.error == "booking_final"


def test_a_wrong_token_gets_the_same_404_page_and_guessing_is_limited(shop, booking,
                                                                      monkeypatch):
    monkeypatch.setattr(links, "LIMIT_PER_MINUTE", 3)
    answers = [shop.anonymous.request("GET", f"/m/{'x' * 32}", headers={"accept": "text/html"})
               for _ in range(4)]
    assert [answer.status for answer in answers] == [404] * 4
    assert header(answers[0], "retry-after") is None and header(answers[3], "retry-after")


def test_a_manage_link_stops_a_week_after_the_booking(shop, booking, clock):
    booked, path = _booked(shop, booking)
    at = times.parse_iso(booked["booking"]["at"])
    clock.value = at + timedelta(days=booking_links.LINK_DAYS) - timedelta(minutes=1)
    page = shop.anonymous.request("GET", path, headers={"accept": "text/html"})
    html = page.body if isinstance(page.body, str) else page.body.decode()
    assert page.status == 200 and "改時間" not in html  # past: shown, nothing offered
    later = (at + timedelta(days=booking_links.LINK_DAYS + 1)).isoformat()
    moved = shop.anonymous.post(f"{path}/reschedule", {"at": later})
    assert moved.status == 409 and moved.error == "booking_final"
    clock.value = at + timedelta(days=booking_links.LINK_DAYS, minutes=1)
    gone = shop.anonymous.request("GET", path, headers={"accept": "text/html"})
    assert gone.status == 404


def test_a_car_booked_on_the_page_is_in_the_shop_s_export_with_what_is_not_known_blank(
        shop, booking):
    mobile = a_mobile_number()
    body = a_booking(shop, booking, mobile, code=code_for(shop, booking, mobile))
    assert shop.anonymous.post(f"{booking}/bookings", body).status == 200
    exported = export(shop.owner)
    assert exported.status == 200, exported.body
    archive = zipfile.ZipFile(io.BytesIO(download(exported.body["files"]["csv"]["url"])))
    rows = csv.DictReader(io.StringIO(archive.read("vehicles.csv").decode("utf-8-sig")))
    [car] = [row for row in rows if row["車牌"] == body["plate"]]
    assert (car["廠牌"], car["車型"], car["燃料"]) == ("未填", "未填", "")
