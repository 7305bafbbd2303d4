"""The 電子發票證明聯 drawn for a 57 mm thermal printer (chalicelib/work/invoice_print.py), read
back by a real decoder: zbarimg (Debian zbar-tools) on the PNG and on the PDF rendered at 300 dpi
by pdftoppm, and pdftotext on the PDF (poppler-utils; `devstack/system-deps.sh pdf`).

The codes are decoded one at a time: the barcode with only Code 39 enabled, each QR code from its
own half of the paper (they sit side by side). QR codes are read as bytes (-Sbinary) and decoded
as UTF-8, as the left code's encoding field (1) tells a reader to: the QR code carries no ECI,
so zbar's own guess at the charset would take a short UTF-8 text for Shift JIS.
`make screenshots` also writes docs/screenshots/einvoice-proof-*.png, to look at.
"""
from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image

from chalicelib.core import einvoice_codes as codes
from chalicelib.work import invoice_print
from tests import screenshots

KEY = "FE05F029154F6AA67A78B338ED2F6601"
SHOP = "大安汽車保養廠"


def a_consumers_invoice() -> codes.ProofInvoice:
    return codes.ProofInvoice(
        number="AB12345678", random_code="1234", issued_at=datetime(2026, 12, 7, 15, 30, 12),
        total=1050, sales=1000, tax=50, seller_tax_id="24549210", buyer_tax_id=None,
        items=[("機油更換 5W-30", 4, 250), ("機油濾芯", 1, 50)], seller_name=SHOP)


def a_business_invoice(printed_again: bool = False) -> codes.ProofInvoice:
    return codes.ProofInvoice(
        number="CD87654321", random_code="0592", issued_at=datetime(2026, 12, 7, 9, 5, 3),
        total=26250, sales=25000, tax=1250, seller_tax_id="24549210", buyer_tax_id="12345675",
        items=[("煞車來令片（前）", 1, 3200), ("煞車碟盤研磨", 2, 900), ("工資", 3, 800),
               ("冷氣濾網", 1, 450), ("雨刷", 2, 380)],
        seller_name=SHOP, printed_again=printed_again)


KINDS = {"b2c": a_consumers_invoice, "b2b": a_business_invoice}


def decoded(image: Path, tmp_path: Path) -> dict[str, str]:
    """The barcode's text and each QR code's, read by zbarimg."""
    bars = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Scode39.enable", str(image)],
                          capture_output=True, text=True)
    assert bars.returncode == 0, bars.stderr
    found = {"barcode": bars.stdout.strip()}
    with Image.open(image) as page:
        width, height = page.size
        halves = {"left": (0, 0, width // 2, height), "right": (width // 2, 0, width, height)}
        for side, box in halves.items():
            path = tmp_path / f"{image.stem}-{side}.png"
            page.crop(box).save(path)
            qr = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable",
                                 "-Sbinary", str(path)], capture_output=True)
            assert qr.returncode == 0, qr.stderr
            found[side] = qr.stdout.decode("utf-8").rstrip("\n")
    return found


def rasterised(document: bytes, tmp_path: Path, name: str) -> Path:
    (tmp_path / f"{name}.pdf").write_bytes(document)
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", str(tmp_path / f"{name}.pdf"),
                    str(tmp_path / f"{name}-page")], check=True, capture_output=True)
    return tmp_path / f"{name}-page.png"


def assert_codes_hold_the_invoice(found: dict[str, str], inv: codes.ProofInvoice) -> None:
    assert found["barcode"] == codes.period_code(inv.issued_at) + inv.number + inv.random_code
    left, right = found["left"], found["right"]
    assert left[:10] == inv.number
    assert left[10:17] == "115" + inv.issued_at.strftime("%m%d")
    assert left[17:21] == inv.random_code
    assert int(left[21:29], 16) == inv.sales and int(left[29:37], 16) == inv.total
    assert left[37:45] == (inv.buyer_tax_id or "00000000")
    assert left[45:53] == inv.seller_tax_id
    assert left[53:77] == codes.verification(inv.number, inv.random_code, KEY)
    shop_area, recorded, total, encoding, *first = left[77:].split(":")[1:]
    assert (shop_area, encoding) == ("**********", "1")
    assert int(recorded) == int(total) == len(inv.items)
    assert right.startswith("**")
    fields = [field for field in [*first, *right[2:].split(":")] if field]
    assert [tuple(fields[at:at + 3]) for at in range(0, len(fields), 3)] == [
        (name, str(quantity), str(price)) for name, quantity, price in inv.items]


@pytest.mark.parametrize("kind", KINDS)
def test_the_png_prints_codes_a_reader_decodes_to_the_invoice(kind, tmp_path):
    inv = KINDS[kind]()
    png = invoice_print.proof_png(inv, KEY, SHOP)
    path = tmp_path / f"einvoice-proof-{kind}.png"
    path.write_bytes(png)
    with Image.open(path) as image:
        assert image.mode == "1"  # pure black dots, no grey
        assert image.width == 456 and round(image.info["dpi"][0]) == 203
        assert image.height >= 718  # the spec's 9 cm at least
    assert_codes_hold_the_invoice(decoded(path, tmp_path), inv)
    (screenshots.folder() / path.name).write_bytes(png)


@pytest.mark.parametrize("kind", KINDS)
def test_the_pdf_is_57_mm_wide_with_real_text_and_codes_that_decode(kind, tmp_path):
    inv = KINDS[kind]()
    document = invoice_print.proof_pdf(inv, KEY, SHOP)
    (tmp_path / "proof.pdf").write_bytes(document)
    info = subprocess.run(["pdfinfo", str(tmp_path / "proof.pdf")], capture_output=True,
                          text=True, check=True).stdout
    width_pt = float(info.split("Page size:")[1].split()[0])
    assert width_pt * 25.4 / 72 == pytest.approx(57, abs=0.2)
    text = subprocess.run(["pdftotext", str(tmp_path / "proof.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert inv.number_written in text and "115年11-12月" in text
    assert "電子發票證明聯" in text and f"隨機碼 {inv.random_code}" in text
    assert ("格式 25" in text and "買方 12345675" in text) == (kind == "b2b")
    page = rasterised(document, tmp_path, f"proof-{kind}")
    assert_codes_hold_the_invoice(decoded(page, tmp_path), inv)
    if kind == "b2c":
        (screenshots.folder() / "einvoice-proof-pdf.png").write_bytes(page.read_bytes())


def test_a_copy_printed_again_says_so(tmp_path):
    document = invoice_print.proof_pdf(a_business_invoice(printed_again=True), KEY, SHOP)
    (tmp_path / "again.pdf").write_bytes(document)
    text = subprocess.run(["pdftotext", str(tmp_path / "again.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "電子發票證明聯補印" in text


def test_the_barcode_and_qr_modules_are_whole_printer_dots():
    """Narrow bars one dot, wide three; every QR module the same whole number of dots, both
    codes the same size and within the printable 48 mm."""
    inv = a_business_invoice()
    bars = invoice_print.barcode_image(codes.barcode_text(inv), 40)
    row = [bars.getpixel((x, 0)) for x in range(bars.width)]
    runs, count = [], 1
    for before, after in zip(row, row[1:]):
        if before == after:
            count += 1
        else:
            runs.append(count)
            count = 1
    assert set(runs[1:]) == {1, 3}  # after the quiet zone: narrow 1 dot, wide 3 (ratio 3:1)
    left, right = invoice_print.qr_images(codes.left_qr(inv, KEY), codes.right_qr(inv))
    assert left.size == right.size
    assert 2 * left.width <= invoice_print.dots(invoice_print.PRINTABLE_MM)


def test_a_long_list_of_items_still_prints_two_codes_that_decode(tmp_path):
    items = [(f"原廠零件第{number:03d}號（前輪用）", 1, 100 + number) for number in range(40)]
    inv = codes.ProofInvoice(
        number="EF11112222", random_code="7777", issued_at=datetime(2026, 12, 7, 18, 0),
        total=sum(price for _, _, price in items), sales=0, tax=0, seller_tax_id="24549210",
        buyer_tax_id=None, items=items, seller_name=SHOP)
    path = tmp_path / "long.png"
    path.write_bytes(invoice_print.proof_png(inv, KEY, SHOP))
    found = decoded(path, tmp_path)
    left, right = codes.split(inv, KEY)
    assert (found["left"], found["right"]) == (left, right)
    assert left.split(":")[2:4] != ["40", "40"] and left.split(":")[3] == "40"
