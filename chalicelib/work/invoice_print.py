"""The 電子發票證明聯 (e-invoice proof) for a 57 mm thermal printer, as PNG and PDF.

Its content and order follow 財政部's 「電子發票證明聯一維及二維條碼規格說明」 and the proofs
POS printers print: 5.7 cm wide, the shop's name (its logo's place) at the top, the title
(電子發票證明聯, 補印 on a copy printed again), the period and the invoice number large and
bold, the date and time (格式 25 for a buyer with a 統編), the random code and total, the seller's
and buyer's 統編, the Code 39 barcode, and the two QR codes side by side, tops aligned, the same
size (chalicelib/core/einvoice_codes.py says what each code holds).

As for the old-part labels (chalicelib/work/labels.py), everything is laid out on the printer's
own dot grid, 203 dpi, in pure black: every QR module and every bar is a whole number of dots.
The Code 39's bars come from python-barcode (narrow 1 module, wide 3); one module is one dot,
which is how an ESC/POS printer prints it on 57 mm paper (`GS w 1`): its 21 characters take
335 dots, 42 mm, inside the printable 48 mm. The PNG is that bitmap. The PDF is a page 57 mm
wide with the same layout: its text is real text (a PDF reader can search and copy the number)
and the codes are the same bitmaps placed at their exact size in millimetres.

Pillow, qrcode, python-barcode and fpdf2 are imported where they are used (cold start).
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chalicelib.core import einvoice_codes as codes
from chalicelib.work import fonts

DPI = 203
MM_PER_INCH = 25.4
PAPER_MM = 57  # the spec's 5.7 cm
LENGTH_MM = 90  # and 9 cm long, unless the shop's name needs more room
PRINTABLE_MM = 48  # what a 58 mm thermal head prints (384 dots); the rest is white margin
QUIET_MODULES = 4  # ISO/IEC 18004's quiet zone; between the two codes it is shared
BAR_QUIET_DOTS = 10  # Code 39: ten narrow bars of white either side (ISO/IEC 16388)
MAX_MODULE_DOTS = 4  # 0.5 mm modules: bigger would only make the proof longer
FONT_FAMILY = "notosanstc"


def dots(mm: float) -> int:
    return round(mm * DPI / MM_PER_INCH)


def mm(count: float) -> float:
    return count * MM_PER_INCH / DPI


WIDTH = dots(PAPER_MM)
LEFT = (WIDTH - dots(PRINTABLE_MM)) // 2
RIGHT = WIDTH - LEFT
MIDDLE = WIDTH // 2


@dataclass(frozen=True)
class Text:
    """A line of text: `x` where `align` ("l", "m", "r") puts it, `y` its baseline, in dots."""
    x: int
    y: int
    text: str
    size: int  # the font's em, in dots
    bold: bool = False
    align: str = "l"


@dataclass(frozen=True)
class Bitmap:
    x: int
    y: int
    image: Any  # a 1-bit Pillow image, one pixel a printer dot


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    parts: list[Text | Bitmap]
    title: str


def proof_png(inv: codes.ProofInvoice, key_hex: str, shop_name: str) -> bytes:
    """The 證明聯 as a 1-bit PNG at 203 dpi, 456 dots (5.7 cm) wide: what the printer prints."""
    image = _paint(layout(inv, key_hex, shop_name))
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def proof_pdf(inv: codes.ProofInvoice, key_hex: str, shop_name: str) -> bytes:
    """The 證明聯 as a one-page PDF 57 mm wide, for a printer driver or to keep."""
    from fpdf import FPDF

    plan = layout(inv, key_hex, shop_name)
    every_text = "".join(part.text for part in plan.parts if isinstance(part, Text))
    pdf = FPDF(unit="mm", format=(mm(plan.width), mm(plan.height)))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_title(plan.title)
    pdf.set_author(inv.seller_name or shop_name)
    pdf.set_creator("ServiceLane")
    pdf.set_lang("zh-TW")
    pdf.add_font(FONT_FAMILY, "", str(fonts.font_path("regular")))
    pdf.add_font(FONT_FAMILY, "B", str(fonts.font_path("bold")))
    if not fonts.covers(every_text):
        pdf.add_font(f"{FONT_FAMILY}-rare", "", str(fonts.font_path("rare")))
        pdf.set_fallback_fonts([f"{FONT_FAMILY}-rare"], exact_match=False)
    for font in pdf.fonts.values():
        font.ttfont.recalcBBoxes = False  # as chalicelib/work/pdf.py: 4x faster to write
    pdf.add_page()
    for part in plan.parts:
        if isinstance(part, Bitmap):
            width, height = part.image.size
            pdf.image(part.image, x=mm(part.x), y=mm(part.y), w=mm(width), h=mm(height))
            continue
        pdf.set_font(FONT_FAMILY, "B" if part.bold else "", size=part.size * 72 / DPI)
        width = pdf.get_string_width(part.text)
        x = mm(part.x) - {"l": 0, "m": width / 2, "r": width}[part.align]
        pdf.text(x, mm(part.y), part.text)
    return bytes(pdf.output())


def layout(inv: codes.ProofInvoice, key_hex: str, shop_name: str) -> Layout:
    """Where each line and code goes, in printer dots from the top left of the paper."""
    parts: list[Text | Bitmap] = []
    y = dots(2)

    name_size = _fitting_size(shop_name, bold=True, largest=dots(4.2), width=RIGHT - LEFT)
    y += dots(5)
    parts.append(Text(MIDDLE, y, shop_name, name_size, bold=True, align="m"))

    title = "電子發票證明聯" + ("補印" if inv.printed_again else "")
    y += dots(6.5)
    parts.append(Text(MIDDLE, y, title, dots(4.2), bold=True, align="m"))
    big = dots(6.2)  # the spec: period and number larger and bold
    y += dots(8)
    parts.append(Text(MIDDLE, y, codes.period(inv.issued_at), big, bold=True, align="m"))
    y += dots(7.5)
    parts.append(Text(MIDDLE, y, inv.number_written, big, bold=True, align="m"))

    small = dots(2.9)
    step = dots(4)
    y += dots(5.5)
    moment = codes.local_time(inv.issued_at)
    parts.append(Text(LEFT, y, f"{moment:%Y-%m-%d %H:%M:%S}", small))
    if inv.buyer_tax_id:
        parts.append(Text(RIGHT, y, "格式 25", small, align="r"))
    y += step
    parts.append(Text(LEFT, y, f"隨機碼 {inv.random_code}", small))
    parts.append(Text(MIDDLE, y, f"總計 {inv.total:,}", small))
    y += step
    parts.append(Text(LEFT, y, f"賣方 {inv.seller_tax_id}", small))
    if inv.buyer_tax_id:
        parts.append(Text(MIDDLE, y, f"買方 {inv.buyer_tax_id}", small))

    bars = barcode_image(codes.barcode_text(inv), dots(5.5))
    y += dots(2.5)
    parts.append(Bitmap((WIDTH - bars.width) // 2, y, bars))
    y += bars.height + dots(2)

    left, right = qr_images(codes.left_qr(inv, key_hex), codes.right_qr(inv))
    x = (WIDTH - left.width - right.width) // 2  # side by side, their quiet zones meet
    parts.append(Bitmap(x, y, left))
    parts.append(Bitmap(x + left.width, y, right))
    y += left.height + dots(1)
    return Layout(WIDTH, max(y, dots(LENGTH_MM)), parts, f"電子發票證明聯 {inv.number_written}")


def barcode_image(text: str, height: int) -> Any:
    """The Code 39 of `text` (no check character, as the spec's), one module a dot, with its
    quiet zones."""
    from barcode.codex import Code39
    from PIL import Image

    modules = Code39(text, add_checksum=False).build()[0]
    row = Image.new("1", (len(modules) + 2 * BAR_QUIET_DOTS, 1), 1)
    row.putdata([1] * BAR_QUIET_DOTS + [0 if bar == "1" else 1 for bar in modules]
                + [1] * BAR_QUIET_DOTS)
    return row.resize((row.width, height), Image.Resampling.NEAREST)


def qr_images(left_text: str, right_text: str) -> tuple[Any, Any]:
    """Both codes at the same version (the spec: the same size), level L, each with a quiet
    zone of two modules a side so that, side by side, four lie between them; modules as many
    whole dots as the printable width allows, at most `MAX_MODULE_DOTS`."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_L

    def code(text: str, version: int | None) -> Any:
        qr = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_L, border=0)
        qr.add_data(text.encode("utf-8"))
        qr.make(fit=version is None)
        return qr

    version = max(code(left_text, None).version, code(right_text, None).version)
    matrices = [code(text, version).get_matrix() for text in (left_text, right_text)]
    count = len(matrices[0])
    size = min(MAX_MODULE_DOTS, (RIGHT - LEFT) // (2 * count + 2 * QUIET_MODULES))
    return tuple(_qr_bitmap(matrix, size) for matrix in matrices)  # type: ignore[return-value]


def _qr_bitmap(matrix: list[list[bool]], size: int) -> Any:
    from PIL import Image

    quiet = QUIET_MODULES // 2
    count = len(matrix)
    image = Image.new("1", (count + 2 * quiet,) * 2, 1)
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                image.putpixel((column + quiet, row + quiet), 0)
    return image.resize((image.width * size,) * 2, Image.Resampling.NEAREST)


@lru_cache(maxsize=32)
def _font(size: int, bold: bool, rare: bool = False) -> Any:
    from PIL import ImageFont

    weight = "rare" if rare else "bold" if bold else "regular"
    return ImageFont.truetype(str(fonts.font_path(weight)), size)


def _fitting_size(text: str, bold: bool, largest: int, width: int) -> int:
    """The largest font size up to `largest` at which `text` fits `width` dots on one line."""
    size = largest
    while size > 12 and _font(size, bold, not fonts.covers(text)).getlength(text) > width:
        size -= 1
    return size


def _paint(plan: Layout) -> Any:
    """The layout as a 1-bit image: text is drawn without grey (Pillow thresholds glyphs on a
    1-bit image), bitmaps pasted dot for dot."""
    from PIL import Image, ImageDraw

    image = Image.new("1", (plan.width, plan.height), 1)
    draw = ImageDraw.Draw(image)
    for part in plan.parts:
        if isinstance(part, Bitmap):
            image.paste(part.image, (part.x, part.y))
        else:
            font = _font(part.size, part.bold, not fonts.covers(part.text))
            draw.text((part.x, part.y), part.text, font=font, fill=0, anchor=f"{part.align}s")
    return image
