"""A new shop, opened by the hosting team (there is no public sign-up): the shop, its profile and
its first owner, who has no password yet but a one-time sign-in link (`<origin>/welcome#<token>`).

- The token travels in the link's fragment, which browsers never send to a server or put in a
  log; it is stored only as its SHA-256 (models.Welcome).
- It works once: redeeming it is one conditional write (`used` false and not expired), so of two
  redemptions at the same moment exactly one succeeds. It expires after WELCOME_HOURS.
- Redeeming sets the owner's password and answers a session exactly as sign-in does.

Run by `python -m devstack new-shop …` against the local engines or, with the stage's
environment (SL_STAGE, SL_TABLE, AWS credentials), against the cloud table.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from pydantic import StringConstraints, field_validator
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.api import Body, ShortText, field_error
from chalicelib.core import clock, phones
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict, Unauthorized
from chalicelib.records import auth, booking_setup, shops

WELCOME_HOURS = 72
ShopId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{2,39}$")]


class NewShop(Body):
    """What the hosting team is told by a shop that joins."""
    shop_id: ShopId | None = None
    name: ShortText
    tax_id: str
    phone: str
    address: ShortText
    opening_hours: shops.OpeningHours | None = None
    owner_name: ShortText
    owner_login: ShortText  # a mobile or an e-mail

    @field_validator("tax_id")
    @classmethod
    def _tax_id(cls, value: str) -> str:
        if not (shops.tax_id_checked(value) or ""):
            raise field_error("請填統一編號。", "tax_id: required")
        return value.strip()

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return shops.phone_checked(value)

    @field_validator("owner_login")
    @classmethod
    def _login(cls, value: str) -> str:
        if "@" in value:
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
                raise field_error("電子郵件格式不正確。", "owner_login: not an e-mail")
            return value.lower()
        number = phones.normalise(value)
        if not number:
            raise field_error("請填店長的手機或電子郵件。", "owner_login: a mobile or an e-mail")
        return number


@dataclass(frozen=True)
class Opened:
    shop_id: str
    owner_id: str
    welcome_link: str
    expires_at: str


def open_shop(new: NewShop, *, welcome: bool = True, owner_id: str | None = None) -> Opened:
    """The shop, its profile and its first owner (no password); with `welcome`, the owner's
    one-time link. An existing shop id is refused and left as it is."""
    shop_id = new.shop_id or f"shop-{uuid.uuid4().hex[:10]}"
    hours = new.opening_hours.model_dump(exclude_none=True) if new.opening_hours else None
    if not shops.create_shop(shop_id, new.name, new.phone, new.address, tax_id=new.tax_id,
                             opening_hours=hours):
        raise Conflict(f"店號 {shop_id} 已經存在，沒有做任何變更。",
                       f"The shop {shop_id} exists already: nothing was changed.",
                       code="shop_exists")
    owner_id = owner_id or f"owner-{uuid.uuid4().hex[:12]}"
    login = {"email": new.owner_login} if "@" in new.owner_login else {"mobile": new.owner_login}
    if not shops.add_staff(shop_id, shops.FirstOwner(staff_id=owner_id, name=new.owner_name,
                                                     **login)):
        # Only a login given out before logins were per shop can be taken in a new shop
        # (models.Login.old_key): the shop is taken back, so the command can be run again.
        models.Shop.from_dict(models.Shop.key(shop_id)).delete()
        raise Conflict("這個店長的手機或電子郵件已被其他帳號使用，請換一個。",
                       "That owner's mobile or e-mail signs in another account: use another.",
                       code="login_taken")
    booking_setup.ensure_code(shop_id)  # the shop's booking page, ready to print
    if not welcome:
        return Opened(shop_id, owner_id, "", "")
    link, expires = welcome_link(shop_id, owner_id)
    return Opened(shop_id, owner_id, link, expires)


def welcome_link(shop_id: str, staff_id: str) -> tuple[str, str]:
    """A new one-time link for the person (the earlier ones stay valid until used or expired)."""
    token = secrets.token_urlsafe(32)
    expires = clock.now() + timedelta(hours=WELCOME_HOURS)
    models.Welcome.from_dict({
        **models.Welcome.key(_digest(token)), "shop_id": shop_id, "staff_id": staff_id,
        "used": False, "created_at": clock.now_iso(),
        "expires_at": int(expires.timestamp())}).save(
            condition=models.Welcome.pk.does_not_exist())
    return f"{settings().public_origin.rstrip('/')}/welcome#{token}", expires.isoformat()


def new_welcome_link(shop_id: str) -> Opened:
    """Another link for a shop whose owner has not chosen a password yet (the first expired or
    got lost); refused once they have."""
    owners = [member for member in models.Staff.items(
        models.shop_pk(shop_id), models.Staff.sk.startswith(models.STAFF_PREFIX))
        if member["role"] == "owner" and member.get("active", True)]
    waiting = [owner for owner in owners if not owner.get("password_hash")]
    if not waiting:
        raise Conflict("這家店的店長已經設定過密碼，不再發連結；忘記密碼請由其他店長在設定裡重設。"
                       if owners else "找不到這家店的店長。",
                       "The shop's owner has set a password already: no new link (another owner "
                       "can reset it in Settings)." if owners else "No owner found for that shop.",
                       code="no_owner_waiting")
    link, expires = welcome_link(shop_id, waiting[0]["staff_id"])
    return Opened(shop_id, waiting[0]["staff_id"], link, expires)


class WelcomeRedemption(Body):
    token: Annotated[str, StringConstraints(min_length=20, max_length=100)]
    password: str

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        return shops.password_checked(value)


def redeem(token: str, password: str) -> dict:
    """The owner chooses a password at their link: once, before it expires; a session back."""
    key = models.Welcome.key(_digest(token))
    spent = Unauthorized("這個連結已經用過或已過期，請聯絡我們重新寄送。",
                         "This link was used already or has expired: ask for a new one.",
                         code="welcome_used")
    try:
        with models.refusals():
            redeemed = models.Welcome.from_dict(key)
            redeemed.update(
                actions=[models.Welcome.used.set(True),
                         models.Welcome.used_at.set(clock.now_iso())],
                condition=models.Welcome.pk.exists()
                & (models.Welcome.used == False)  # noqa: E712 (a stored false)
                & (models.Welcome.expires_at >= int(clock.now().timestamp())))
    except models.Refused:
        raise spent from None
    staff = models.Staff
    try:
        with models.refusals():
            # The first password only: another link of the same owner (a second one the hosting
            # team gave) is spent once either has been used.
            chosen = staff.from_dict(staff.key(redeemed.shop_id, redeemed.staff_id))
            chosen.update(actions=[staff.password_hash.set(auth.hash_secret(password))],
                          condition=staff.pk.exists() & staff.password_hash.does_not_exist()
                          & (staff.active == True))  # noqa: E712 (a stored true)
    except models.Refused:
        raise spent from None
    return auth.new_session(chosen.as_dict())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


__all__ = ["NewShop", "Opened", "open_shop", "welcome_link", "new_welcome_link",
           "WelcomeRedemption", "redeem",
           "WELCOME_HOURS"]
