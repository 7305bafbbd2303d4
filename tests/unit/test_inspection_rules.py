"""The walk-around's rules: colours at their boundaries, uneven wear, DOT age, the field checks and
the field-by-field merge (any order of arrival gives the same inspection)."""
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.work import inspections
from chalicelib.work.inspections import Bad, Write, check_field, dot_made, dot_old, findings, merge
from chalicelib.records.shop_settings import DEFAULTS

TODAY = date(2026, 6, 15)


def tyre(depths, dot=None, shop=DEFAULTS):
    values = {f"tyres.LF.{groove}": Decimal(str(depth))
              for groove, depth in zip(("inner", "centre", "outer"), depths)}
    if dot:
        values["tyres.LF.dot"] = dot
    return findings(values, shop, TODAY)["tyres"]["LF"]


@pytest.mark.parametrize("worst, colour", [
    (0, "red"), (1.5, "red"), (1.6, "yellow"), (2.9, "yellow"), (3.0, "green"), (8, "green")])
def test_a_tyre_is_coloured_by_its_worst_groove(worst, colour):
    finding = tyre([8, worst, 8])
    assert finding["colour"] == colour
    assert finding["worst_mm"] == Decimal(str(worst))


def test_the_yellow_threshold_is_the_shop_s_and_red_stays_the_legal_minimum():
    strict = {**DEFAULTS, "tread_yellow_mm": Decimal("4.0")}
    assert tyre([3.5, 3.5, 3.5], shop=strict)["colour"] == "yellow"
    assert tyre([3.5, 3.5, 3.5])["colour"] == "green"
    assert tyre([1.6, 4, 4], shop=strict)["colour"] == "yellow"
    assert tyre([1.5, 4, 4], shop=strict)["colour"] == "red"


@pytest.mark.parametrize("depths, uneven", [
    ([5, 5, 5], False), ([5, 4.1, 5], False), ([5, 3.5, 5], True), ([6.5, 5.5, 5.0], True),
    ([5.0, 5.0, 6.4], False), ([7], False)])
def test_grooves_differing_by_one_and_a_half_mm_flag_uneven_wear(depths, uneven):
    assert tyre(depths)["uneven"] is uneven


def test_a_tyre_with_only_a_dot_code_has_no_colour_yet():
    finding = findings({"tyres.SPARE.dot": "0115"}, DEFAULTS, TODAY)["tyres"]["SPARE"]
    assert finding == {"colour": None, "worst_mm": None, "uneven": False, "dot_old": True}


@pytest.mark.parametrize("code, made", [
    ("0120", date(2020, 1, 1)), ("2319", date(2019, 6, 4)), ("5220", date(2020, 12, 23)),
    ("5320", date(2020, 12, 30)), ("5319", date(2019, 12, 31)), ("5324", date(2024, 12, 30))])
def test_the_dot_code_gives_the_week_the_tyre_was_made(code, made):
    assert dot_made(code) == made


@pytest.mark.parametrize("code", ["0020", "5420", "9919", "219", "23199", "ab19", "", " 2319",
                                  "２３１９", None, 2319])
def test_bad_dot_codes_are_refused(code):
    with pytest.raises(Bad):
        dot_made(code)


@pytest.mark.parametrize("code, old", [
    ("2220", True), ("2420", True),  # made 2020-05-27 and 2020-06-10
    ("2520", False),  # made 2020-06-17: not six years old on 2026-06-15
    ("0120", True), ("5319", True), ("0125", False), ("2326", False)])
def test_tyres_older_than_six_years_are_flagged(code, old):
    assert dot_old(code, TODAY) is old


def test_six_years_is_counted_from_the_day_on_29_february():
    # On 2028-02-29 the limit is 2022-02-28.
    assert dot_old("0922", date(2028, 2, 29)) is True  # made 2022-02-26
    assert dot_old("1022", date(2028, 2, 29)) is False  # made 2022-03-05


@pytest.mark.parametrize("pad, colour", [
    (0, "red"), (2.9, "red"), (3, "yellow"), (4.9, "yellow"), (5, "green"), (12, "green")])
def test_brake_pads_are_red_under_3_mm_and_yellow_under_5_by_default(pad, colour):
    result = findings({"brakes.front.pad_mm": Decimal(str(pad))}, DEFAULTS, TODAY)
    assert result["brakes"]["front"]["colour"] == colour


def test_lit_lights_are_grouped_by_colour_and_counted_with_the_other_reds_and_yellows():
    values = {"lights.oil_pressure": True, "lights.abs": True, "lights.tpms": True,
              "lights.engine": False, "checklist.wiper_blades": {"status": "red"},
              "checklist.horn": {"status": "green"}, "brakes.rear.pad_mm": Decimal("4"),
              "tyres.RR.inner": Decimal("1.0")}
    result = findings(values, DEFAULTS, TODAY)
    assert result["lights"] == {"red": ["oil_pressure"], "amber": ["abs", "tpms"],
                                "green": [], "blue": []}
    assert result["counts"] == {"red": 3, "yellow": 3}  # oil, wipers, tyre / abs, tpms, pad


def test_the_catalogue_has_the_codes_the_pwa_draws():
    assert inspections.light_codes() == (
        "engine", "oil_pressure", "battery", "brake", "abs", "airbag", "tpms", "coolant_temp",
        "eps", "esc", "glow_plug", "dpf", "adblue", "service_due", "seat_belt", "door_open",
        "low_fuel", "ev_system")
    for light in inspections.catalogue():
        assert light["colour"] in ("red", "amber", "green", "blue")
        assert light["zh"] and light["en"]


class NoTemplate(inspections.Known):
    def item_ids(self):
        return frozenset({"wiper_blades", "horn"})


@pytest.mark.parametrize("field, value, stored", [
    ("tyres.LF.inner", 3.2, Decimal("3.2")), ("tyres.SPARE.outer", 0, Decimal("0.0")),
    ("tyres.RR.centre", 20, Decimal("20.0")), ("tyres.LR.pressure_kpa", 230, 230),
    ("tyres.RF.dot", "2319", "2319"), ("brakes.rear.pad_mm", 4.5, Decimal("4.5")),
    ("mileage_km", 68420, 68420), ("fuel_eighths", 8, 8), ("lights.abs", True, True),
    ("lights_none", True, True), ("valuables_reminded", False, False),
    ("damage.m-1", {"x": 0.25, "y": 0.9, "kind": "dent"},
     {"x": Decimal("0.2500"), "y": Decimal("0.9000"), "kind": "dent"}),
    ("checklist.horn", {"status": "yellow", "note": " 聲音小 "},
     {"status": "yellow", "note": "聲音小"}),
    ("tyres.LF.inner", None, None)])
def test_fields_take_what_docs_api_md_says(field, value, stored):
    assert check_field(field, value, NoTemplate("shop")) == stored


@pytest.mark.parametrize("field, value", [
    ("tyres.LF.inner", 20.5), ("tyres.LF.inner", -0.1), ("tyres.LF.inner", 3.25),
    ("tyres.LF.inner", "3"), ("tyres.LF.inner", True), ("tyres.LF.inner", float("nan")),
    ("tyres.XX.inner", 3), ("tyres.LF.middle", 3), ("tyres.LF.pressure_kpa", 601),
    ("tyres.LF.dot", "5420"), ("tyres.LF.dot", "0199"), ("brakes.middle.pad_mm", 3),
    ("brakes.front.pad_mm", 31), ("mileage_km", -1), ("mileage_km", 3_000_001),
    ("mileage_km", 1.5), ("fuel_eighths", 9), ("lights.warp_drive", True),
    ("lights.abs", "yes"), ("damage.m1", {"x": 1.2, "y": 0, "kind": "dent"}),
    ("damage.m1", {"x": 0.5, "y": 0.5, "kind": "graffiti"}), ("damage.m1", {"x": 0.5}),
    ("checklist.unknown_item", {"status": "red"}), ("checklist.horn", {"status": "blue"}),
    ("checklist.horn", {"status": "red", "extra": 1}), ("colour", "red"), ("tyres", {}),
    ("lights.abs.extra", True)])
def test_fields_refuse_anything_else(field, value):
    with pytest.raises(Bad):
        check_field(field, value, NoTemplate("shop"))


def test_a_refused_field_says_what_it_takes_in_both_languages():
    with pytest.raises(Bad) as refused:
        check_field("tyres.LF.inner", 25, NoTemplate("shop"))
    assert "胎紋深度" in refused.value.zh and "0 to 20 mm" in refused.value.en
    with pytest.raises(Bad) as refused:
        check_field("tyres.XF.inner", 5, NoTemplate("shop"))
    assert "輪胎位置" in refused.value.zh and "tyre position" in refused.value.en


# --- the merge ---

ALICE, BOB = {"staff_id": "a", "name": "A"}, {"staff_id": "b", "name": "B"}


def at(second):
    return f"2026-06-15T01:00:{second:02d}.000Z"


def test_the_newest_change_of_each_field_wins_whatever_order_they_arrive_in():
    newer = [Write("fuel_eighths", 6, at(20), BOB), Write("tyres.LF.inner", Decimal("3"), at(5), BOB)]
    older = [Write("fuel_eighths", 2, at(10), ALICE), Write("tyres.LF.inner", Decimal("4"), at(9), ALICE)]
    values, changed, _ = merge({}, {}, newer)
    values, changed, won = merge(values, changed, older)
    assert values == {"fuel_eighths": 6, "tyres.LF.inner": Decimal("4")}
    assert changed["fuel_eighths"] == {"at": at(20), "by": BOB}
    assert [w.field for w in won] == ["tyres.LF.inner"]


def test_a_cleared_field_stays_cleared_against_an_older_write():
    values, changed, _ = merge({}, {}, [Write("fuel_eighths", None, at(30), ALICE)])
    values, changed, won = merge(values, changed, [Write("fuel_eighths", 4, at(10), BOB)])
    assert values == {} and won == [] and changed["fuel_eighths"]["at"] == at(30)


def test_none_lit_clears_every_light_and_a_light_lit_later_clears_none_lit():
    values, changed, _ = merge({}, {}, [Write("lights.abs", True, at(1), ALICE),
                                        Write("lights_none", True, at(2), ALICE)])
    assert values == {"lights_none": True}
    values, changed, _ = merge(values, changed, [Write("lights.tpms", True, at(3), BOB)])
    assert values == {"lights.tpms": True}


FIELDS = ["fuel_eighths", "lights_none", "lights.abs", "lights.engine", "tyres.LF.inner",
          "checklist.horn"]
writes = st.lists(st.builds(
    Write, field=st.sampled_from(FIELDS),
    value=st.one_of(st.none(), st.booleans(), st.integers(0, 8)),
    at=st.integers(0, 20).map(at), by=st.sampled_from([ALICE, BOB])), max_size=25)


@settings(max_examples=300, deadline=None)
@given(writes, st.randoms(use_true_random=False), st.integers(1, 4))
def test_any_order_and_any_batching_of_the_same_changes_gives_the_same_inspection(
        changes, random, batches):
    expected = merge({}, {}, changes)[:2]
    shuffled = list(changes)
    random.shuffle(shuffled)
    values, changed = {}, {}
    size = max(1, len(shuffled) // batches)
    for start in range(0, len(shuffled), size):
        values, changed, _ = merge(values, changed, shuffled[start:start + size])
    assert (values, changed) == expected
    again = merge(values, changed, changes)
    assert again[:2] == expected and again[2] == []  # a replay changes nothing
