"""Sign-in, refresh rotation, lock-out, shared tablets with PINs, and who may manage staff."""
from datetime import timedelta

import pytest

from chalicelib import models
from chalicelib.core import clock as times
from chalicelib.records import auth
from tests.builders import CONSENT, PASSWORD, ApiClient, new_id


@pytest.fixture
def clock(monkeypatch):
    """Move the one clock forward without waiting."""
    offset = {"by": timedelta(0)}
    real = times.now
    monkeypatch.setattr(times, "now", lambda: real() + offset["by"])
    return offset


def login_of(shop, role):
    return f"{shop.as_role(role).staff_id}@{shop.shop_id}.test"


def sign_in(shop, login, password=PASSWORD):
    return shop.anonymous.post("/api/auth/sign-in", {"login": login, "password": password})


def test_sign_in_with_e_mail_gives_a_session_that_opens_the_api(shop, chalice_client):
    answer = sign_in(shop, login_of(shop, "advisor").upper())
    assert answer.status == 200
    assert answer.body["staff"]["role"] == "advisor"
    assert answer.body["shop"]["shop_id"] == shop.shop_id
    assert answer.body["expires_in"] == 900
    me = ApiClient(chalice_client, answer.body["access_token"]).get("/api/me")
    assert me.status == 200 and me.body["staff_id"] == shop.advisor.staff_id
    assert "password_hash" not in me.body and "pin_hash" not in me.body


def test_sign_in_with_a_mobile_number_in_any_common_form(shop):
    created = shop.owner.post("/api/staff", {"staff_id": new_id("tech"), "name": "陳技師",
                                             "role": "technician", "mobile": "0933 123 456",
                                             "password": PASSWORD})
    assert created.status == 201 and created.body["mobile"] == "+886933123456"
    assert sign_in(shop, "0933-123-456").status == 200
    assert sign_in(shop, "+886933123456").status == 200


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(shop):
    wrong = sign_in(shop, login_of(shop, "advisor"), "wrong password!")
    unknown = sign_in(shop, f"nobody@{shop.shop_id}.test", "wrong password!")
    assert wrong.status == unknown.status == 401
    assert wrong.body == unknown.body
    assert wrong.body["error"]["code"] == "invalid_credentials"


def test_repeated_failures_slow_down_then_lock_even_the_right_password(shop, clock):
    login = login_of(shop, "advisor")
    for _ in range(4):
        assert sign_in(shop, login, "wrong password!").status == 401
    slowed = sign_in(shop, login)
    assert slowed.status == 429 and slowed.body["error"]["code"] == "too_many_attempts"
    for failures in range(5, 11):
        clock["by"] += timedelta(minutes=1)
        assert sign_in(shop, login, "wrong password!").status == 401, failures
    clock["by"] += timedelta(minutes=1)
    locked = sign_in(shop, login)
    assert locked.status == 429 and locked.body["error"]["code"] == "locked"
    clock["by"] += timedelta(minutes=16)
    assert sign_in(shop, login).status == 200


def test_an_unknown_account_locks_the_same_way(shop, clock):
    login = f"nobody@{shop.shop_id}.test"
    for _ in range(10):
        clock["by"] += timedelta(minutes=1)
        sign_in(shop, login, "guess")
    clock["by"] += timedelta(minutes=1)
    assert sign_in(shop, login, "guess").body["error"]["code"] == "locked"


def test_refresh_rotates_and_a_reused_token_revokes_the_family(shop, clock):
    first = sign_in(shop, login_of(shop, "manager")).body
    second = shop.anonymous.post("/api/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert second.status == 200 and second.body["refresh_token"] != first["refresh_token"]
    # Later than a client's own retry (records/auth.py, REFRESH_GRACE_SECONDS): a copy.
    clock["by"] += timedelta(seconds=auth.REFRESH_GRACE_SECONDS + 1)
    replayed = shop.anonymous.post("/api/auth/refresh", {"refresh_token": first["refresh_token"]})
    assert replayed.status == 401
    # The copy was used: the newer token of the same family stops working too.
    after = shop.anonymous.post("/api/auth/refresh", {"refresh_token": second.body["refresh_token"]})
    assert after.status == 401


def test_sign_out_revokes_the_refresh_token(shop):
    session = sign_in(shop, login_of(shop, "advisor")).body
    assert shop.anonymous.post("/api/auth/sign-out",
                               {"refresh_token": session["refresh_token"]}).status == 204
    assert shop.anonymous.post("/api/auth/refresh",
                               {"refresh_token": session["refresh_token"]}).status == 401


def test_a_deactivated_person_cannot_sign_in_or_refresh(shop):
    session = sign_in(shop, login_of(shop, "advisor")).body
    assert shop.manager.patch(f"/api/staff/{shop.advisor.staff_id}", {"active": False}).status == 200
    assert sign_in(shop, login_of(shop, "advisor")).status == 401
    assert shop.anonymous.post("/api/auth/refresh",
                               {"refresh_token": session["refresh_token"]}).status == 401


def test_no_token_or_a_forged_token_is_refused_before_the_route(shop, chalice_client):
    assert shop.anonymous.get("/api/me").status == 401
    forged = ApiClient(chalice_client, shop.owner.token[:-4] + "AAAA")
    assert forged.get("/api/me").status in (401, 403)


def test_a_token_signed_with_another_key_is_refused(shop, chalice_client):
    import jwt

    claims = jwt.decode(shop.owner.token, options={"verify_signature": False})
    other = jwt.encode(claims, "not-our-key-" * 4, algorithm="HS256")
    assert ApiClient(chalice_client, other).get("/api/me").status in (401, 403)


def register_tablet(shop):
    """The tablet keeps the id the answer gives (as the PWA does), with its secret."""
    answer = shop.manager.post("/api/devices", {"device_id": new_id("tablet"), "name": "櫃台平板"})
    assert answer.status == 201
    return answer.body["device_id"], answer.body["device_secret"]


def test_a_registered_tablet_lists_staff_and_a_pin_switches_in_as_the_person(shop, chalice_client):
    device_id, secret = register_tablet(shop)
    assert shop.advisor.put("/api/me/pin", {"pin": "482913", "password": PASSWORD}).status == 204
    listed = shop.anonymous.post("/api/auth/device", {"device_id": device_id,
                                                      "device_secret": secret})
    assert listed.status == 200
    people = {member["staff_id"]: member for member in listed.body["staff"]}
    assert people[shop.advisor.staff_id]["has_pin"] is True
    assert people[shop.owner.staff_id]["has_pin"] is False
    session = shop.anonymous.post("/api/auth/pin", {
        "device_id": device_id, "device_secret": secret, "staff_id": shop.advisor.staff_id,
        "pin": "482913"})
    assert session.status == 200 and session.body["staff"]["staff_id"] == shop.advisor.staff_id
    me = ApiClient(chalice_client, session.body["access_token"]).get("/api/me").body
    assert me["staff_id"] == shop.advisor.staff_id and me["device_id"] == device_id


def test_wrong_pins_lock_the_pin_after_five(shop, clock):
    device_id, secret = register_tablet(shop)
    shop.advisor.put("/api/me/pin", {"pin": "482913", "password": PASSWORD})
    attempt = {"device_id": device_id, "device_secret": secret,
               "staff_id": shop.advisor.staff_id}
    for _ in range(5):
        assert shop.anonymous.post("/api/auth/pin", {**attempt, "pin": "000111"}).status == 401
    locked = shop.anonymous.post("/api/auth/pin", {**attempt, "pin": "482913"})
    assert locked.status == 429
    clock["by"] += timedelta(minutes=16)
    assert shop.anonymous.post("/api/auth/pin", {**attempt, "pin": "482913"}).status == 200


def test_hand_over_mode_ends_with_the_persons_own_pin_or_their_password(shop):
    assert shop.advisor.post("/api/me/unlock", {"secret": PASSWORD}).status == 204  # no PIN yet
    assert shop.advisor.post("/api/me/unlock", {"secret": "482913"}).error == "invalid_credentials"
    assert shop.advisor.put("/api/me/pin", {"pin": "482913", "password": PASSWORD}).status == 204
    assert shop.advisor.post("/api/me/unlock", {"secret": "482913"}).status == 204
    assert shop.advisor.post("/api/me/unlock", {"secret": PASSWORD}).status == 204  # or password
    wrong = shop.advisor.post("/api/me/unlock", {"secret": "104729"})
    assert wrong.status == 401 and "PIN" in wrong.body["error"]["message"]
    assert shop.technician.post("/api/me/unlock", {"secret": "482913"}).status == 401
    assert shop.advisor.post("/api/me/unlock", {}).status == 422
    assert shop.anonymous.post("/api/me/unlock", {"secret": "482913"}).status in (401, 403)


def test_a_pin_needs_the_password_and_is_not_trivial(shop):
    assert shop.advisor.put("/api/me/pin", {"pin": "482913", "password": "nope"}).status == 401
    assert shop.advisor.put("/api/me/pin", {"pin": "111111", "password": PASSWORD}).status == 400
    assert shop.advisor.put("/api/me/pin", {"pin": "12345", "password": PASSWORD}).status == 422


def test_an_unknown_device_or_wrong_secret_gets_nothing(shop):
    device_id, _ = register_tablet(shop)
    for body in ({"device_id": device_id, "device_secret": "guess"},
                 {"device_id": new_id("tablet"), "device_secret": "guess"}):
        answer = shop.anonymous.post("/api/auth/device", body)
        assert answer.status == 401 and "staff" not in answer.body


@pytest.mark.parametrize("role", ["advisor", "technician"])
def test_only_owners_and_managers_manage_staff_and_devices(shop, role):
    person = shop.as_role(role)
    assert person.post("/api/staff", {"staff_id": new_id("x"), "name": "新人", "role": "advisor",
                                      "email": f"{new_id()}@x.test",
                                      "password": PASSWORD}).status == 403
    assert person.patch(f"/api/staff/{shop.technician.staff_id}", {"name": "x"}).status == 403
    assert person.post("/api/devices", {"device_id": new_id("tablet"),
                                        "name": "平板"}).status == 403


def test_a_manager_cannot_make_or_change_an_owner(shop):
    assert shop.manager.post("/api/staff", {"staff_id": new_id("x"), "name": "老闆",
                                            "role": "owner", "email": f"{new_id()}@x.test",
                                            "password": PASSWORD}).status == 400
    assert shop.manager.patch(f"/api/staff/{shop.owner.staff_id}",
                              {"active": False}).status == 400


def test_creating_staff_is_replay_safe_and_a_taken_login_is_a_conflict(shop):
    body = {"staff_id": new_id("tech"), "name": "林技師", "role": "technician",
            "email": f"{new_id()}@x.test", "password": PASSWORD}
    assert shop.owner.post("/api/staff", body).status == 201
    assert shop.owner.post("/api/staff", body).status == 201
    listed = shop.advisor.get("/api/staff").body["staff"]
    assert [m["name"] for m in listed].count("林技師") == 1
    taken = shop.owner.post("/api/staff", {**body, "staff_id": new_id("tech"), "name": "王"})
    assert taken.status == 409


def test_bad_sign_in_bodies_get_clear_errors(shop):
    assert shop.anonymous.post("/api/auth/sign-in", raw="{nope").error == "malformed_json"
    assert shop.anonymous.post("/api/auth/sign-in", {"login": "a"}).error == "validation"
    extra = shop.anonymous.post("/api/auth/sign-in", {"login": "a", "password": "b", "role": "owner"})
    assert extra.status == 422 and "role" in extra.body["error"]["message"]
    assert shop.anonymous.post("/api/auth/sign-in", ["a"]).status == 422


def test_errors_come_in_english_when_asked(shop, chalice_client):
    english = ApiClient(chalice_client, language="en")
    answer = english.post("/api/auth/sign-in", {"login": "x@y.test", "password": "nope"})
    assert answer.body["error"]["message"] == "Wrong sign-in name or password."
    chinese = shop.anonymous.post("/api/auth/sign-in", {"login": "x@y.test", "password": "nope"})
    assert chinese.body["error"]["message"] == "帳號或密碼不正確。"


# --- a change of role or a deactivation holds from the next write on ---

def a_new_staff_body():
    return {"staff_id": new_id("x"), "name": "新人", "role": "advisor",
            "email": f"{new_id()}@x.test", "password": PASSWORD}


def signed_in(shop, chalice_client, role):
    """A fresh password session of the shop's person in `role`: (client, refresh token)."""
    session = sign_in(shop, login_of(shop, role)).body
    return ApiClient(chalice_client, session["access_token"]), session["refresh_token"]


def test_a_deactivated_manager_can_change_nothing_with_the_token_they_still_hold(
        shop, chalice_client):
    manager, refresh_token = signed_in(shop, chalice_client, "manager")
    assert manager.post("/api/staff", a_new_staff_body()).status == 201
    assert shop.owner.patch(f"/api/staff/{shop.manager.staff_id}", {"active": False}).status == 200
    refused = manager.post("/api/staff", a_new_staff_body())
    assert refused.status == 401 and refused.error == "session_ended"
    assert shop.manager.post("/api/devices", {"device_id": new_id("tablet"),
                                              "name": "平板"}).status == 401
    assert shop.anonymous.post("/api/auth/refresh", {"refresh_token": refresh_token}).status == 401


def test_a_demoted_manager_loses_the_powers_at_the_next_write_and_signs_in_again(
        shop, chalice_client):
    manager, refresh_token = signed_in(shop, chalice_client, "manager")
    assert shop.owner.patch(f"/api/staff/{shop.manager.staff_id}",
                            {"role": "technician"}).status == 200
    assert manager.post("/api/staff", a_new_staff_body()).status == 401
    assert shop.manager.patch(f"/api/staff/{shop.technician.staff_id}",
                              {"name": "改名"}).status == 401
    # The sessions ended: the refresh token no longer works; signing in gives the new role.
    assert shop.anonymous.post("/api/auth/refresh", {"refresh_token": refresh_token}).status == 401
    again = sign_in(shop, login_of(shop, "manager"))
    assert again.status == 200 and again.body["staff"]["role"] == "technician"
    technician = ApiClient(chalice_client, again.body["access_token"])
    assert technician.post("/api/staff", a_new_staff_body()).status == 403


def test_a_reactivated_person_starts_afresh_their_old_sessions_stay_ended(shop, chalice_client):
    advisor, refresh_token = signed_in(shop, chalice_client, "advisor")
    path = f"/api/staff/{shop.advisor.staff_id}"
    assert shop.manager.patch(path, {"active": False}).status == 200
    assert shop.manager.patch(path, {"active": True}).status == 200
    assert shop.anonymous.post("/api/auth/refresh", {"refresh_token": refresh_token}).status == 401
    assert advisor.post("/api/customers", {"customer_id": new_id("cust"), "name": "林美玲",
                                           "mobile": "0912-345-678",
                                           "channel": "line", "consent": CONSENT}).status == 401
    assert sign_in(shop, login_of(shop, "advisor")).status == 200


def test_a_change_of_name_or_an_unchanged_role_ends_no_session(shop, chalice_client):
    advisor, refresh_token = signed_in(shop, chalice_client, "advisor")
    path = f"/api/staff/{shop.advisor.staff_id}"
    assert shop.manager.patch(path, {"name": "王顧問", "role": "advisor", "active": True}).status == 200
    assert advisor.post("/api/customers", {"customer_id": new_id("cust"), "name": "林美玲",
                                           "mobile": "0912-345-678",
                                           "channel": "line", "consent": CONSENT}).status == 201
    assert shop.anonymous.post("/api/auth/refresh", {"refresh_token": refresh_token}).status == 200


def test_a_pin_session_ends_with_the_deactivation_too(shop, chalice_client):
    device_id, secret = register_tablet(shop)
    assert shop.advisor.put("/api/me/pin", {"pin": "482913", "password": PASSWORD}).status == 204
    session = shop.anonymous.post("/api/auth/pin", {
        "device_id": device_id, "device_secret": secret, "staff_id": shop.advisor.staff_id,
        "pin": "482913"}).body
    assert shop.manager.patch(f"/api/staff/{shop.advisor.staff_id}", {"active": False}).status == 200
    on_tablet = ApiClient(chalice_client, session["access_token"])
    assert on_tablet.put("/api/me/pin", {"pin": "739201", "password": PASSWORD}).status == 401
    assert shop.anonymous.post("/api/auth/refresh",
                               {"refresh_token": session["refresh_token"]}).status == 401


def test_a_write_reads_the_staff_item_once_and_a_read_not_at_all(shop):
    """What ending sessions at once costs: one GetItem of the caller's staff item per write."""
    calls = []
    client = models.Item._get_connection().connection.client  # the models' one client

    def count(params, **_):
        calls.append((params.get("TableName"), params.get("Key", {}).get("sk")))

    client.meta.events.register("provide-client-params.dynamodb.GetItem", count)
    try:
        assert shop.advisor.get("/api/staff").status == 200
        reads = list(calls)
        calls.clear()
        assert shop.advisor.post("/api/customers", {"customer_id": new_id("cust"),
                                                    "name": "林美玲", "mobile": "0912-345-678",
                                                    "channel": "line",
                                                    "consent": CONSENT}).status == 201
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.GetItem", count)
    staff_sk = f"STAFF#{shop.advisor.staff_id}"
    assert not [call for call in reads if call[1] == {"S": staff_sk} or call[1] == staff_sk]
    assert sum(1 for call in calls if call[1] in (staff_sk, {"S": staff_sk})) == 1


# --- nothing about another shop can be learned ---

def test_another_shops_device_id_registers_here_as_a_new_device(shop, chalice_client):
    from tests.builders import a_shop

    other = a_shop(chalice_client)
    device_id = new_id("tablet")
    theirs = other.manager.post("/api/devices", {"device_id": device_id, "name": "平板"})
    fresh = shop.manager.post("/api/devices", {"device_id": new_id("tablet"), "name": "平板"})
    ours = shop.manager.post("/api/devices", {"device_id": device_id, "name": "平板"})
    assert theirs.status == fresh.status == ours.status == 201
    assert set(ours.body) == set(fresh.body)
    assert ours.body["device_id"] != theirs.body["device_id"]
    for owner, answer in ((shop, ours), (other, theirs)):
        listed = owner.anonymous.post("/api/auth/device", {
            "device_id": answer.body["device_id"], "device_secret": answer.body["device_secret"]})
        assert listed.status == 200 and listed.body["shop"]["shop_id"] == owner.shop_id
    # Sending the same registration again in the same shop is still refused (its secret was
    # shown once), which tells the shop nothing it did not know.
    assert shop.manager.post("/api/devices", {"device_id": device_id, "name": "平板"}).status == 409


def test_a_login_of_another_shop_is_answered_like_a_new_one_and_each_signs_in_to_its_shop(
        shop, chalice_client):
    from tests.builders import a_shop

    other = a_shop(chalice_client)
    taken = login_of(other, "advisor")
    body = {"name": "兼職技師", "role": "technician", "password": "another password 42"}
    elsewhere = shop.owner.post("/api/staff", {**body, "staff_id": new_id("t"), "email": taken})
    nowhere = shop.owner.post("/api/staff", {**body, "staff_id": new_id("t"),
                                             "email": f"{new_id()}@x.test"})
    assert elsewhere.status == nowhere.status == 201
    assert set(elsewhere.body) == set(nowhere.body)
    # One login, two shops: each password opens its own shop.
    here = sign_in(shop, taken, "another password 42")
    there = sign_in(shop, taken)
    assert here.status == there.status == 200
    assert here.body["shop"]["shop_id"] == shop.shop_id
    assert there.body["shop"]["shop_id"] == other.shop_id
    assert sign_in(shop, taken, "neither password!").error == "invalid_credentials"
    # Within a shop a login still signs in one person only.
    again = shop.owner.post("/api/staff", {**body, "staff_id": new_id("t"), "email": taken})
    assert again.status == 409


def test_a_login_given_out_before_logins_were_per_shop_still_signs_in_and_stays_unique_there(
        shop, chalice_client):
    """Accounts made before: one LOGIN#<name> item for every shop (models.Login.old_key)."""
    from chalicelib.core import aws
    from chalicelib.records import shops
    from tests.builders import a_shop, password_hash

    login = f"{new_id()}@earlier.test"
    staff_id = new_id("tech")
    member = shops.NewStaff(staff_id=staff_id, name="老員工", role="technician",
                            email=f"{new_id()}@x.test", password=PASSWORD)
    assert shops.add_staff(shop.shop_id, member, password_hash())
    aws.table().put_item(Item={**models.Login.old_key(login), "type": "login", "shop_id": shop.shop_id,
                               "staff_id": staff_id})
    signed = sign_in(shop, login)
    assert signed.status == 200 and signed.body["staff"]["staff_id"] == staff_id
    body = {"name": "新人", "role": "technician", "email": login, "password": PASSWORD}
    assert shop.owner.post("/api/staff", {**body, "staff_id": new_id("t")}).status == 409
    other = a_shop(chalice_client)
    assert other.owner.post("/api/staff", {**body, "staff_id": new_id("t")}).status == 201
