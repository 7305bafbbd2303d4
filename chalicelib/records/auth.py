"""Staff sign-in: passwords and PINs (argon2id), access tokens (JWT), rotating refresh tokens.

- An access token lives 15 minutes and is verified by the API's authorizer without a read.
- A refresh token is random, stored only as its SHA-256, and used once: each refresh gives a
  new one. Presenting a used one again means it was copied, so its whole family is revoked;
  but within REFRESH_GRACE_SECONDS of its use it is a retry whose answer was lost (the SDK's,
  or the tablet's own), and gets the same new refresh token again: the new one is derived
  from the old with a key, not drawn at random.
- Sign-in tries are counted per login whether or not the account exists, so the answers never
  tell who has an account. A try is taken (one conditional write) BEFORE the password is
  checked, so a parallel burst gets no more checks than the limit: from the 4th try each next
  one must wait longer, the 10th locks the login for 15 minutes. PINs likewise, 5 per person.
- A sign-in name is unique within a shop; the same e-mail or mobile may sign in at two shops
  (a technician at two branches), each account with its own password.
- A deactivation or a change of role moves the person's `token_version`: their refresh tokens
  stop working, and a token they still hold can no longer write (api.Api.caller reads the staff
  item on every write).
- A shared tablet is registered once by a manager; on it, staff switch to themselves with a
  personal 6-digit PIN. The session is the person's, carrying the device's id.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from functools import lru_cache
from typing import Any, Callable

from chalicelib import models
from chalicelib.core import clock
from chalicelib.core import phones
from chalicelib.core import secrets as secret_store
from pydantic import StringConstraints
from typing_extensions import Annotated

from chalicelib.api import Body, Caller, ClientId, ShortText
from chalicelib.api.tokens import ACCESS_MINUTES, access_token, token_version
from chalicelib.api.roles import require
from chalicelib.core.errors import Conflict, Invalid, NotFound, TooManyAttempts, Unauthorized

REFRESH_DAYS = 30
DEVICE_REFRESH_HOURS = 12  # a PIN session on a shared tablet ends with the shift
SLOW_AFTER = 3             # failures before each try must wait
LOCK_AFTER = 10
LOCK_MINUTES = 15
PIN_LOCK_AFTER = 5
REFRESH_GRACE_SECONDS = 10  # a used refresh token seen again this soon is a retry, not a copy


@lru_cache(maxsize=1)
def _hasher():
    from argon2 import PasswordHasher  # argon2id with the library's recommended cost

    return PasswordHasher()


def hash_secret(secret: str) -> str:
    return _hasher().hash(secret)


def secret_matches(stored_hash: str | None, secret: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        # With no account, verify against a throwaway hash anyway: the answer takes as long.
        return _hasher().verify(stored_hash or _decoy_hash(), secret) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return hash_secret(secrets.token_urlsafe(16))


def normalise_login(login: str) -> str:
    """A sign-in name: an e-mail in lower case, or a phone number in E.164."""
    text = (login or "").strip()
    if "@" in text:
        return text.lower()
    return phones.normalise(text) or text


Secret = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Pin = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class SignIn(Body):
    login: ShortText
    password: Secret


class RefreshRequest(Body):
    refresh_token: Secret


class NewDevice(Body):
    device_id: ClientId
    name: ShortText


class DeviceChange(Body):
    name: ShortText


class DeviceCredentials(Body):
    device_id: ClientId
    device_secret: Secret


class PinSignIn(DeviceCredentials):
    staff_id: ClientId
    pin: Pin


class PinChange(Body):
    pin: Pin
    password: Secret


class Unlock(Body):
    """The person's own PIN, or their password when they have no PIN."""
    secret: Secret


# --- sessions ---

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _session(staff: dict, shop: dict | None, device_id: str | None = None,
             family: str | None = None, refresh: str | None = None) -> dict:
    """A new session; `refresh`, the token a rotation derived, is saved once: a retried
    refresh finds it saved (perhaps used since) and leaves it as it is."""
    refresh = refresh or secrets.token_urlsafe(32)
    lifetime = timedelta(hours=DEVICE_REFRESH_HOURS) if device_id else timedelta(days=REFRESH_DAYS)
    expires = clock.now() + lifetime
    try:
        with models.refusals():
            models.RefreshToken.from_dict({
                **models.RefreshToken.key(_digest(refresh)), "shop_id": staff["shop_id"],
                "staff_id": staff["staff_id"], "device_id": device_id or "",
                "token_version": token_version(staff),
                "family": family or secrets.token_hex(16), "used": False,
                "created_at": clock.now_iso(), "expires_at": int(expires.timestamp()),
            }).save(condition=models.RefreshToken.pk.does_not_exist())
    except models.Refused:
        pass  # a retried refresh: its successor is saved already, perhaps used since
    return {"access_token": access_token(staff, device_id), "refresh_token": refresh,
            "expires_in": ACCESS_MINUTES * 60, "staff": public_staff(staff),
            "shop": _public_shop(staff["shop_id"], shop)}


def new_session(staff: dict) -> dict:
    """A session as sign-in gives it, for a person who proved who they are another way (a new
    shop's owner at their one-time link, records/onboarding.py)."""
    return _session(staff, None)


def public_staff(staff: dict) -> dict:
    keys = ("staff_id", "name", "role", "mobile", "email")
    return {**{key: staff[key] for key in keys if staff.get(key)},
            "active": staff.get("active", True), "has_pin": bool(staff.get("pin_hash"))}


def _public_shop(shop_id: str, shop: dict | None) -> dict:
    shop = shop or models.Shop.read(models.Shop.key(shop_id)) or {}
    return {"shop_id": shop_id, "name": shop.get("name", "")}


def sign_in(login: str, password: str) -> dict:
    name = normalise_login(login)
    guard = models.LoginGuard.key(name)
    _take_try(models.LoginGuard, guard, LOCK_AFTER, _login_locked, slow_after=SLOW_AFTER)
    # Every account of the name is checked (a deactivated one against a throwaway hash), and
    # with none one throwaway check is made: the answer takes as long whoever the name is.
    candidates = _accounts(name) or [None]
    matched = [staff for staff in candidates if secret_matches(
        staff.get("password_hash") if staff and staff.get("active", True) else None, password)]
    if not matched:
        raise Unauthorized("帳號或密碼不正確。", "Wrong sign-in name or password.",
                           code="invalid_credentials")
    models.LoginGuard.from_dict(guard).delete()
    return _session(matched[0], None)


def _accounts(name: str) -> list[dict]:
    """The staff a sign-in name opens: at most one per shop (one Query of the name's partition,
    which holds its guard too)."""
    items = models.Item.items(models.login_pk(name))
    found = (_staff(item["shop_id"], item["staff_id"]) for item in items
             if item["type"] == models.Login.type_name())
    return [staff for staff in found if staff]


# --- tries: taken before a password or PIN is checked ---

Guard = type[models.LoginGuard] | type[models.PinGuard]


def _take_try(guard: Guard, key: dict, limit: int, locked: Callable[[int], TooManyAttempts],
              slow_after: int | None = None) -> None:
    """Take one of the `limit` tries of the current 15 minutes, or refuse (429) without a check.

    The take is one conditional write, made before the (slow, argon2) check, so however many
    requests arrive at once no more than `limit` secrets are compared; a success deletes the
    guard. From the try after `slow_after` on, the next one must wait 2, 4, … 30 seconds.
    A refused take whose guard allows a try after all (it just moved, or it is stale and is
    cleared first, or a concurrent success deleted it) is taken again, three times at most.
    """
    def take() -> None:
        moment = int(clock.now().timestamp())
        taken = guard.from_dict(key)
        try:
            with models.refusals():
                taken.update(
                    actions=[guard.expires_at.set(moment + LOCK_MINUTES * 60),
                             guard.type.set(guard), guard.tries.add(1)],
                    condition=guard.pk.does_not_exist() | (
                        (guard.expires_at >= moment)
                        & (guard.tries.does_not_exist() | (guard.tries < limit))
                        & (guard.next_try_at.does_not_exist() | (guard.next_try_at <= moment))))
        except models.Refused:
            stored = guard.read(key, consistent=True)
            if stored and int(stored["expires_at"]) >= moment:
                _refuse(stored, moment, limit, locked)
            elif stored:
                _forget_stale(guard, key, moment)
            raise
        if slow_after is not None and taken.tries > slow_after:
            _slow_down(guard, key, moment + min(30, 2 ** (taken.tries - slow_after)))

    models.retry(take, busy=TooManyAttempts("請稍後再試。", "Please try again in a moment."),
                 attempts=3)


def _refuse(guard: dict, moment: int, limit: int,
            locked: Callable[[int], TooManyAttempts]) -> None:
    """Raise the guard's answer; return when it would allow a try after all (it just moved)."""
    if int(guard.get("tries", guard.get("failures", 0))) >= limit:
        raise locked(int(guard["expires_at"]) - moment)
    wait = int(guard.get("next_try_at", 0)) - moment
    if wait > 0:
        raise TooManyAttempts(f"請等 {wait} 秒後再試。",
                              f"Please wait {wait} seconds and try again.")


def _slow_down(guard: Guard, key: dict, next_try_at: int) -> None:
    """Later only, never earlier (a concurrent try may have set a longer wait), and never onto
    a guard that a success has deleted meanwhile."""
    try:
        with models.refusals():
            guard.from_dict(key).update(
                actions=[guard.next_try_at.set(next_try_at)],
                condition=guard.pk.exists() & (guard.next_try_at.does_not_exist()
                                               | (guard.next_try_at < next_try_at)))
    except models.Refused:
        pass


def _forget_stale(guard: Guard, key: dict, moment: int) -> None:
    """A guard past its 15 minutes that TTL has not removed yet: the next try starts afresh."""
    try:
        with models.refusals():
            guard.from_dict(key).delete(condition=guard.expires_at < moment)
    except models.Refused:
        pass


def _login_locked(seconds: int) -> TooManyAttempts:
    minutes = seconds // 60 + 1
    return TooManyAttempts(f"密碼錯誤太多次，登入已鎖定，請 {minutes} 分鐘後再試。",
                           f"Too many wrong passwords: sign-in is locked for {minutes} minutes.",
                           code="locked")


def _pin_locked(seconds: int) -> TooManyAttempts:
    minutes = seconds // 60 + 1
    return TooManyAttempts(f"PIN 錯誤太多次，請 {minutes} 分鐘後再試，或用密碼登入。",
                           "Too many wrong PINs: try again later or sign in with your password.",
                           code="locked")


def refresh(token: str) -> dict:
    key = models.RefreshToken.key(_digest(token))
    stored = models.RefreshToken.read(key)
    now = clock.now()
    expired = stored is None or int(stored["expires_at"]) < now.timestamp()
    if expired or _family_revoked(stored["family"]):
        raise Unauthorized("請重新登入。", "Please sign in again.")
    moment = int(now.timestamp())
    used_at = models.RefreshToken.used_at
    try:
        with models.refusals():
            # The first use sets used_at; a retry keeps it, so retries cannot stretch the grace.
            models.RefreshToken.from_dict(key).update(
                actions=[models.RefreshToken.used.set(True), used_at.set(used_at | moment)],
                condition=(models.RefreshToken.used == False)  # noqa: E712 (a stored false)
                | (used_at >= moment - REFRESH_GRACE_SECONDS))
    except models.Refused:
        revoke_family(stored["family"])  # a used token came back: someone copied it
        raise Unauthorized("請重新登入。", "Please sign in again.") from None
    staff = _staff(stored["shop_id"], stored["staff_id"])
    ended = not staff or token_version(staff) != int(stored.get("token_version", 0))
    if stored.get("device_id") and not _device_in_use(stored["device_id"]):
        ended = True  # the tablet was revoked: its PIN sessions end with it
    if ended or not staff.get("active", True):
        raise Unauthorized("請重新登入。", "Please sign in again.")
    return _session(staff, None, stored.get("device_id") or None, stored["family"],
                    _successor(token))


def _successor(token: str) -> str:
    """The refresh token a refresh of `token` gives: the same for a retry of that refresh, and
    keyed, so a copy of a used token does not tell the token that came after it."""
    mac = hmac.new(secret_store.get("jwt-signing-key").encode(), b"refresh\n" + token.encode(),
                   hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def sign_out(token: str) -> None:
    stored = models.RefreshToken.read(models.RefreshToken.key(_digest(token)))
    if stored:
        revoke_family(stored["family"])


def _family_revoked(family: str) -> bool:
    return models.RefreshFamily.read(models.RefreshFamily.key(family)) is not None


def revoke_family(family: str) -> None:
    expires = clock.now() + timedelta(days=REFRESH_DAYS)
    models.RefreshFamily.from_dict({**models.RefreshFamily.key(family),
                                    "expires_at": int(expires.timestamp())}).save()


def _staff(shop_id: str, staff_id: str) -> dict | None:
    return models.Staff.read(models.Staff.key(shop_id, staff_id))


# --- shared tablets and PINs ---

def register_device(caller: Caller, device_id: str, name: str) -> dict:
    """A manager signs a tablet in as a shop device; its secret is shown once, kept hashed."""
    require(caller, "devices.manage")
    device_id = _shop_device_id(caller.shop_id, device_id)
    secret = secrets.token_urlsafe(32)
    now = clock.now_iso()
    try:
        with models.refusals():
            models.Device.from_dict({
                **models.Device.key(device_id), "shop_id": caller.shop_id,
                **models.Device.listed(caller.shop_id, now, device_id),
                "device_id": device_id, "name": name, "secret_hash": _digest(secret),
                "registered_by": caller.stamp(), "created_at": now,
            }).save(condition=models.Device.pk.does_not_exist())
    except models.Refused:
        raise Conflict("這台裝置已經登記過。", "This device is registered already.") from None
    return {"device_id": device_id, "name": name, "device_secret": secret}


def _shop_device_id(shop_id: str, client_id: str) -> str:
    """The device's id as stored and used from now on, made from the shop's and the tablet's own:
    a tablet id another shop has taken registers here as a new device, so the answer tells
    nothing about other shops, while the same registration sent twice is still recognised."""
    return hashlib.sha256(f"{shop_id}\n{client_id}".encode()).hexdigest()[:32]


def _device(device_id: str, secret: str) -> dict:
    device = models.Device.read(models.Device.key(device_id), consistent=True)
    if not device or device.get("revoked") or not hmac.compare_digest(
            device["secret_hash"], _digest(secret)):
        raise Unauthorized("這台裝置未登記或已停用。", "This device is not registered.",
                           code="device_unknown")
    return device


def _device_in_use(device_id: str) -> bool:
    device = models.Device.read(models.Device.key(device_id), consistent=True)
    return bool(device) and not device.get("revoked")


def public_device(device: dict) -> dict:
    keys = ("device_id", "name", "created_at", "last_used_at", "revoked_at")
    return {**{key: device.get(key) for key in keys}, "revoked": bool(device.get("revoked")),
            "registered_by": (device.get("registered_by") or {}).get("name")}


def list_devices(caller: Caller) -> dict:
    """The shop's tablets, newest first, revoked ones too (with when)."""
    require(caller, "devices.manage")
    found = models.Device.lists.query(models.devices_pk(caller.shop_id), scan_index_forward=False)
    return {"devices": [public_device(device.as_dict()) for device in found]}


def _shop_device(caller: Caller, device_id: str) -> dict:
    require(caller, "devices.manage")
    device = models.Device.read(models.Device.key(device_id), consistent=True)
    if not device or device["shop_id"] != caller.shop_id:
        raise NotFound("找不到這台平板。", "No such tablet.")
    return device


def rename_device(caller: Caller, device_id: str, name: str) -> dict:
    device = _shop_device(caller, device_id)
    with models.refusals():
        models.Device.from_dict(models.Device.key(device_id)).update(
            actions=[models.Device.name.set(name)],
            condition=models.Device.shop_id == caller.shop_id)
    return public_device({**device, "name": name})


def revoke_device(caller: Caller, device_id: str) -> dict:
    """The tablet's secret stops working at once (its staff list, PIN sign-in, and the refresh
    of the PIN sessions started on it); it stays listed as revoked."""
    device = _shop_device(caller, device_id)
    if device.get("revoked"):
        return public_device(device)
    now = clock.now_iso()
    with models.refusals():
        models.Device.from_dict(models.Device.key(device_id)).update(
            actions=[models.Device.revoked.set(True), models.Device.revoked_at.set(now)],
            condition=models.Device.shop_id == caller.shop_id)
    return public_device({**device, "revoked": True, "revoked_at": now})


def device_staff(device_id: str, secret: str) -> dict:
    """Who may switch in on this tablet: the shop's active staff, as big buttons (the shop and
    its staff: one Query of its partition)."""
    device = _device(device_id, secret)
    shop_id = device["shop_id"]
    items = list(models.Item.items(models.shop_pk(shop_id)))
    shop = next((item for item in items if item["sk"] == "SHOP"), None)
    staff = [public_staff(item) for item in items
             if item["sk"].startswith(models.STAFF_PREFIX) and item.get("active", True)]
    return {"shop": _public_shop(shop_id, shop), "device": {"device_id": device_id,
                                                            "name": device["name"]},
            "staff": sorted(staff, key=lambda member: member["name"])}


def set_pin(caller: Caller, pin: str, password: str) -> None:
    staff = _staff(caller.shop_id, caller.staff_id)
    if not staff or not secret_matches(staff.get("password_hash"), password):
        raise Unauthorized("密碼不正確。", "Wrong password.", code="invalid_credentials")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise Invalid("PIN 太容易猜到，請換一組。", "That PIN is too easy to guess.", code="weak_pin")
    models.Staff.from_dict(models.Staff.key(caller.shop_id, caller.staff_id)).update(
        actions=[models.Staff.pin_hash.set(hash_secret(pin))])
    models.PinGuard.from_dict(models.PinGuard.key(caller.shop_id, caller.staff_id)).delete()


def pin_sign_in(device_id: str, secret: str, staff_id: str, pin: str) -> dict:
    device = _device(device_id, secret)
    staff = _staff(device["shop_id"], staff_id)
    if not staff or not staff.get("active", True) or not staff.get("pin_hash"):
        raise Unauthorized("這位員工還沒設定 PIN。", "This person has no PIN yet.",
                           code="invalid_credentials")
    guard = models.PinGuard.key(device["shop_id"], staff_id)
    _take_try(models.PinGuard, guard, PIN_LOCK_AFTER, _pin_locked)
    if not secret_matches(staff["pin_hash"], pin):
        raise Unauthorized("PIN 不正確。", "Wrong PIN.", code="invalid_credentials")
    models.PinGuard.from_dict(guard).delete()
    models.Device.from_dict(models.Device.key(device_id)).update(
        actions=[models.Device.last_used_at.set(clock.now_iso())])
    return _session(staff, None, device_id)


def unlock(caller: Caller, secret: str) -> None:
    """Hand-over mode ends (the tablet went back from the customer to the staff member): their own
    PIN (six digits, when they have one) or their password, with the PIN's tries (5 in 15
    minutes) either way."""
    staff = _staff(caller.shop_id, caller.staff_id)
    if not staff or not staff.get("active", True):
        raise Unauthorized("請重新登入。", "Please sign in again.")
    guard = models.PinGuard.key(caller.shop_id, caller.staff_id)
    _take_try(models.PinGuard, guard, PIN_LOCK_AFTER, _pin_locked)
    as_pin = bool(staff.get("pin_hash")) and re.fullmatch(r"[0-9]{6}", secret) is not None
    if not secret_matches(staff.get("pin_hash" if as_pin else "password_hash"), secret):
        raise Unauthorized("PIN 不正確。" if as_pin else "密碼不正確。",
                           "Wrong PIN." if as_pin else "Wrong password.",
                           code="invalid_credentials")
    models.PinGuard.from_dict(guard).delete()


def me(caller: Caller) -> dict[str, Any]:
    staff = _staff(caller.shop_id, caller.staff_id)
    if not staff:
        raise Unauthorized("請重新登入。", "Please sign in again.")
    return {**public_staff(staff), "shop": _public_shop(caller.shop_id, None),
            "device_id": caller.device_id}


def still_current(caller: Caller) -> None:
    """A deactivation or a change of role takes effect at the person's next write, not when the
    token they hold expires (15 minutes, plus the minute the gateway keeps the authorizer's
    answer): it moved their token_version. One strongly consistent GetItem per write."""
    key = models.Staff.key(caller.shop_id, caller.staff_id)
    try:
        staff = models.Staff.get(key["pk"], key["sk"], consistent_read=True,
                                 attributes_to_get=["active", "token_version"]).as_dict()
    except models.Staff.DoesNotExist:
        staff = None
    if (not staff or not staff.get("active", True)
            or int(staff.get("token_version", 0)) != caller.token_version):
        raise Unauthorized("你的帳號權限已變更，請重新登入。",
                           "Your access has changed: please sign in again.", code="session_ended")
