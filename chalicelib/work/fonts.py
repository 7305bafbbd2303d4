"""The Traditional Chinese font printed documents and labels are set in (Noto Sans CJK TC).

The font is never committed: it is made at build time from Debian's fonts-noto-cjk collection
(`build_font`). `make package` copies it into the Lambda code (/var/task/fonts/); on a
developer's machine it is made on first use into build/fonts/ (git-ignored).

Three files, because parsing a font costs time on every document (fpdf2 reads the font per PDF;
docs/bench.md has the numbers):
- "regular" and "bold": compact, the common Big5 characters (常用字, 5,401 ideographs) with
  Latin, punctuation and symbols: what nearly every document and label needs;
- "rare": regular weight, the other ideographs of Unicode's basic CJK block (15,600 or so, Big5's
  less common characters among them): the fallback for a name such as 林喆 or 王堃.
Each is converted from CFF to TrueType outlines: subsetting TrueType into a PDF is about four
times faster than CFF, which fontTools must decompile and recompile glyph by glyph.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

FAMILY = "Noto Sans CJK TC"
# Debian's fonts-noto-cjk: one OpenType collection (CFF outlines) per weight, every CJK region.
SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
# face: (the collection it is cut from, the file it becomes, the characters it keeps)
FACES = {"regular": ("NotoSansCJK-Regular.ttc", "NotoSansTC-Regular.ttf", "common"),
         "bold": ("NotoSansCJK-Bold.ttc", "NotoSansTC-Bold.ttf", "common"),
         "rare": ("NotoSansCJK-Regular.ttc", "NotoSansTC-Rare.ttf", "rare")}

# Where the code is: /var/task in the Lambda, where the package's vendor/fonts/ lands as fonts/.
APP_ROOT = Path(__file__).resolve().parents[2]
BUNDLED_DIR = APP_ROOT / "fonts"
# A developer's machine: made from Debian's font on first use, again whenever this recipe (the
# file you read) changes.
RECIPE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
LOCAL_DIR = APP_ROOT / "build" / "fonts" / RECIPE

# Code points every face keeps besides ideographs.
SYMBOLS = (
    (0x0020, 0x007E), (0x00A0, 0x024F),  # Latin
    (0x2000, 0x2BFF),  # punctuation, currency, letterlike, arrows, maths, ① , box drawing, ■●★✓
    (0x3000, 0x303F), (0x3100, 0x312F), (0x31A0, 0x31BF),  # CJK punctuation, bopomofo
    (0x3200, 0x33FF),  # enclosed CJK, CJK compatibility (㎞ ㎜)
    (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),  # CJK compatibility forms, full-width forms
)


class FontMissing(Exception):
    """Neither the packaged font nor Debian's fonts-noto-cjk to make it from is here."""


def font_path(weight: str = "regular") -> Path:
    """The font file for `weight` ("regular", "bold" or "rare"), made if need be."""
    name = FACES[weight][1]
    bundled = BUNDLED_DIR / name
    if bundled.is_file():
        return bundled
    local = LOCAL_DIR / name
    if not local.is_file():
        _build(weight, LOCAL_DIR)
    return local


def build_font(dest_dir: Path) -> list[Path]:
    """Make every face's file in `dest_dir` and return them (`make package` copies them)."""
    return [_build(weight, dest_dir) for weight in FACES]


def covers(text: str) -> bool:
    """Whether the compact faces ("regular", "bold") have every character of `text`."""
    common = charset("common")
    return all(ord(char) in common or char in "\n\r\t" for char in text)


@lru_cache(maxsize=2)
def charset(name: str) -> frozenset[int]:
    """The code points a face keeps: "common" (Big5 symbols and its 5,401 common ideographs)
    or "rare" (the basic block's and the compatibility ideographs that "common" lacks)."""
    if name == "rare":
        return frozenset(range(0x4E00, 0xA000)).union(range(0xF900, 0xFB00)) - charset("common")
    codes = {code for first, last in SYMBOLS for code in range(first, last + 1)}
    # Big5's rows A1–A3 are its symbols, A440–C67E the common ideographs (常用國字).
    for lead in range(0xA1, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            if lead == 0xC6 and trail > 0x7E:
                break
            try:
                codes.update(map(ord, bytes((lead, trail)).decode("big5")))
            except UnicodeDecodeError:
                continue
    return frozenset(codes)


def _build(weight: str, dest_dir: Path) -> Path:
    """Cut the Traditional Chinese face of Debian's collection to the face's characters and
    write it as a standalone TrueType file (half a minute to a minute each)."""
    import os

    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    collection, filename, characters = FACES[weight]
    source = SOURCE_DIR / collection
    if not source.is_file():
        raise FontMissing(f"{source} is missing: install Debian's fonts-noto-cjk "
                          "(devstack/system-deps.sh font)")
    names = [face["name"].getDebugName(1) for face in TTCollection(str(source), lazy=True).fonts]
    font = TTFont(str(source), fontNumber=names.index(FAMILY))
    options = subset.Options()
    options.layout_features = []  # fpdf2 and Pillow set the text without OpenType shaping
    options.drop_tables += ["BASE", "GDEF", "GPOS", "GSUB", "VORG", "vhea", "vmtx"]
    options.notdef_outline = True
    options.desubroutinize = True  # each glyph's outline whole, for the conversion below
    options.name_IDs = ["*"]  # keep the copyright and licence (SIL OFL) records
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=charset(characters) & set(font.getBestCmap()))
    subsetter.subset(font)
    cmap = font["cmap"]  # one Windows Unicode (BMP) table: every reader takes it, parsed once
    cmap.tables = [table for table in cmap.tables if (table.platformID, table.platEncID) == (3, 1)]
    _to_truetype(font)
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / filename
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    font.save(str(partial))
    partial.replace(target)  # atomic: another process never reads half a font
    return target


def _to_truetype(font: Any) -> None:
    """CFF (cubic) outlines to TrueType (quadratic, within 1 unit of 1000 per em), in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    outlines = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        outlines[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    del font["CFF "]
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, glyphs
    glyf.compile(font)  # sets each glyph's bounds
    metrics = font["hmtx"].metrics
    for name, glyph in glyphs.items():
        metrics[name] = (metrics[name][0], getattr(glyph, "xMin", 0))
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, field, 0)
    post = font["post"]  # names kept: reading them is faster than deriving them from the cmap
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    font.sfntVersion = "\x00\x01\x00\x00"
