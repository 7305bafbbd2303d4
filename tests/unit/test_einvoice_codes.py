"""The 電子發票證明聯's barcode and QR texts (chalicelib/core/einvoice_codes.py), against worked
examples typed in from published sources, each named where it is used."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.core import einvoice_codes as codes
from chalicelib.core.errors import Invalid

KEY = "FE05F029154F6AA67A78B338ED2F6601"


def an_invoice(**changes) -> codes.ProofInvoice:
    fields = dict(number="AB12345678", random_code="1234",
                  issued_at=datetime(2026, 12, 7, 15, 30, 12), total=1050, sales=1000, tax=50,
                  seller_tax_id="24549210", buyer_tax_id=None,
                  items=[("機油更換 5W-30", 4, 250), ("機油濾芯", 1, 50)],
                  seller_name="大安汽車保養廠")
    return codes.ProofInvoice(**{**fields, **changes})


def test_the_verification_matches_a_published_worked_example():
    # ho600-ltd/django-taiwan-einvoice, docs/merchant_create_b2c_invoice.rst ("使用密碼種子 Hex
    # 作 AES 加密"): the key made by the platform's genKey from the seed 24634102 is
    # FE05F029154F6AA67A78B338ED2F6601, and number + random code XF00001234 9876 encrypt to
    # CamotDNRUN8bVyY5S1BhFQ== (its assets/qrcode_aes_encrypt.py, the spec's IV).
    assert codes.verification("XF00001234", "9876", KEY) == "CamotDNRUN8bVyY5S1BhFQ=="
    assert len(codes.verification("AB12345678", "1234", KEY)) == 24


def test_a_malformed_key_is_refused_in_both_languages():
    with pytest.raises(Invalid) as refused:
        codes.verification("AB12345678", "1234", "not-a-key")
    assert "種子密碼" in refused.value.zh and "key" in refused.value.en


def test_the_barcode_matches_the_specs_example():
    # 「電子發票證明聯一維及二維條碼規格說明」, 一維條碼範例: 104年03-04月, UZ17690872, 隨機碼 0122.
    invoice = an_invoice(number="UZ17690872", random_code="0122",
                         issued_at=datetime(2015, 3, 7, 9, 0))
    assert codes.barcode_text(invoice) == "10404UZ176908720122"


def test_the_qr_texts_match_the_specs_example():
    # The same spec, 二維條碼範例 (UTF-8): AB11223344 of 102/05/23, random code 9999, sales 324
    # (0x144), total 340 (0x154), a consumer, seller 01234567, items 乾電池 105, 口罩 210, 牛奶 25:
    # left  AB112233441020523999900000144000001540000000001234567<24>:**********:3:3:1:乾電池:1:105:
    # right **口罩:1:210:牛奶:1:25
    invoice = an_invoice(number="AB11223344", random_code="9999",
                         issued_at=datetime(2013, 5, 23, 12, 0), sales=324, tax=16, total=340,
                         seller_tax_id="01234567",
                         items=[("乾電池", 1, 105), ("口罩", 1, 210), ("牛奶", 1, 25)])
    left, right = codes.split(invoice, KEY)
    assert left[:53] == "AB112233441020523999900000144000001540000000001234567"
    assert left[53:77] == codes.verification("AB11223344", "9999", KEY)
    assert left[77:] == ":**********:3:3:1:乾電池:1:105:"
    assert right == "**口罩:1:210:牛奶:1:25"
    assert codes.left_qr(invoice, KEY) == left and codes.right_qr(invoice) == right


def test_the_period_is_the_two_months_in_roc_years():
    assert codes.period(datetime(2026, 12, 7)) == "115年11-12月"
    assert codes.period(datetime(2026, 11, 30)) == "115年11-12月"
    assert codes.period(datetime(2026, 1, 1)) == "115年01-02月"
    assert codes.period_code(datetime(2026, 12, 7)) == "11512"
    assert codes.period_code(datetime(2026, 11, 7)) == "11512"
    assert codes.period_code(datetime(2026, 3, 31)) == "11504"


def test_a_utc_time_is_read_on_taiwans_clock():
    # 16:30 UTC on 31 December is 00:30 on 1 January in Taiwan: the next year's first period.
    late = datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)
    invoice = an_invoice(issued_at=late)
    assert codes.period(late) == "116年01-02月"
    assert codes.barcode_text(invoice) == "11602AB123456781234"
    assert codes.left_qr(invoice, KEY)[10:17] == "1160101"
    taipei = datetime(2026, 12, 7, 15, 30, 12, tzinfo=timezone(timedelta(hours=8)))
    assert codes.roc_date(taipei) == "1151207"


def test_a_consumers_invoice_has_every_field_in_place():
    invoice = an_invoice()
    verification = codes.verification("AB12345678", "1234", KEY)
    assert codes.barcode_text(invoice) == "11512AB123456781234"
    assert codes.left_qr(invoice, KEY) == (
        "AB12345678" "1151207" "1234" "000003e8" "0000041a" "00000000" "24549210" + verification
        + ":**********:2:2:1:機油更換 5W-30:4:250:")
    assert codes.right_qr(invoice) == "**機油濾芯:1:50"


def test_a_business_buyers_tax_id_takes_the_buyers_place():
    invoice = an_invoice(buyer_tax_id="12345675", total=26250, sales=25000, tax=1250)
    left = codes.left_qr(invoice, KEY)
    assert left[21:29] == "000061a8" and left[29:37] == "0000668a"
    assert left[37:45] == "12345675" and left[45:53] == "24549210"


def test_one_item_stays_on_the_left_and_the_right_is_only_its_mark():
    invoice = an_invoice(items=[("定期保養", 1, 1050)])
    assert codes.left_qr(invoice, KEY).endswith(":**********:1:1:1:定期保養:1:1050")
    assert codes.right_qr(invoice) == "**"


def test_a_colon_in_a_name_cannot_split_the_fields():
    invoice = an_invoice(items=[("雨刷 16:26 吋", 1, 600)])
    assert codes.left_qr(invoice, KEY).endswith(":雨刷 16：26 吋:1:600")


def test_decimal_quantities_and_prices_are_written_plainly():
    from decimal import Decimal

    invoice = an_invoice(items=[("機油", Decimal("4.50"), Decimal("250"))])
    assert codes.left_qr(invoice, KEY).endswith(":機油:4.5:250")


def test_too_many_items_keep_both_codes_within_their_size_and_say_how_many_they_hold():
    items = [(f"原廠零件第{number:03d}號（前輪用）", 1, 100 + number) for number in range(60)]
    invoice = an_invoice(items=items, total=sum(price for _, _, price in items))
    left, right = codes.split(invoice, KEY)
    assert max(len(left.encode()), len(right.encode())) <= codes.QR_MAX_BYTES
    recorded, total = map(int, left[77:].split(":")[2:4])
    assert total == 60 and 0 < recorded < 60
    names = (left[77:].split(":", 5)[5] + right[2:]).split(":")[0::3]
    assert names == [name for name, _, _ in items[:recorded]]  # whole items, in order


def test_the_two_codes_are_shared_so_the_larger_is_as_small_as_it_can_be():
    items = [(f"品項{number}", 1, 10) for number in range(8)]
    left, right = codes.split(an_invoice(items=items), KEY)
    assert abs(len(left.encode()) - len(right.encode())) < 30
    assert right.startswith("**品項")


@pytest.mark.parametrize("changes", [{"number": "A112345678"}, {"random_code": "12a4"},
                                     {"seller_tax_id": "1234"}, {"buyer_tax_id": "ABCDEFGH"},
                                     {"total": -1}])
def test_a_malformed_invoice_is_refused(changes):
    with pytest.raises(Invalid):
        an_invoice(**changes)
