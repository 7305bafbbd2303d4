"""The shop's printed lists and records on A4 (預約表, 檢修確認表, 維修後關懷紀錄表, the drafts
of the signed documents): one page set-up, one way of writing dates, one way of handing the file
over (KPS5220-004v1's documents; docs/design.md "Paper").

Each document module gathers its content and draws it on a `Sheet` with the shared parts of
chalicelib/work/pdf.py (bands, labels, dots); `link` keeps the bytes in the bucket's reports/
folder and answers a 15-minute link. fpdf2 is imported where a sheet is made, never on a cold
start.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from chalicelib.core import aws, clock, objects, phones
from chalicelib.core.config import settings
from chalicelib.core.dates import paper_date
from chalicelib.records import shop_settings, shops
from chalicelib.work import fonts, pdf

URL_SECONDS = 15 * 60


def sheet(shop_id: str, title: tuple[str, str], every_text: str,
          landscape: bool = False) -> Any:
    """An A4 page set-up with the font, the shop's dates (民國 or not) and a footer naming the
    document and the page; `every_text` decides whether the rare characters' font is needed."""
    return _sheet_class()(shop_id, title, every_text, landscape)


@lru_cache(maxsize=1)
def _sheet_class() -> type:
    from fpdf import FPDF

    class Sheet(FPDF):
        def __init__(self, shop_id: str, title: tuple[str, str], every_text: str,
                     landscape: bool) -> None:
            super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
            self.shop = shops.get_shop(shop_id) or {}
            self.roc = shop_settings.dates_roc(shop_id)
            self.title_pair = title
            self.add_font(pdf.FONT, "", str(fonts.font_path("regular")))
            self.add_font(pdf.FONT, "B", str(fonts.font_path("bold")))
            if not fonts.covers(every_text + self.shop.get("name", "")):
                self.add_font(pdf.RARE, "", str(fonts.font_path("rare")))
                self.set_fallback_fonts([pdf.RARE], exact_match=False)
            for font in self.fonts.values():
                font.ttfont.recalcBBoxes = False  # as in pdf.py: 4x faster to write
            self.set_margins(pdf.MARGIN, pdf.MARGIN, pdf.MARGIN)
            self.set_auto_page_break(True, margin=pdf.FOOTER_MM)
            self.alias_nb_pages(pdf.PAGES, align="L")
            self.set_lang("zh-TW")
            self.set_title(title[0])
            self.set_author(self.shop.get("name") or "ServiceLane")
            self.set_creator("ServiceLane")
            self.set_text_color(*pdf.INK)
            self.set_draw_color(*pdf.RULE)
            self.c_margin = 1.2
            self.printed = paper_date(clock.now(), self.roc, time=True)

        def date(self, value: Any, time: bool = False) -> str:
            return paper_date(value, self.roc, time=time)

        def footer(self) -> None:
            self.set_y(-11)
            self.set_draw_color(*pdf.RULE)
            self.line(pdf.MARGIN, self.get_y() - 1.5, self.w - pdf.MARGIN, self.get_y() - 1.5)
            pdf.font(self, 7.5, colour=pdf.GREY)
            half = (self.w - 2 * pdf.MARGIN) / 2
            self.cell(half, 4, f"{self.title_pair[0]} {self.title_pair[1]} · "
                               f"印出 Printed {self.printed}")
            number = self.page_no()
            self.cell(half, 4, f"第 {number} 頁，共 {pdf.PAGES} 頁 Page {number} of {pdf.PAGES}",
                      align="R")
            self.set_text_color(*pdf.INK)

    return Sheet


def header(sheet_: Any, facts: list[tuple[str, str, str]]) -> None:
    """The shop's name and contact on the left, the title on the right, a rule, then `facts`:
    (zh, en, value) on one line (the day, the order number, …)."""
    shop, (zh, en) = sheet_.shop, sheet_.title_pair
    top = sheet_.get_y()
    pdf.font(sheet_, 15, bold=True)
    sheet_.cell(sheet_.epw * 0.55, 8, shop.get("name", ""))
    sheet_.ln(8)
    contact = "  ".join(filter(None, [f"電話 {phones.written(shop['phone'])}" if shop.get("phone") else "",
                                      shop.get("address", "")]))
    pdf.font(sheet_, 8.5, colour=pdf.GREY)
    sheet_.multi_cell(sheet_.epw * 0.55, 4.2, contact, wrapmode="CHAR")
    below_shop = sheet_.get_y()
    sheet_.set_xy(pdf.MARGIN, top)
    pdf.font(sheet_, 19, bold=True)
    sheet_.cell(sheet_.epw, 9, zh, align="R")
    sheet_.set_xy(pdf.MARGIN, top + 9)
    pdf.font(sheet_, 9, colour=pdf.GREY)
    sheet_.cell(sheet_.epw, 4.5, en, align="R")
    sheet_.set_y(max(below_shop, top + 14) + 2)
    sheet_.set_draw_color(*pdf.INK)
    sheet_.set_line_width(0.5)
    sheet_.line(pdf.MARGIN, sheet_.get_y(), sheet_.w - pdf.MARGIN, sheet_.get_y())
    sheet_.set_line_width(0.2)
    sheet_.set_draw_color(*pdf.RULE)
    sheet_.ln(2)
    for fact_zh, fact_en, value in facts:
        pdf.pair(sheet_, fact_zh, fact_en, size=8.5, h=5)
        pdf.font(sheet_, 9.5, bold=True)
        sheet_.cell(sheet_.get_string_width(value) + 7, 5, value)
    sheet_.ln(6)


Cell = str | tuple[str, tuple[int, int, int]]


def table(sheet_: Any, headings: list[tuple[str, str]], widths: list[float],
          rows: list[list[Cell]], aligns: list[str] | None = None, size: float = 8.5) -> None:
    """Rows under two-language headings that repeat on every page the table runs onto; a width
    of 0 takes what the others leave; a cell as (text, colour) is set bold in that colour (a
    judgement: red, yellow, green)."""
    from fpdf.fonts import FontFace

    widths = list(widths)
    if 0 in widths:
        widths[widths.index(0)] = sheet_.epw - sum(widths)
    pdf.font(sheet_, size)
    heading_style = FontFace(family=pdf.FONT, emphasis="B", size_pt=7.5, color=pdf.INK,
                             fill_color=pdf.BAND)
    with sheet_.table(col_widths=widths, width=sum(widths), align="L", line_height=4.4,
                      text_align=aligns or ["L"] * len(widths), headings_style=heading_style,
                      borders_layout="HORIZONTAL_LINES", padding=(1.2, 1, 1.2, 1),
                      wrapmode="CHAR", v_align="M") as drawn:
        row = drawn.row()
        for zh, en in headings:
            row.cell(f"{zh}\n{en}" if en else zh)
        for values in rows:
            row = drawn.row()
            for value in values:
                if isinstance(value, tuple):
                    row.cell(value[0], style=FontFace(emphasis="B", color=value[1]))
                else:
                    row.cell(value)
    pdf.font(sheet_, 9.5)


def none_line(sheet_: Any, zh: str, en: str) -> None:
    """What an empty list prints instead of its table."""
    pdf.font(sheet_, 9.5, colour=pdf.GREY)
    sheet_.cell(0, 6, f"{zh} {en}")
    sheet_.ln(6)
    pdf.font(sheet_, 9.5)


def link(shop_id: str, name: str, data: bytes, extension: str = "pdf",
         content_type: str = "application/pdf") -> dict:
    """The file kept in the shop's reports/ folder (a name made of `name` and its hash: the
    same document is the same object) and a 15-minute link to it."""
    filename = f"{name}-{hashlib.sha256(data).hexdigest()[:12]}.{extension}"
    key = objects.report_object(shop_id, filename)
    aws.client("s3").put_object(Bucket=settings().bucket_name, Key=key, Body=data,
                                ContentType=content_type)
    return {"url": aws.download_url(key, filename, content_type, URL_SECONDS),
            "filename": filename, "content_type": content_type, "bytes": len(data)}
