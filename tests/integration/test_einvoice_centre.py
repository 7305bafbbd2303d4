"""The ECPay adapter against the local stand-in playing ECPay's B2C e-invoice API
(devstack/einvoice_standin.py): a real HTTP server on a free port, each test its own merchant
with a random HashKey/HashIV, and its faults set through the stand-in's control endpoint."""
from __future__ import annotations

import re
import secrets
import string
import threading
from concurrent.futures import ThreadPoolExecutor
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from chalicelib.core import aws
from chalicelib.core import secrets as secrets_store
from chalicelib.core.config import settings
from chalicelib.core.errors import Conflict, Invalid
from chalicelib.outward.einvoice import (CentreDown, CentreRefused, ECPayCentre, IssuedFor, Item,
                                         Sale, centre_for)
from devstack.einvoice_standin import EinvoiceStandin

TIMEOUT = 1.0  # the client's time-out in these tests (8 s in the product)
INVOICE_NUMBER = re.compile(r"[A-Z]{2}[0-9]{8}")


def _random(length: int = 16) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))


@pytest.fixture
def account():
    return str(3000000 + secrets.randbelow(1000000)), _random(), _random()


@pytest.fixture
def standin(account):
    merchant_id, key, iv = account
    server = EinvoiceStandin({merchant_id: (key, iv)}).start()
    yield server
    server.stop()


@pytest.fixture
def centre(standin, account):
    return ECPayCentre(standin.url, *account, timeout=TIMEOUT)


def set_mode(standin: EinvoiceStandin, mode: str) -> None:
    answer = requests.post(f"{standin.url}/_mode", json={"mode": mode}, timeout=5)
    assert answer.status_code == 200, answer.text


def issued(standin: EinvoiceStandin) -> list[dict]:
    return requests.get(f"{standin.url}/_issued", timeout=5).json()


def a_sale(**changes) -> Sale:
    """A service visit: an oil change and a filter, NT$1,050 with tax."""
    fields = dict(relate_number=f"SL{uuid.uuid4().hex[:20].upper()}",
                  items=[Item("機油更換 5W-30", 4, "公升", 200, 800),
                         Item("機油濾芯", 1, "個", 250, 250)],
                  total=1050, sales=1000, tax=50,
                  issued_for=IssuedFor(name="王小明", mobile="0912345678",
                                       email="ming@example.tw"),
                  carrier_type="mobile", carrier_number="/ABC+123")
    return Sale(**{**fields, **changes})


def test_a_sale_to_a_mobile_carrier_is_issued_with_a_number_from_the_track(centre, standin):
    sale = a_sale()
    invoice = centre.issue(sale)

    assert INVOICE_NUMBER.fullmatch(invoice.number)
    assert re.fullmatch(r"[0-9]{4}", invoice.random_code)
    assert abs(invoice.issued_at - datetime.now(timezone.utc)) < timedelta(minutes=1)
    [kept] = issued(standin)
    assert (kept["InvoiceNo"], kept["RelateNumber"]) == (invoice.number, sale.relate_number)
    assert (kept["CarrierType"], kept["CarrierNum"], kept["SalesAmount"]) == ("3", "/ABC+123",
                                                                              1050)


def test_numbers_count_up_along_the_track(centre):
    first, second = centre.issue(a_sale()), centre.issue(a_sale())
    assert first.number[:2] == second.number[:2]
    assert int(second.number[2:]) == int(first.number[2:]) + 1


def test_a_company_invoice_is_printed_with_its_tax_id_and_the_tax_split_out(centre, standin):
    sale = a_sale(buyer_tax_id="22099131", buyer_title="順安汽車股份有限公司", print=True,
                  carrier_type=None, carrier_number=None,
                  issued_for=IssuedFor(email="ap@shunan.tw", address="台北市南港區三重路 19 號"))
    invoice = centre.issue(sale)

    [kept] = issued(standin)
    assert kept["CustomerIdentifier"] == "22099131"
    # Sent with tax included (vat=1); the centre splits it out: 1050 = 1000 + 50.
    assert (kept["SalesAmount"], kept["TaxAmount"]) == (sale.total, sale.tax)
    assert centre.find(sale.relate_number) == invoice
    assert centre.find("SLNEVERISSUED") is None


def test_a_company_invoice_without_an_address_to_print_is_refused(centre, standin):
    sale = a_sale(buyer_tax_id="22099131", buyer_title="順安汽車股份有限公司", print=True,
                  carrier_type=None, carrier_number=None)
    with pytest.raises(CentreRefused) as refused:
        centre.issue(sale)
    assert "地址" in refused.value.message_zh
    assert issued(standin) == []


def test_a_donated_invoice_goes_to_the_charity_code(centre, standin):
    assert centre.check_donation_code("168001")
    assert not centre.check_donation_code("9999999")
    centre.issue(a_sale(carrier_type=None, carrier_number=None, donation_code="168001"))
    [kept] = issued(standin)
    assert kept["LoveCode"] == "168001"


def test_the_same_relate_number_twice_is_one_invoice(centre, standin):
    sale = a_sale()
    first = centre.issue(sale)
    again = centre.issue(sale)
    assert again == first
    assert len(issued(standin)) == 1
    assert [call["path"] for call in standin.calls][-2:] == ["/B2CInvoice/Issue",
                                                              "/B2CInvoice/GetIssue"]


def test_a_relate_number_is_the_same_in_upper_and_lower_case(centre, standin):
    sale = a_sale()
    first = centre.issue(sale)
    assert centre.issue(a_sale(relate_number=sale.relate_number.lower())) == first
    assert len(issued(standin)) == 1


def test_an_answer_lost_after_issuing_then_a_retry_is_the_same_one_invoice(centre, standin):
    sale = a_sale()
    set_mode(standin, "lose_answer")
    with pytest.raises(CentreDown):
        centre.issue(sale)
    [kept] = issued(standin)  # issued, though the caller heard nothing

    set_mode(standin, "ok")
    invoice = centre.issue(sale)

    assert invoice.number == kept["InvoiceNo"]
    assert invoice.random_code == kept["RandomNumber"]
    assert len(issued(standin)) == 1


def test_a_centre_that_is_down_is_centre_down_and_nothing_is_issued(centre, standin):
    set_mode(standin, "down")
    with pytest.raises(CentreDown) as down:
        centre.issue(a_sale())
    assert down.value.status == 503 and "稍後再試" in down.value.zh
    with pytest.raises(CentreDown):
        centre.check_carrier("/ABC+123")
    assert issued(standin) == []


def test_a_held_answer_is_centre_down_within_the_clients_time_out(centre, standin):
    sale = a_sale()
    set_mode(standin, "timeout")
    started = time.monotonic()
    with pytest.raises(CentreDown):
        centre.issue(sale)
    waited = time.monotonic() - started
    assert TIMEOUT * 0.9 <= waited < TIMEOUT + 0.5

    set_mode(standin, "ok")  # it was issued while the answer was held: the retry finds it
    assert centre.issue(sale).number == issued(standin)[0]["InvoiceNo"]
    assert len(issued(standin)) == 1


def test_a_centre_that_is_not_listening_is_centre_down(account):
    nobody = EinvoiceStandin({})
    url = nobody.url
    nobody.server_close()  # the port is free again: nothing answers there
    with pytest.raises(CentreDown):
        ECPayCentre(url, *account, timeout=TIMEOUT).issue(a_sale())


def test_the_local_stage_without_a_named_centre_asks_nobody_and_waits(account, monkeypatch):
    """A local run with no stand-in named (plain pytest) never sends its made-up keys to ECPay:
    the centre is down to it, and its invoices stay queued. A cloud stage has ECPay's host."""
    monkeypatch.delenv("SL_EINVOICE_API", raising=False)
    monkeypatch.setenv("SL_STAGE", "local")
    aws.reset()
    try:
        assert settings().einvoice_api_base is None
        with pytest.raises(CentreDown) as down:
            ECPayCentre(settings().einvoice_api_base, *account).issue(a_sale())
        assert "no value-added centre" in down.value.detail
        monkeypatch.setenv("SL_STAGE", "prod")
        aws.reset()
        assert settings().einvoice_api_base == "https://einvoice.ecpay.com.tw"
    finally:
        monkeypatch.undo()
        aws.reset()


def test_a_carrier_the_centre_refuses_is_refused_in_its_words(centre, standin):
    # A citizen certificate stores the invoice: ECPay will not also print it.
    sale = a_sale(carrier_type="certificate", carrier_number="AB12345678901234", print=True,
                  issued_for=IssuedFor(name="王小明", email="ming@example.tw",
                                       address="台北市"))
    with pytest.raises(CentreRefused) as refused:
        centre.issue(sale)
    assert "載具" in refused.value.message_zh
    assert refused.value.centre_code not in ("1", "5070357")
    assert refused.value.status == 422 and "載具" in refused.value.zh
    assert issued(standin) == []


def test_a_malformed_carrier_never_reaches_the_centre(centre, standin):
    with pytest.raises(Invalid) as invalid:
        centre.issue(a_sale(carrier_number="/abc+12"))
    assert "載具" in invalid.value.zh
    assert standin.calls == []


def test_items_that_do_not_add_up_never_reach_the_centre(centre, standin):
    with pytest.raises(Invalid):
        centre.issue(a_sale(total=1000, sales=952, tax=48))
    assert standin.calls == []


def test_a_wrong_key_is_refused_by_the_centre(standin, account):
    merchant_id, _, iv = account
    with pytest.raises(CentreRefused) as refused:
        ECPayCentre(standin.url, merchant_id, _random(), iv, timeout=TIMEOUT).issue(a_sale())
    assert "解密" in refused.value.message_zh
    assert issued(standin) == []


def test_a_mobile_barcode_is_checked_with_the_centre(centre, standin):
    assert centre.check_carrier("/ABC+123")
    assert not centre.check_carrier("/ZZZ9999")
    calls = len(standin.calls)
    assert not centre.check_carrier("/abc")  # not even asked
    assert len(standin.calls) == calls
    requests.post(f"{standin.url}/_barcodes", json={"barcode": "/ZZZ9999"}, timeout=5)
    assert centre.check_carrier("/ZZZ9999")


def test_an_invoice_is_voided_once(centre, standin):
    invoice = centre.issue(a_sale())
    centre.void(invoice.number, invoice.issued_at, "客戶取消維修")
    [kept] = issued(standin)
    assert kept["Invalid"] is True
    with pytest.raises(CentreRefused) as refused:
        centre.void(invoice.number, invoice.issued_at, "客戶取消維修")
    assert "已作廢" in refused.value.message_zh


def test_an_allowance_gives_back_part_and_leaves_the_rest(centre, standin):
    invoice = centre.issue(a_sale())
    allowed = centre.allowance(invoice.number, invoice.issued_at,
                               [Item("機油濾芯 退貨", 1, "個", 250, 250)], 250,
                               notify_email="ming@example.tw")
    assert len(allowed.number) == 16
    assert (allowed.amount, allowed.remaining) == (250, 800)
    assert issued(standin)[0]["RemainAllowance"] == 800

    with pytest.raises(CentreRefused):  # more than is left
        centre.allowance(invoice.number, invoice.issued_at,
                         [Item("機油更換 退款", 1, "式", 900, 900)], 900)
    with pytest.raises(CentreRefused) as refused:  # an invoice with an allowance stays
        centre.void(invoice.number, invoice.issued_at, "重開")
    assert "折讓" in refused.value.message_zh


def test_eight_tablets_issuing_one_sale_at_once_make_one_invoice(centre, standin):
    sale = a_sale()
    start = threading.Barrier(8)
    results, errors = [], []

    def issue():
        start.wait()
        try:
            results.append(centre.issue(sale))
        except Exception as err:  # noqa: BLE001 - the assertion below names it
            errors.append(err)

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len({invoice.number for invoice in results}) == 1 and len(results) == 8
    assert len(issued(standin)) == 1
    # One issued; the seven others were told the number was used, and looked it up.
    assert sum(call["path"] == "/B2CInvoice/GetIssue" for call in standin.calls) == 7


def missing(name: str) -> str:
    raise secrets_store.Missing(name)


def test_a_shops_centre_uses_its_own_account_from_the_secrets(standin, account, tmp_path,
                                                              monkeypatch):
    shop_id = f"shop{uuid.uuid4().hex[:8]}"
    for name, value in zip(("merchant-id", "hash-key", "hash-iv"), account):
        (tmp_path / f"einvoice__{shop_id}__{name}").write_text(value)
    monkeypatch.setenv("SL_SECRETS_DIR", str(tmp_path))
    monkeypatch.setenv("SL_EINVOICE_API", standin.url)
    aws.reset()
    try:
        assert centre_for(shop_id).check_donation_code("168001")
        monkeypatch.setattr(secrets_store, "get", missing)  # as SSM answers without them
        with pytest.raises(Conflict) as refused:
            centre_for("shop-without-an-account")
        assert refused.value.code == "einvoice_not_set_up"
    finally:
        monkeypatch.undo()
        aws.reset()


def test_a_shops_local_account_made_by_many_at_once_is_one_whole_account(tmp_path, monkeypatch):
    """The first use of a shop's local account (each value made and written once) by tries at
    the same moment: each reads the same whole value, never a file half written."""
    monkeypatch.setenv("SL_SECRETS_DIR", str(tmp_path))
    aws.reset()
    start = threading.Barrier(12)

    def read(_):
        start.wait()
        return tuple(secrets_store.get(f"einvoice/shop-race/{name}")
                     for name in ("merchant-id", "hash-key", "hash-iv", "qr-key"))

    try:
        with ThreadPoolExecutor(12) as pool:
            seen = set(pool.map(read, range(12)))
        assert len(seen) == 1
        merchant_id, key, iv, qr_key = seen.pop()
        assert re.fullmatch(r"\d{7}", merchant_id) and len(key) == len(iv) == 16
        assert re.fullmatch(r"[0-9a-f]{32}", qr_key)
        assert sorted(path.name for path in tmp_path.iterdir()) == [
            "einvoice__shop-race__hash-iv", "einvoice__shop-race__hash-key",
            "einvoice__shop-race__merchant-id", "einvoice__shop-race__qr-key"]
    finally:
        monkeypatch.undo()
        aws.reset()
