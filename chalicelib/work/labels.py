"""Printable labels for old-part tags: a 50 × 30 mm thermal label and an A4 sheet of 27.

Each label is drawn once as a bitmap on the printer's own dot grid (203 dpi for a thermal
printer, 300 dpi for a laser sheet), so every QR module is a whole number of dots: a module
that falls across dot boundaries prints as a smear on a thermal head, and that is what makes
small QR labels fail to scan. The PDF places that bitmap at its exact size in millimetres;
the PNG is the same bitmap. The QR keeps its quiet zone of four modules clear of any text.

qrcode, Pillow and fpdf2 are imported where they are used (cold start of the API Lambda).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib.work import fonts

MM_PER_INCH = 25.4
QUIET_MODULES = 4  # ISO/IEC 18004: the quiet zone is four modules wide
OPENING, CLOSING = "（(「『【〔", "）)」』】〕"


@dataclass(frozen=True)
class Label:
    """What a label shows: the QR of `url`, the code to read aloud, plate, order, part."""
    code: str
    url: str
    plate: str
    order_number: str
    part_name: str
    quantity: str = ""


@dataclass(frozen=True)
class Size:
    """A label's size and the printer's resolution. Labels are drawn in pure black dots (no
    grey anti-aliasing): a thermal head cannot print grey, and a laser dithers it into fuzz."""
    width_mm: float
    height_mm: float
    dpi: int

    def px(self, mm: float) -> int:
        return round(mm * self.dpi / MM_PER_INCH)

    def snap(self, mm: float) -> float:
        """`mm` moved to the nearest whole dot: a bitmap placed off the printer's grid is
        resampled, and resampling blurs the edges of the QR's modules."""
        return self.px(mm) * MM_PER_INCH / self.dpi


THERMAL = Size(50, 30, 203)
SHEET_LABEL = Size(63.5, 29.6, 300)


@dataclass(frozen=True)
class Sheet:
    """A4 with 3 × 9 labels of 63.5 × 29.6 mm (a common 27-up label sheet; on plain paper,
    cut along the rows). The margins keep ink away from where laser printers cannot print."""
    columns: int = 3
    rows: int = 9
    left_mm: float = 7.25
    top_mm: float = 15.3
    gap_mm: float = 2.5  # between columns

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


A4 = Sheet()


def grouped(code: str) -> str:
    """`ABCDEFGH` → `ABCD EFGH`: two groups of four are easier to read aloud and type."""
    return f"{code[:4]} {code[4:]}"


def qr_modules(url: str) -> list[list[bool]]:
    """The QR's modules without quiet zone. Level Q (25 % may be lost): labels in a workshop
    get oil and scratches."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_Q

    qr = qrcode.QRCode(version=None, error_correction=ERROR_CORRECT_Q, border=0)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


@lru_cache(maxsize=16)
def _font(weight: str, size_px: int) -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(str(fonts.font_path(weight)), size_px)


def _fit_lines(text: str, font: Any, width: int, lines: int) -> list[str]:
    """`text` broken by character (zh-TW has no spaces) into at most `lines` lines of `width`
    pixels, the last one ending in … when the text does not fit."""
    out, rest = [], text.strip()
    while rest and len(out) < lines:
        cut = len(rest)
        while cut > 1 and font.getlength(rest[:cut]) > width:
            cut -= 1
        opened = max(rest.rfind(mark, 0, cut) for mark in OPENING)
        if cut < len(rest) and opened > 0 and not any(mark in rest[opened:cut]
                                                       for mark in CLOSING):
            cut = opened  # a bracketed note that does not fit moves whole to the next line
        line, rest = rest[:cut], rest[cut:].lstrip()
        if rest and len(out) == lines - 1:
            while line and font.getlength(line + "…") > width:
                line = line[:-1]
            line += "…"
        out.append(line)
    return out


def render(label: Label, size: Size = THERMAL) -> Any:
    """The label as a 1-bit Pillow image at the printer's resolution.

    Left: the QR with its quiet zone, and under it the code in large type; right: plate,
    order number, part name (and quantity). The block is centred vertically.
    """
    from PIL import Image, ImageDraw

    width, height = size.px(size.width_mm), size.px(size.height_mm)
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    margin = size.px(1.0)  # no ink nearer the edge than this (label printers' tolerance)
    gap = size.px(0.5)

    code_font = _font("bold", size.px(5.2))
    code_box = code_font.getbbox("ABCD EFGH0")  # the tallest the code can be
    code_height = code_box[3] - code_box[1]

    modules = qr_modules(label.url)
    count = len(modules) + 2 * QUIET_MODULES
    dot = max(1, (height - 2 * margin - gap - code_height) // count)  # whole dots per module
    qr_side, quiet = count * dot, QUIET_MODULES * dot
    top = max(0, (height - qr_side - gap - code_height) // 2)
    qr = Image.new("1", (len(modules), len(modules)), 1)
    qr.putdata([0 if dark else 1 for row in modules for dark in row])
    image.paste(qr.resize((len(modules) * dot,) * 2, Image.Resampling.NEAREST),
                (quiet, top + quiet))

    # The code under the QR's quiet zone, aligned with its first module.
    code_top = top + qr_side + gap
    draw.text((quiet, code_top - code_box[1]), grouped(label.code), font=code_font, fill=0)

    left = qr_side + gap
    text_width = width - left - margin
    y = top + quiet
    plate_font = _font("bold", size.px(4.2))
    for line in _fit_lines(label.plate, plate_font, text_width, 1):
        draw.text((left, y - plate_font.getbbox(line)[1]), line, font=plate_font, fill=0)
    y += size.px(5.2)
    draw.text((left, y), label.order_number, font=_font("regular", size.px(2.9)), fill=0)
    y += size.px(4.3)
    name_font, step = _font("bold", size.px(3.4)), size.px(4.2)
    name = f"{label.part_name} ×{label.quantity}" if label.quantity else label.part_name
    lines = max(1, (code_top - y) // step)  # the code below reaches under this column
    for line in _fit_lines(name, name_font, text_width, lines):
        draw.text((left, y), line, font=name_font, fill=0)
        y += step
    return image


def png(label: Label, size: Size = THERMAL) -> bytes:
    out = io.BytesIO()
    image = render(label, size)
    image.save(out, "PNG", dpi=(size.dpi, size.dpi))
    return out.getvalue()


def _pdf(page_format: Any, title: str) -> Any:
    from fpdf import FPDF

    pdf = FPDF(unit="mm", format=page_format)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(title)
    pdf.set_creator("ServiceLane")
    return pdf


def thermal_pdf(labels: list[Label]) -> bytes:
    """One 50 × 30 mm page per label: what a thermal label printer's driver expects."""
    pdf = _pdf((THERMAL.width_mm, THERMAL.height_mm), "舊品標籤")
    for label in labels:
        pdf.add_page()
        pdf.image(render(label, THERMAL), x=0, y=0, w=THERMAL.snap(THERMAL.width_mm),
                  h=THERMAL.snap(THERMAL.height_mm))
    return bytes(pdf.output())


def sheet_pdf(labels: list[Label], sheet: Sheet = A4) -> bytes:
    """A4 pages of 27 labels for a laser printer, left to right, top to bottom."""
    pdf = _pdf("A4", "舊品標籤")
    size = SHEET_LABEL
    for index, label in enumerate(labels):
        slot = index % sheet.per_page
        if slot == 0:
            pdf.add_page()
        row, column = divmod(slot, sheet.columns)
        pdf.image(render(label, size),
                  x=size.snap(sheet.left_mm + column * (size.width_mm + sheet.gap_mm)),
                  y=size.snap(sheet.top_mm + row * size.height_mm),
                  w=size.snap(size.width_mm), h=size.snap(size.height_mm))
    return bytes(pdf.output())
