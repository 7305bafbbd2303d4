"""Sign-in limits under a parallel burst: wrong passwords and PINs sent all at once, from threads,
against DynamoDB Local. However many arrive together, no more are checked than the limit, and
the right one sent once the limit is reached does not get in."""
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.core import clock as times
from chalicelib.records import auth
from tests.builders import PASSWORD, new_id

BURST = 24


@pytest.fixture
def checks(monkeypatch):
    """How many passwords or PINs were really compared (each an argon2 verification)."""
    counted = {"n": 0}
    lock = threading.Lock()
    real = auth.secret_matches

    def counting(stored_hash, secret):
        with lock:
            counted["n"] += 1
        return real(stored_hash, secret)

    monkeypatch.setattr(auth, "secret_matches", counting)
    return counted


@pytest.fixture
def still(clock):
    """The clock stands still: a wait the guard asks for does not run out during the burst."""
    clock.value = times.now()
    return clock


def burst(send, bodies):
    """Send every body at the same moment (a barrier), each from its own thread."""
    start = threading.Barrier(len(bodies))

    def one(body):
        start.wait()
        return send(body)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(one, bodies))


def tally(answers):
    return Counter((answer.status, answer.error) for answer in answers)


@pytest.mark.parametrize("account", ["existing", "unknown"])
def test_a_burst_of_wrong_passwords_is_checked_no_more_than_the_limit(shop, checks, still,
                                                                      account):
    login = (f"{shop.advisor.staff_id}@{shop.shop_id}.test" if account == "existing"
             else f"nobody-{new_id()}@{shop.shop_id}.test")

    def send(password):
        return shop.anonymous.post("/api/auth/sign-in", {"login": login, "password": password})

    answers = tally(burst(send, [f"wrong password {n}!" for n in range(BURST)]))
    assert 1 <= checks["n"] <= auth.LOCK_AFTER, answers
    assert answers[(401, "invalid_credentials")] == checks["n"], answers
    refused = answers[(429, "too_many_attempts")] + answers[(429, "locked")]
    assert refused == BURST - checks["n"], answers
    # Once the burst has used up the tries, the right password does not get in either.
    before = checks["n"]
    late = send(PASSWORD)
    assert late.status == 429 and "access_token" not in late.body
    assert checks["n"] == before


class Gate:
    """Holds the right secret back until the guard has refused someone (the tries are used up),
    or every wrong one has been answered."""

    def __init__(self, wrong: int):
        self.wrong, self.answered, self.refused = wrong, 0, False
        self.moved = threading.Condition()

    def wait(self):
        with self.moved:
            self.moved.wait_for(lambda: self.refused or self.answered == self.wrong, timeout=60)

    def saw(self, answer):
        with self.moved:
            self.answered += 1
            self.refused = self.refused or answer.status == 429
            self.moved.notify_all()


def test_the_right_password_sent_inside_a_burst_after_the_tries_ran_out_does_not_sign_in(
        shop, checks, still):
    login = f"{shop.advisor.staff_id}@{shop.shop_id}.test"
    gate = Gate(BURST)

    def send(password):
        if password == PASSWORD:
            gate.wait()
            return shop.anonymous.post("/api/auth/sign-in", {"login": login, "password": password})
        answer = shop.anonymous.post("/api/auth/sign-in", {"login": login, "password": password})
        gate.saw(answer)
        return answer

    answers = burst(send, [f"wrong password {n}!" for n in range(BURST)] + [PASSWORD])
    assert answers[-1].status == 429, answers[-1].body
    assert checks["n"] <= auth.LOCK_AFTER, tally(answers)


@pytest.fixture
def attempt(shop):
    """A PIN sign-in on a registered tablet for the advisor, whose PIN is 482913."""
    device_id, secret = register_tablet(shop)
    assert shop.advisor.put("/api/me/pin", {"pin": "482913", "password": PASSWORD}).status == 204
    return {"device_id": device_id, "device_secret": secret, "staff_id": shop.advisor.staff_id}


def register_tablet(shop):
    answer = shop.manager.post("/api/devices", {"device_id": new_id("tablet"), "name": "櫃台平板"})
    assert answer.status == 201, answer.body
    return answer.body["device_id"], answer.body["device_secret"]


def test_a_burst_of_wrong_pins_is_checked_no_more_than_the_limit(attempt, checks, still, shop):

    def send(pin):
        return shop.anonymous.post("/api/auth/pin", {**attempt, "pin": pin})

    answers = tally(burst(send, [f"{n:06d}" for n in range(100_000, 100_000 + BURST)]))
    assert checks["n"] == auth.PIN_LOCK_AFTER, answers
    assert answers == {(401, "invalid_credentials"): auth.PIN_LOCK_AFTER,
                       (429, "locked"): BURST - auth.PIN_LOCK_AFTER}
    late = send("482913")
    assert late.status == 429 and late.error == "locked" and "access_token" not in late.body
    assert checks["n"] == auth.PIN_LOCK_AFTER


def test_the_right_pin_sent_inside_a_burst_after_the_lock_does_not_sign_in(attempt, checks,
                                                                          still, shop):
    gate = Gate(BURST)

    def send(pin):
        if pin == "482913":
            gate.wait()
            return shop.anonymous.post("/api/auth/pin", {**attempt, "pin": pin})
        answer = shop.anonymous.post("/api/auth/pin", {**attempt, "pin": pin})
        gate.saw(answer)
        return answer

    answers = burst(send, [f"{n:06d}" for n in range(200_000, 200_000 + BURST)] + ["482913"])
    assert answers[-1].status == 429 and answers[-1].error == "locked", answers[-1].body
    assert checks["n"] == auth.PIN_LOCK_AFTER, tally(answers)


def test_many_workers_over_many_pins_get_no_more_than_the_limit_checked(attempt, checks, still,
                                                                        shop):
    """A longer attack, 12 at a time: the lock holds from the 5th check on."""

    def send(pin):
        return shop.anonymous.post("/api/auth/pin", {**attempt, "pin": pin})

    with ThreadPoolExecutor(12) as pool:
        answers = tally(pool.map(send, [f"{n:06d}" for n in range(300_000, 300_120)]))
    assert checks["n"] == auth.PIN_LOCK_AFTER, answers
    assert answers[(429, "locked")] == 120 - auth.PIN_LOCK_AFTER


def test_a_success_clears_the_tries_and_the_limit_holds_again_afterwards(attempt, checks,
                                                                         still, shop):

    def send(pin):
        return shop.anonymous.post("/api/auth/pin", {**attempt, "pin": pin})

    for pin in ("000111", "000222", "000333"):
        assert send(pin).status == 401
    assert send("482913").status == 200
    answers = tally(burst(send, [f"{n:06d}" for n in range(400_000, 400_000 + BURST)]))
    assert answers[(401, "invalid_credentials")] == auth.PIN_LOCK_AFTER, answers


def test_a_burst_of_wrong_pins_at_the_hand_over_lock_is_checked_no_more_than_the_limit(
        checks, still, shop):
    """A customer holding the tablet in hand-over mode cannot guess the staff member's PIN: of a
    burst of wrong ones, five are checked, and then even the right PIN waits out the lock."""
    assert shop.advisor.put("/api/me/pin", {"pin": "482913", "password": PASSWORD}).status == 204
    checks["n"] = 0  # setting the PIN checked the password

    def send(pin):
        return shop.advisor.post("/api/me/unlock", {"secret": pin})

    answers = tally(burst(send, [f"{n:06d}" for n in range(100_000, 100_000 + BURST)]))
    assert checks["n"] == auth.PIN_LOCK_AFTER, answers
    assert answers == {(401, "invalid_credentials"): auth.PIN_LOCK_AFTER,
                       (429, "locked"): BURST - auth.PIN_LOCK_AFTER}
    assert send("482913").status == 429
