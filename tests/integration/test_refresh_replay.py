"""A refresh answered but not heard (issue 24, point 4): the same refresh token presented again
within a few seconds, by the SDK's retry or the tablet's, gets the same new pair instead of
signing the person out; presented later, it still revokes its family as a copied token."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from chalicelib.core import clock as times
from chalicelib.records import auth
from tests.builders import PASSWORD

PARALLEL = 6


def signed_in(shop) -> dict:
    login = f"{shop.advisor.staff_id}@{shop.shop_id}.test"
    answer = shop.anonymous.post("/api/auth/sign-in", {"login": login, "password": PASSWORD})
    assert answer.status == 200, answer.body
    return answer.body


def refresh(shop, token: str):
    return shop.anonymous.post("/api/auth/refresh", {"refresh_token": token})


def test_a_refresh_presented_twice_within_the_grace_gets_the_same_new_token(shop, clock):
    clock.value = times.now()
    first = signed_in(shop)["refresh_token"]
    answered = refresh(shop, first)
    clock.value += timedelta(seconds=auth.REFRESH_GRACE_SECONDS - 1)
    retried = refresh(shop, first)
    assert answered.status == 200 and retried.status == 200, retried.body
    assert retried.body["refresh_token"] == answered.body["refresh_token"] != first
    assert refresh(shop, retried.body["refresh_token"]).status == 200


def test_parallel_refreshes_of_one_token_all_get_the_same_new_token(shop, clock):
    clock.value = times.now()
    first = signed_in(shop)["refresh_token"]
    start = threading.Barrier(PARALLEL)

    def one(_):
        start.wait()
        return refresh(shop, first)

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(one, range(PARALLEL)))
    assert [answer.status for answer in answers] == [200] * PARALLEL, \
        [answer.body for answer in answers]
    successors = {answer.body["refresh_token"] for answer in answers}
    assert len(successors) == 1 and first not in successors
    assert refresh(shop, successors.pop()).status == 200  # the session was not revoked


def test_the_same_token_after_the_grace_revokes_the_family(shop, clock):
    clock.value = times.now()
    first = signed_in(shop)["refresh_token"]
    second = refresh(shop, first)
    assert second.status == 200
    clock.value += timedelta(seconds=auth.REFRESH_GRACE_SECONDS + 1)
    assert refresh(shop, first).status == 401
    # The copy was used: the newer token of the same family stops working too.
    assert refresh(shop, second.body["refresh_token"]).status == 401


def test_a_replay_within_the_grace_does_not_make_a_used_successor_fresh_again(shop, clock):
    clock.value = times.now()
    first = signed_in(shop)["refresh_token"]
    second = refresh(shop, first).body["refresh_token"]
    assert refresh(shop, second).status == 200
    assert refresh(shop, first).body["refresh_token"] == second  # the late retry's answer
    clock.value += timedelta(seconds=auth.REFRESH_GRACE_SECONDS + 1)
    # `second` was used before the retry: it is still used, so seen again it is a copy.
    assert refresh(shop, second).status == 401
