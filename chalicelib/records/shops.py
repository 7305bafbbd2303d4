"""Shops (the tenants) and the staff who belong to them."""
from __future__ import annotations

import base64
import binascii
import re
import uuid
from typing import ClassVar, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, Caller, ClientId, Email, ShortText, field_error
from chalicelib.api.roles import ROLES, require
from chalicelib.core import aws, clock, images, phones, tax_ids
from chalicelib.core.config import settings
from chalicelib.core.errors import Busy, Conflict, Invalid, NotFound, Unprocessable
from chalicelib.records import auth

Role = Literal["owner", "manager", "advisor", "technician"]


def password_checked(value: str) -> str:
    if not 10 <= len(value) <= 128:
        raise field_error("密碼需要 10 到 128 個字元。", "must be 10 to 128 characters")
    return value


class NewStaff(Body):
    staff_id: ClientId
    name: ShortText
    role: Role
    mobile: str | None = None
    email: Email | None = None
    password: str

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        if value is None:
            return None
        number = phones.normalise(value)
        if not number:
            raise field_error("手機號碼格式不正確。", "not a Taiwan phone number")
        return number

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        return password_checked(value)

    @model_validator(mode="after")
    def _login(self) -> "NewStaff":
        if not self.mobile and not self.email:
            raise field_error("請填手機或電子郵件，作為登入帳號。", "a mobile or an e-mail is needed to sign in")
        return self


class FirstOwner(NewStaff):
    """A new shop's first owner: no password yet (they choose it at their one-time link,
    records/onboarding.py)."""
    role: Role = "owner"
    password: str | None = None  # type: ignore[assignment]

    @field_validator("password")
    @classmethod
    def _password(cls, value: str | None) -> str | None:
        return None if value is None else password_checked(value)


class StaffChange(Body):
    name: ShortText | None = None
    role: Role | None = None
    active: bool | None = None


class PasswordReset(Body):
    """A temporary password an owner or manager gives a person (they change it later)."""
    password: str

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        return password_checked(value)


def create_shop(shop_id: str, name: str, phone: str, address: str, *, tax_id: str | None = None,
                opening_hours: dict | None = None) -> bool:
    """Create the shop once; False when it already exists (a replay changes nothing)."""
    shop = models.Shop.from_dict({
        **models.Shop.key(shop_id), "shop_id": shop_id, "name": name, "phone": phone,
        "address": address, "tax_id": tax_id, "opening_hours": opening_hours,
        "timezone": "Asia/Taipei", "created_at": clock.now_iso()})
    try:
        with models.refusals():
            shop.save(condition=models.Shop.pk.does_not_exist())
        return True
    except models.Refused:
        return False


def get_shop(shop_id: str) -> dict | None:
    return models.Shop.read(models.Shop.key(shop_id))


def add_staff(shop_id: str, staff: NewStaff, password_hash: str | None = None) -> bool:
    """Add a member and their sign-in names together; False when any exists already.

    `password_hash`: the argon2 hash of `staff.password` when the caller has it already
    (hashing costs a quarter of a second by design).

    One transaction: a sign-in name never points at a member who is not there, and two people
    of one shop can never claim the same e-mail or mobile. In another shop the same name is
    another account (models.Login.key): a shop can learn nothing from another's logins, and a
    technician at two branches signs in at each.
    """
    if password_hash is None and staff.password is not None:
        password_hash = auth.hash_secret(staff.password)
    member = {**models.Staff.key(shop_id, staff.staff_id), "shop_id": shop_id,
              "staff_id": staff.staff_id, "name": staff.name, "role": staff.role,
              "active": True, "password_hash": password_hash,  # None: a FirstOwner's
              "created_at": clock.now_iso()}
    logins = [login for login in (staff.email and staff.email.lower(), staff.mobile) if login]
    member.update({"email": staff.email.lower()} if staff.email else {})
    member.update({"mobile": staff.mobile} if staff.mobile else {})
    try:
        with models.transaction() as writes:
            writes.save(models.Staff.from_dict(member), condition=models.Staff.pk.does_not_exist())
            for login in logins:
                writes.save(models.Login.from_dict({**models.Login.key(login, shop_id),
                                                    "shop_id": shop_id,
                                                    "staff_id": staff.staff_id}),
                            condition=models.Login.pk.does_not_exist())
            # A name given out before logins were per shop is one item for every shop
            # (models.Login.old_key).
            for login in logins:
                earlier = models.Login.old_key(login)
                writes.condition_check(models.Login, earlier["pk"], earlier["sk"],
                                       condition=models.Login.pk.does_not_exist()
                                       | (models.Login.shop_id != shop_id))
        return True
    except models.LostRace:
        return False


def set_password(shop_id: str, staff_id: str, password: str) -> None:
    with models.refusals():
        models.Staff.from_dict(models.Staff.key(shop_id, staff_id)).update(
            actions=[models.Staff.password_hash.set(auth.hash_secret(password))],
            condition=models.Staff.pk.exists())


def get_staff(shop_id: str, staff_id: str) -> dict | None:
    return models.Staff.read(models.Staff.key(shop_id, staff_id))


def list_staff(caller: Caller) -> dict:
    items = models.Staff.items(models.shop_pk(caller.shop_id),
                               models.Staff.sk.startswith(models.STAFF_PREFIX))
    return {"staff": sorted((auth.public_staff(item) for item in items),
                            key=lambda member: (not member["active"], member["name"]))}


def create_staff(caller: Caller, body: NewStaff) -> dict:
    require(caller, "staff.manage")
    if body.role == "owner" and caller.role != "owner":
        raise Invalid("只有店長（owner）可以新增店長。", "Only an owner may add an owner.",
                      code="forbidden_role")
    if not add_staff(caller.shop_id, body):
        existing = get_staff(caller.shop_id, body.staff_id)
        if existing and existing.get("name") == body.name:
            return auth.public_staff(existing)  # the same create, replayed
        raise Conflict("這個手機或電子郵件已經是本店其他員工的登入帳號。",
                       "That mobile or e-mail already signs in someone of this shop.")
    return auth.public_staff(get_staff(caller.shop_id, body.staff_id))


def _member_to_manage(caller: Caller, staff_id: str, new_role: str | None = None) -> dict:
    """The person an owner or manager changes; an owner only by an owner."""
    require(caller, "staff.manage")
    member = get_staff(caller.shop_id, staff_id)
    if not member:
        raise NotFound("找不到這位員工。", "No such staff member.")
    if "owner" in (member["role"], new_role) and caller.role != "owner":
        raise Invalid("只有店長（owner）可以變更店長。", "Only an owner may change an owner.",
                      code="forbidden_role")
    return member


def update_staff(caller: Caller, staff_id: str, body: StaffChange) -> dict:
    member = _member_to_manage(caller, staff_id, body.role)
    if staff_id == caller.staff_id and (body.active is False or body.role not in (None, caller.role)):
        raise Invalid("不能停用或降級自己的帳號。", "You cannot deactivate or demote yourself.",
                      code="self_change")
    changes = body.model_dump(exclude_none=True)
    if changes:
        _change_staff(caller.shop_id, member, changes)
    return auth.public_staff(get_staff(caller.shop_id, staff_id))


def reset_password(caller: Caller, staff_id: str, body: PasswordReset) -> dict:
    """A temporary password for a person who forgot theirs: the sessions they hold end (a
    password given away is a password to change)."""
    member = _member_to_manage(caller, staff_id)
    _change_staff(caller.shop_id, member, {"password_hash": auth.hash_secret(body.password)},
                  end_sessions=True)
    return auth.public_staff(get_staff(caller.shop_id, staff_id))


def reset_pin(caller: Caller, staff_id: str) -> dict:
    """The person's PIN is cleared: they set a new one in Settings (with their password)."""
    member = _member_to_manage(caller, staff_id)
    with models.refusals():
        models.Staff.from_dict(models.Staff.key(caller.shop_id, staff_id)).update(
            actions=[models.Staff.pin_hash.remove()], condition=models.Staff.pk.exists())
    models.PinGuard.from_dict(models.PinGuard.key(caller.shop_id, staff_id)).delete()
    return auth.public_staff({**member, "pin_hash": None})


def _change_staff(shop_id: str, member: dict, changes: dict, end_sessions: bool = False) -> None:
    """A new role or a deactivation ends the person's sessions at once (auth.token_version).

    Written only if no one else moved the version since `member` was read, so that whether to
    end the sessions is decided on the role and state the write replaces.
    """
    staff = models.Staff
    before = {"role": member["role"], "active": member.get("active", True)}
    ends_sessions = end_sessions or any(key in changes and changes[key] != was
                                        for key, was in before.items())
    actions = [getattr(staff, key).set(value) for key, value in changes.items()]
    if ends_sessions:
        actions.append(staff.token_version.add(1))
    try:
        with models.refusals():
            staff.from_dict(staff.key(shop_id, member["staff_id"])).update(
                actions=actions,
                condition=staff.pk.exists() & (
                    staff.token_version.does_not_exist()
                    | (staff.token_version == auth.token_version(member))))
    except models.Refused:
        raise Busy("這位員工剛被其他人修改，請再送一次。",
                   "Someone changed this person at the same moment: send again.") from None


__all__ = ["ROLES", "NewStaff", "FirstOwner", "StaffChange", "PasswordReset", "ShopChange",
           "OpeningHours", "create_shop", "add_staff", "list_staff", "create_staff",
           "update_staff", "reset_password", "reset_pin", "get_staff", "set_password"]


# --- the shop's own details: what the customer's page and the documents show ---

LOGO_MAX_BYTES = 2 * 1024 * 1024
LINE_ID = r"^@?[A-Za-z0-9._-]{3,30}$"


ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class DayHours(Body):
    open: ClockTime
    close: ClockTime

    @model_validator(mode="after")
    def _order(self) -> "DayHours":
        if self.close <= self.open:
            raise field_error("打烊時間要晚於開門時間。", "close must be after open")
        return self


class OpeningHours(Body):
    """The shop's hours per weekday; a day not given (or null) is a day it is closed."""
    mon: DayHours | None = None
    tue: DayHours | None = None
    wed: DayHours | None = None
    thu: DayHours | None = None
    fri: DayHours | None = None
    sat: DayHours | None = None
    sun: DayHours | None = None


def phone_checked(value: str | None) -> str | None:
    """The shop's phone, a landline or a mobile, as +886… (None: not sent)."""
    if value is None:
        return None
    number = phones.normalise(value)
    if not number:
        raise field_error("電話號碼格式不正確。", "not a Taiwan phone number")
    return number


def tax_id_checked(value: str | None) -> str | None:
    """統一編號: 8 digits passing the Ministry of Finance's check (empty: none)."""
    if value is None:
        return None
    value = value.strip()
    if value and not tax_ids.valid(value):
        raise field_error("統一編號不正確（8 位數字，檢查碼不符）。",
                          "tax_id: not a valid 統一編號 (8 digits with a check digit)")
    return value


class ShopChange(Body):
    """Only what is sent changes; an empty LINE ID removes the chat button; opening hours sent
    replace the week's."""
    name: ShortText | None = None
    phone: str | None = None
    address: ShortText | None = None
    line_id: str | None = None
    tax_id: str | None = None
    opening_hours: OpeningHours | None = None

    @field_validator("tax_id")
    @classmethod
    def _tax_id(cls, value: str | None) -> str | None:
        return tax_id_checked(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return phone_checked(value)

    @field_validator("line_id")
    @classmethod
    def _line_id(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if value and not re.match(LINE_ID, value):
            raise field_error("LINE ID 格式不正確（例如 @abc1234）。", "not a LINE ID (like @abc1234)")
        return value


class NewLogo(Body):
    max_body: ClassVar[int] = LOGO_MAX_BYTES * 4 // 3 + 1024
    image: str = Field(max_length=LOGO_MAX_BYTES * 4 // 3 + 4)  # base64 of a JPEG, PNG or WebP


def profile(shop: dict) -> dict:
    """The shop as staff edit it: name, phone, address, LINE ID and a link to the logo."""
    shown = {name: shop.get(name) for name in ("shop_id", "name", "phone", "address", "line_id",
                                               "tax_id")}
    shown["opening_hours"] = shop.get("opening_hours") or {}
    shown["logo_url"] = logo_url(shop)
    return shown


def logo_url(shop: dict) -> str | None:
    """A short presigned link to the logo (signed locally: no request)."""
    return images.image_url(shop["logo_key"]) if shop.get("logo_key") else None


def get_profile(caller: Caller) -> dict:
    shop = get_shop(caller.shop_id)
    if shop is None:
        raise NotFound("找不到這家店。", "No such shop.")
    return profile(shop)


def update_profile(caller: Caller, body: ShopChange) -> dict:
    require(caller, "settings.manage")
    changes = body.model_dump(exclude_none=True)
    if not changes:
        return get_profile(caller)
    shop = models.Shop.from_dict(models.Shop.key(caller.shop_id))
    with models.refusals():
        shop.update(actions=[*(getattr(models.Shop, name).set(value)
                               for name, value in changes.items()),
                             models.Shop.updated_at.set(clock.now_iso())],
                    condition=models.Shop.pk.exists())
    return profile(shop.as_dict())  # as it is now (the update reads it back)


def set_logo(caller: Caller, body: NewLogo) -> dict:
    """The shop's logo: checked and re-encoded like a photo (no EXIF travels), kept small."""
    require(caller, "settings.manage")
    try:
        data = base64.b64decode(body.image, validate=True)
    except (binascii.Error, ValueError):
        raise Unprocessable("圖片內容不是 base64。", "image: not base64.") from None
    if not data or len(data) > LOGO_MAX_BYTES:
        raise Unprocessable("標誌圖片最大 2 MB。", "image: at most 2 MB.")
    try:
        _, thumb, _ = images.process(data)
    except images.Rejected as rejected:
        raise Unprocessable(rejected.zh, rejected.en, code="bad_image") from None
    key = f"photos/{caller.shop_id}/shop/logo-{uuid.uuid4().hex[:12]}.jpg"
    aws.client("s3").put_object(Bucket=settings().bucket_name, Key=key, Body=thumb,
                                ContentType="image/jpeg", CacheControl="private, max-age=86400")
    before = models.retry(lambda: _replace_logo(caller.shop_id, key))
    if before.get("logo_key"):
        aws.client("s3").delete_object(Bucket=settings().bucket_name, Key=before["logo_key"])
    return profile({**before, "logo_key": key})


def _replace_logo(shop_id: str, key: str) -> dict:
    """The shop as it was before its logo became `key`: read, then replaced only if its logo
    is still the one read, so the file replaced is the one deleted (an update answers the
    item after it, not before)."""
    shop = models.Shop
    before = shop.read(shop.key(shop_id), consistent=True) or {}
    seen = before.get("logo_key")
    with models.refusals():
        shop.from_dict(shop.key(shop_id)).update(
            actions=[shop.logo_key.set(key), shop.updated_at.set(clock.now_iso())],
            condition=(shop.logo_key == seen) if seen else shop.logo_key.does_not_exist())
    return before
