"""The demo shop `make dev` opens with. Idempotent: a second run adds nothing.

Later parts of the product add their demo data (customers, vehicles, orders in every state) as
further steps of `seed()`.
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from chalicelib import shops

DEMO_SHOP_ID = "demo"
DEMO_OWNER_ID = "demo-owner"
DEMO_EMAIL = "owner@demo.servicelane.tw"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str


def _login(data_dir: Path) -> tuple[DemoLogin, bool]:
    """The demo owner's sign-in, made once per machine (a random password, never in the repo)."""
    path = data_dir / "demo-login.json"
    if path.exists():
        return DemoLogin(**json.loads(path.read_text())), False
    login = DemoLogin(DEMO_EMAIL, secrets.token_urlsafe(9))
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(login.__dict__, out)
    return login, True


def seed(data_dir: Path) -> DemoLogin:
    shops.create_shop(DEMO_SHOP_ID, name="順安汽車保養廠", phone="02-2765-1234",
                      address="臺北市松山區八德路四段 100 號")
    login, new_login = _login(data_dir)
    owner = shops.NewStaff(DEMO_OWNER_ID, name="王店長", role="owner", email=login.email,
                           password=login.password)
    if not shops.add_staff(DEMO_SHOP_ID, owner) and new_login:
        # The data outlived the login file: give the existing owner the new password.
        shops.set_password(DEMO_SHOP_ID, DEMO_OWNER_ID, login.password)
    return login
