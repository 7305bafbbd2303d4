"""The order state machine and money rules, without engines."""
import json
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from chalicelib.core import money
from chalicelib.work import order_store, orders
from chalicelib.api.roles import ROLES

FLOW = ["booked", "checked_in", "authorized", "in_progress", "quality_check", "ready",
        "delivered", "followed_up"]


def test_the_whole_flow_is_allowed_to_the_front_desk_step_by_step():
    for start, to in zip(FLOW, FLOW[1:]):
        assert order_store.can_move(start, to, "advisor"), (start, to)


def test_the_additional_work_loop_goes_both_ways():
    assert order_store.can_move("in_progress", "awaiting_approval", "advisor")
    assert order_store.can_move("awaiting_approval", "in_progress", "advisor")
    assert order_store.TRANSITIONS[("awaiting_approval", "in_progress")].guards == (
        "additional_items_answered",)


def test_every_pair_not_in_the_table_is_refused_for_every_role():
    allowed = set(order_store.TRANSITIONS)
    for start in order_store.STATES:
        for to in order_store.STATES:
            if (start, to) not in allowed:
                assert not any(order_store.can_move(start, to, role) for role in ROLES), (start, to)


def test_no_state_skips_a_step_that_needs_the_customer():
    # The customer consents at authorized; nothing reaches work or delivery around it.
    for start in ("booked", "checked_in"):
        for to in ("in_progress", "quality_check", "ready", "delivered"):
            assert (start, to) not in order_store.TRANSITIONS
    assert ("in_progress", "delivered") not in order_store.TRANSITIONS
    assert ("quality_check", "delivered") not in order_store.TRANSITIONS


def test_a_technician_cannot_cancel_authorize_or_deliver():
    for start, to in order_store.TRANSITIONS:
        if to in ("cancelled", "authorized", "delivered", "ready", "checked_in"):
            assert not order_store.can_move(start, to, "technician"), (start, to)


def test_a_technician_may_start_work_and_send_it_to_the_quality_check():
    assert order_store.can_move("authorized", "in_progress", "technician")
    assert order_store.can_move("in_progress", "quality_check", "technician")


def test_closed_orders_cannot_be_cancelled_or_reopened():
    for start in ("delivered", "followed_up", "cancelled"):
        for to in order_store.STATES:
            if (start, to) != ("delivered", "followed_up"):
                assert (start, to) not in order_store.TRANSITIONS


def test_next_states_list_only_steps_the_role_may_take():
    assert set(order_store.next_states("in_progress", "technician")) == {"quality_check"}
    assert set(order_store.next_states("in_progress", "advisor")) == {
        "awaiting_approval", "quality_check", "cancelled"}
    assert order_store.next_states("followed_up", "owner") == []


@given(st.lists(st.tuples(st.sampled_from(order_store.STATES), st.sampled_from(ROLES)), max_size=30))
def test_any_walk_of_allowed_steps_stays_inside_the_state_machine(moves):
    state = "checked_in"
    for to, role in moves:
        if order_store.can_move(state, to, role):
            assert to in order_store.next_states(state, role)
            state = to
        else:
            assert to not in order_store.next_states(state, role)
    assert state in order_store.STATES


def test_the_guard_refuses_while_an_additional_item_waits():
    order = {"lines": [{"origin": "additional", "state": "proposed"},
                       {"origin": "authorization", "state": "approved"}]}
    assert orders.GUARDS["additional_items_answered"](order) is not None
    order["lines"][0]["state"] = "declined"
    assert orders.GUARDS["additional_items_answered"](order) is None


CASES = json.loads((Path(__file__).resolve().parents[1] / "cases" / "tax_included.json")
                   .read_text(encoding="utf-8"))["totals"]


@pytest.mark.parametrize("case", CASES, ids=[str(case["lines"]) for case in CASES])
def test_the_total_is_the_lines_and_the_tax_is_derived_from_it(case):
    """The shared cases (the PWA's tests read the same file): nothing is added to the lines;
    銷售額 half-up, 稅額 the rest."""
    assert money.totals(case["lines"]) == {key: case[key] for key in ("total", "sales", "tax")}


def test_totals_written_before_prices_included_tax_keep_their_figures():
    old = {"subtotal": 12000, "tax": 600, "total": 12600}
    assert money.stored(old) == {"total": 12600, "sales": 12000, "tax": 600}
    assert money.stored(money.totals([4800])) == money.totals([4800])
    assert money.stored(None) == {"total": 0, "sales": 0, "tax": 0}


def test_line_amounts_are_whole_dollars():
    from decimal import Decimal

    assert money.line_amount("labour", hours=Decimal("1.5"), rate=1200) == 1800
    assert money.line_amount("labour", hours=Decimal("0.25"), rate=1000) == 250
    assert money.line_amount("part", quantity=Decimal("4.5"), unit_price=333) == 1499  # 1498.5
    assert money.line_amount("discount", amount=200) == -200


def test_a_discount_takes_the_total_to_zero_never_below():
    assert money.totals([500, -800]) == {"total": 0, "sales": 0, "tax": 0}


@given(st.lists(st.integers(min_value=-5_000, max_value=1_000_000), max_size=50))
def test_the_total_is_the_sum_and_sales_plus_tax_is_always_the_total(amounts):
    result = money.totals(amounts)
    assert result["total"] == max(0, sum(amounts))
    assert result["sales"] + result["tax"] == result["total"]
    assert abs(result["sales"] * 1.05 - result["total"]) <= 0.525  # 銷售額 within half a dollar
