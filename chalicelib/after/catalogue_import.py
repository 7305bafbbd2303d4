"""A supplier's price list imported into the catalogue's parts (models.CataloguePart), as a job
(after/jobs.py), like the customers' CSV (after/imports.py).

The tablet asks for an upload form (`POST /api/catalogue/imports/uploads`: a presigned POST, at
most MAX_BYTES) and sends the file straight to S3 (`reports/<shop>/catalogue-imports/<id>.csv`
or `.xlsx`, gone the next day with the bucket's reports/ rule). `POST /api/catalogue/imports`
reads its first row (422 `unknown_columns` without a part number, name or price column) and
starts the job: a dry run first (`dry_run: true`, the preview: every row checked and counted as
created, updated or unchanged, nothing written), then the import itself on the same file.

A CSV is UTF-8 (with or without BOM) when it decodes as such, else Big5 (cp950, Taiwan's Big5
with its extensions); an .xlsx is its first sheet's values. Lines are numbered as a spreadsheet
shows them, the header being line 1. A part is found by its key (models.part_key(number,
brand)): the good rows are sorted by key and written in pieces of ROWS_PER_SAVE, each piece one
Query of the key range it covers (what is there already) and BatchWriteItem of the parts that
are new or differ, so a re-import updates prices and adds no part twice, and a piece cut off and
run again finds its parts written and writes nothing twice. At the end the catalogue head's
version moves once, so the tablets download the catalogue again.
"""
from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal, Optional

from pydantic import StringConstraints
from typing_extensions import Annotated

from chalicelib import models
from chalicelib.after import jobs
from chalicelib.api import Body, Caller, ClientId
from chalicelib.api.roles import require
from chalicelib.core import aws, clock, objects
from chalicelib.core.config import settings
from chalicelib.core.errors import NotFound, Unprocessable
from chalicelib.records import catalogue

KIND = "catalogue_import"
MAX_BYTES = 10 * 1024 * 1024  # about 100,000 rows of a CSV price list
ROW_LIMIT = 50_000
ROWS_PER_SAVE = 1_000  # one Query of the pieces' key range, 40 BatchWriteItem calls at most
ERRORS_KEPT = 1_000  # the bad rows shown by line; `bad` counts all of them
URL_SECONDS = 15 * 60
MAX_PRICE = 10_000_000
CONTENT_TYPES = {"csv": "text/csv",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
COUNTS = ("rows", "created", "updated", "unchanged", "bad")

# The columns as Taiwanese suppliers and their spreadsheets name them (compared without case,
# spaces, dots, dashes, underscores or a bracketed note: 「售價(含稅)」 is 售價).
COLUMNS = {
    "part_number": ("料號", "零件編號", "品號", "零件號碼", "零件料號", "件號", "partnumber",
                    "partno", "part#", "pn", "sku"),
    "name": ("品名", "名稱", "零件名稱", "中文名稱", "中文品名", "name", "partname",
             "description"),
    "name_en": ("英文名", "英文名稱", "英文品名", "nameen", "englishname"),
    "grade": ("等級", "品級", "grade"),
    "brand": ("廠牌", "品牌", "製造商", "brand", "maker", "manufacturer"),
    "price": ("售價", "定價", "單價", "價格", "建議售價", "price", "unitprice", "listprice"),
    "cost": ("成本", "進價", "進貨價", "cost"),
    "supplier": ("供應商", "廠商", "supplier", "vendor"),
}
REQUIRED = {"part_number": ("料號", "part number"), "name": ("品名", "name"),
            "price": ("售價", "price")}
# A grade as a price list writes it → models.GRADE_NAMES's keys.
GRADES = {
    "oem": "oem", "正廠": "oem", "原廠": "oem", "純正": "oem", "正廠件": "oem", "原廠件": "oem",
    "genuine": "oem",
    "aftermarket": "aftermarket", "副廠": "aftermarket", "副廠件": "aftermarket", "am": "aftermarket",
    "reman": "reman", "再生": "reman", "再生品": "reman", "整新": "reman", "整新品": "reman",
    "remanufactured": "reman", "rebuilt": "reman",
    "used": "used", "中古": "used", "中古品": "used", "二手": "used", "拆車": "used",
    "拆車件": "used",
}
LONGEST = {"part_number": 40, "name": 120, "name_en": 120, "brand": 40, "supplier": 80}
LABELS = {"part_number": ("料號", "part number"), "name": ("品名", "name"),
          "name_en": ("英文名", "English name"), "brand": ("廠牌", "brand"),
          "supplier": ("供應商", "supplier"), "price": ("售價", "price"), "cost": ("成本", "cost"),
          "grade": ("等級", "grade")}
# What a part holds from a price list: a re-import that changes none of them leaves it as it is.
KEPT = ("part_number", "name", "name_en", "grade", "brand", "price", "cost", "supplier")
_IGNORED = re.compile(r"[\s._\-]+|[(（][^)）]*[)）]")
_MONEY = re.compile(r"^(?:NT\$|NTD|\$|＄)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:元)?$", re.I)

Format = Literal["csv", "xlsx"]


class NewUpload(Body):
    import_id: ClientId
    format: Format


class NewImport(Body):
    import_id: ClientId
    format: Format
    dry_run: bool
    grade: Optional[models.Grade] = None  # for a list without a grade column
    # For a list without a supplier column (or a row whose supplier is empty).
    supplier: Optional[Annotated[str, StringConstraints(min_length=1, max_length=80)]] = None


@dataclass
class PriceList:
    """A file's rows: (line, {column: cell text}); `encoding` utf-8, big5 or xlsx; `size`
    how many rows (counted, or as an .xlsx's dimension says when its rows were not read)."""
    encoding: str
    columns: set[str]
    rows: list[tuple[int, dict]]
    size: int


# --- the routes' work ---

def upload(caller: Caller, body: NewUpload) -> dict:
    """A presigned POST for the file: 15 minutes, at most MAX_BYTES (S3 refuses more)."""
    require(caller, "catalogue.write")
    content_type = CONTENT_TYPES[body.format]
    post = aws.client("s3").generate_presigned_post(
        settings().bucket_name, _file(caller.shop_id, body.import_id, body.format),
        Fields={"Content-Type": content_type}, ExpiresIn=URL_SECONDS,
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, MAX_BYTES]])
    return {"import_id": body.import_id, "max_bytes": MAX_BYTES, "url": post["url"],
            "fields": post["fields"]}


def start(caller: Caller, body: NewImport, language: str) -> dict:
    """The uploaded list's columns and size checked and its job started (the dry run and the
    import are two jobs of one file); a replay answers the job as it is."""
    require(caller, "catalogue.write")
    job_id = _job_id(body.import_id, body.dry_run)
    existing = jobs.load(caller.shop_id, job_id)
    if existing and existing.kind == KIND:
        return view(existing)
    listing = read(_bytes(caller.shop_id, body.import_id, body.format), body.format,
                   header_only=True)
    _within_limit(listing.size)
    options = {"import_id": body.import_id, "format": body.format, "dry_run": body.dry_run,
               "grade": body.grade, "supplier": body.supplier, "encoding": listing.encoding}
    return view(jobs.start(caller, job_id, KIND, run_piece,
                           language="en" if language == "en" else "zh-TW",
                           options={name: value for name, value in options.items()
                                    if value is not None},
                           counts={**{name: 0 for name in COUNTS}, "rows": listing.size}))


def _within_limit(rows: int) -> None:
    if rows > ROW_LIMIT:
        raise Unprocessable(f"一次最多匯入 {ROW_LIMIT:,} 列，請分檔匯入。",
                            f"price list: at most {ROW_LIMIT:,} rows in a file; split it.",
                            code="too_many_rows")


def status(caller: Caller, import_id: str) -> dict:
    """The import of this file, or its dry run while it has not been imported."""
    require(caller, "catalogue.write")
    job = (jobs.load(caller.shop_id, _job_id(import_id, False))
           or jobs.load(caller.shop_id, _job_id(import_id, True)))
    if job is None or job.kind != KIND:
        raise NotFound("找不到這次匯入（結果保留兩天）。", "No such import (kept two days).")
    return view(job)


def view(job: models.Job) -> dict:
    options = job.options or {}
    return {"import_id": options.get("import_id"), "state": _state(job.state),
            "format": options.get("format"), "dry_run": bool(options.get("dry_run")),
            "encoding": options.get("encoding"),
            "percent": int(job.percent),
            **{name: int(job.counts.get(name, 0)) for name in COUNTS},
            "errors": job.errors or [], "errors_kept": ERRORS_KEPT,
            "refusal": jobs.refusal_of(job, job.language or "zh-TW")}


def _state(state: str) -> str:
    return "running" if state in ("queued", "running") else state


def _job_id(import_id: str, dry_run: bool) -> str:
    # A client id holds no dot (api.ClientId): the dry run's job cannot be another's import.
    return f"{import_id}.dry" if dry_run else import_id


def _file(shop_id: str, import_id: str, format: str) -> str:
    return objects.report_object(shop_id, f"catalogue-imports/{import_id}.{format}")


def _bytes(shop_id: str, import_id: str, format: str) -> bytes:
    from botocore.exceptions import ClientError  # cold start: botocore's exceptions

    try:
        return aws.client("s3").get_object(Bucket=settings().bucket_name,
                                           Key=_file(shop_id, import_id, format))["Body"].read()
    except ClientError as err:
        if not aws.missing(err):
            raise
        raise NotFound("找不到上傳的檔案，請重新選擇檔案。", "The file was not uploaded; choose it again.",
                       code="file_not_uploaded") from None


# --- reading a file ---

def read(raw: bytes, format: str, header_only: bool = False) -> PriceList:
    """A CSV (UTF-8 when it decodes as such, else Big5) or an .xlsx's first sheet, as rows
    under the recognised columns; 422 `unknown_columns` naming what the first row lacks.
    `header_only`: the first row checked and the rows counted, for the request that starts the
    job (an .xlsx's rows as its sheet's dimension says, without reading them: 30,000 rows take
    seconds to parse)."""
    if format != "xlsx":
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = raw.decode("cp950", errors="replace"), "big5"
        lines = enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")), start=1)
        return _listing(encoding, lines, header_only=False)  # quick: read whole
    import openpyxl  # cold start: only an .xlsx import needs it

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # not a workbook: zip, XML or openpyxl's own errors
        raise Unprocessable("檔案不是 Excel 活頁簿（.xlsx）。", "file: not an Excel workbook (.xlsx).",
                            code="file_unreadable") from None
    try:
        sheet = book.worksheets[0]
        # Rows numbered as Excel numbers them (read-only mode yields the empty ones too).
        listing = _listing("xlsx", enumerate(sheet.iter_rows(values_only=True), start=1),
                           header_only)
        if header_only:
            listing.size = max((sheet.max_row or 1) - 1, 0)
        return listing
    finally:
        book.close()


def _listing(encoding: str, lines, header_only: bool) -> PriceList:
    header: list[str | None] = []
    rows = []
    for line, cells in lines:
        if line == 1:
            header = [_column(cell) for cell in cells]
            _require_columns(header)
            if header_only:
                break
            continue
        texts = ["" if cell is None else _text(cell) for cell in cells]
        if any(texts):
            rows.append((line, {column: cell for column, cell in zip(header, texts) if column}))
    if not header:
        _require_columns([])
    return PriceList(encoding, {column for column in header if column}, rows, len(rows))


def _text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _column(cell) -> str | None:
    name = _IGNORED.sub("", "" if cell is None else str(cell)).casefold()
    for column, aliases in COLUMNS.items():
        if name in aliases:
            return column
    return None


def _require_columns(header: list[str | None]) -> None:
    missing = [names for column, names in REQUIRED.items() if column not in header]
    if missing:
        raise Unprocessable(
            "第一列找不到這些欄位：" + "、".join(zh for zh, _ in missing)
            + "（例如：料號、品名、售價）。",
            "price list: the first row has no " + ", ".join(en for _, en in missing)
            + " column (for example part number, name, price).", code="unknown_columns")


# --- checking rows ---

class BadRow(Exception):
    def __init__(self, field: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.field, self.zh, self.en = field, zh, en


def check(listing: PriceList, options: dict) -> tuple[list[dict], list[tuple[int, BadRow]]]:
    """Every row checked: the good ones as parts' fields (sorted by part key, each key once:
    a part a second time in the file is a bad row), the bad ones with their line."""
    good: dict[str, tuple[int, dict]] = {}
    bad = []
    for line, row in listing.rows:
        try:
            part = _part(row, options)
            if part["part_key"] in good:
                first = good[part["part_key"]][0]
                raise BadRow("part_number", f"料號 {part['part_number']} 在第 {first} 列已出現過",
                             f"part {part['part_number']} is already on line {first}")
        except BadRow as err:
            bad.append((line, err))
            continue
        good[part["part_key"]] = (line, part)
    return [good[key][1] for key in sorted(good)], bad


def _part(row: dict, options: dict) -> dict:
    """A row's part fields, or BadRow: what is empty, too long, not a price or not a grade."""
    fields = {}
    for field, longest in LONGEST.items():
        value = row.get(field, "")
        if len(value) > longest:
            zh, en = LABELS[field]
            raise BadRow(field, f"{zh}超過 {longest} 字", f"{en} is longer than {longest}")
        if value:
            fields[field] = value
    if options.get("supplier") and "supplier" not in fields:
        fields["supplier"] = options["supplier"]
    for field in ("part_number", "name"):
        if field not in fields:
            zh, en = LABELS[field]
            raise BadRow(field, f"沒有{zh}", f"{en} is empty")
    key = models.part_key(fields["part_number"], fields.get("brand"))
    if not key or key.startswith("~"):
        raise BadRow("part_number", "料號沒有英數字", "part number has no letters or digits")
    fields["price"] = _money(row.get("price", ""), "price")
    if row.get("cost"):
        fields["cost"] = _money(row["cost"], "cost")
    fields["grade"] = _grade(row.get("grade", ""), options.get("grade"))
    return {"part_key": key, **fields}


def _money(cell: str, field: str) -> int:
    """Whole NT$: "1200", "1,200", "NT$1,200", "$1200.00"."""
    zh, en = LABELS[field]
    found = _MONEY.match(cell.replace(" ", ""))
    try:
        amount = Decimal(found[1].replace(",", "")) if found else None
    except InvalidOperation:
        amount = None
    if amount is None or amount != amount.to_integral_value() or amount > MAX_PRICE:
        shown = cell[:20] or "（空白）"
        raise BadRow(field, f"{zh}「{shown}」不是整數金額", f"{en} \"{shown}\" is not a whole NT$ amount")
    return int(amount)


def _grade(cell: str, default: str | None) -> str:
    if not cell:
        if default:
            return default
        raise BadRow("grade", "沒有等級，也沒有選預設等級", "no grade, and no default grade was chosen")
    grade = GRADES.get(_IGNORED.sub("", cell).casefold())
    if grade is None:
        shown = cell[:20]
        raise BadRow("grade", f"不認得的等級「{shown}」（正廠、副廠、再生、中古）",
                     f"unknown grade \"{shown}\" (oem, aftermarket, reman, used)")
    return grade


# --- the job ---

def run_piece(payload: dict) -> dict:
    """One piece of a price list's import (the pieces Lambda, or a thread locally)."""
    return jobs.run(payload, _step, run_piece)


def _step(job: models.Job, deadline: float) -> bool:
    """The file checked again (quick, and the same every time), its bad rows recorded by the
    first piece; then the good rows from where the job saved, ROWS_PER_SAVE at a time."""
    options = job.options
    listing = read(_bytes(job.shop_id, options["import_id"], options["format"]),
                   options["format"])
    parts, bad = check(listing, options)
    counts, errors = dict(job.counts), list(job.errors or [])
    if job.phase is None:
        _within_limit(listing.size)  # an .xlsx without its dimension: counted only now
        english = job.language == "en"
        counts["rows"], counts["bad"] = listing.size, len(bad)
        errors = [{"line": line, "field": err.field, "message": err.en if english else err.zh}
                  for line, err in bad[:ERRORS_KEPT]]
        jobs.save(job, state="running", phase="parts", cursor={"row": 0}, counts=counts,
                  errors=errors)
    done, pieces_done = int((job.cursor or {}).get("row", 0)), 0
    while done < len(parts):
        if pieces_done and time.monotonic() >= deadline:
            return True
        pieces_done += 1
        chunk = parts[done:done + ROWS_PER_SAVE]
        for outcome in upsert(job.shop_id, chunk, options, dry_run=bool(options.get("dry_run"))):
            counts[outcome] += 1
        done += len(chunk)
        jobs.save(job, cursor={"row": done}, counts=counts,
                  percent=min(99, 100 * done // max(len(parts), 1)))
    if not options.get("dry_run") and counts["created"] + counts["updated"]:
        catalogue.touch(job.shop_id)
        # The tablets' snapshot is built here, in the job, not by the first tablet to ask: a
        # 30,000-part catalogue takes seconds to read, more than a request should wait.
        catalogue.current(job.shop_id)
    jobs.save(job, state="done", percent=100)
    return False


def upsert(shop_id: str, parts: list[dict], options: dict, dry_run: bool) -> list[str]:
    """Parts (sorted by key) as the catalogue holds them after: each one created, updated or
    unchanged. One Query reads what the key range holds (consistent: the counts are of what
    is there, also right after another import); only new or changed parts are
    written (BatchWriteItem, 25 a call), with what the file does not give kept as it was."""
    shop_id_key = models.catalogue_pk(shop_id)
    first, last = (models.CataloguePart.key(shop_id, parts[i]["part_key"])["sk"] for i in (0, -1))
    held = {item["part_key"]: item for item in models.CataloguePart.items(
        shop_id_key, models.CataloguePart.sk.between(first, last), consistent_read=True)
        if item.get("type") == models.CataloguePart.type_name()}
    now, outcomes, writes = clock.now_iso(), [], []
    for part in parts:
        stored = held.get(part["part_key"])
        if stored and all(stored.get(name) == part.get(name, stored.get(name)) for name in KEPT):
            outcomes.append("unchanged")
            continue
        outcomes.append("updated" if stored else "created")
        writes.append(models.CataloguePart.from_dict({
            **(stored or {}), **part, **models.CataloguePart.key(shop_id, part["part_key"]),
            "type": models.CataloguePart.type_name(), "shop_id": shop_id,
            "import_id": options["import_id"], "updated_at": now}))
    if writes and not dry_run:
        with models.CataloguePart.batch_write() as batch:
            for item in writes:
                batch.save(item)
    return outcomes

