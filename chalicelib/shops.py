"""Shops (the tenants) and the staff who belong to them."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib import auth, aws, db

ROLES = ("owner", "manager", "advisor", "technician")


@dataclass(frozen=True)
class NewStaff:
    staff_id: str
    name: str
    role: str
    email: str
    password: str


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
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise


def get_shop(shop_id: str) -> dict | None:
    return aws.table().get_item(Key=db.shop_key(shop_id)).get("Item")


def add_staff(shop_id: str, staff: NewStaff) -> bool:
    """Add a member and their sign-in name together; False when either exists already.

    One transaction: a sign-in name never points at a member who is not there, and two shops
    can never claim the same e-mail.
    """
    from botocore.exceptions import ClientError

    if staff.role not in ROLES:
        raise ValueError(f"unknown role {staff.role!r}")
    login = staff.email.strip().lower()
    member = {**db.staff_key(shop_id, staff.staff_id), "type": "staff", "shop_id": shop_id,
              "staff_id": staff.staff_id, "name": staff.name, "role": staff.role,
              "email": login, "password_hash": auth.hash_secret(staff.password),
              "created_at": db.now_iso()}
    alias = {**db.login_key(login), "type": "login", "shop_id": shop_id,
             "staff_id": staff.staff_id}
    table_name = aws.table().name
    serializer = _serializer()
    puts = [{"Put": {"TableName": table_name,
                     "Item": {k: serializer.serialize(v) for k, v in item.items()},
                     "ConditionExpression": "attribute_not_exists(pk)"}}
            for item in (member, alias)]
    try:
        aws.client("dynamodb").transact_write_items(TransactItems=puts)
        return True
    except ClientError as err:
        if err.response["Error"]["Code"] == "TransactionCanceledException":
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


def _serializer():
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()
