"""How a shop takes bookings (預約設定): slot length, cars a slot takes, how far ahead and how
soon customers may book online, whether the shop confirms by hand, holidays and the services
offered. Defaults until the shop changes them; one item in the shop's partition.

The public booking page is `/b/<code>`: a short random code per shop, with a look-up item
(models.BookingPage) so the page finds its shop with one GetItem. The code is made on the
setup's first read (or when a shop is opened), race-safe: two first reads keep one code.
"""
from __future__ import annotations

import secrets

from pydantic import Field, StrictBool, StrictInt, StringConstraints, model_validator
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, Day, ShortText, field_error
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.core.config import settings
from chalicelib.core.qr import qr_svg

ServiceId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,40}$")]

DEFAULT_SERVICES = [
    {"service_id": "service", "zh": "定期保養", "en": "Scheduled service", "minutes": 60},
    {"service_id": "oil", "zh": "換機油", "en": "Oil change", "minutes": 30},
    {"service_id": "tyres", "zh": "輪胎更換", "en": "Tyres", "minutes": 60},
    {"service_id": "check", "zh": "檢查（異音、警示燈）", "en": "Check (noise, warning light)",
     "minutes": 30},
]
DEFAULTS = {"slot_minutes": 30, "cars_per_slot": 2, "days_ahead": 30, "notice_hours": 2,
            "confirm_by_hand": False, "holidays": [], "services": DEFAULT_SERVICES,
            "online": True}
NUMBERS = ("slot_minutes", "cars_per_slot", "days_ahead", "notice_hours")
# The code's letters: no 0/O, 1/I/L, so a code read aloud or off paper is typed right.
CODE_LETTERS = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 7


class Service(Body):
    service_id: ServiceId
    zh: ShortText
    en: ShortText
    minutes: StrictInt = Field(ge=15, le=600)


class BookingSetupBody(Body):
    """The whole setup (PUT replaces it)."""
    slot_minutes: StrictInt = Field(ge=15, le=120)
    cars_per_slot: StrictInt = Field(ge=1, le=50)
    days_ahead: StrictInt = Field(ge=1, le=120)
    notice_hours: StrictInt = Field(ge=0, le=72)
    confirm_by_hand: StrictBool
    holidays: list[Day] = Field(max_length=200)
    services: list[Service] = Field(min_length=1, max_length=30)
    online: StrictBool

    @model_validator(mode="after")
    def _unique(self) -> "BookingSetupBody":
        ids = [service.service_id for service in self.services]
        twice = sorted({service_id for service_id in ids if ids.count(service_id) > 1})
        if twice:
            raise field_error(f"服務代碼重複：{'、'.join(twice)}。",
                              f"service_id used twice: {', '.join(twice)}")
        return self


def setup_of(stored: dict | None) -> dict:
    """The setup over the defaults, from the item as read (None: the shop changed nothing)."""
    stored = stored or {}
    setup = {name: stored.get(name, default) for name, default in DEFAULTS.items()}
    for name in NUMBERS:
        setup[name] = int(setup[name])
    setup["services"] = [{**service, "minutes": int(service["minutes"])}
                         for service in setup["services"]]
    setup["holidays"] = sorted(setup["holidays"])
    return setup


def read(shop_id: str) -> dict:
    """The shop's setup (defaults for what it never set), with its page's `code` if made."""
    stored = models.BookingSetup.read(models.BookingSetup.key(shop_id))
    return {**setup_of(stored), "code": (stored or {}).get("code")}


def booking_url(code: str) -> str:
    return f"{settings().public_origin.rstrip('/')}/b/{code}"


def _answer(setup: dict, code: str) -> dict:
    shown = {name: setup[name] for name in DEFAULTS}
    url = booking_url(code)
    return {**shown, "booking_url": url, "booking_qr_svg": qr_svg(url)}


def get_setup(caller: Caller) -> dict:
    require(caller, "booking.read")
    setup = read(caller.shop_id)
    return _answer(setup, setup["code"] or ensure_code(caller.shop_id))


def replace_setup(caller: Caller, body: BookingSetupBody) -> dict:
    """The whole setup replaced; the page's code stays."""
    require(caller, "booking.manage")
    values = body.model_dump()
    values["holidays"] = sorted(set(values["holidays"]))
    setup = models.BookingSetup
    now = clock.now_iso()
    stored = setup.from_dict(setup.key(caller.shop_id))
    stored.update(actions=[setup.type.set(setup), setup.shop_id.set(caller.shop_id),
                           *(getattr(setup, name).set(value) for name, value in values.items()),
                           setup.updated_at.set(now), setup.updated_by.set(caller.stamp())])
    code = stored.code or ensure_code(caller.shop_id)
    return _answer(setup_of(stored.as_dict()), code)


# --- the public page's code ---

def ensure_code(shop_id: str) -> str:
    """The shop's page code, made now if it has none: the look-up item first (a new code, only
    if unused), then the setup takes it only if it has none yet; the loser of two first reads
    removes its look-up and answers the winner's."""
    setup = models.BookingSetup
    while True:
        code = "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))
        page = models.BookingPage.from_dict({**models.BookingPage.key(code), "shop_id": shop_id,
                                             "code": code, "created_at": clock.now_iso()})
        try:
            with models.refusals():
                page.save(condition=models.BookingPage.pk.does_not_exist())
        except models.Refused:
            continue  # taken by another shop: another draw
        break
    stored = setup.from_dict(setup.key(shop_id))
    try:
        with models.refusals():
            stored.update(actions=[setup.type.set(setup), setup.shop_id.set(shop_id),
                                   setup.code.set(code)],
                          condition=setup.code.does_not_exist())
    except models.Refused:
        page.delete(condition=models.BookingPage.shop_id == shop_id)
        return models.BookingSetup.read(setup.key(shop_id), consistent=True)["code"]
    return code


def shop_of_booking_code(code: str) -> str | None:
    """The shop whose booking page is `/b/<code>` (one GetItem), or None."""
    if not code or len(code) > 40:
        return None
    page = models.BookingPage.read(models.BookingPage.key(code))
    return page["shop_id"] if page else None
