"""Customers (車主): how to reach them, and their consent to the personal-data notice (個資法).

A customer is found by the digits of their number as typed at the counter: the customer item
carries its number on gsi1, so a look-up is one Query. Their vehicles are found on gsi2 (the
vehicle item carries its owner), so the customer page is a GetItem and one Query.
"""
from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, StringConstraints, field_validator, model_validator
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.core import clock
from chalicelib.core import phones
from chalicelib.records import vehicles
from chalicelib.api import Body, Caller, ClientId, Email, LongText, field_error
from chalicelib.core.errors import Conflict, NotFound, Unprocessable
from chalicelib.api.roles import require

LOOKUP_LIMIT = 20

# "push": the customer tapped 有進度時通知我 on their page (chalicelib/outward/notify/push.py).
Channel = Literal["line", "sms", "push", "none"]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
RawPhone = Annotated[str, StringConstraints(max_length=30)]
ConsentVersion = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=20)]
ConsentMethod = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                 max_length=40)]


def _phone_field(value: str | None) -> str | None:
    if value is None:
        return None
    number = phones.normalise(value)
    if not number:
        raise field_error("電話號碼格式不正確，例如 0912-345-678 或 02-2345-6789。",
                          "not a Taiwan phone number (e.g. 0912-345-678, 02-2345-6789)")
    return number


def check_channel(channel: str, number: str) -> None:
    """LINE notification messages and SMS reach a mobile only, never a landline."""
    if channel in ("line", "sms") and not phones.is_mobile(number):
        raise Unprocessable("LINE 或簡訊通知需要手機號碼；市話請選「不通知」。",
                            "channel: LINE and SMS need a mobile number, not a landline.")


class Consent(Body):
    """The personal-data notice the customer agreed to, and how (the server adds when and who)."""
    version: ConsentVersion
    method: ConsentMethod


class NewCustomer(Body):
    customer_id: ClientId
    name: Name
    mobile: RawPhone
    email: Email | None = None
    channel: Channel
    notes: LongText = ""
    consent: Consent | None = None

    @field_validator("mobile")
    @classmethod
    def check_mobile(cls, value: str) -> str:
        return _phone_field(value)

    @model_validator(mode="after")
    def check_reachable(self) -> "NewCustomer":
        if self.channel in ("line", "sms") and not phones.is_mobile(self.mobile):
            raise field_error("LINE 或簡訊通知需要手機號碼；市話請選「不通知」。",
                              "LINE and SMS need a mobile number, not a landline")
        return self


class CustomerChange(Body):
    """Only what is sent changes; `null` clears the e-mail."""
    name: Name | None = None
    mobile: RawPhone | None = None
    email: Email | None = None
    channel: Channel | None = None
    notes: LongText | None = None
    consent: Consent | None = None

    @field_validator("mobile")
    @classmethod
    def check_mobile(cls, value: str | None) -> str | None:
        return _phone_field(value)

    @model_validator(mode="after")
    def check_required_stay(self) -> "CustomerChange":
        for name in ("name", "mobile", "channel", "notes", "consent"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise field_error(f"欄位 {name} 不可清除。", f"{name} cannot be cleared")
        return self


class PhoneLookup(Body):
    phone: Annotated[str, Field(max_length=30)]


# --- reading ---

_PUBLIC = ("customer_id", "name", "mobile", "email", "channel", "notes", "consent",
           "line_linked_at", "reminders_opt_out", "created_at", "updated_at", "erased_at")


def public(item: dict) -> dict:
    return {key: item[key] for key in _PUBLIC if item.get(key) is not None}


def get_customer(shop_id: str, customer_id: str) -> dict | None:
    """The raw customer item, or None when the shop has no such customer."""
    return models.Customer.read(models.customer_key(shop_id, customer_id))


def _existing(caller: Caller, customer_id: str) -> dict:
    customer = get_customer(caller.shop_id, customer_id)
    if customer is None:
        raise NotFound("找不到這位客戶。", "No such customer.")
    return customer


def customer_page(caller: Caller, customer_id: str) -> dict:
    customer = _existing(caller, customer_id)
    owned = vehicles.vehicles_of(caller.shop_id, customer_id)
    return {**public(customer), "vehicles": [vehicles.public(item) for item in owned]}


def find_by_phone(caller: Caller, typed: str) -> dict:
    """Customers whose number begins with the digits typed so far: one Query on gsi1."""
    if not re.fullmatch(r"[+\d\s\-().]*\d[+\d\s\-().]*", typed or ""):
        raise Unprocessable("請輸入電話號碼的數字。", "phone: type the digits of a phone number.")
    number_prefix = phones.prefix(typed)
    if number_prefix == "+886":  # only "0" or "886" typed: every customer would match
        raise Unprocessable("請多輸入幾個號碼。", "phone: type a few more digits.")
    pk, start = models.phone_lookup(caller.shop_id, number_prefix)
    found = models.Customer.lookup.query(pk, models.Customer.gsi1sk.startswith(start),
                                         limit=LOOKUP_LIMIT)
    return {"customers": [public(customer.as_dict()) for customer in found]}


# --- writing ---

def _consent(caller: Caller, consent: Consent) -> dict:
    return {"version": consent.version, "method": consent.method, "at": clock.now_iso(),
            "by": caller.stamp()}


def _refuse_taken_number(shop_id: str, number: str, customer_id: str) -> None:
    """One customer per number in a shop: the counter finds a customer by the number, and a
    second record with it (typed in again for a car already on file) splits their history."""
    pk, start = models.phone_holders(shop_id, number)
    holders = models.Customer.lookup.query(pk, models.Customer.gsi1sk.startswith(start), limit=2)
    holder = next((item.as_dict() for item in holders if item.customer_id != customer_id), None)
    if holder:
        written = _written(number)
        raise Conflict(f"手機 {written} 已是客戶「{holder['name']}」的號碼，請直接選這位客戶。",
                       f"{written} is already the number of the customer {holder['name']}: "
                       "pick that customer instead.", code="mobile_taken")


def _written(number: str) -> str:
    """As the counter writes it: `0912-345-678` for a mobile (a landline: `0223456789`)."""
    national = phones.national(number)
    if phones.is_mobile(number):
        return f"{national[:4]}-{national[4:7]}-{national[7:]}"
    return national


def create_customer(caller: Caller, body: NewCustomer) -> dict:
    require(caller, "customers.write")
    _refuse_taken_number(caller.shop_id, body.mobile, body.customer_id)
    now = clock.now_iso()
    item = {
        **models.customer_key(caller.shop_id, body.customer_id), "type": "customer",
        "shop_id": caller.shop_id, "customer_id": body.customer_id, "name": body.name,
        "mobile": body.mobile, "channel": body.channel, "notes": body.notes,
        "created_at": now, "updated_at": now, "created_by": caller.stamp(),
        **({"email": body.email} if body.email else {}),
        **models.phone_index(caller.shop_id, body.mobile, body.customer_id),
    }
    if body.consent:
        item["consent"] = _consent(caller, body.consent)
        item["consent_history"] = [item["consent"]]
    try:
        with models.refusals():
            models.Customer.from_dict(item).save(condition=models.Customer.pk.does_not_exist())
    except models.Refused:
        return public(get_customer(caller.shop_id, body.customer_id))  # the create, replayed
    return public(item)


def update_customer(caller: Caller, customer_id: str, body: CustomerChange) -> dict:
    require(caller, "customers.write")
    customer = _existing(caller, customer_id)
    if customer.get("erased_at"):
        raise Conflict("這位客戶的個資已依要求刪除，不能再修改；請建立新客戶。",
                       "This customer's data was erased on request: create a new customer.",
                       code="customer_erased")
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    check_channel(changes.get("channel") or customer["channel"],
                  changes.get("mobile") or customer["mobile"])
    if changes.get("mobile") and changes["mobile"] != customer["mobile"]:
        _refuse_taken_number(caller.shop_id, changes["mobile"], customer_id)
    sets = {name: value for name, value in changes.items()
            if value is not None and name != "consent"}
    removes = [name for name, value in changes.items() if value is None]
    if "mobile" in sets:
        sets["gsi1sk"] = models.phone_index(caller.shop_id, sets["mobile"], customer_id)["gsi1sk"]
    sets["updated_at"] = clock.now_iso()
    row = models.Customer
    actions = [*(getattr(row, name).set(value) for name, value in sets.items()),
               *(getattr(row, name).remove() for name in removes)]
    if body.consent:
        consent = _consent(caller, body.consent)
        actions += [row.consent.set(consent),
                    row.consent_history.set((row.consent_history | []).append([consent]))]
    changed = row.from_dict(models.customer_key(caller.shop_id, customer_id))
    with models.refusals():
        changed.update(actions=actions, condition=row.pk.exists())
    if "name" in sets and sets["name"] != customer["name"]:
        vehicles.rename_owner(caller.shop_id, customer_id, sets["name"])
    return public(changed.as_dict())  # as it is now (the update reads it back)


def link_line(shop_id: str, customer_id: str, line_user_id: str) -> bool:
    """The customer's LINE user id (from the link code they sent the shop's account), so LINE
    push messages reach them; False when the shop has no such customer."""
    row, now = models.Customer, clock.now_iso()
    try:
        with models.refusals():
            row.from_dict(models.customer_key(shop_id, customer_id)).update(
                actions=[row.line_user_id.set(line_user_id), row.line_linked_at.set(now),
                         row.updated_at.set(now)],
                condition=row.pk.exists() & row.erased_at.does_not_exist())
    except models.Refused:
        return False
    return True
