"""The paper copy of a signed document: an A4 PDF in Traditional Chinese, English beside.

The advisor prints it and the customer keeps it (docs/design.md §7, paper habits), so it shows all
the customer consented to, the signature with how it was made, and the SHA-256 with a QR code
of the verify link: anyone holding the paper can check it against the server's record.

fpdf2 sets it, with Noto Sans CJK TC embedded as a subset (chalicelib/work/fonts.py); fpdf2, qrcode
and Pillow are imported here, inside functions, never on the API Lambda's cold start.
"""
from __future__ import annotations

import io
import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from chalicelib.core import clock, money, phones
from chalicelib.core.dates import paper_date
from chalicelib.models import GRADE_NAMES
from chalicelib.work import fonts, inspections, parts
from chalicelib.work.labels import grouped

FONT = "notosanstc"
RARE = "notosanstc-rare"
MONO = "Courier"  # the hash is hexadecimal: a core PDF font, nothing to embed
MARGIN = 14  # mm
FOOTER_MM = 16
PAGES = "¤"  # fpdf2's alias, replaced by the page count when the document is closed

INK = (33, 37, 41)
GREY = (108, 117, 125)
RULE = (200, 204, 208)
BAND = (236, 239, 242)
COLOURS = {"red": (200, 35, 51), "amber": (224, 150, 0), "yellow": (224, 170, 0),
           "green": (25, 135, 84), "blue": (13, 110, 253)}

KIND_NAMES = {"labour": "工資", "part": "零件", "discount": "折扣"}
OLD_PARTS = {"take_back": ("取回舊品", "Take back old parts"),
             "dispose": ("由本廠處理", "Shop disposes of them"),
             "decide_at_delivery": ("交車時決定", "Decide at delivery")}
METHODS = {"in_person": ("現場簽署", "In person"), "remote": ("遠端簽署", "Remote")}
DECISIONS = {"approved": ("同意", "Approved", COLOURS["green"]),
             "declined": ("不同意", "Declined", COLOURS["red"])}


def render(content: dict, signature: dict | None, signature_png: bytes | None,
           roc: bool = False) -> bytes:
    """The signed document `content` (docs/api.md "Content") with its `signature` (Signature)
    and the signature's picture, as PDF bytes; without a signature, the draft to read before
    signing (marked so on every page). `roc`: dates in 民國 years (core/dates.py)."""
    every_text = json.dumps([content, signature], ensure_ascii=False)
    pdf = _document_class()(content, signature, rare=not fonts.covers(every_text))
    pdf.roc = roc
    pdf.add_page()
    _header(pdf, content)
    _parties(pdf, content)
    _concerns(pdf, content)
    if content.get("inspection"):
        _walkaround(pdf, content["inspection"])
    _lines(pdf, content)
    _totals(pdf, content)
    if content["kind"] == "checkout":
        _checkout_extras(pdf, content)
    _terms(pdf, content)
    if signature is None:
        _draft_block(pdf)
    else:
        _signature_block(pdf, signature, signature_png)
    return bytes(pdf.output())


@lru_cache(maxsize=1)
def _document_class() -> type:
    """An FPDF with the font, the colours and the footer of every page; made on first use so
    fpdf2 is imported only where a PDF is drawn."""
    from fpdf import FPDF

    class SignedDocument(FPDF):
        def __init__(self, content: dict, signature: dict | None, rare: bool) -> None:
            super().__init__(orientation="P", unit="mm", format="A4")
            self.roc = False
            self.footer_text = (f"工單 Order {content['order']['number']} · " + (
                f"SHA-256 {signature['hash'][:16]}…" if signature else
                "草稿，未簽署 Draft, not signed"))
            self.add_font(FONT, "", str(fonts.font_path("regular")))
            self.add_font(FONT, "B", str(fonts.font_path("bold")))
            if rare:  # a character beyond the common ones, e.g. in a name: 林喆
                self.add_font(RARE, "", str(fonts.font_path("rare")))
                self.set_fallback_fonts([RARE], exact_match=False)
            for font in self.fonts.values():
                # Each glyph's bounds were computed when the font was built: copied as they are
                # into the subset, not decoded and re-encoded, writing the PDF is 4x faster.
                font.ttfont.recalcBBoxes = False
            self.set_margins(MARGIN, MARGIN, MARGIN)
            self.set_auto_page_break(True, margin=FOOTER_MM)
            # One character reserves one digit for the page count: no gap after it.
            self.alias_nb_pages(PAGES, align="L")
            self.set_lang("zh-TW")
            self.set_title(f"{content['title']['zh']} {content['order']['number']}")
            self.set_author(content["shop"].get("name") or "ServiceLane")
            self.set_creator("ServiceLane")
            self.set_creation_date(_moment(signature["signed_at"]) if signature else clock.now())
            self.set_text_color(*INK)
            self.set_draw_color(*RULE)
            self.c_margin = 1.2

        def footer(self) -> None:
            self.set_y(-11)
            self.set_draw_color(*RULE)
            self.line(MARGIN, self.get_y() - 1.5, self.w - MARGIN, self.get_y() - 1.5)
            self.set_font(FONT, "", 7.5)
            self.set_text_color(*GREY)
            half = (self.w - 2 * MARGIN) / 2
            self.cell(half, 4, self.footer_text)
            number = self.page_no()
            self.cell(half, 4, f"第 {number} 頁，共 {PAGES} 頁 Page {number} of {PAGES}",
                      align="R")
            self.set_text_color(*INK)

    return SignedDocument


# --- text helpers ---

def _moment(text: str) -> datetime:
    return clock.parse_iso(text).astimezone(clock.SHOP_TIMEZONE)


def when(pdf: Any, text: str | None) -> str:
    """A stored UTC time as the shop's wall clock, `2026-11-29 14:05` (or in 民國 years)."""
    return paper_date(text, pdf.roc, time=True)


def nt(amount: int) -> str:
    return f"{int(amount):,}"


def _font(pdf: Any, size: float, bold: bool = False, colour: tuple = INK) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*colour)


def _pair(pdf: Any, zh: str, en: str, size: float = 9, bold: bool = False,
          h: float = 5.0) -> None:
    """`zh` with its small grey English beside, on the current line (the way the labels read)."""
    _font(pdf, size, bold)
    pdf.cell(pdf.get_string_width(zh) + 1, h, zh)
    if en:
        _font(pdf, size * 0.72, colour=GREY)
        pdf.cell(pdf.get_string_width(en) + 1.5, h, en)
    _font(pdf, size)


def _section(pdf: Any, zh: str, en: str, needs: float = 18) -> None:
    """A grey band naming the part; moves to a new page if not even `needs` mm fit below it."""
    if pdf.get_y() + needs > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(2.5)
    pdf.set_fill_color(*BAND)
    pdf.rect(MARGIN, pdf.get_y(), pdf.epw, 6.5, style="F")
    pdf.set_x(MARGIN + 1)
    _pair(pdf, zh, en, size=10, bold=True, h=6.5)
    pdf.ln(8)


def _dot(pdf: Any, colour: str, h: float = 5.0) -> None:
    """A coloured dot: how the walk-around marks red, yellow and lit lights."""
    pdf.set_fill_color(*COLOURS.get(colour, GREY))
    pdf.ellipse(pdf.get_x() + 0.6, pdf.get_y() + h / 2 - 1.3, 2.6, 2.6, style="F")
    pdf.set_x(pdf.get_x() + 4.2)


# --- the parts of the document ---

def _header(pdf: Any, content: dict) -> None:
    shop, order, title = content["shop"], content["order"], content["title"]
    top = pdf.get_y()
    _font(pdf, 15, bold=True)
    pdf.cell(pdf.epw * 0.58, 8, shop.get("name", ""))
    pdf.ln(8)
    contact = "  ".join(filter(None, [f"電話 {phones.written(shop['phone'])}" if shop.get("phone") else "",
                                      shop.get("address", "")]))
    _font(pdf, 8.5, colour=GREY)
    pdf.multi_cell(pdf.epw * 0.58, 4.2, contact, wrapmode="CHAR")
    below_shop = pdf.get_y()

    pdf.set_xy(MARGIN, top)
    _font(pdf, 19, bold=True)
    pdf.cell(pdf.epw, 9, title["zh"], align="R")
    pdf.set_xy(MARGIN, top + 9)
    _font(pdf, 9, colour=GREY)
    pdf.cell(pdf.epw, 4.5, title["en"], align="R")
    pdf.set_y(max(below_shop, top + 14) + 2)

    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.5)
    pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*RULE)
    pdf.ln(2)
    for zh, en, value in (("工單編號", "Order no.", order["number"]),
                          ("版本", "Version", str(content.get("version", 1))),
                          ("開單時間", "Opened", when(pdf, order.get("created_at")))):
        _pair(pdf, zh, en, size=8.5, h=5)
        _font(pdf, 9.5, bold=True)
        pdf.cell(pdf.get_string_width(value) + 7, 5, value)
    pdf.ln(6)


def _parties(pdf: Any, content: dict) -> None:
    """The customer and the vehicle as a two-column form."""
    order, customer, vehicle = content["order"], content["customer"], content["vehicle"]
    _section(pdf, "客戶與車輛", "Customer & vehicle")
    make = " ".join(filter(None, [vehicle.get("make"), vehicle.get("model")]))
    if vehicle.get("year"):
        make = f"{make}（{vehicle['year']}）"
    mileage = order.get("mileage_km")
    old_zh, old_en = OLD_PARTS.get(order.get("old_parts", "decide_at_delivery"), ("—", ""))
    waits = ("現場等候", "Waits in shop") if order.get("waits_in_shop") else (
        "客戶先離開", "Leaves the car")
    cells = [
        ("車主", "Customer", customer["name"], ""),
        ("手機", "Mobile", phones.written(customer.get("mobile", "")), ""),
        ("車牌", "Plate", vehicle["plate"], ""),
        ("車身號碼", "VIN", vehicle.get("vin") or "—", ""),
        ("廠牌車型", "Make/model", make or "—", ""),
        ("里程", "Mileage", f"{int(mileage):,} km" if mileage is not None else "—", ""),
        ("油量", "Fuel", "", "fuel"),
        ("預定交車", "Promised", when(pdf, order.get("promised_at")), ""),
        ("等候方式", "Waiting", f"{waits[0]} {waits[1]}", ""),
        ("舊品處理", "Old parts", f"{old_zh} {old_en}", ""),
    ]
    buyer = order.get("buyer")
    if buyer:  # a business buyer: the invoice's 買受人
        cells += [("買受人", "Buyer", buyer["title"], ""),
                  ("統一編號", "Tax ID", buyer["tax_id"], "")]
    half = pdf.epw / 2
    label_w = 30
    for index, (zh, en, value, special) in enumerate(cells):
        x = MARGIN + (index % 2) * half
        pdf.set_x(x)
        _pair(pdf, zh, "", size=8.5, h=6)
        _font(pdf, 6.2, colour=GREY)
        pdf.set_x(x + 13.5)
        pdf.cell(label_w - 13.5, 6, en)
        pdf.set_x(x + label_w)
        if special == "fuel":
            _fuel(pdf, vehicle.get("fuel_eighths"))
        else:
            _font(pdf, 10, bold=zh in ("車主", "車牌"))
            pdf.cell(half - label_w - 2, 6, value)
        if index % 2:
            y = pdf.get_y() + 6
            pdf.line(MARGIN, y, pdf.w - MARGIN, y)
            pdf.ln(6.4)
    if len(cells) % 2:
        pdf.ln(6.4)


def _fuel(pdf: Any, eighths: int | None) -> None:
    """Eight cells, as on the paper form's gauge, and the reading in figures."""
    if eighths is None:
        _font(pdf, 10)
        pdf.cell(10, 6, "—")
        return
    x, y = pdf.get_x(), pdf.get_y() + 1.8
    pdf.set_draw_color(*GREY)
    pdf.set_fill_color(*INK)
    for index in range(8):
        pdf.rect(x + index * 3.4, y, 3.0, 2.6, style="DF" if index < eighths else "D")
    pdf.set_draw_color(*RULE)
    pdf.set_x(x + 8 * 3.4 + 2)
    _font(pdf, 10)
    pdf.cell(14, 6, f"{eighths}/8")


def _concerns(pdf: Any, content: dict) -> None:
    concerns = content["order"].get("concerns") or []
    _section(pdf, "客戶陳述", "Concerns")
    _font(pdf, 9.5)
    if not concerns:
        pdf.cell(0, 5.5, "—")
        pdf.ln(5.5)
    for number, concern in enumerate(concerns, 1):
        pdf.set_x(MARGIN + 1)
        pdf.cell(6, 5.5, f"{number}.")
        pdf.multi_cell(pdf.epw - 7, 5.5, concern, wrapmode="CHAR", new_x="LMARGIN")


def _walkaround(pdf: Any, summary: dict) -> None:
    """The walk-around's findings the customer acknowledges: lit lights, red and yellow items,
    damage already on the car."""
    _section(pdf, "檢修確認摘要", "Walk-around summary", needs=30)
    rows = [("故障燈", "Warning lights", [(light["colour"], light["zh"], light["en"], "")
                                          for light in summary.get("lights", [])]),
            ("需注意項目", "Items to watch", [(item["colour"], item["zh"], item["en"],
                                               item.get("note", ""))
                                              for item in summary.get("items", [])]),
            ("外觀損傷", "Damage", [("", item["zh"], item["en"], item.get("note", ""))
                                   for item in summary.get("damage", [])])]
    for zh, en, entries in rows:
        if pdf.get_y() + 11 > pdf.page_break_trigger:
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_x(MARGIN + 1)
        _pair(pdf, zh, "", size=8.5, h=5.5)
        pdf.set_xy(MARGIN + 1, top + 4.6)
        _font(pdf, 6.2, colour=GREY)
        pdf.cell(30, 3, en)
        pdf.set_xy(MARGIN + 32, top)
        if not entries:
            _font(pdf, 9.5)
            pdf.cell(30, 5.5, "無 None")
        right = pdf.w - MARGIN
        for colour, item_zh, item_en, note in entries:
            text = f"{item_zh} {item_en}" + (f"（{note}）" if note else "")
            _font(pdf, 9)
            width = pdf.get_string_width(text) + 4.2 + 5
            if pdf.get_x() + width > right and pdf.get_x() > MARGIN + 32:
                y = pdf.get_y() + 5.5
                if y + 5.5 > pdf.page_break_trigger:
                    pdf.add_page()
                    y = top = pdf.get_y()
                pdf.set_xy(MARGIN + 32, y)
            if colour:
                _dot(pdf, colour, h=5.5)
            else:
                pdf.set_x(pdf.get_x() + 0.5)
            _font(pdf, 9)
            pdf.cell(pdf.get_string_width(item_zh) + 1, 5.5, item_zh)
            _font(pdf, 7, colour=GREY)
            pdf.cell(pdf.get_string_width(item_en) + 0.8, 5.5, item_en)
            if note:
                _font(pdf, 8.5)
                pdf.cell(pdf.get_string_width(f"（{note}）"), 5.5, f"（{note}）")
            pdf.set_x(pdf.get_x() + 4)
        pdf.set_y(max(pdf.get_y() + 5.5, top + 8.5) + 0.8)


def _quantity(line: dict) -> str:
    if line["kind"] == "labour" and line.get("hours") is not None:
        return f"{line['hours']} h"
    if line.get("quantity") is not None:
        return str(line["quantity"])
    return ""


def _unit_price(line: dict) -> str:
    price = line.get("rate") if line["kind"] == "labour" else line.get("unit_price")
    return nt(price) if price is not None else ""


def _lines(pdf: Any, content: dict) -> None:
    estimate = content["kind"] == "estimate"
    _section(pdf, "追加項目" if estimate else "維修項目",
             "Additional items" if estimate else "Work and parts", needs=36)
    _line_table(pdf, content["lines"], decisions=estimate)
    if not content["lines"]:
        _font(pdf, 9.5, colour=GREY)
        pdf.cell(0, 6, "（無項目 No items）")
        pdf.ln(6)


def _line_table(pdf: Any, lines: list[dict], decisions: bool = False,
                muted: bool = False) -> None:
    """Lines as a table; headings repeat on every page the table runs onto."""
    from fpdf.fonts import FontFace

    headings = [("#", ""), ("類別", "Type"), ("項目", "Description"), ("料號", "Part no."),
                ("數量/工時", "Qty/Hrs"), ("單價", "Unit price"), ("金額", "Amount")]
    widths = [7, 11, 0, 30, 18, 20, 22]
    if decisions:
        headings.append(("決定", "Decision"))
        widths.append(18)
    widths[2] = pdf.epw - sum(widths)  # the description takes what is left
    aligns = ["C", "C", "L", "L", "R", "R", "R", "C"]
    _font(pdf, 8.5, colour=GREY if muted else INK)
    heading_style = FontFace(family=FONT, emphasis="B", size_pt=7.5, color=INK,
                             fill_color=BAND)
    with pdf.table(col_widths=widths, width=sum(widths), align="L", line_height=4.4,
                   text_align=aligns[:len(widths)], headings_style=heading_style,
                   borders_layout="HORIZONTAL_LINES", padding=(1.2, 1, 1.2, 1),
                   wrapmode="CHAR", v_align="M") as table:
        row = table.row()
        for zh, en in headings:
            row.cell(f"{zh}\n{en}" if en else zh)
        for number, line in enumerate(lines, 1):
            row = table.row()
            description = line["description"]
            if line.get("reason"):
                description += f"\n（{line['reason']}）"
            if line.get("customer_supplied"):
                description += "\n【客戶自備 Customer's own part】"
            if line.get("grade") in GRADE_NAMES:
                zh, en = GRADE_NAMES[line["grade"]]
                description += f"\n【{zh} {en}{' · ' + line['brand'] if line.get('brand') else ''}】"
            row.cell(str(number))
            row.cell(KIND_NAMES.get(line["kind"], line["kind"]))
            row.cell(description)
            row.cell(line.get("part_number") or "")
            row.cell(_quantity(line))
            row.cell(_unit_price(line))
            row.cell(nt(line["amount"]), style=FontFace(emphasis="B"))
            if decisions:
                zh, en, colour = DECISIONS.get(line.get("decision", ""), ("—", "", GREY))
                row.cell(f"{zh}\n{en}" if en else zh,
                         style=FontFace(emphasis="B", color=colour))
    _font(pdf, 9.5)


def _totals(pdf: Any, content: dict) -> None:
    """The total, tax included (the lines' sum: nothing is added), with the tax it holds; for a
    business buyer split into 銷售額 and 稅額. For an estimate and the checkout, against what the
    customer had consented to before."""
    totals, kind = money.stored(content["totals"]), content["kind"]
    business = bool(content["order"].get("buyer"))
    rows: list[tuple[str, str, int, bool]] = []
    if kind == "estimate":
        rows += total_rows(totals, business, ("追加合計（含稅）", "Added total, tax included"))
        decided = [line for line in content["lines"] if line.get("decision")]
        if decided:
            approved = money.totals(line["amount"] for line in decided
                                    if line["decision"] == "approved")
            rows.append(("同意追加", "Approved", approved["total"], False))
        rows.append(("原同意金額", "Consented before", content.get("consented_total", 0), False))
        if content.get("new_total") is not None:
            rows.append(("同意後總金額", "New consented total", content["new_total"], True))
    else:
        rows += total_rows(totals, business)
        if kind == "checkout":
            rows.append(("已同意金額", "Consented total", content.get("consented_total", 0), False))
    width, label_w = 84, 50
    if pdf.get_y() + 7.5 * len(rows) + 8 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(2)
    for zh, en, amount, strong in rows:
        x = pdf.w - MARGIN - width
        pdf.set_x(x)
        if strong:
            pdf.set_fill_color(*BAND)
            pdf.rect(x, pdf.get_y(), width, 7, style="F")
        _pair(pdf, zh, en, size=10 if strong else 9, bold=strong, h=7 if strong else 5.8)
        pdf.set_x(x + label_w)
        _font(pdf, 12 if strong else 9.5, bold=strong)
        pdf.cell(width - label_w, 7 if strong else 5.8, f"NT$ {nt(amount)}", align="R")
        pdf.ln(7.4 if strong else 5.8)
    if kind == "checkout":
        consented = content.get("consented_total", 0)
        over = totals["total"] - consented
        zh, en = (("未超過同意金額", "Within the consented amount") if over <= 0 else
                  (f"超過同意金額 NT$ {nt(over)}", "Above the consented amount"))
        pdf.set_x(pdf.w - MARGIN - width)
        _pair(pdf, zh, en, size=8.5, h=5)
        pdf.ln(5)


def total_rows(totals: dict, business: bool,
               names: tuple[str, str] = ("合計（含稅）", "Total, tax included"),
               ) -> list[tuple[str, str, int, bool]]:
    """(zh, en, amount, the total?) rows: a consumer's total with the tax it includes beneath;
    a business buyer's 銷售額 and 稅額 above it, adding up to it. The PDFs and the customer's
    page show these."""
    if business:
        return [("銷售額", "Sales amount", totals["sales"], False),
                ("稅額（5%）", "Business tax", totals["tax"], False),
                (*names, totals["total"], True)]
    return [(*names, totals["total"], True),
            ("內含營業稅", "Business tax included", totals["tax"], False)]


def _checkout_extras(pdf: Any, content: dict) -> None:
    declined = content.get("declined") or []
    if declined:
        _section(pdf, "未施作項目", "Declined: not done, not charged", needs=36)
        _line_table(pdf, declined, muted=True)
    _section(pdf, "保固與路試", "Warranty & road test", needs=22)
    warranty = content.get("warranty") or {}
    pdf.set_x(MARGIN + 1)
    _pair(pdf, "保固", "Warranty", size=9, h=6)
    _font(pdf, 9.5)
    months, km = warranty.get("months"), warranty.get("km")
    pdf.cell(0, 6, f"{months} 個月或 {int(km or 0):,} 公里，以先到者為準  "
                   f"{months} months or {int(km or 0):,} km, whichever comes first")
    pdf.ln(6)
    road = content.get("road_test") or {"done": False}
    pdf.set_x(MARGIN + 1)
    _pair(pdf, "路試", "Road test", size=9, h=6)
    _font(pdf, 9.5)
    state = "已完成 Done" if road.get("done") else "未進行 Not done"
    pdf.multi_cell(0, 6, state + (f"（{road['note']}）" if road.get("note") else ""),
                   wrapmode="CHAR", new_x="LMARGIN")
    if content["order"].get("handover"):
        _handover(pdf, content["order"]["handover"])
    if content.get("parts"):
        _old_parts(pdf, content["parts"])


def _handover(pdf: Any, handover: dict) -> None:
    """The delivery walk-around: damage on record at check-in, anything new, the valuables."""
    _section(pdf, "交車檢查", "Delivery walk-around", needs=24)
    pdf.set_x(MARGIN + 1)
    _font(pdf, 9.5)
    found = handover.get("new_damage") or []
    rows = [f"接車時記錄的外觀損傷 {handover.get('checked_in_damage', 0)} 處（見委修確認單）"
            f"  Damage on record at check-in: {handover.get('checked_in_damage', 0)}",
            "交車時新發現：無  New at delivery: none" if not found else
            f"交車時新發現 {len(found)} 處  New at delivery: {len(found)}",
            *[f"  {number}. {inspections.DAMAGE_NAMES[mark['kind']][0]} {inspections.DAMAGE_NAMES[mark['kind']][1]}"
              + (f"：{mark['note']}" if mark.get("note") else "")
              for number, mark in enumerate(found, 1)],
            "貴重物品已歸還  Valuables returned" if handover.get("valuables_returned")
            else "貴重物品：未確認歸還  Valuables: not confirmed returned"]
    for row in rows:
        pdf.set_x(MARGIN + 1)
        pdf.multi_cell(0, 5.5, row, wrapmode="CHAR", new_x="LMARGIN")


def _old_parts(pdf: Any, tags: list[dict]) -> None:
    """The old parts and what became of them: the customer's signature confirms the hand-over."""
    from fpdf.fonts import FontFace

    _section(pdf, "舊品處理", "Old parts", needs=30)
    heading_style = FontFace(family=FONT, emphasis="B", size_pt=7.5, color=INK, fill_color=BAND)
    widths = [24, 0, 16, 40, 40]
    widths[1] = pdf.epw - sum(widths)
    _font(pdf, 8.5)
    with pdf.table(col_widths=widths, width=sum(widths), align="L", line_height=4.4,
                   text_align=["L", "L", "R", "L", "L"], headings_style=heading_style,
                   borders_layout="HORIZONTAL_LINES", padding=(1.2, 1, 1.2, 1),
                   wrapmode="CHAR", v_align="M") as table:
        row = table.row()
        for zh, en in (("代碼", "Code"), ("舊品", "Part"), ("數量", "Qty"),
                       ("客戶意願", "Customer's wish"), ("處理結果", "What became of it")):
            row.cell(f"{zh}\n{en}")
        for tag in tags:
            row = table.row()
            unit = parts.UNIT_NAMES.get(tag.get("unit", "piece"), ("", ""))[0]
            row.cell(grouped(tag["code"]))
            row.cell(tag["part_name"])
            row.cell(f"{_plain_number(tag.get('quantity', 1))} {unit}")
            row.cell("\n".join(parts.WISH_NAMES[tag["wish"]]))
            row.cell("\n".join(parts.STATE_NAMES[tag["state"]]))
    _font(pdf, 9.5)


def _plain_number(value: Any) -> str:
    text = str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def _terms(pdf: Any, content: dict) -> None:
    terms = content.get("terms") or []
    if terms:
        _section(pdf, "約定事項", "Terms", needs=22)
        for number, term in enumerate(terms, 1):
            _paragraph(pdf, f"{number}.", term["zh"], term["en"])
    privacy = content.get("privacy")
    if privacy:
        _section(pdf, "個人資料蒐集告知（個資法第 8 條）",
                 f"Privacy notice (PDPA §8) · 版本 Version {privacy['version']}", needs=26)
        _paragraph(pdf, "", privacy["zh"], privacy["en"])


def _paragraph(pdf: Any, mark: str, zh: str, en: str) -> None:
    indent = 6 if mark else 1
    pdf.set_x(MARGIN + 1)
    _font(pdf, 8.5)
    if mark:
        pdf.cell(indent - 1, 4.6, mark)
    pdf.multi_cell(pdf.epw - indent, 4.6, zh, wrapmode="CHAR", new_x="LMARGIN")
    pdf.set_x(MARGIN + indent)
    _font(pdf, 7, colour=GREY)
    pdf.multi_cell(pdf.epw - indent, 3.6, en, new_x="LMARGIN")
    pdf.ln(1.2)


def _draft_block(pdf: Any) -> None:
    """Where the signature goes once signed: an empty box saying this copy is a draft."""
    _section(pdf, "簽署", "Signature", needs=40)
    top = pdf.get_y()
    pdf.set_draw_color(*RULE)
    pdf.rect(MARGIN, top, pdf.epw, 28)
    pdf.set_xy(MARGIN + 4, top + 3)
    _pair(pdf, "客戶簽名", "Customer signature", size=8.5, h=5)
    pdf.set_draw_color(*GREY)
    pdf.line(MARGIN + 4, top + 20, MARGIN + 112, top + 20)
    pdf.set_xy(MARGIN + 120, top + 8)
    _font(pdf, 12, bold=True, colour=COLOURS["red"])
    pdf.cell(pdf.epw - 110, 6, "草稿，尚未簽署")
    pdf.set_xy(MARGIN + 120, top + 14)
    _font(pdf, 8, colour=GREY)
    pdf.cell(pdf.epw - 110, 4, "Draft: not signed yet")
    pdf.set_draw_color(*RULE)
    pdf.set_y(top + 30)


def _qr_png(url: str) -> bytes:
    """The QR code, four pixels a module: small to embed, sharp in print and still even on a
    screen at 100 dpi (one pixel a module is not: zbar cannot read it there). A fixed mask spares
    qrcode trying all eight (any is valid; the best only spreads dark and light more evenly)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=4, border=2, mask_pattern=0)
    qr.add_data(url)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image().save(out)
    return out.getvalue()


def _signature_block(pdf: Any, signature: dict, signature_png: bytes) -> None:
    """Who signed, when, how, witnessed by whom; the hash in full and a QR of the verify link.
    Kept on one page."""
    height = 57
    _section(pdf, "簽署", "Signature", needs=height + 14)  # the band, the box, a margin
    top = pdf.get_y()
    pdf.set_draw_color(*RULE)
    pdf.rect(MARGIN, top, pdf.epw, height)
    left = MARGIN + 4

    pdf.set_xy(left, top + 2)
    _pair(pdf, "客戶簽名", "Customer signature", size=8.5, h=5)
    pdf.image(io.BytesIO(signature_png), x=left + 4, y=top + 7, w=78, h=20,
              keep_aspect_ratio=True)
    pdf.set_draw_color(*GREY)
    pdf.line(left, top + 27.5, left + 108, top + 27.5)
    pdf.set_draw_color(*RULE)

    method_zh, method_en = METHODS.get(signature.get("method", ""), (signature.get("method"), ""))
    witness = (signature.get("witness") or {}).get("name", "")
    facts = [("簽署人", "Signer", signature["signer_name"]),
             ("簽署時間", "Signed at", when(pdf, signature["signed_at"])),
             ("簽署方式", "Method", f"{method_zh} {method_en}"),
             ("經辦人", "Witness", witness or "—")]
    cell_w, label_w = 56, 24
    for index, (zh, en, value) in enumerate(facts):
        x, y = left + (index % 2) * cell_w, top + 29 + (index // 2) * 5.6
        pdf.set_xy(x, y)
        _pair(pdf, zh, "", size=8, h=5.5)
        pdf.set_xy(x + pdf.get_string_width(zh) + 1.5, y)
        _font(pdf, 6, colour=GREY)
        pdf.cell(label_w, 5.5, en)
        pdf.set_xy(x + label_w, y)
        _font(pdf, 9.5, bold=index == 0)
        pdf.cell(cell_w - label_w, 5.5, value)

    qr_size, column = 29, 58
    column_x = pdf.w - MARGIN - column - 1
    pdf.image(io.BytesIO(_qr_png(signature["verify_url"])), x=column_x + (column - qr_size) / 2,
              y=top + 2, w=qr_size, h=qr_size)
    pdf.set_xy(column_x, top + qr_size + 2.5)
    _font(pdf, 8)
    pdf.cell(column, 4.2, "掃描 QR 碼可驗證本文件未經竄改", align="C")
    pdf.set_xy(column_x, top + qr_size + 6.7)
    _font(pdf, 6.5, colour=GREY)
    pdf.cell(column, 3.4, "Scan to verify this document is unaltered", align="C")

    pdf.set_draw_color(*RULE)
    pdf.line(MARGIN, top + height - 15.5, pdf.w - MARGIN, top + height - 15.5)
    pdf.set_y(top + height - 14)
    for zh, en, value in (("SHA-256", "", signature["hash"]),
                          ("前一簽署", "Previous", signature.get("previous_hash")),
                          ("簽署編號", "Signature ID", signature.get("signature_id"))):
        pdf.set_x(left)
        _pair(pdf, zh, en, size=7.5, h=4.2)
        pdf.set_x(left + 26)
        if value:
            pdf.set_font(MONO, "", 7.5)
            pdf.set_text_color(*INK)
            pdf.cell(0, 4.2, value)
        else:
            _font(pdf, 7.5, colour=GREY)
            pdf.cell(0, 4.2, "無（本工單第一份簽署）None: the order's first signature")
        pdf.ln(4.2)
    pdf.set_y(top + height + 2)


# The parts the shop's other printed documents share (chalicelib/work/paper.py).
font, pair, section, dot, fuel = _font, _pair, _section, _dot, _fuel
