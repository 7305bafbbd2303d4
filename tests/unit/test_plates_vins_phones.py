"""Plates, VINs and phone numbers in one stored form (docs/design.md §7)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core import phones
from chalicelib.records.vehicles import normalise_plate, plate_prefix, valid_vin


@pytest.mark.parametrize("typed, stored", [
    ("ABC-1234", "ABC-1234"),
    ("abc1234", "ABC-1234"),
    ("abc 1234", "ABC-1234"),
    (" Abc - 1234 ", "ABC-1234"),
    ("AB-1234", "AB-1234"),
    ("ab1234", "AB-1234"),
    ("1234-AB", "1234-AB"),
    ("1234ab", "1234-AB"),
    ("AB-123", "AB-123"),
    ("123-AB", "123-AB"),
    ("ABC-123", "ABC-123"),
    ("EAA-1234", "EAA-1234"),
    ("eaa1234", "EAA-1234"),
    ("ＡＢＣ－１２３４", "ABC-1234"),   # full-width, as a Chinese keyboard may type it
    ("5A-1234", "5A-1234"),            # a mixed group is fine when the hyphen is typed
])
def test_plates_are_stored_upper_case_with_one_hyphen(typed, stored):
    assert normalise_plate(typed) == stored


@pytest.mark.parametrize("typed", [
    "", "   ", "ABC", "1234", "ABC-DEF", "123-456",   # letters and digits both needed
    "A-1234", "ABCDE-1234", "AB-12345",               # groups of 2 to 4
    "AB-12-34", "ABC--1234-", "AB12CD",               # two groups, split one way only
    "5A1234",                                         # mixed run without a hyphen: ambiguous
    "AB-1", "ABC_1234", "ABC.1234", "車牌-1234", "ABCD-1234",
])
def test_anything_else_is_not_a_plate(typed):
    assert normalise_plate(typed) is None


@given(st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZabcz0123456789- ", max_size=12))
def test_normalising_a_plate_twice_changes_nothing(typed):
    once = normalise_plate(typed)
    assert once is None or normalise_plate(once) == once


@given(letters=st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=2, max_size=3),
       digits=st.text(alphabet="0123456789", min_size=3, max_size=4))
def test_a_plate_typed_without_hyphen_splits_between_letters_and_digits(letters, digits):
    assert normalise_plate((letters + digits).lower()) == f"{letters}-{digits}"
    assert normalise_plate(digits + letters) == f"{digits}-{letters}"


@pytest.mark.parametrize("typed, prefix", [
    ("ABC12", "ABC12"), ("abc-12", "ABC12"), ("a", "A"), (" 12 34 ", "1234"),
])
def test_a_plate_look_up_uses_what_was_typed_without_hyphens(typed, prefix):
    assert plate_prefix(typed) == prefix


@pytest.mark.parametrize("typed", ["", "-", "ABC12345X", "AB#1", "車"])
def test_a_plate_look_up_refuses_what_no_plate_begins_with(typed):
    assert plate_prefix(typed) is None


@pytest.mark.parametrize("typed, stored", [
    ("JTDBR32E720123456", "JTDBR32E720123456"),
    ("jtdbr32e720123456", "JTDBR32E720123456"),
    (" 5YJ3E1EA7KF317000 ", "5YJ3E1EA7KF317000"),
])
def test_a_vin_is_stored_upper_case(typed, stored):
    assert valid_vin(typed) == stored


@pytest.mark.parametrize("typed", [
    "", "JTDBR32E72012345", "JTDBR32E7201234567",             # 16 and 18 characters
    "JTDBR32E72O123456", "JTDBI32E720123456", "JTDBQ32E720123456",  # O, I, Q
    "JTDBR32E72-123456",
])
def test_a_vin_is_17_characters_without_i_o_q(typed):
    assert valid_vin(typed) is None


@pytest.mark.parametrize("typed, stored", [
    ("0912-345-678", "+886912345678"),
    ("0912 345 678", "+886912345678"),
    ("+886 912 345 678", "+886912345678"),
    ("02-2345-6789", "+886223456789"),
    ("(04) 2345-6789", "+886423456789"),
    ("089-345-678", "+88689345678"),
])
def test_phone_numbers_are_stored_in_e164(typed, stored):
    assert phones.normalise(typed) == stored


@pytest.mark.parametrize("typed", ["", "912345678", "0912-345-67", "0912-345-6789", "02-123",
                                   "hello", "+1 415 555 0100"])
def test_anything_else_is_not_a_taiwan_number(typed):
    assert phones.normalise(typed) is None


def test_a_phone_look_up_searches_the_e164_prefix_of_what_was_typed():
    assert phones.prefix("0912") == "+886912"
    assert phones.prefix("0912-34") == "+88691234"
    assert phones.prefix("+886 912") == "+886912"
    assert phones.prefix("02-27") == "+886227"


@given(st.from_regex(r"09[0-9]{8}", fullmatch=True))
def test_a_normalised_mobile_is_found_by_its_typed_prefix(number):
    stored = phones.normalise(number)
    assert stored and phones.is_mobile(stored)
    for length in range(2, len(number) + 1):
        assert stored.startswith(phones.prefix(number[:length]))


def test_a_tax_id_is_checked_by_the_ministry_of_finances_rule():
    from chalicelib.core import tax_ids

    assert tax_ids.valid("22099131")   # 台積電: the weighted digits add up to 30
    assert tax_ids.valid("12345675")   # seventh digit 7: 39 + 1 divides by 5
    assert tax_ids.valid("04595257")
    assert not tax_ids.valid("22099132")
    assert not tax_ids.valid("12345677")   # 41, nor 42
    assert not tax_ids.valid("2209913")     # seven digits
    assert not tax_ids.valid("2209913a")
    assert not tax_ids.valid("")


@pytest.mark.parametrize("stored, shown", [
    ("+886912345678", "0912-345-678"), ("+886227651234", "02-2765-1234"),
    ("+88672345678", "07-234-5678"), ("+886826123456", "08-2612-3456"), ("", ""),
])
def test_a_number_is_written_on_paper_as_a_taiwanese_shop_writes_it(stored, shown):
    assert phones.written(stored) == shown
