"""Customers and vehicles imported from a CSV file as a job (after/jobs.py): a shop moving from
another system brings its whole list in one file, not 500 rows at a time.

The tablet asks for an upload form (`POST /api/imports/uploads`: a presigned POST, S3 holding
the size to MAX_BYTES) and sends the file straight to S3 (`reports/<shop>/imports/<id>.csv`,
gone the next day with the bucket's reports/ rule); `POST /api/imports` checks its first row
and starts the job; `GET /api/imports/{id}` answers how far it is and the bad rows by line.
Each piece imports rows from where the job saved (every ROWS_PER_SAVE rows), each row by the
API's own rules (portability.import_row): a row imported again finds its customer and vehicle
and adds nothing, so a piece cut off and run again loses and doubles nothing.
"""
from __future__ import annotations

import time

from chalicelib import models
from chalicelib.after import jobs, portability
from chalicelib.api import Body, Caller, ClientId
from chalicelib.api.roles import require
from chalicelib.core import aws, objects
from chalicelib.core.config import settings
from chalicelib.core.errors import DomainError, NotFound, Unprocessable

MAX_BYTES = 10 * 1024 * 1024  # about 100,000 rows of a typical shop's list
ROW_LIMIT = 50_000
ROWS_PER_SAVE = 100
ERRORS_KEPT = 1_000  # the bad rows shown by line; the count is of all of them
URL_SECONDS = 15 * 60
COUNTS = ("customers_created", "customers_existing", "vehicles_created", "vehicles_existing")


class NewImport(Body):
    import_id: ClientId


def _file(shop_id: str, import_id: str) -> str:
    return objects.report_object(shop_id, f"imports/{import_id}.csv")


def upload(caller: Caller, body: NewImport) -> dict:
    """A presigned POST for the file: 15 minutes, at most MAX_BYTES (S3 refuses more)."""
    require(caller, "data.rights")
    post = aws.client("s3").generate_presigned_post(
        settings().bucket_name, _file(caller.shop_id, body.import_id),
        Fields={"Content-Type": "text/csv"}, ExpiresIn=URL_SECONDS,
        Conditions=[{"Content-Type": "text/csv"}, ["content-length-range", 1, MAX_BYTES]])
    return {"import_id": body.import_id, "max_bytes": MAX_BYTES,
            "upload": {"url": post["url"], "fields": post["fields"]}}


def start(caller: Caller, body: NewImport, language: str) -> dict:
    """The uploaded file's rows checked (columns, count) and the job started; a replay
    answers the job as it is."""
    require(caller, "data.rights")
    existing = jobs.load(caller.shop_id, body.import_id)
    if existing and existing.kind == "import":
        return view(existing)
    rows = _rows(caller.shop_id, body.import_id)
    if len(rows) > ROW_LIMIT:
        raise Unprocessable(f"一次最多匯入 {ROW_LIMIT:,} 列，請分檔匯入。",
                            f"csv: at most {ROW_LIMIT:,} rows in a file; split it.",
                            code="too_many_rows")
    return view(jobs.start(caller, body.import_id, "import", run_piece,
                           language="en" if language == "en" else "zh-TW",
                           counts={"rows": len(rows), "bad_rows": 0,
                                   **{name: 0 for name in COUNTS}}))


def status(caller: Caller, import_id: str) -> dict:
    require(caller, "data.rights")
    return view(jobs.found(caller, import_id, ("import",)))


def view(job: models.Job) -> dict:
    """The import as the PWA shows it: how far, what was added, the bad rows by line."""
    counts = {name: int(value) for name, value in job.counts.items()}
    return {"import_id": job.job_id, "state": job.state, "percent": job.percent,
            **counts, "errors": job.errors or [], "errors_kept": ERRORS_KEPT,
            "row_limit": ROW_LIMIT}


def _rows(shop_id: str, import_id: str) -> list[tuple[int, dict]]:
    """The file's rows (portability.read_rows); 404 when nothing was uploaded, 422 when it
    is not a UTF-8 CSV naming its columns."""
    from botocore.exceptions import ClientError  # cold start: botocore's exceptions

    try:
        raw = aws.client("s3").get_object(Bucket=settings().bucket_name,
                                          Key=_file(shop_id, import_id))["Body"].read()
    except ClientError as err:
        if not aws.missing(err):
            raise
        raise NotFound("找不到上傳的檔案，請重新選擇檔案。", "The file was not uploaded; choose it again.",
                       code="file_not_uploaded") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unprocessable("檔案不是 UTF-8 編碼的 CSV：請在 Excel 另存為「CSV UTF-8」。",
                            "csv: not UTF-8; in Excel, save as \"CSV UTF-8\".",
                            code="csv_encoding") from None
    return portability.read_rows(text)


def run_piece(payload: dict) -> dict:
    """One piece of an import (the pieces Lambda, or a thread locally): jobs.run."""
    return jobs.run(payload, _step, run_piece)


def _step(job: models.Job, deadline: float) -> bool:
    """Rows from where the job saved, saving every ROWS_PER_SAVE, until the deadline or the
    end; at the end the import is recorded (the audit: counts and bad lines, no data)."""
    rows, caller = _rows(job.shop_id, job.job_id), jobs.caller_of(job)
    counts, errors = dict(job.counts), list(job.errors or [])
    done, chunks = int((job.cursor or {}).get("row", 0)), 0
    while done < len(rows):
        if chunks and time.monotonic() >= deadline:
            return True
        chunks += 1
        for number, row in rows[done:done + ROWS_PER_SAVE]:
            try:
                did = portability.import_row(caller, row)
            except DomainError as err:
                counts["bad_rows"] += 1
                if len(errors) < ERRORS_KEPT:
                    errors.append({"line": number, "message": err.en if job.language == "en"
                                   else err.zh})
                continue
            for what, how in did.items():
                counts[f"{what}s_{how}"] += 1
        done = min(done + ROWS_PER_SAVE, len(rows))
        jobs.save(job, state="running", cursor={"row": done}, counts=counts, errors=errors,
                  percent=min(99, 100 * done // max(len(rows), 1)))
    audit = portability.audit(caller, "csv_import", import_id=job.job_id,
                              counts={name: counts[name] for name in ("rows", *COUNTS)},
                              bad_lines=[error["line"] for error in errors])
    jobs.save(job, state="done", percent=100, audit_id=audit["audit_id"], counts=counts,
              errors=errors)
    return False
