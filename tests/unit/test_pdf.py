"""The paper copy of a signed document: what the customer reads on it, page by page.

The PDF is read back with poppler's pdftotext / pdffonts / pdftoppm and the QR code decoded with
zbarimg (Debian poppler-utils and zbar-tools: `devstack/system-deps.sh pdf`). Page 1 of each kind
is also written to docs/screenshots/document-<kind>.png by `make screenshots`, to look at.
"""
from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest

from chalicelib.core import money
from chalicelib.work import pdf
from tests import screenshots

HASH = "3f6c1e0a9b87d2c4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8091a2b3c4d"
PREVIOUS = "9a8b7c6d5e4f30211f2e3d4c5b6a79880716253443526170f8e9dacbbcad9e8f"
VERIFY_URL = f"https://servicelane.example.tw/api/verify/{HASH}"


TITLES = {"authorization": {"zh": "委修確認單", "en": "Service authorization"},
          "estimate": {"zh": "追加估價單", "en": "Additional work estimate"},
          "checkout": {"zh": "結帳清單", "en": "Checkout list"}}


# --- builders ---

def a_line(number: int, kind: str = "part", **extra) -> dict:
    """A DocLine; parts and labour priced so that amounts are easy to add up."""
    line = {"line_id": f"line-{number:02d}", "kind": kind, "origin": "authorization"}
    if kind == "labour":
        line.update(description="更換機油工資", hours="0.5", rate=1200, amount=600)
    elif kind == "part":
        line.update(description="機油 5W-30 全合成 1L", part_number="08880-83715",
                    quantity="4", unit_price=450, amount=1800)
    else:
        line.update(description="會員折扣", amount=-300)
    line.update(extra)
    return line


def ten_lines() -> list[dict]:
    """A realistic 40,000 km service: 10 lines, NT$ 12,000 as the customer pays it (tax
    included)."""
    return [
        a_line(1, "labour", description="四萬公里定期保養工資", hours="2.5", rate=1200, amount=3000),
        a_line(2, description="機油 5W-30 全合成 1L", quantity="4", unit_price=450, amount=1800),
        a_line(3, description="機油濾芯", part_number="90915-YZZD4", quantity="1",
               unit_price=380, amount=380),
        a_line(4, description="空氣濾芯", part_number="17801-0T040", quantity="1",
               unit_price=620, amount=620),
        a_line(5, description="冷氣濾網（活性碳）", part_number="87139-0D020", quantity="1",
               unit_price=750, amount=750),
        a_line(6, description="前煞車來令片", part_number="04465-02340", quantity="1",
               unit_price=3600, amount=3600),
        a_line(7, "labour", description="前煞車來令片更換、煞車系統清潔潤滑", hours="1",
               rate=1200, amount=1200),
        a_line(8, description="雨刷膠條", part_number="", quantity="2",
               unit_price=0, amount=0, customer_supplied=True),
        a_line(9, description="煞車油 DOT4 1L", part_number="08823-80004", quantity="1",
               unit_price=950, amount=950),
        a_line(10, "discount", description="會員折扣", amount=-300),
    ]


def a_content(kind: str = "authorization", lines: list[dict] | None = None, **extra) -> dict:
    """A document's Content as docs/api.md describes it (signatures.py draws it up)."""
    lines = ten_lines() if lines is None else lines
    content = {
        "kind": kind, "version": 1, "title": TITLES[kind],
        "shop": {"name": "順安汽車保養廠", "phone": "02-2918-3456",
                 "address": "新北市新店區中正路 123 號"},
        "order": {"order_id": "order-1", "number": "20261129-007",
                  "created_at": "2026-11-29T01:12:00.000Z",
                  "promised_at": "2026-11-29T09:30:00.000Z", "waits_in_shop": False,
                  "concerns": ["冷車發動時有異音", "煞車時方向盤抖動", "四萬公里定期保養"],
                  "mileage_km": 40312, "old_parts": "take_back"},
        "customer": {"name": "陳美玲", "mobile": "0912-345-678"},
        "vehicle": {"plate": "ABC-1234", "vin": "JTDBR32E720012345", "make": "Toyota",
                    "model": "Corolla Altis", "year": 2019, "fuel_eighths": 3},
        "lines": lines,
        "totals": money.totals(line["amount"] for line in lines),
        "terms": [{"zh": "本廠僅依本單所列項目及金額施工；如需追加項目或超出同意金額，須另經車主同意"
                         "（汽車維修定型化契約）。",
                   "en": "The shop works only on the items and amount above; any added item or "
                         "overrun needs the owner's new consent (repair standard contract)."},
                  {"zh": "請勿將貴重物品留置車內；車內物品遺失本廠恕不負責。",
                   "en": "Please take valuables out of the vehicle; the shop is not liable for "
                         "items left inside."}],
    }
    if kind == "authorization":
        content["privacy"] = {
            "version": "2026-11",
            "zh": "依個人資料保護法第8條告知：本廠為維修服務、聯繫取車、保固及法定紀錄之目的，蒐集您的"
                  "姓名、電話、車籍及維修資料，於服務期間及法定保存期間內於台灣利用。",
            "en": "Notice under §8 of the Personal Data Protection Act: the shop collects your "
                  "name, phone, vehicle and repair data to service the vehicle."}
        content["inspection"] = {
            "lights": [{"code": "check_engine", "colour": "amber", "zh": "引擎故障燈",
                        "en": "Check engine"},
                       {"code": "tpms", "colour": "amber", "zh": "胎壓警示燈",
                        "en": "Tyre pressure"}],
            "items": [{"zh": "左前輪", "en": "Left front tyre", "colour": "red",
                       "note": "1.4 mm"},
                      {"zh": "前煞車", "en": "Front brakes", "colour": "yellow",
                       "note": "4 mm"},
                      {"zh": "雨刷", "en": "Wipers", "colour": "yellow", "note": "刮不乾淨"}],
            "damage": [{"zh": "刮傷", "en": "Scratch", "note": "右後保險桿"},
                       {"zh": "凹陷", "en": "Dent", "note": "左前車門"}]}
    elif kind == "estimate":
        content["consented_total"] = 12000
        content["consented_amount"] = 12000
    else:
        content["declined"] = [a_line(11, description="輪胎 205/55R16（四條）",
                                      part_number="", quantity="4", unit_price=3200,
                                      amount=12800, origin="additional")]
        content["consented_total"] = 12000
        content["warranty"] = {"months": 12, "km": 20000}
        content["road_test"] = {"done": True, "note": "異音已排除"}
        content["parts"] = [{"code": "K7MX4QPA", "part_name": "機油濾芯", "quantity": 1,
                             "unit": "piece", "state": "returned_to_customer",
                             "wish": "take_back"},
                            {"code": "W3RT9HNB", "part_name": "廢機油", "quantity": "4.5",
                             "unit": "litre", "state": "held", "wish": "dispose"}]
    content.update(extra)
    return content


def an_estimate() -> dict:
    lines = [a_line(1, description="左前輪胎 205/55R16", quantity="1", unit_price=3200,
                    amount=3200, origin="additional", decision="approved"),
             a_line(2, "labour", description="輪胎拆裝、平衡", hours="0.5", rate=1200,
                    amount=600, origin="additional", decision="approved"),
             a_line(3, description="雨刷片（前）", part_number="85222-02120", quantity="2",
                    unit_price=400, amount=800, origin="additional", decision="declined")]
    return a_content("estimate", lines, new_total=15800)


def a_signature(kind: str = "authorization", method: str = "in_person") -> dict:
    return {"signature_id": "sig-0a1b2c3d4e5f", "kind": kind, "version": 1, "hash": HASH,
            "previous_hash": PREVIOUS if kind != "authorization" else None,
            "signed_at": "2026-11-29T06:05:00.000Z", "signer_name": "陳美玲", "method": method,
            "witness": {"staff_id": "staff-1", "name": "王志明"}, "verify_url": VERIFY_URL,
            "title": TITLES[kind]}


def a_signature_png(width: int = 600, height: int = 200) -> bytes:
    """A handwritten-looking signature: ink strokes on a transparent pad, as signatures.draw
    makes them."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    pen = ImageDraw.Draw(image)
    ink = (20, 30, 70, 255)
    strokes = [[(60, 120), (90, 60), (110, 140), (140, 70), (160, 130)],
               [(190, 80), (230, 75), (215, 150), (250, 120)],
               [(290, 60), (300, 150), (330, 90), (370, 140), (400, 70), (420, 130)],
               [(450, 110), (540, 95)]]
    for stroke in strokes:
        pen.line(stroke, fill=ink, width=7, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def rendered(kind: str = "authorization", content: dict | None = None) -> bytes:
    content = content or (an_estimate() if kind == "estimate" else a_content(kind))
    return pdf.render(content, a_signature(kind), a_signature_png())


def text_of(document: bytes, tmp_path: Path, mode: str = "-layout") -> str:
    """The text as laid out on the page, or with `mode="-raw"` in the order it was drawn (a
    table's cells row by row)."""
    path = tmp_path / "document.pdf"
    path.write_bytes(document)
    return subprocess.run(["pdftotext", mode, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def flat(text: str) -> str:
    """pdftotext's text without spaces (it spaces CJK glyphs as they are laid out)."""
    return re.sub(r"\s+", "", text)


# --- tests ---

def test_a_shop_that_prints_roc_years_gets_them_on_the_signed_document(tmp_path):
    content = a_content("authorization")
    document = pdf.render(content, a_signature("authorization"), a_signature_png(), roc=True)
    squeezed = flat(text_of(document, tmp_path))
    assert "民國115年11月29日14:05" in squeezed and "2026-11-29" not in squeezed


def test_a_draft_says_so_on_every_page_and_has_no_signature(tmp_path):
    squeezed = flat(text_of(pdf.render(a_content("authorization"), None, None), tmp_path))
    assert "草稿，尚未簽署" in squeezed and "草稿，未簽署Draft,notsigned" in squeezed
    assert HASH not in squeezed and "掃描QR碼" not in squeezed


@pytest.mark.parametrize("kind", ["authorization", "estimate", "checkout"])
def test_each_kind_shows_the_customer_the_vehicle_the_total_and_the_hash(kind, tmp_path, caplog):
    text = text_of(rendered(kind), tmp_path)
    assert "missing the following glyphs" not in caplog.text  # no box in place of a character
    squeezed = flat(text)
    assert TITLES[kind]["zh"] in squeezed and TITLES[kind]["en"] in text
    for shown in ("陳美玲", "0912-345-678", "順安汽車保養廠", "20261129-007",
                  "王志明", "2026-11-2914:05", "現場簽署"):
        assert shown in squeezed, shown
    assert "ABC-1234" in text and HASH in text
    assert re.search(r"第1頁，共\d頁", squeezed) and re.search(r"Page 1 of \d", text)
    assert "掃描QR碼可驗證本文件未經竄改" in squeezed


def test_the_authorization_carries_lines_totals_walkaround_and_the_privacy_notice(tmp_path):
    squeezed = flat(text_of(rendered("authorization"), tmp_path))
    # The lines' sum is the total: nothing added; the tax it holds beneath it.
    assert "合計（含稅）Total,taxincluded" in squeezed and "NT$12,000" in squeezed
    assert "內含營業稅" in squeezed and "NT$571" in squeezed
    assert "12,600" not in squeezed and "銷售額" not in squeezed
    for shown in ("四萬公里定期保養工資", "90915-YZZD4", "2.5h", "客戶自備", "-300",
                  "JTDBR32E720012345", "40,312km", "3/8", "2026-11-2917:30",
                  "取回舊品", "客戶先離開", "冷車發動時有異音",
                  "引擎故障燈", "左前輪", "1.4mm", "右後保險桿",
                  "個資法第8條", "2026-11"):
        assert shown in squeezed, shown


def test_the_estimate_shows_each_decision_and_the_new_consented_total(tmp_path):
    squeezed = flat(text_of(rendered("estimate"), tmp_path, "-raw"))
    assert re.search("左前輪胎205/55R16.*?3,200同意Approved", squeezed)
    assert re.search("輪胎拆裝、平衡.*?600同意Approved", squeezed)
    assert re.search("雨刷片（前）.*?800不同意Declined", squeezed)
    assert "原同意金額" in squeezed and "NT$12,000" in squeezed
    assert "同意後總金額" in squeezed and "NT$15,800" in squeezed
    assert "同意追加" in squeezed and "NT$3,800" in squeezed  # the approved lines, as priced


def test_the_checkout_shows_declined_lines_warranty_and_road_test(tmp_path):
    squeezed = flat(text_of(rendered("checkout"), tmp_path))
    for shown in ("未施作項目", "輪胎205/55R16（四條）", "12,800", "12個月或20,000公里",
                  "已完成", "異音已排除", "已同意金額", "未超過同意金額", "舊品處理",
                  "K7MX4QPA", "機油濾芯", "已交還客戶", "4.5公升", "交由本店處理"):
        assert shown in squeezed, shown


def test_a_business_buyers_checkout_splits_the_same_total_into_sales_and_tax(tmp_path):
    content = a_content("checkout")
    content["order"]["buyer"] = {"tax_id": "22099131", "title": "順安物流股份有限公司"}
    squeezed = flat(text_of(rendered("checkout", content), tmp_path))
    assert "順安物流股份有限公司" in squeezed and "22099131" in squeezed
    assert "銷售額" in squeezed and "NT$11,429" in squeezed   # 12,000 ÷ 1.05, half-up
    assert "稅額（5%）" in squeezed and "NT$571" in squeezed    # the rest: 11,429 + 571
    assert "合計（含稅）" in squeezed and "NT$12,000" in squeezed


def test_a_document_signed_before_prices_included_tax_shows_its_figures(tmp_path):
    """Its content was frozen with the tax added on top: the total paid, and the tax in it."""
    content = a_content("authorization", totals={"subtotal": 12000, "tax": 600, "total": 12600})
    squeezed = flat(text_of(rendered("authorization", content), tmp_path))
    assert "NT$12,600" in squeezed and "NT$600" in squeezed


def test_a_document_without_the_optional_parts_still_reads_whole(tmp_path):
    """No VIN, year, mileage, fuel, promised time, concerns or walk-around; long texts wrap."""
    content = a_content(lines=[a_line(1, description="檢查冷氣不冷、異音及漏水，" * 6,
                                      part_number="")])
    content["order"] = {key: content["order"][key]
                        for key in ("order_id", "number", "created_at", "waits_in_shop")}
    content["order"]["concerns"] = []
    content["vehicle"] = {"plate": "ABC-1234", "make": "Toyota", "model": "Altis"}
    content["shop"]["address"] = "新北市新店區中正路 123 號之 5 一樓（大坪林捷運站 1 號出口旁，" * 2
    del content["inspection"]
    document = pdf.render(content, {**a_signature(), "witness": None}, a_signature_png())
    squeezed = flat(text_of(document, tmp_path, "-raw"))
    assert "陳美玲" in squeezed and "ABC-1234" in squeezed and "交車時決定" in squeezed
    assert squeezed.count("檢查冷氣不冷、異音及漏水") == 6
    assert "檢修確認摘要" not in squeezed
    # The signature block is never split: its last row is on the page its first is.
    last_page = [page for page in text_of(document, tmp_path).split("\f") if page.strip()][-1]
    assert "客戶簽名" in flat(last_page) and "sig-0a1b2c3d4e5f" in last_page


def test_a_remote_signature_says_so(tmp_path):
    document = pdf.render(a_content(), a_signature(method="remote"), a_signature_png())
    assert "遠端簽署" in flat(text_of(document, tmp_path))


def test_many_lines_run_onto_more_pages_each_with_its_footer(tmp_path):
    lines = [a_line(n, description=f"第 {n} 項零件", amount=100, quantity="1",
                    unit_price=100) for n in range(1, 61)]
    document = rendered("authorization", a_content(lines=lines))
    pages = text_of(document, tmp_path).split("\f")
    pages = [page for page in pages if page.strip()]
    count = len(pages)
    assert count >= 2
    for number, page in enumerate(pages, 1):
        assert f"第{number}頁，共{count}頁" in flat(page)
        assert f"Page {number} of {count}" in page
        assert "20261129-007" in page and HASH[:16] in page
    # The table's headings repeat on the pages it runs onto.
    assert "項目" in flat(pages[1]) and "第60項零件" in flat(text_of(document, tmp_path))


def test_the_font_is_embedded_as_a_subset_and_the_file_stays_small(tmp_path):
    document = rendered("authorization")
    assert len(document) < 300_000
    cjk = [row for row in embedded_fonts(document, tmp_path) if "NotoSansCJKTC" in row]
    assert len(cjk) == 2  # regular and bold; the rare face only when a character needs it
    for row in cjk:
        name, emb, sub = row.split()[0], row.split()[-5], row.split()[-4]
        assert re.match(r"[A-Z]{6}\+", name) and emb == "yes" and sub == "yes", row


def test_a_name_beyond_the_common_characters_is_printed_not_boxed(tmp_path, caplog):
    """林喆堃: 喆 and 堃 are not among Big5's common characters; the rare face steps in."""
    content = a_content(customer={"name": "林喆堃", "mobile": "0912-345-678"})
    document = pdf.render(content, {**a_signature(), "signer_name": "林喆堃"}, a_signature_png())
    assert flat(text_of(document, tmp_path)).count("林喆堃") == 2
    assert "missing the following glyphs" not in caplog.text
    assert sum("NotoSansCJKTC" in row for row in embedded_fonts(document, tmp_path)) == 3


def embedded_fonts(document: bytes, tmp_path: Path) -> list[str]:
    """pdffonts' rows (name, type, encoding, emb, sub, uni, object, generation)."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(document)
    return subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                          text=True).stdout.splitlines()[2:]


def test_the_qr_code_leads_to_the_verify_page(tmp_path):
    path = tmp_path / "document.pdf"
    path.write_bytes(rendered("checkout"))
    pages = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                           text=True).stdout
    last = int(re.search(r"Pages:\s+(\d+)", pages).group(1))
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", str(last), "-l", str(last),
                    str(path), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True,
                             text=True).stdout.strip()
    assert decoded == VERIFY_URL


@pytest.mark.parametrize("kind", ["authorization", "estimate", "checkout"])
def test_page_one_of_each_kind_as_a_screenshot(kind, tmp_path):
    """docs/screenshots/document-<kind>.png: what the printed page looks like."""
    path = tmp_path / "document.pdf"
    path.write_bytes(rendered(kind))
    target = screenshots.folder() / f"document-{kind}"
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(path), str(target)], check=True)
    from PIL import Image

    from chalicelib.work.signatures import TITLES

    with Image.open(target.with_suffix(".png")) as page:
        assert page.size == (827, 1170)  # A4 at 100 dpi: the whole page, not a blank or a crop
        assert len(page.convert("L").getcolors(256) or []) > 8  # drawn on, not empty white
    page_one = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
    assert TITLES[kind]["zh"] in flat(page_one)
