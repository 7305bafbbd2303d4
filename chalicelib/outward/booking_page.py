"""The shop's public booking page (`/b/<code>`) and the customer's manage page (`/m/<token>`).

Opened from the shop's QR code or a link in LINE, on a phone, often inside LINE's in-app
browser on a weak connection: like the progress page (customer_page.py), one HTML answer with
its CSS and script inline (allowed by their hashes in a strict Content-Security-Policy:
page/page.css, page/booking.css, page/booking.js), zh-TW first with the English beside it.

Booking is one page, top to bottom: the plate, the service (the shop's booking setup), a day
and then its free times (`/b/<code>/slots`, one GetItem of the day's places), the name and
mobile, the code texted to it (booking_codes.py), a note, the privacy notice acknowledged, and
「確認預約」. The booking itself:
- the mobile proves itself by its code, used up by the booking (given back if refused);
- the customer is the one whose number it is (models.PhoneClaim), else a new customer with the
  notice's consent recorded (method `booking_page`);
- the car is the one with that plate (models.PlateClaim), else a new car under that customer
  (make and model 未填, filled in at the counter). A plate on file under ANOTHER customer is not
  moved: the booking is made under the mobile's customer with that car, and its note says so,
  so the advisor decides at the counter (the page never tells a stranger whose car it is);
- then work.appointments.book, which takes the places in one conditional write (409
  `slot_full`: the page offers the day's other times).
The answer carries the manage link (booking_links.py).
"""
from __future__ import annotations

import hashlib
import html
import re
from datetime import date, timedelta
from typing import Annotated

from pydantic import StrictBool, StringConstraints, field_validator

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, parse
from chalicelib.core import clock, phones
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict, Unprocessable
from chalicelib.outward import booking_codes, booking_links, customer_page, links
from chalicelib.outward.notify import line_linking
from chalicelib.records import booking_setup, customers, shops, vehicles
from chalicelib.work import appointments, slots

PAGE_ASSETS = ("page.css", "booking.css", "booking.js")
ACTIVE = ("pending", "booked")  # what the manage page may still move or cancel
STATE_NAMES = {"pending": ("待店家確認", "Awaiting the shop's confirmation"),
               "booked": ("已預約", "Booked"), "checked_in": ("已報到", "Checked in"),
               "cancelled": ("已取消", "Cancelled"), "no_show": ("未到", "Missed")}
WEEKDAYS = "一二三四五六日"
UNKNOWN = "未填"  # a car's make and model when booked online: the counter fills them in
LIMIT_PER_MINUTE = links.LIMIT_PER_MINUTE  # unknown booking codes tried by one client


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _bi(zh: str, en: str) -> str:
    return f"{_e(zh)} <span class=en>{_e(en)}</span>"


def _inline(name: str) -> tuple[str, str]:
    return customer_page._inline(name)


def headers() -> dict:
    css = " ".join(_inline(name)[1] for name in ("page.css", "booking.css"))
    return {**customer_page.headers(), "Content-Security-Policy": (
        f"default-src 'none'; style-src {css}; script-src {_inline('booking.js')[1]}; "
        "img-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'none'")}


def _document(title: str, body: str, data: str) -> str:
    css = "".join(f"<style>{_inline(name)[0]}</style>" for name in ("page.css", "booking.css"))
    return ("<!doctype html><html lang=zh-Hant-TW><head><meta charset=utf-8>"
            "<meta name=viewport content=\"width=device-width,initial-scale=1\">"
            "<meta name=robots content=noindex,nofollow><meta name=referrer content=no-referrer>"
            f"<title>{_e(title)}</title>{css}</head><body {data}>{body}"
            f"<script>{_inline('booking.js')[0]}</script></body></html>")


# --- the shop a booking code opens ---

def shop_of(code: str, ip: str | None) -> dict:
    """The shop and its booking setup behind a booking code, in two requests (the code's
    look-up, then the shop and its setup in one BatchGetItem); links.LinkNotFound (the one 404
    page) for an unknown code. The code is no secret (it is on the shop's poster), so only a
    miss takes a turn of the client's guard: a client walking codes is refused once it has
    missed LIMIT_PER_MINUTE times this minute."""
    shop_id = booking_setup.shop_of_booking_code(code) if len(code) <= 40 else None
    read = _shop_and_setup(shop_id) if shop_id else None
    if read is None:
        try:
            links.take_turn(ip, "booking", LIMIT_PER_MINUTE)
        except links.Throttled as over:
            raise links.LinkNotFound(retry_after=over.retry_after) from None
        raise links.LinkNotFound()
    return read


def _shop_and_setup(shop_id: str) -> dict | None:
    """The shop and its setup over the defaults (booking_setup.read's answer) in one request."""
    keys = {"shop": models.Shop.key(shop_id), "setup": models.BookingSetup.key(shop_id)}
    found = {(item.pk, item.sk): item.as_dict() for item in models.Item.batch_get(
        [(key["pk"], key["sk"]) for key in keys.values()])}
    shop = found.get((keys["shop"]["pk"], keys["shop"]["sk"]))
    stored = found.get((keys["setup"]["pk"], keys["setup"]["sk"]))
    if shop is None:
        return None
    return {"shop": shop, "setup": {**booking_setup.setup_of(stored),
                                    "code": (stored or {}).get("code")}}


def _calendar(opened: dict) -> dict:
    """slots.calendar's answer from what the code opened (the setup and the shop's hours), so a
    day's free times cost one more read: its places."""
    shop = opened["shop"]
    return {"shop_id": shop["shop_id"], "setup": opened["setup"],
            "hours": shop.get("opening_hours") or {}}


def _closed() -> Conflict:
    return Conflict("本店目前暫停線上預約，請直接來電預約。",
                    "The shop is not taking online bookings now: please call.",
                    code="booking_off")


def _service(setup: dict, service_id: str | None) -> dict:
    found = next((item for item in setup.get("services", [])
                  if item["service_id"] == service_id), None)
    if found is None:
        raise Unprocessable("請選擇服務項目。", "Pick a service.", code="invalid_service")
    return found


# --- the page ---

def _days(setup: dict) -> list[str]:
    today = date.fromisoformat(clock.local_date())
    return [(today + timedelta(days=n)).isoformat()
            for n in range(int(setup.get("days_ahead", 30)) + 1)
            if (today + timedelta(days=n)).isoformat() not in set(setup.get("holidays", []))]


def _day_chips(days: list[str]) -> str:
    chips = []
    for day in days:
        moment = date.fromisoformat(day)
        chips.append(f"<button type=button class=day data-date={day}>"
                     f"<b>{moment.month}/{moment.day}</b><small>({WEEKDAYS[moment.weekday()]})"
                     "</small></button>")
    return "<div class=days role=group aria-label=\"日期 Date\">" + "".join(chips) + "</div>"


def _call(shop: dict) -> str:
    if not shop.get("phone"):
        return ""
    return (f"<div class=btns><a class=\"btn btn-l\" href=\"tel:{_e(shop['phone'])}\">"
            "撥打電話 Call</a></div>")


def _privacy(shop: dict) -> str:
    """The notice (個資法 §8) the customer acknowledges: who, why, what, how long, their rights."""
    name = _e(shop.get("name", ""))
    return (
        "<details id=privacy><summary>個資告知事項（點此閱讀）<span class=en>&nbsp;Privacy "
        f"notice: tap to read</span></summary><p><small>版本 {_e(customers.NOTICE_VERSION)}</small></p>"
        f"<p>{name}為安排預約、維修保養服務及通知您車輛相關事項，蒐集您的姓名、手機號碼與車牌號碼，"
        "於提供服務期間及法定保存期間內利用。您可依個人資料保護法第 3 條向本店請求查詢、閱覽、"
        "製給複製本、補充或更正、停止蒐集處理利用或刪除。未提供上述資料，將無法完成線上預約。</p>"
        f"<p class=en>{name} collects your name, mobile number and plate to arrange the booking, "
        "service your car and tell you about it, for as long as it serves you and the law "
        "requires. You may ask the shop to see, copy, correct or erase your data, or to stop "
        "using it (Personal Data Protection Act, art. 3). Without them we cannot book online."
        "</p></details>")


def render(opened: dict, code: str, user_agent: str | None) -> str:
    """The booking page. Nothing is read here beyond what the code opened."""
    shop, setup = opened["shop"], opened["setup"]
    source = "line" if "Line/" in (user_agent or "") else "online"
    head = (f"<header><h1>{_e(shop.get('name', ''))}</h1>"
            f"<p>線上預約 <span class=en>Book a visit</span></p>{_call(shop)}</header>")
    if not setup.get("online", True):
        return _document(f"{shop.get('name', '')} · 線上預約", head + (
            "<main><section><h2>目前暫停線上預約</h2><p class=en>Online booking is paused.</p>"
            "<p>請直接來電預約。<span class=en> Please call the shop.</span></p></section></main>"),
            "")
    services = "".join(
        f"<label class=opt><input type=radio name=service value=\"{_e(item['service_id'])}\">"
        f"<span>{_bi(item['zh'], item['en'])}<small> · {int(item['minutes'])} 分鐘 min</small>"
        "</span></label>" for item in setup.get("services", []))
    body = head + (
        "<main><form id=bk novalidate>"
        "<section><h2><i>1</i>車牌號碼 <span class=en>Plate</span></h2>"
        "<input type=text id=plate name=plate autocomplete=off autocapitalize=characters "
        "maxlength=10 placeholder=ABC-1234 aria-label=\"車牌號碼 Plate\"></section>"
        "<section><h2><i>2</i>服務項目 <span class=en>Service</span></h2>"
        f"<div class=opts role=radiogroup>{services}</div></section>"
        "<section><h2><i>3</i>日期與時間 <span class=en>Day and time</span></h2>"
        f"{_day_chips(_days(setup))}"
        "<p class=msg id=tmsg role=status></p>"
        "<div id=times class=times aria-live=polite></div></section>"
        "<section><h2><i>4</i>姓名與手機 <span class=en>Name and mobile</span></h2>"
        "<label for=name>姓名 <span class=en>Name</span></label>"
        "<input type=text id=name name=name autocomplete=name maxlength=60>"
        "<label for=mobile>手機 <span class=en>Mobile</span></label>"
        "<input type=tel id=mobile name=mobile autocomplete=tel inputmode=tel maxlength=20 "
        "placeholder=0912-345-678>"
        "<div class=btns><button type=button class=\"btn btn-s\" id=sendcode>傳送驗證碼 "
        "<span class=en>Send code</span></button></div><p class=msg id=cmsg role=status></p>"
        "<label for=code>簡訊驗證碼 <span class=en>Code from the text</span></label>"
        "<input type=text id=code name=code inputmode=numeric autocomplete=one-time-code "
        "maxlength=6 pattern=\"[0-9]{6}\"></section>"
        "<section><h2><i>5</i>備註 <span class=en>Note</span> <small>（選填 optional）</small></h2>"
        "<textarea id=note name=note maxlength=500 rows=3 "
        "placeholder=\"例如：冷氣不冷、異音 e.g. A/C not cold\"></textarea></section>"
        "<section>" + _privacy(shop) + "<label class=ck><input type=checkbox id=ack name=ack>"
        "<span>我已閱讀並同意上方的個資告知事項。<span class=en> I have read and agree to the "
        "privacy notice above.</span></span></label></section>"
        "<p class=msg id=bmsg role=alert></p>"
        "<button class=\"btn btn-p big\" id=book type=submit>確認預約 <span class=en>Book</span>"
        "</button></form>"
        "<section id=done hidden><h2 id=dtitle></h2><p id=dwhen class=state></p>"
        "<p id=dnote></p><div class=btns><a class=\"btn btn-p\" id=dmanage href=#>查看或更改預約 "
        "<span class=en>See or change</span></a><a class=\"btn btn-g\" id=dline hidden "
        "href=#>用 LINE 接收通知 <span class=en>Get updates on LINE</span></a></div></section>"
        "<footer>預約成功後會以 LINE 或簡訊通知您。<br>You will hear on LINE or by text once "
        "booked.</footer></main>")
    data = (f"data-page=book data-base=\"/b/{_e(code)}\" data-source={source} "
            f"data-notice=\"{_e(customers.NOTICE_VERSION)}\"")
    return _document(f"{shop.get('name', '')} · 線上預約 Book", body, data)


# --- free times ---

def _slot(slot: dict) -> dict:
    local = clock.parse_iso(slot["at"]).astimezone(clock.SHOP_TIMEZONE)
    return {"at": slot["at"], "time": f"{local:%H:%M}", "free": int(slot["free"])}


def _day(raw: str | None) -> str:
    if not raw or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise Unprocessable("請選擇日期。", "Pick a day (YYYY-MM-DD).", code="invalid_date")
    try:
        date.fromisoformat(raw)
    except ValueError:
        raise Unprocessable("請選擇日期。", "Pick a day (YYYY-MM-DD).",
                            code="invalid_date") from None
    return raw


def free_times(opened: dict, params: dict | None) -> dict:
    """The day's times a booking of the service can start at (one read of the day's places)."""
    params = params or {}
    setup = opened["setup"]
    if not setup.get("online", True):
        raise _closed()
    day = _day(params.get("date"))
    service = _service(setup, params.get("service"))
    found = slots.free_slots(opened["shop"]["shop_id"], day, int(service["minutes"]),
                             _calendar(opened))
    return {"date": day, "service_id": service["service_id"],
            "slots": [_slot(slot) for slot in found if int(slot["free"]) > 0]}


# --- the code ---

class CodeRequest(Body):
    mobile: Annotated[str, StringConstraints(max_length=30)]


def send_code(opened: dict, raw: bytes | None, ip: str | None) -> dict:
    if not opened["setup"].get("online", True):
        raise _closed()
    mobile = booking_codes.mobile_of(parse(CodeRequest, raw).mobile)
    return booking_codes.send(opened["shop"]["shop_id"], opened["shop"].get("name", ""), mobile,
                              ip)


# --- the booking ---

class NewBooking(Body):
    booking_id: ClientId  # made by the page: the same booking sent twice is booked once
    plate: Annotated[str, StringConstraints(max_length=20)]
    mobile: Annotated[str, StringConstraints(max_length=30)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    service_id: Annotated[str, StringConstraints(max_length=40)]
    at: Annotated[str, StringConstraints(max_length=40)]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=10)] = ""
    privacy_ack: StrictBool = False
    source: Annotated[str, StringConstraints(max_length=10)] = "online"

    @field_validator("plate")
    @classmethod
    def check_plate(cls, value: str) -> str:
        plate = vehicles.normalise_plate(value)
        if not plate:
            raise Unprocessable("車牌格式不正確，例如 ABC-1234、AB-1234 或 1234-AB。",
                                "Not a Taiwan plate (e.g. ABC-1234, AB-1234, 1234-AB).",
                                code="invalid_plate")
        return plate


def _when(at: str) -> str:
    try:
        moment = clock.parse_iso(at)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise Unprocessable("請選擇預約時間。", "Pick a time.", code="invalid_slot")
    if moment <= clock.now():
        raise Unprocessable("這個時間已經過了，請選別的時間。",
                            "That time has passed: pick another.", code="slot_past")
    return clock.iso(moment)


def _booking_page(shop_id: str) -> Caller:
    """Who writes a customer or car the booking page records (records' checks ask for it)."""
    return Caller(shop_id=shop_id, staff_id="booking_page", role="booking_page",
                  name="線上預約 Online booking")


def _derived(prefix: str, shop_id: str, booking_id: str) -> str:
    """An id the same for every try of one booking: a retried request finds what it made."""
    digest = hashlib.sha256(f"{prefix}:{shop_id}:{booking_id}".encode()).hexdigest()[:24]
    return f"{prefix}{digest}"


def _customer_of(shop_id: str, mobile: str) -> dict | None:
    claim = models.PhoneClaim.read(models.PhoneClaim.key(shop_id, mobile), consistent=True)
    customer = customers.get_customer(shop_id, claim["customer_id"]) if claim else None
    if customer and customer.get("merged_into"):
        customer = customers.get_customer(shop_id, customer["merged_into"])
    return None if not customer or customer.get("erased_at") else customer


def _customer(shop_id: str, body: NewBooking, mobile: str) -> dict:
    """A new customer of that mobile, who acknowledged the privacy notice (or the one who got
    the number at the same moment)."""
    try:
        return customers.create_customer(_booking_page(shop_id), customers.NewCustomer(
            customer_id=_derived("c", shop_id, body.booking_id), name=body.name, mobile=mobile,
            channel="sms", consent=customers.Consent(version=customers.NOTICE_VERSION,
                                                     method="booking_page")))
    except Conflict:  # the number was claimed meanwhile: that customer (the refusal names
        known = _customer_of(shop_id, mobile)  # them, so it is never passed on to the page)
        if known is None:
            raise _busy() from None
        return known


def _vehicle(shop_id: str, customer: dict, body: NewBooking) -> tuple[dict, str]:
    """The car with that plate (not moved from another customer: the note says so), or a new
    car of this customer; and the note the booking carries about it."""
    claim = models.PlateClaim.read(models.PlateClaim.key(shop_id, body.plate), consistent=True)
    car = vehicles.get_vehicle(shop_id, claim["vehicle_id"], consistent=True) if claim else None
    if car is not None:
        if car.get("customer_id") == customer["customer_id"]:
            return car, ""
        return car, (f"線上預約：車牌 {body.plate} 登記在其他客戶名下，由 {customer['name']}"
                     f"（{phones.written(customer['mobile'])}）預約，車主未變更，請到店時確認。")
    # Built without validation: the plate is checked already, and the fuel is not known (the
    # counter fills it in with the make and model).
    new = vehicles.NewVehicle.model_construct(
        vehicle_id=_derived("v", shop_id, body.booking_id), plate=body.plate, vin=None,
        make=UNKNOWN, model=UNKNOWN, year=None, colour=None, fuel=None,
        customer_id=customer["customer_id"], mileage_km=None)
    try:
        created = vehicles.create_vehicle(_booking_page(shop_id), new)
    except Conflict:  # the plate was claimed meanwhile (the refusal names its owner): again
        if models.PlateClaim.read(models.PlateClaim.key(shop_id, body.plate),
                                  consistent=True) is None:
            raise _busy() from None
        return _vehicle(shop_id, customer, body)
    return vehicles.get_vehicle(shop_id, created["vehicle_id"], consistent=True) or created, ""


def _busy() -> Conflict:
    return Conflict("同時有另一筆預約正在處理，請再按一次「確認預約」。",
                    "Another booking was being made at the same moment: tap Book again.",
                    code="try_again")


def _not_free() -> Conflict:
    return Conflict("這個時段剛好額滿了，請選別的時間。",
                    "That time was just taken: pick another.", code="slot_full")


def book(opened: dict, raw: bytes | None) -> dict:
    """The booking: the code checked and used up, the customer and car found or made, the
    places taken (bookcore). Replayed (the same booking_id, the same mobile), it answers the
    booking made the first time."""
    shop, setup = opened["shop"], opened["setup"]
    shop_id = shop["shop_id"]
    if not setup.get("online", True):
        raise _closed()
    body = parse(NewBooking, raw)
    mobile = booking_codes.mobile_of(body.mobile)
    known = _customer_of(shop_id, mobile)
    replay = appointments.get_appointment(shop_id, body.booking_id)
    if replay is not None:
        if known is None or known["customer_id"] != replay.get("customer_id"):
            raise Conflict("這筆預約已經送出過了，請重新整理頁面。",
                           "This booking was already sent: reload the page.",
                           code="booking_exists")
        return _answer(shop, replay, known)
    service = _service(setup, body.service_id)
    at = _when(body.at)
    if not body.privacy_ack and known is None:
        raise Unprocessable("請先閱讀並勾選同意個資告知事項。",
                            "Please read and tick the privacy notice first.",
                            code="consent_required")
    day = slots.free_slots(shop_id, clock.local_date(at), int(service["minutes"]),
                           _calendar(opened))
    if not any(slot["at"] == at and int(slot["free"]) > 0 for slot in day):
        raise _not_free()
    with booking_codes.proven(shop_id, mobile, body.code):
        customer = known or _customer(shop_id, body, mobile)
        vehicle, car_note = _vehicle(shop_id, customer, body)
        note = "\n".join(filter(None, [body.note, car_note]))
        booked = appointments.book(
            shop_id, appointment_id=body.booking_id, at=at,
            duration_minutes=int(service["minutes"]), purpose=service["zh"],
            service_id=service["service_id"],
            source="line" if body.source == "line" else "online", note=note,
            customer=customer, vehicle=vehicle,
            by={"customer": True, "name": customer["name"]})
    return _answer(shop, booked, customer)


def _answer(shop: dict, appointment: dict, customer: dict | None) -> dict:
    """The booking, its manage link, and for a customer not yet on the shop's LINE account
    the link that opens it with a one-time code typed in: one tap binds them (line_linking)."""
    shop_id = shop["shop_id"]
    answer = {"booking": view(appointment),
              "manage_url": booking_links.url_for(shop_id, appointment["appointment_id"])}
    if customer and not customer.get("line_user_id") and settings().line_basic_id:
        answer["line_url"] = line_linking.link_code(shop_id, customer["customer_id"],
                                                    {"customer": True})["url"]
    return answer


def view(appointment: dict) -> dict:
    """A booking as its customer sees it: no names of anyone else, the plate masked."""
    zh, en = STATE_NAMES.get(appointment.get("state", "booked"), ("", ""))
    return {"appointment_id": appointment["appointment_id"], "at": appointment["at"],
            "when": clock.local_text(appointment["at"]),
            "duration_minutes": int(appointment.get("duration_minutes") or 0),
            "purpose": appointment.get("purpose", ""),
            "service_id": appointment.get("service_id"), "state": appointment.get("state"),
            "state_zh": zh, "state_en": en,
            "plate": vehicles.mask_plate(appointment["plate"]) if appointment.get("plate")
            else ""}


# --- the manage page (/m/<token>) ---

def manage_html(managed: booking_links.Managed, token: str) -> str:
    shop = shops.get_shop(managed.shop_id) or {}
    booking = view(managed.appointment)
    active = booking["state"] in ACTIVE and clock.parse_iso(booking["at"]) > clock.now()
    setup = booking_setup.read(managed.shop_id) if active else {}
    head = (f"<header><h1>{_e(shop.get('name', ''))}</h1>"
            f"<p>我的預約 <span class=en>My booking</span></p>{_call(shop)}</header>")
    summary = (
        "<section><h2>預約內容 <span class=en>Booking</span></h2>"
        f"<p class=state id=when>{_e(booking['when'])}</p>"
        f"<p>{_e(booking['purpose'])} · {_e(booking['plate'])}</p>"
        f"<p id=mstate>{_bi(booking['state_zh'], booking['state_en'])}</p></section>")
    actions = ""
    if active:
        actions = (
            "<section id=move><h2>改時間 <span class=en>Change the time</span></h2>"
            f"{_day_chips(_days(setup))}<p class=msg id=tmsg role=status></p>"
            "<div id=times class=times aria-live=polite></div>"
            "<button type=button class=\"btn btn-p big\" id=moveto disabled>改到這個時間 "
            "<span class=en>Move to this time</span></button></section>"
            "<section id=cancel><h2>取消預約 <span class=en>Cancel</span></h2>"
            "<button type=button class=\"btn btn-s big\" id=cancel1>取消這個預約 "
            "<span class=en>Cancel this booking</span></button>"
            "<div id=confirm hidden><p>確定要取消嗎？<span class=en> Cancel for sure?</span></p>"
            "<div class=btns><button type=button class=\"btn btn-danger\" id=cancel2>確定取消 "
            "<span class=en>Yes, cancel</span></button><button type=button class=\"btn btn-s\" "
            "id=keep>保留預約 <span class=en>Keep it</span></button></div></div></section>")
    body = head + "<main>" + summary + actions + \
        "<p class=msg id=bmsg role=alert></p></main>"
    data = (f"data-page=manage data-base=\"/m/{_e(token)}\" "
            f"data-service=\"{_e(booking['service_id'] or '')}\" "
            f"data-minutes={booking['duration_minutes']}")
    return _document(f"{shop.get('name', '')} · 我的預約", body, data)


def _still_active(managed: booking_links.Managed) -> None:
    """Only a booking still ahead, pending or booked, is moved or cancelled by its link."""
    state = managed.appointment.get("state")
    if clock.parse_iso(managed.appointment["at"]) <= clock.now():
        raise Conflict("這個預約的時間已經過了，無法再更改，請直接聯絡店家。",
                       "This booking's time has passed: please call the shop.",
                       code="booking_final")
    if state not in ACTIVE:
        zh, en = STATE_NAMES.get(state, ("", ""))
        raise Conflict(f"這個預約{zh}，無法再更改。", f"This booking is {en.lower()}: it can no "
                       "longer be changed.", code="booking_final")


def manage_times(managed: booking_links.Managed, params: dict | None) -> dict:
    _still_active(managed)
    day = _day((params or {}).get("date"))
    minutes = int(managed.appointment.get("duration_minutes") or 30)
    found = slots.free_slots(managed.shop_id, day, minutes)
    return {"date": day, "slots": [_slot(slot) for slot in found if int(slot["free"]) > 0]}


class Move(Body):
    at: Annotated[str, StringConstraints(max_length=40)]


def reschedule(managed: booking_links.Managed, raw: bytes | None) -> dict:
    _still_active(managed)
    at = _when(parse(Move, raw).at)
    moved = appointments.reschedule(managed.shop_id, managed.appointment["appointment_id"], at,
                                    by={"customer": True})
    return {"booking": view(moved)}


def cancel(managed: booking_links.Managed) -> dict:
    _still_active(managed)
    cancelled = appointments.cancel(managed.shop_id, managed.appointment["appointment_id"],
                                    by={"customer": True})
    return {"booking": view(cancelled or {**managed.appointment, "state": "cancelled"})}
