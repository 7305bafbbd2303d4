"""The carriers' and the donation code's formats, checked before a call to the centre."""
import pytest

from chalicelib.core.einvoice_rules import (certificate_carrier_ok, donation_code_ok,
                                            mobile_carrier_ok, relate_number_ok)


@pytest.mark.parametrize("code", ["/ABC+123", "/TEST.01", "/7RD-X2K", "/0000000", "/.+-.+-."])
def test_a_mobile_barcode_is_a_slash_and_seven_of_39_characters(code):
    assert mobile_carrier_ok(code)


@pytest.mark.parametrize("code", ["ABC+1234", "/abc+123", "/ABC+12", "/ABC+1234", "/ABC 123",
                                  "/ABC_123", "//ABC123", "", None, "/ABC+123\n", "/ＡBC+123"])
def test_a_mobile_barcode_of_another_shape_is_refused(code):
    assert not mobile_carrier_ok(code)


@pytest.mark.parametrize("code", ["AB12345678901234", "ZZ00000000000000"])
def test_a_citizen_certificate_is_two_capitals_and_fourteen_digits(code):
    assert certificate_carrier_ok(code)


@pytest.mark.parametrize("code", ["ab12345678901234", "AB1234567890123", "AB123456789012345",
                                  "A123456789012345", "ABC2345678901234", "", None])
def test_a_citizen_certificate_of_another_shape_is_refused(code):
    assert not certificate_carrier_ok(code)


@pytest.mark.parametrize("code", ["168", "8585", "25885", "168001", "1234567"])
def test_a_donation_code_is_three_to_seven_digits(code):
    assert donation_code_ok(code)


@pytest.mark.parametrize("code", ["12", "12345678", "16800A", " 168001", "", None, "１６８"])
def test_a_donation_code_of_another_shape_is_refused(code):
    assert not donation_code_ok(code)


def test_a_relate_number_is_up_to_thirty_letters_and_digits():
    assert relate_number_ok("SL" + "9" * 28)
    assert not relate_number_ok("SL" + "9" * 29)
    assert not relate_number_ok("SL-0001")
    assert not relate_number_ok("")
