"""Staff sign-in: passwords and PINs (argon2id), access tokens (JWT), rotating refresh tokens.

- An access token lives 15 minutes and is verified by the API's authorizer without a read.
- A refresh token is random, stored only as its SHA-256, and used once: each refresh gives a
  new one. Presenting a used one again means it was copied, so its whole family is revoked.
- Failed sign-ins are counted per login whether or not the account exists, so the answers never
  tell who has an account: from the 4th failure each try must wait longer, the 10th locks the
  login for 15 minutes.
- A shared tablet is registered once by a manager; on it, staff switch to themselves with a
  personal 6-digit PIN. The session is the person's, carrying the device's id.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import lru_cache
from typing import Any

from chalicelib import aws, db, phones
from chalicelib import secrets as secret_store
from pydantic import StringConstraints
from typing_extensions import Annotated

from chalicelib.api import Body, Caller, ClientId, ShortText
from chalicelib.errors import Invalid, TooManyAttempts, Unauthorized

ACCESS_MINUTES = 15
REFRESH_DAYS = 30
DEVICE_REFRESH_HOURS = 12  # a PIN session on a shared tablet ends with the shift
SLOW_AFTER = 3             # failures before each try must wait
LOCK_AFTER = 10
LOCK_MINUTES = 15
PIN_LOCK_AFTER = 5
ISSUER = "servicelane"


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


class DeviceCredentials(Body):
    device_id: ClientId
    device_secret: Secret


class PinSignIn(DeviceCredentials):
    staff_id: ClientId
    pin: Pin


class PinChange(Body):
    pin: Pin
    password: Secret


# --- access tokens ---

def _signing_key() -> str:
    return secret_store.get("jwt-signing-key")


def access_token(staff: dict, device_id: str | None) -> str:
    import jwt

    issued = db.now()
    claims = {"iss": ISSUER, "sub": staff["staff_id"], "shop": staff["shop_id"],
              "role": staff["role"], "name": staff["name"], "dev": device_id or "",
              "iat": issued, "exp": issued + timedelta(minutes=ACCESS_MINUTES)}
    return jwt.encode(claims, _signing_key(), algorithm="HS256")


def verify_access(token: str) -> Caller | None:
    """The caller a token names, or None when it is not one of ours or has expired."""
    import jwt

    try:
        claims = jwt.decode(token, _signing_key(), algorithms=["HS256"], issuer=ISSUER,
                            options={"require": ["exp", "sub", "shop", "role"]})
    except jwt.PyJWTError:
        return None
    return Caller(shop_id=claims["shop"], staff_id=claims["sub"], role=claims["role"],
                  name=claims.get("name", ""), device_id=claims.get("dev") or None)


def bearer(header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


# --- sessions ---

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _session(staff: dict, shop: dict | None, device_id: str | None = None,
             family: str | None = None) -> dict:
    refresh = secrets.token_urlsafe(32)
    lifetime = timedelta(hours=DEVICE_REFRESH_HOURS) if device_id else timedelta(days=REFRESH_DAYS)
    expires = db.now() + lifetime
    aws.table().put_item(Item={
        **db.refresh_key(_digest(refresh)), "type": "refresh", "shop_id": staff["shop_id"],
        "staff_id": staff["staff_id"], "device_id": device_id or "",
        "family": family or secrets.token_hex(16), "used": False,
        "created_at": db.now_iso(), "expires_at": int(expires.timestamp())})
    return {"access_token": access_token(staff, device_id), "refresh_token": refresh,
            "expires_in": ACCESS_MINUTES * 60, "staff": public_staff(staff),
            "shop": _public_shop(staff["shop_id"], shop)}


def public_staff(staff: dict) -> dict:
    keys = ("staff_id", "name", "role", "mobile", "email")
    return {**{key: staff[key] for key in keys if staff.get(key)},
            "active": staff.get("active", True), "has_pin": bool(staff.get("pin_hash"))}


def _public_shop(shop_id: str, shop: dict | None) -> dict:
    shop = shop or aws.table().get_item(Key=db.shop_key(shop_id)).get("Item") or {}
    return {"shop_id": shop_id, "name": shop.get("name", "")}


def sign_in(login: str, password: str) -> dict:
    name = normalise_login(login)
    _check_guard(name)
    alias = aws.table().get_item(Key=db.login_key(name)).get("Item")
    staff = _staff(alias["shop_id"], alias["staff_id"]) if alias else None
    usable = staff is not None and staff.get("active", True)
    if not secret_matches(staff.get("password_hash") if usable else None, password):
        _count_failure(name)
        raise Unauthorized("帳號或密碼不正確。", "Wrong sign-in name or password.",
                           code="invalid_credentials")
    aws.table().delete_item(Key=db.login_guard_key(name))
    return _session(staff, None)


def _check_guard(name: str) -> None:
    guard = aws.table().get_item(Key=db.login_guard_key(name)).get("Item")
    if not guard or int(guard["expires_at"]) < db.now().timestamp():
        return
    wait = int(guard.get("next_try_at", 0)) - int(db.now().timestamp())
    if wait <= 0:
        return
    if int(guard["failures"]) >= LOCK_AFTER:
        raise TooManyAttempts(f"密碼錯誤太多次，登入已鎖定，請 {wait // 60 + 1} 分鐘後再試。",
                              f"Too many wrong passwords: sign-in is locked for "
                              f"{wait // 60 + 1} minutes.", code="locked")
    raise TooManyAttempts(f"請等 {wait} 秒後再試。", f"Please wait {wait} seconds and try again.")


def _count_failure(name: str) -> None:
    moment = int(db.now().timestamp())
    answer = aws.table().update_item(
        Key=db.login_guard_key(name),
        UpdateExpression="SET failures = if_not_exists(failures, :zero) + :one, "
                         "expires_at = :expires, #type = :type",
        ExpressionAttributeNames={"#type": "type"},
        ExpressionAttributeValues={":zero": 0, ":one": 1, ":type": "login_guard",
                                   ":expires": moment + LOCK_MINUTES * 60},
        ReturnValues="UPDATED_NEW")
    failures = int(answer["Attributes"]["failures"])
    if failures > SLOW_AFTER:
        wait = LOCK_MINUTES * 60 if failures >= LOCK_AFTER else min(30, 2 ** (failures - SLOW_AFTER))
        aws.table().update_item(Key=db.login_guard_key(name),
                                UpdateExpression="SET next_try_at = :at",
                                ExpressionAttributeValues={":at": moment + wait})


def refresh(token: str) -> dict:
    table = aws.table()
    stored = table.get_item(Key=db.refresh_key(_digest(token))).get("Item")
    expired = stored is None or int(stored["expires_at"]) < db.now().timestamp()
    if expired or _family_revoked(stored["family"]):
        raise Unauthorized("請重新登入。", "Please sign in again.")
    from botocore.exceptions import ClientError

    try:
        table.update_item(Key=db.refresh_key(_digest(token)), UpdateExpression="SET used = :yes",
                          ConditionExpression="used = :no",
                          ExpressionAttributeValues={":yes": True, ":no": False})
    except ClientError as err:
        if not db.refused(err):
            raise
        revoke_family(stored["family"])  # a used token came back: someone copied it
        raise Unauthorized("請重新登入。", "Please sign in again.") from None
    staff = _staff(stored["shop_id"], stored["staff_id"])
    if not staff or not staff.get("active", True):
        raise Unauthorized("請重新登入。", "Please sign in again.")
    return _session(staff, None, stored.get("device_id") or None, stored["family"])


def sign_out(token: str) -> None:
    stored = aws.table().get_item(Key=db.refresh_key(_digest(token))).get("Item")
    if stored:
        revoke_family(stored["family"])


def _family_revoked(family: str) -> bool:
    return "Item" in aws.table().get_item(Key=db.refresh_family_key(family))


def revoke_family(family: str) -> None:
    expires = db.now() + timedelta(days=REFRESH_DAYS)
    aws.table().put_item(Item={**db.refresh_family_key(family), "type": "refresh_revoked",
                               "expires_at": int(expires.timestamp())})


def _staff(shop_id: str, staff_id: str) -> dict | None:
    return aws.table().get_item(Key=db.staff_key(shop_id, staff_id)).get("Item")


# --- shared tablets and PINs ---

def register_device(caller: Caller, device_id: str, name: str) -> dict:
    """A manager signs a tablet in as a shop device; its secret is shown once, kept hashed."""
    from botocore.exceptions import ClientError

    from chalicelib.roles import require

    require(caller, "devices.manage")
    secret = secrets.token_urlsafe(32)
    try:
        aws.table().put_item(
            Item={**db.device_key(device_id), "type": "device", "shop_id": caller.shop_id,
                  "device_id": device_id, "name": name, "secret_hash": _digest(secret),
                  "registered_by": caller.stamp(), "created_at": db.now_iso()},
            ConditionExpression="attribute_not_exists(pk)")
    except ClientError as err:
        if not db.refused(err):
            raise
        from chalicelib.errors import Conflict

        raise Conflict("這台裝置已經登記過。", "This device is registered already.") from None
    return {"device_id": device_id, "name": name, "device_secret": secret}


def _device(device_id: str, secret: str) -> dict:
    device = aws.table().get_item(Key=db.device_key(device_id)).get("Item")
    if not device or device.get("revoked") or not hmac.compare_digest(
            device["secret_hash"], _digest(secret)):
        raise Unauthorized("這台裝置未登記或已停用。", "This device is not registered.",
                           code="device_unknown")
    return device


def device_staff(device_id: str, secret: str) -> dict:
    """Who may switch in on this tablet: the shop's active staff, as big buttons."""
    from boto3.dynamodb.conditions import Key

    device = _device(device_id, secret)
    shop_id = device["shop_id"]
    items = aws.table().query(KeyConditionExpression=Key("pk").eq(db.shop_pk(shop_id)))["Items"]
    shop = next((item for item in items if item["sk"] == "SHOP"), None)
    staff = [public_staff(item) for item in items
             if item["sk"].startswith(db.STAFF_PREFIX) and item.get("active", True)]
    return {"shop": _public_shop(shop_id, shop), "device": {"device_id": device_id,
                                                            "name": device["name"]},
            "staff": sorted(staff, key=lambda member: member["name"])}


def set_pin(caller: Caller, pin: str, password: str) -> None:
    staff = _staff(caller.shop_id, caller.staff_id)
    if not staff or not secret_matches(staff.get("password_hash"), password):
        raise Unauthorized("密碼不正確。", "Wrong password.", code="invalid_credentials")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise Invalid("PIN 太容易猜到，請換一組。", "That PIN is too easy to guess.", code="weak_pin")
    aws.table().update_item(Key=db.staff_key(caller.shop_id, caller.staff_id),
                            UpdateExpression="SET pin_hash = :h REMOVE pin_failures, pin_locked_until",
                            ExpressionAttributeValues={":h": hash_secret(pin)})


def pin_sign_in(device_id: str, secret: str, staff_id: str, pin: str) -> dict:
    device = _device(device_id, secret)
    staff = _staff(device["shop_id"], staff_id)
    if not staff or not staff.get("active", True) or not staff.get("pin_hash"):
        raise Unauthorized("這位員工還沒設定 PIN。", "This person has no PIN yet.",
                           code="invalid_credentials")
    moment = int(db.now().timestamp())
    locked_until = int(staff.get("pin_locked_until", 0))
    if locked_until > moment:
        raise TooManyAttempts(f"PIN 錯誤太多次，請 {(locked_until - moment) // 60 + 1} 分鐘後再試，"
                              "或用密碼登入。", "Too many wrong PINs: try again later or sign in "
                              "with your password.", code="locked")
    key = db.staff_key(device["shop_id"], staff_id)
    if not secret_matches(staff["pin_hash"], pin):
        failures = int(staff.get("pin_failures", 0)) + 1
        locked = {":until": moment + LOCK_MINUTES * 60} if failures >= PIN_LOCK_AFTER else {}
        aws.table().update_item(
            Key=key, ExpressionAttributeValues={":n": 0 if locked else failures, **locked},
            UpdateExpression="SET pin_failures = :n" + (", pin_locked_until = :until" if locked else ""))
        raise Unauthorized("PIN 不正確。", "Wrong PIN.", code="invalid_credentials")
    if staff.get("pin_failures"):
        aws.table().update_item(Key=key, UpdateExpression="REMOVE pin_failures")
    return _session(staff, None, device_id)


def me(caller: Caller) -> dict[str, Any]:
    staff = _staff(caller.shop_id, caller.staff_id)
    if not staff:
        raise Unauthorized("請重新登入。", "Please sign in again.")
    return {**public_staff(staff), "shop": _public_shop(caller.shop_id, None),
            "device_id": caller.device_id}
