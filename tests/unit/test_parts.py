"""Old-part tags without engines: codes, the custody state machine, the delivery guard."""
from collections import Counter

import pytest
from hypothesis import given, strategies as st

from chalicelib.work import parts
from chalicelib.core.errors import Conflict, Forbidden, Unprocessable
from chalicelib.api.roles import ROLES

STATES = parts.OPEN + parts.FINAL
WISHES = ("take_back", "dispose", "decide_at_delivery")


def a_tag(state="held", wish="dispose", **fields) -> dict:
    return {"code": "ABCDEFGH", "part_name": "機油濾芯", "state": state, "wish": wish, **fields}


# --- codes ---

def test_a_code_is_eight_characters_of_the_unambiguous_alphabet():
    for _ in range(1000):
        code = parts.new_code()
        assert len(code) == 8
        assert set(code) <= set(parts.ALPHABET)


def test_the_alphabet_has_no_0_o_1_or_i_and_32_characters():
    assert not set("0O1I") & set(parts.ALPHABET)
    assert len(set(parts.ALPHABET)) == len(parts.ALPHABET) == 32


def test_codes_use_every_character_about_evenly():
    drawn = Counter("".join(parts.new_code() for _ in range(4000)))  # 32,000 characters
    assert set(drawn) == set(parts.ALPHABET)
    assert min(drawn.values()) > 800 and max(drawn.values()) < 1200  # 1,000 each expected


def test_100_000_codes_drawn_repeat_almost_never():
    # 32^8 ≈ 1.1e12 codes: the birthday bound for 100,000 draws is ~0.5 % for one repeat. The
    # store refuses a repeat anyway (the conditional write, tests/integration/test_parts.py).
    codes = [parts.new_code() for _ in range(100_000)]
    assert len(set(codes)) >= len(codes) - 2


@pytest.mark.parametrize("typed, code", [("ABCDEFGH", "ABCDEFGH"), ("abcd efgh", "ABCDEFGH"),
                                         ("ABCD-EFGH", "ABCDEFGH"), (" 2345 6789 ", "23456789")])
def test_a_code_is_read_as_typed_or_printed(typed, code):
    assert parts.normalise_code(typed) == code


@pytest.mark.parametrize("typed", ["", "ABCDEFG", "ABCDEFGHJ", "ABCDEFG0", "ABCDEFGO",
                                   "ABCDEFG1", "ABCDEFGI", "ABCD/EFG", "機油濾芯機油濾芯"])
def test_a_malformed_code_is_refused(typed):
    with pytest.raises(Unprocessable) as refused:
        parts.normalise_code(typed)
    assert refused.value.code == "invalid_code"


def test_the_code_is_printed_in_two_groups_and_the_qr_opens_the_pwa():
    assert parts.grouped("ABCDEFGH") == "ABCD EFGH"
    assert parts.tag_url("ABCDEFGH").endswith("/q/ABCDEFGH")


# --- the custody state machine ---

def test_the_path_of_a_part_the_customer_takes_back():
    tag = a_tag("removed", "take_back")
    for to in ("held", "shown_to_customer", "returned_to_customer"):
        assert parts.refusal(tag, to, "advisor") is None, to
        tag = {**tag, "state": to}


@pytest.mark.parametrize("final", ["disposed", "returned_to_supplier", "kept_as_evidence"])
def test_a_part_left_to_the_shop_may_end_in_any_way_but_the_customer(final):
    assert parts.refusal(a_tag("held", "dispose"), final, "manager") is None


def test_every_final_state_is_closed_for_every_move_and_role():
    for start in parts.FINAL:
        for to in STATES:
            for role in ROLES:
                refused = parts.refusal(a_tag(start), to, role)
                assert isinstance(refused, Conflict) and refused.code == "tag_closed"


def test_returning_twice_is_refused():
    refused = parts.refusal(a_tag("returned_to_customer", "take_back"), "returned_to_customer",
                            "advisor")
    assert refused.status == 409 and refused.code == "tag_closed"


def test_nothing_goes_back_to_removed_and_nothing_skips_to_an_unknown_state():
    assert all(to != "removed" for _, to in parts.MOVES)
    assert set(parts.MOVES) <= {(a, b) for a in parts.OPEN for b in STATES}


def test_a_part_the_customer_wants_back_cannot_be_disposed_of_or_sent_to_the_supplier():
    for to in ("disposed", "returned_to_supplier"):
        refused = parts.refusal(a_tag("held", "take_back"), to, "owner")
        assert refused.code == "customer_wants_it_back"


def test_an_undecided_part_cannot_be_disposed_of_before_the_customer_answers():
    refused = parts.refusal(a_tag("shown_to_customer", "decide_at_delivery"), "disposed", "owner")
    assert refused.code == "customer_has_not_decided"


def test_a_warranty_part_is_not_handed_to_the_customer_until_the_claim_is_cancelled():
    tag = a_tag("held", "take_back", supplier="和泰零件")
    assert parts.refusal(tag, "returned_to_customer", "advisor").code == "supplier_claim"


def test_a_technician_tags_shelves_and_shows_but_does_not_decide():
    tag = a_tag("removed", "dispose")
    assert parts.refusal(tag, "held", "technician") is None
    assert parts.refusal(tag, "shown_to_customer", "technician") is None
    for final in parts.FINAL:
        assert isinstance(parts.refusal(tag, final, "technician"), Forbidden)
    assert set(parts.actions(tag, "technician")) == {"held", "shown_to_customer"}


def test_the_actions_offered_are_exactly_the_moves_allowed():
    tag = a_tag("held", "take_back")
    assert set(parts.actions(tag, "advisor")) == {"held", "shown_to_customer",
                                                   "returned_to_customer", "kept_as_evidence"}
    assert parts.actions(a_tag("disposed"), "owner") == []


@given(st.lists(st.tuples(st.sampled_from(STATES), st.sampled_from(ROLES),
                          st.sampled_from(WISHES)), max_size=30))
def test_any_walk_of_allowed_moves_stays_in_the_table_and_ends_closed_for_good(moves):
    tag = a_tag("removed", "take_back")
    closed_at = None
    for to, role, wish in moves:
        tag = {**tag, "wish": wish} if tag["state"] in parts.OPEN else tag
        refused = parts.refusal(tag, to, role)
        if refused is None:
            assert (tag["state"], to) in parts.MOVES
            assert closed_at is None
            tag = {**tag, "state": to}
            closed_at = to if to in parts.FINAL else None
        else:
            assert refused.status in (403, 409)
            assert to not in parts.actions(tag, role)
    assert tag["state"] in STATES


@given(st.sampled_from(STATES), st.sampled_from(STATES), st.sampled_from(ROLES),
       st.sampled_from(WISHES))
def test_a_refusal_is_a_403_or_409_and_never_for_a_move_offered(start, to, role, wish):
    tag = a_tag(start, wish)
    refused = parts.refusal(tag, to, role)
    assert (refused is None) == (to in parts.actions(tag, role))
    assert refused is None or refused.status in (403, 409)


# --- the delivery guard ---

def test_delivery_waits_for_a_part_the_customer_wants_back_until_it_is_returned():
    tags = [a_tag("held", "take_back")]
    reason = parts.undecided(tags)
    assert reason and "1 個舊品" in reason[0] and "ABCD EFGH" in reason[0]
    assert parts.undecided([a_tag("returned_to_customer", "take_back")]) is None


def test_delivery_waits_while_the_customer_has_not_decided():
    assert parts.undecided([a_tag("shown_to_customer", "decide_at_delivery")])
    assert parts.undecided([a_tag("kept_as_evidence", "decide_at_delivery")]) is None


def test_a_part_left_to_the_shop_does_not_hold_up_delivery():
    assert parts.undecided([a_tag("held", "dispose"), a_tag("disposed", "dispose")]) is None
    assert parts.undecided([]) is None


def test_the_reason_names_a_few_parts_and_counts_them_all():
    tags = [a_tag("held", "take_back", code=f"ABCDEFG{n}") for n in "23456"]
    zh, en = parts.undecided(tags)
    assert zh.startswith("還有 5 個舊品") and zh.count("（") == 3 and "…" in zh
    assert en.startswith("5 old part(s)")


# --- the report as CSV ---

def test_the_csv_opens_in_excel_and_neutralises_formulas():
    from decimal import Decimal

    report = {"disposals": {"items": [{
        "code": "ABCDEFGH", "part_name": "=HYPERLINK(\"x\")", "state": "disposed",
        "quantity": Decimal("4.500"), "unit": "litre", "category": "waste_oil",
        "recycler": "綠能回收", "manifest_number": "M-1", "at": "2026-11-02T03:00:00.000Z"}]},
        "supplier_returns": {"done": [], "pending": []}}
    text = parts.csv_text(report)
    assert text.startswith("\ufeff類型")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[1].split(",")[:3] == ["報廢", "2026-11-02", "ABCDEFGH"]
    assert "'=HYPERLINK" in lines[1] and ",4.5,公升," in lines[1] and "廢機油" in lines[1]
