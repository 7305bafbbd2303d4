"""Shops (the tenants) and the staff who belong to them."""
from __future__ import annotations

from typing import Literal

from pydantic import field_validator, model_validator

from chalicelib import auth, aws, db, phones
from chalicelib.api import Body, Caller, ClientId, Email, ShortText, field_error
from chalicelib.errors import Conflict, Invalid, NotFound
from chalicelib.roles import ROLES, require

Role = Literal["owner", "manager", "advisor", "technician"]


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
        if not 10 <= len(value) <= 128:
            raise field_error("密碼需要 10 到 128 個字元。", "must be 10 to 128 characters")
        return value

    @model_validator(mode="after")
    def _login(self) -> "NewStaff":
        if not self.mobile and not self.email:
            raise field_error("請填手機或電子郵件，作為登入帳號。", "a mobile or an e-mail is needed to sign in")
        return self


class StaffChange(Body):
    name: ShortText | None = None
    role: Role | None = None
    active: bool | None = None


def create_shop(shop_id: str, name: str, phone: str, address: str) -> bool:
    """Create the shop once; False when it already exists (a replay changes nothing)."""
    from botocore.exceptions import ClientError

    item = {**db.shop_key(shop_id), "type": "shop", "shop_id": shop_id, "name": name,
            "phone": phone, "address": address, "timezone": "Asia/Taipei",
            "created_at": db.now_iso()}
    try:
        aws.table().put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        return True
    except ClientError as err:
        if db.refused(err):
            return False
        raise


def get_shop(shop_id: str) -> dict | None:
    return aws.table().get_item(Key=db.shop_key(shop_id)).get("Item")


def add_staff(shop_id: str, staff: NewStaff, password_hash: str | None = None) -> bool:
    """Add a member and their sign-in names together; False when any exists already.

    `password_hash`: the argon2 hash of `staff.password` when the caller has it already
    (hashing costs a quarter of a second by design).

    One transaction: a sign-in name never points at a member who is not there, and two people
    (in any shops) can never claim the same e-mail or mobile.
    """
    from botocore.exceptions import ClientError

    member = {**db.staff_key(shop_id, staff.staff_id), "type": "staff", "shop_id": shop_id,
              "staff_id": staff.staff_id, "name": staff.name, "role": staff.role,
              "active": True, "password_hash": password_hash or auth.hash_secret(staff.password),
              "created_at": db.now_iso()}
    logins = [login for login in (staff.email and staff.email.lower(), staff.mobile) if login]
    member.update({"email": staff.email.lower()} if staff.email else {})
    member.update({"mobile": staff.mobile} if staff.mobile else {})
    aliases = [{**db.login_key(login), "type": "login", "shop_id": shop_id,
                "staff_id": staff.staff_id} for login in logins]
    try:
        db.transact_put([member, *aliases])
        return True
    except ClientError as err:
        if db.refused(err):
            return False
        raise


def set_password(shop_id: str, staff_id: str, password: str) -> None:
    aws.table().update_item(
        Key=db.staff_key(shop_id, staff_id),
        UpdateExpression="SET password_hash = :h",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":h": auth.hash_secret(password)},
    )


def get_staff(shop_id: str, staff_id: str) -> dict | None:
    return aws.table().get_item(Key=db.staff_key(shop_id, staff_id)).get("Item")


def list_staff(caller: Caller) -> dict:
    from boto3.dynamodb.conditions import Key

    items = aws.table().query(KeyConditionExpression=Key("pk").eq(db.shop_pk(caller.shop_id))
                              & Key("sk").begins_with(db.STAFF_PREFIX))["Items"]
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
        raise Conflict("這個手機或電子郵件已經是其他員工的登入帳號。",
                       "That mobile or e-mail already signs someone in.")
    return auth.public_staff(get_staff(caller.shop_id, body.staff_id))


def update_staff(caller: Caller, staff_id: str, body: StaffChange) -> dict:
    require(caller, "staff.manage")
    member = get_staff(caller.shop_id, staff_id)
    if not member:
        raise NotFound("找不到這位員工。", "No such staff member.")
    if "owner" in (member["role"], body.role) and caller.role != "owner":
        raise Invalid("只有店長（owner）可以變更店長。", "Only an owner may change an owner.",
                      code="forbidden_role")
    if staff_id == caller.staff_id and (body.active is False or body.role not in (None, caller.role)):
        raise Invalid("不能停用或降級自己的帳號。", "You cannot deactivate or demote yourself.",
                      code="self_change")
    changes = body.model_dump(exclude_none=True)
    if changes:
        names = {f"#{key}": key for key in changes}
        aws.table().update_item(
            Key=db.staff_key(caller.shop_id, staff_id),
            UpdateExpression="SET " + ", ".join(f"#{key} = :{key}" for key in changes),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":{key}": value for key, value in changes.items()})
    return auth.public_staff(get_staff(caller.shop_id, staff_id))


__all__ = ["ROLES", "NewStaff", "StaffChange", "create_shop", "add_staff", "list_staff",
           "create_staff", "update_staff", "get_staff", "set_password"]
