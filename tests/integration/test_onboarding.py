"""A new shop opened by the hosting team, its owner's one-time link, and the staff and tablets an
owner or manager manages in Settings."""
import json
import threading
from datetime import timedelta

import pytest

from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.records import onboarding
from devstack import new_shop
from tests.builders import PASSWORD, ApiClient, new_id

NEW_PASSWORD = "a brand new password"


def a_new_shop(**fields):
    return onboarding.NewShop(**{
        "shop_id": new_id("new").lower()[:30], "name": "新開保養廠", "tax_id": "04595257",
        "phone": "02-2345-6789", "address": "新北市板橋區文化路一段 1 號",
        "opening_hours": {"mon": {"open": "08:30", "close": "18:00"}},
        "owner_name": "林老闆", "owner_login": f"{new_id('boss')}@new.test", **fields})


def a_login_of(opened) -> str:
    return models.Staff.read(models.Staff.key(opened.shop_id, opened.owner_id))["email"]


def token_of(link: str) -> str:
    path, token = link.split("#", 1)
    assert path.endswith("/welcome") and token not in path  # the secret only in the fragment
    return token


def test_the_command_opens_a_shop_whose_owner_sets_a_password_at_the_link_once(
        chalice_client, capsys):
    shop_id = new_id("cmd").lower()[:30]
    login = f"{new_id('boss')}@new.test"
    assert new_shop.main([
        "--shop-id", shop_id, "--name", "新開保養廠", "--tax-id", "04595257",
        "--phone", "02-2345-6789", "--address", "新北市板橋區", "--owner-name", "林老闆",
        "--owner-login", login, "--hours", "mon-fri 08:30-18:00, sat 09:00-12:00",
        "--json"]) == 0
    opened = json.loads(capsys.readouterr().out)
    token = token_of(opened["welcome_link"])
    stored = models.Welcome.read(models.Welcome.key(onboarding._digest(token)))
    assert stored and token not in str(stored)  # kept only as its hash
    anonymous = ApiClient(chalice_client)
    before = anonymous.post("/api/auth/sign-in", {"login": login, "password": NEW_PASSWORD})
    assert before.status == 401  # no password yet
    session = anonymous.post("/api/auth/welcome", {"token": token, "password": NEW_PASSWORD})
    assert session.status == 200, session.body
    assert session.body["staff"]["role"] == "owner" and session.body["shop"]["shop_id"] == shop_id
    owner = ApiClient(chalice_client, session.body["access_token"])
    profile = owner.get("/api/shop").body
    assert profile["tax_id"] == "04595257" and profile["name"] == "新開保養廠"
    assert profile["opening_hours"]["fri"] == {"open": "08:30", "close": "18:00"}
    assert "sun" not in profile["opening_hours"]
    signed_in = anonymous.post("/api/auth/sign-in", {"login": login, "password": NEW_PASSWORD})
    assert signed_in.status == 200
    again = anonymous.post("/api/auth/welcome", {"token": token, "password": "someone else's pw"})
    assert again.status == 401 and again.error == "welcome_used"


def test_the_command_refuses_a_wrong_tax_id_and_an_existing_shop_without_changing_it(
        chalice_client, capsys):
    args = ["--name", "新開", "--phone", "02-2345-6789", "--address", "新北市",
            "--owner-name", "林老闆", "--owner-login", "0912000111"]
    assert new_shop.main([*args, "--tax-id", "12345678"]) == 2
    assert "統一編號" in capsys.readouterr().err
    first = onboarding.open_shop(a_new_shop())
    before = models.Shop.read(models.Shop.key(first.shop_id))
    staff_before = list(models.Staff.items(models.shop_pk(first.shop_id),
                                           models.Staff.sk.startswith(models.STAFF_PREFIX)))
    assert new_shop.main([*args, "--tax-id", "04595257", "--shop-id", first.shop_id]) == 1
    assert "exists" in capsys.readouterr().err
    assert models.Shop.read(models.Shop.key(first.shop_id)) == before
    assert list(models.Staff.items(models.shop_pk(first.shop_id),
                                   models.Staff.sk.startswith(models.STAFF_PREFIX))) == staff_before


def test_two_redemptions_of_one_link_at_once_exactly_one_succeeds(chalice_client):
    token = token_of(onboarding.open_shop(a_new_shop()).welcome_link)
    answers, start = [], threading.Barrier(6)

    def redeem(index):
        client = ApiClient(chalice_client)
        start.wait()
        answers.append(client.post("/api/auth/welcome",
                                   {"token": token, "password": f"{NEW_PASSWORD} {index}"}).status)

    threads = [threading.Thread(target=redeem, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200] + [401] * 5


def test_an_expired_or_unknown_link_gives_nothing(chalice_client, monkeypatch):
    token = token_of(onboarding.open_shop(a_new_shop()).welcome_link)
    later = times.now() + timedelta(hours=onboarding.WELCOME_HOURS, minutes=1)
    anonymous = ApiClient(chalice_client)
    monkeypatch.setattr(times, "now", lambda: later)
    late = anonymous.post("/api/auth/welcome", {"token": token, "password": NEW_PASSWORD})
    assert late.status == 401
    monkeypatch.undo()
    unknown = anonymous.post("/api/auth/welcome", {"token": "x" * 43, "password": NEW_PASSWORD})
    assert unknown.status == 401
    short = anonymous.post("/api/auth/welcome", {"token": token, "password": "short"})
    assert short.status == 422
    # a too-short password did not use the link up
    right = anonymous.post("/api/auth/welcome", {"token": token, "password": NEW_PASSWORD})
    assert right.status == 200


def test_opening_hours_and_the_tax_id_are_part_of_the_profile(shop):
    changed = shop.manager.patch("/api/shop", {"tax_id": "04595257", "opening_hours": {
        "mon": {"open": "08:00", "close": "17:30"}, "sat": {"open": "09:00", "close": "12:00"}}})
    assert changed.status == 200, changed.body
    assert changed.body["opening_hours"] == {"mon": {"open": "08:00", "close": "17:30"},
                                             "sat": {"open": "09:00", "close": "12:00"}}
    bad = shop.manager.patch("/api/shop", {"tax_id": "12345678"})
    assert bad.status == 422 and "統一編號" in bad.body["error"]["message"]
    backwards = shop.manager.patch("/api/shop", {"opening_hours": {
        "mon": {"open": "18:00", "close": "08:00"}}})
    assert backwards.status == 422
    assert shop.advisor.patch("/api/shop", {"tax_id": "04595257"}).status == 403
    assert shop.technician.get("/api/shop").body["tax_id"] == "04595257"


# --- staff: resets ---

def sign_in(shop, role, password=PASSWORD):
    login = f"{shop.as_role(role).staff_id}@{shop.shop_id}.test"
    return shop.anonymous.post("/api/auth/sign-in", {"login": login, "password": password})


def test_a_manager_gives_a_temporary_password_and_the_old_sessions_end(shop):
    held = sign_in(shop, "advisor").body
    reset = shop.manager.put(f"/api/staff/{shop.advisor.staff_id}/password",
                             {"password": "temporary pass 1"})
    assert reset.status == 200, reset.body
    assert sign_in(shop, "advisor").status == 401
    assert sign_in(shop, "advisor", "temporary pass 1").status == 200
    assert shop.anonymous.post("/api/auth/refresh",
                               {"refresh_token": held["refresh_token"]}).status == 401


def test_a_manager_clears_a_pin_and_the_person_sets_a_new_one(shop):
    assert shop.technician.put("/api/me/pin", {"pin": "482913", "password": PASSWORD}).status == 204
    cleared = shop.manager.delete(f"/api/staff/{shop.technician.staff_id}/pin")
    assert cleared.status == 200 and cleared.body["has_pin"] is False
    listed = {member["staff_id"]: member for member in shop.manager.get("/api/staff").body["staff"]}
    assert listed[shop.technician.staff_id]["has_pin"] is False


@pytest.mark.parametrize("role", ["advisor", "technician"])
def test_only_owners_and_managers_reset_passwords_and_pins(shop, role):
    person = shop.as_role(role)
    target = shop.technician.staff_id
    reset = person.put(f"/api/staff/{target}/password", {"password": "temporary pass 1"})
    assert reset.status == 403
    assert person.delete(f"/api/staff/{target}/pin").status == 403


def test_a_manager_cannot_reset_an_owner(shop):
    owner = shop.owner.staff_id
    assert shop.manager.put(f"/api/staff/{owner}/password",
                            {"password": "temporary pass 1"}).status == 400
    assert shop.manager.delete(f"/api/staff/{owner}/pin").status == 400
    assert sign_in(shop, "owner").status == 200


def test_a_deactivated_persons_refresh_is_refused_and_reactivation_lets_them_sign_in(shop):
    held = sign_in(shop, "technician").body
    assert shop.manager.patch(f"/api/staff/{shop.technician.staff_id}",
                              {"active": False}).status == 200
    assert shop.anonymous.post("/api/auth/refresh",
                               {"refresh_token": held["refresh_token"]}).status == 401
    assert shop.manager.patch(f"/api/staff/{shop.technician.staff_id}",
                              {"active": True}).status == 200
    assert sign_in(shop, "technician").status == 200


# --- the shop's tablets ---

def register_tablet(shop, name="櫃台平板"):
    answer = shop.manager.post("/api/devices", {"device_id": new_id("tablet"), "name": name})
    assert answer.status == 201
    return answer.body["device_id"], answer.body["device_secret"]


def test_managers_list_rename_and_revoke_tablets_and_a_revoked_one_stops_at_once(shop):
    device_id, secret = register_tablet(shop)
    register_tablet(shop, "工作區平板")
    assert shop.advisor.put("/api/me/pin", {"pin": "482913", "password": PASSWORD}).status == 204
    pin = {"device_id": device_id, "device_secret": secret, "staff_id": shop.advisor.staff_id,
           "pin": "482913"}
    session = shop.anonymous.post("/api/auth/pin", pin)
    assert session.status == 200
    listed = shop.owner.get("/api/devices").body["devices"]
    assert [tablet["name"] for tablet in listed] == ["工作區平板", "櫃台平板"]  # newest first
    used = next(tablet for tablet in listed if tablet["device_id"] == device_id)
    assert used["last_used_at"] and used["created_at"] and not used["revoked"]
    assert "secret_hash" not in str(listed)
    renamed = shop.manager.patch(f"/api/devices/{device_id}", {"name": "接待區 1 號"})
    assert renamed.status == 200 and renamed.body["name"] == "接待區 1 號"
    revoked = shop.manager.delete(f"/api/devices/{device_id}")
    assert revoked.status == 200 and revoked.body["revoked"] is True
    credentials = {"device_id": device_id, "device_secret": secret}
    assert shop.anonymous.post("/api/auth/device", credentials).status == 401
    assert shop.anonymous.post("/api/auth/pin", pin).status == 401
    assert shop.anonymous.post("/api/auth/refresh", {
        "refresh_token": session.body["refresh_token"]}).status == 401
    listed = shop.owner.get("/api/devices").body["devices"]
    still = {tablet["device_id"]: tablet for tablet in listed}
    assert still[device_id]["revoked"] is True and still[device_id]["name"] == "接待區 1 號"


@pytest.mark.parametrize("role", ["advisor", "technician"])
def test_only_owners_and_managers_see_and_change_the_tablets(shop, role):
    device_id, _ = register_tablet(shop)
    person = shop.as_role(role)
    assert person.get("/api/devices").status == 403
    assert person.patch(f"/api/devices/{device_id}", {"name": "x"}).status == 403
    assert person.delete(f"/api/devices/{device_id}").status == 403


def test_another_shops_tablet_cannot_be_seen_renamed_or_revoked(shop, chalice_client):
    from tests.builders import a_shop

    device_id, secret = register_tablet(shop)
    other = a_shop(chalice_client, name="別家")
    assert other.owner.get("/api/devices").body["devices"] == []
    assert other.owner.patch(f"/api/devices/{device_id}", {"name": "x"}).status == 404
    assert other.owner.delete(f"/api/devices/{device_id}").status == 404
    assert shop.anonymous.post("/api/auth/device", {"device_id": device_id,
                                                    "device_secret": secret}).status == 200


def test_a_new_link_is_given_while_the_owner_has_no_password_and_refused_after(
        chalice_client, capsys):
    opened = onboarding.open_shop(a_new_shop())
    assert new_shop.main(["--new-link", "--shop-id", opened.shop_id, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["owner_id"] == opened.owner_id and again["welcome_link"] != opened.welcome_link
    anonymous = ApiClient(chalice_client)
    redeemed = anonymous.post("/api/auth/welcome", {"token": token_of(again["welcome_link"]),
                                                    "password": NEW_PASSWORD})
    assert redeemed.status == 200
    assert new_shop.main(["--new-link", "--shop-id", opened.shop_id]) == 1
    assert "password already" in capsys.readouterr().err
    first = anonymous.post("/api/auth/welcome", {"token": token_of(opened.welcome_link),
                                                 "password": "someone else's password"})
    assert first.status == 401  # the owner's password is chosen: the older link is spent too
    signed_in = anonymous.post("/api/auth/sign-in", {"login": a_login_of(opened),
                                                     "password": NEW_PASSWORD})
    assert signed_in.status == 200
