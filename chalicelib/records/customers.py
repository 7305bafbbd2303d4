"""Customers (車主): how to reach them, and their consent to the personal-data notice (個資法).

A customer is found by the digits of their number as typed at the counter: the customer item
carries its number on gsi1, so a look-up is one Query. A mobile is claimed per shop by an item
written in the same transaction as the customer (models.PhoneClaim), so two tablets typing one
number at once make one customer. Their vehicles are found on gsi2 (the vehicle item carries
its owner), so the customer page is a GetItem and one Query.

Two consents, each with its history on the item: the privacy notice (個資法 §8, required for a
new customer: its version is `NOTICE_VERSION`, from chalicelib/catalogue/privacy_notice.json,
which the PWA imports too), and marketing (reminders, campaigns: optional, `agreed` true or
false with the version and time).

送修人 and 車主: the customer is who the car's records and documents belong to (a person or a
company, 公司行號 with its 統一編號); `contacts` are the people who bring the car or answer for
it (name, mobile, role), on the customer, so the counter sees them each visit.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, StrictBool, StringConstraints, field_validator, model_validator
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.core import clock
from chalicelib.core import phones, tax_ids
from chalicelib.models.writes import Writes
from chalicelib.records import vehicles
from chalicelib.api import Body, Caller, ClientId, Email, LongText, field_error
from chalicelib.core.errors import Conflict, NotFound, Unprocessable
from chalicelib.api.roles import require

LOOKUP_LIMIT = 20
MAX_CONTACTS = 10
HISTORY_KEPT = 20  # consent changes kept on the item (bounded: a DynamoDB item is 400 KB)

_NOTICE = json.loads((Path(__file__).resolve().parents[1] / "catalogue" /
                      "privacy_notice.json").read_text(encoding="utf-8"))
NOTICE_VERSION: str = _NOTICE["version"]
MARKETING_VERSION: str = _NOTICE["marketing_version"]

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

    @field_validator("version")
    @classmethod
    def check_version(cls, value: str) -> str:
        if value != NOTICE_VERSION:
            raise field_error(f"個資告知的版本是 {NOTICE_VERSION}，請重新整理後再勾選。",
                              f"the privacy notice in force is version {NOTICE_VERSION}")
        return value


class Marketing(Body):
    """Whether the customer agrees to reminders and campaigns (the server adds the version in
    force, when and who)."""
    agreed: StrictBool
    method: ConsentMethod


class Company(Body):
    """A business customer (公司行號): its 統一編號 and registered name (抬頭); `monthly`: it
    pays by the month (月結), so its cars may leave before the bill is paid."""
    tax_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8)]
    title: Name
    monthly: StrictBool = False

    @field_validator("tax_id")
    @classmethod
    def check_tax_id(cls, value: str) -> str:
        if not tax_ids.valid(value):
            raise field_error("統一編號不正確（8 碼數字，檢查碼不符）。",
                              "not a valid unified business number (統一編號, 8 digits)")
        return value


class Contact(Body):
    """Someone who brings the car or answers for it (送修人, 會計…)."""
    name: Name
    mobile: RawPhone | None = None
    role: Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)] = ""

    @field_validator("mobile")
    @classmethod
    def check_mobile(cls, value: str | None) -> str | None:
        return _phone_field(value or None)


Contacts = Annotated[list[Contact], Field(max_length=MAX_CONTACTS)]


class NewCustomer(Body):
    customer_id: ClientId
    name: Name
    mobile: RawPhone
    email: Email | None = None
    channel: Channel
    notes: LongText = ""
    consent: Consent | None = None
    marketing: Marketing | None = None
    company: Company | None = None
    contacts: Contacts = []

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
    """Only what is sent changes; `null` clears the e-mail or the company."""
    name: Name | None = None
    mobile: RawPhone | None = None
    email: Email | None = None
    channel: Channel | None = None
    notes: LongText | None = None
    consent: Consent | None = None
    marketing: Marketing | None = None
    company: Company | None = None
    contacts: Contacts | None = None

    @field_validator("mobile")
    @classmethod
    def check_mobile(cls, value: str | None) -> str | None:
        return _phone_field(value)

    @model_validator(mode="after")
    def check_required_stay(self) -> "CustomerChange":
        for name in ("name", "mobile", "channel", "notes", "consent", "marketing", "contacts"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise field_error(f"欄位 {name} 不可清除。", f"{name} cannot be cleared")
        return self


class PhoneLookup(Body):
    phone: Annotated[str, Field(max_length=30)]


# --- reading ---

_PUBLIC = ("customer_id", "name", "mobile", "email", "channel", "notes", "consent",
           "consent_history", "marketing", "marketing_history", "company", "contacts",
           "line_linked_at", "line_blocked_at", "reminders_opt_out", "merged_into", "merged_at", "created_at",
           "updated_at", "erased_at")


def public(item: dict) -> dict:
    return {key: item[key] for key in _PUBLIC if item.get(key) is not None}


def notice() -> dict:
    """The versions in force of the privacy notice and the marketing consent."""
    return {"version": NOTICE_VERSION, "marketing_version": MARKETING_VERSION}


def wants_marketing(customer: dict) -> bool:
    """Reminders and campaigns go only to a customer who has not said no: one who declined
    (`marketing.agreed` false) gets none. A customer recorded before the question was asked
    (no `marketing` at all: imported or created before 2026-12) keeps the reminders they
    had, each of which carries the opt-out link (個資法 §20), until asked."""
    marketing = customer.get("marketing")
    return marketing is None or bool(marketing.get("agreed"))


def get_customer(shop_id: str, customer_id: str) -> dict | None:
    """The raw customer item, or None when the shop has no such customer."""
    return models.Customer.read(models.customer_key(shop_id, customer_id))


def _existing(caller: Caller, customer_id: str) -> dict:
    customer = get_customer(caller.shop_id, customer_id)
    if customer is None:
        raise NotFound("找不到這位客戶。", "No such customer.")
    return customer


def customer_page(caller: Caller, customer_id: str) -> dict:
    """The customer with their vehicles; a merged one answers `merged_into` (the kept one)."""
    customer = _existing(caller, customer_id)
    if customer.get("merged_into"):
        return {**public(customer), "vehicles": []}
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


def _marketing(caller: Caller, marketing: Marketing) -> dict:
    return {"agreed": marketing.agreed, "version": MARKETING_VERSION, "method": marketing.method,
            "at": clock.now_iso(), "by": caller.stamp()}


def _contacts(contacts: list[Contact]) -> list[dict]:
    return [{"name": contact.name, "role": contact.role,
             **({"mobile": contact.mobile} if contact.mobile else {})} for contact in contacts]


def _holder_conflict(holder: dict, number: str) -> Conflict:
    written = phones.written(number)
    return Conflict(f"手機 {written} 已是客戶「{holder['name']}」的號碼，請直接選這位客戶。",
                    f"{written} is already the number of the customer {holder['name']}: "
                    "pick that customer instead.", code="mobile_taken")


def _refuse_taken_number(shop_id: str, number: str, customer_id: str) -> None:
    """One customer per number in a shop: the counter finds a customer by the number, and a
    second record with it (typed in again for a car already on file) splits their history.
    Read first for a clear answer (and for customers recorded before numbers were claimed);
    the claim written with the customer settles a race."""
    pk, start = models.phone_holders(shop_id, number)
    holders = models.Customer.lookup.query(pk, models.Customer.gsi1sk.startswith(start), limit=2)
    holder = next((item.as_dict() for item in holders if item.customer_id != customer_id), None)
    if holder:
        raise _holder_conflict(holder, number)


def _claim(shop_id: str, number: str, customer_id: str) -> models.PhoneClaim:
    return models.PhoneClaim.from_dict({
        **models.PhoneClaim.key(shop_id, number), "shop_id": shop_id, "mobile": number,
        "customer_id": customer_id})


def _lost_number(shop_id: str, number: str) -> Conflict:
    """The answer when a number's claim was taken meanwhile: who has it now."""
    claim = models.PhoneClaim.read(models.PhoneClaim.key(shop_id, number), consistent=True)
    holder = get_customer(shop_id, claim["customer_id"]) if claim else None
    return _holder_conflict(holder or {"name": "?"}, number)


def release_number(writes: Writes, shop_id: str, number: str, customer_id: str) -> None:
    """The customer's claim on their number, deleted in the caller's transaction (a merge, an
    erasure): the number is free again."""
    writes.delete(_claim(shop_id, number, customer_id),
                  condition=models.PhoneClaim.customer_id.does_not_exist()
                  | (models.PhoneClaim.customer_id == customer_id))


def create_customer(caller: Caller, body: NewCustomer, imported: bool = False) -> dict:
    """A new customer, who acknowledged the privacy notice (422 `consent_required` without;
    `imported`: a row of the shop's earlier records, asked at their next visit)."""
    require(caller, "customers.write")
    replay = get_customer(caller.shop_id, body.customer_id)
    if replay:
        return public(replay)
    if body.consent is None and not imported:
        raise Unprocessable("新客戶須先閱讀並同意個資告知事項。",
                            "consent: a new customer must acknowledge the privacy notice.",
                            code="consent_required")
    _refuse_taken_number(caller.shop_id, body.mobile, body.customer_id)
    now = clock.now_iso()
    item = {
        **models.customer_key(caller.shop_id, body.customer_id), "type": "customer",
        "shop_id": caller.shop_id, "customer_id": body.customer_id, "name": body.name,
        "mobile": body.mobile, "channel": body.channel, "notes": body.notes,
        "created_at": now, "updated_at": now, "created_by": caller.stamp(),
        **({"email": body.email} if body.email else {}),
        **({"company": body.company.model_dump(exclude_defaults=True)} if body.company else {}),
        **({"contacts": _contacts(body.contacts)} if body.contacts else {}),
        **models.phone_index(caller.shop_id, body.mobile, body.customer_id),
    }
    if body.consent:
        item["consent"] = _consent(caller, body.consent)
        item["consent_history"] = [item["consent"]]
    if body.marketing:
        item["marketing"] = _marketing(caller, body.marketing)
        item["marketing_history"] = [item["marketing"]]
    try:
        with models.transaction() as writes:
            writes.save(models.Customer.from_dict(item),
                        condition=models.Customer.pk.does_not_exist())
            writes.save(_claim(caller.shop_id, body.mobile, body.customer_id),
                        condition=models.PhoneClaim.pk.does_not_exist())
    except models.LostRace:
        replay = get_customer(caller.shop_id, body.customer_id)
        if replay:
            return public(replay)  # the create, replayed by another try
        raise _lost_number(caller.shop_id, body.mobile) from None
    return public(item)


def _writable(customer: dict) -> None:
    if customer.get("erased_at"):
        raise Conflict("這位客戶的個資已依要求刪除，不能再修改；請建立新客戶。",
                       "This customer's data was erased on request: create a new customer.",
                       code="customer_erased")
    if customer.get("merged_into"):
        raise Conflict("這位客戶已合併到另一位客戶，請改在那位客戶修改。",
                       "This customer was merged into another: change that one.",
                       code="customer_merged")


def update_customer(caller: Caller, customer_id: str, body: CustomerChange) -> dict:
    require(caller, "customers.write")
    customer = _existing(caller, customer_id)
    _writable(customer)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    check_channel(changes.get("channel") or customer["channel"],
                  changes.get("mobile") or customer["mobile"])
    new_number = changes.get("mobile") if changes.get("mobile") != customer["mobile"] else None
    if new_number:
        _refuse_taken_number(caller.shop_id, new_number, customer_id)
    plain = ("name", "mobile", "email", "channel", "notes")
    sets = {name: value for name, value in changes.items() if value is not None and name in plain}
    removes = [name for name, value in changes.items() if value is None]
    if "mobile" in sets:
        sets["gsi1sk"] = models.phone_index(caller.shop_id, sets["mobile"], customer_id)["gsi1sk"]
    if body.company is not None:
        sets["company"] = body.company.model_dump(exclude_defaults=True)  # 月結 only when so
    if body.contacts is not None:
        sets["contacts"] = _contacts(body.contacts)
    sets["updated_at"] = clock.now_iso()
    row = models.Customer
    actions = [*(getattr(row, name).set(value) for name, value in sets.items()),
               *(getattr(row, name).remove() for name in removes)]
    if body.consent:
        consent = _consent(caller, body.consent)
        actions += [row.consent.set(consent),
                    row.consent_history.set((row.consent_history | []).append([consent]))]
    if body.marketing:
        marketing = _marketing(caller, body.marketing)
        actions += [row.marketing.set(marketing),
                    row.marketing_history.set((row.marketing_history | []).append([marketing]))]
    changed = row.from_dict(models.customer_key(caller.shop_id, customer_id))
    try:
        with models.transaction() as writes:
            writes.update(changed, actions=actions, condition=row.pk.exists()
                          & row.merged_into.does_not_exist() & row.merging_into.does_not_exist()
                          & row.erased_at.does_not_exist())
            if new_number:
                release_number(writes, caller.shop_id, customer["mobile"], customer_id)
                writes.save(_claim(caller.shop_id, new_number, customer_id),
                            condition=models.PhoneClaim.pk.does_not_exist())
    except models.LostRace as lost:
        if lost.parts and lost.parts[0]:
            raise Conflict("這位客戶剛被合併或刪除，請重新整理。",
                           "This customer was just merged or erased: reload.",
                           code="customer_changed") from None
        raise _lost_number(caller.shop_id, new_number) from None
    stored = models.Customer.read(models.customer_key(caller.shop_id, customer_id),
                                  consistent=True)
    if "name" in sets and sets["name"] != customer["name"]:
        vehicles.rename_owner(caller.shop_id, customer_id, sets["name"])
    return public(stored)


def link_line(shop_id: str, customer_id: str, line_user_id: str) -> bool:
    """The customer's LINE user id (from the link code they sent the shop's account), so LINE
    push messages reach them, and the LINE user's index item naming the customer, so what they
    write finds them (models.LineUser), in one transaction; False when the shop has no such
    customer."""
    row, now = models.Customer, clock.now_iso()
    try:
        with models.transaction() as writes:
            writes.update(row.from_dict(models.customer_key(shop_id, customer_id)),
                          actions=[row.line_user_id.set(line_user_id),
                                   row.line_linked_at.set(now), row.updated_at.set(now)],
                          condition=row.pk.exists() & row.erased_at.does_not_exist())
            writes.save(models.LineUser.from_dict({
                **models.LineUser.key(line_user_id, shop_id, customer_id), "shop_id": shop_id,
                "customer_id": customer_id, "line_user_id": line_user_id, "linked_at": now}))
    except models.LostRace:
        return False
    return True
