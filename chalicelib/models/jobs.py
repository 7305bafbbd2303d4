"""Work started by a request and run in pieces (after/jobs.py): a data export, a CSV import,
a customer's erasure."""
from __future__ import annotations

from chalicelib.models.base import Document, Item, Number, Text, Values, Version
from chalicelib.models.shops import shop_pk

Key = dict[str, str]


class Job(Item, discriminator="job"):
    """PK `SHOP#<shop>#JOB#<job>`, SK `JOB` (the job id is the tablet's client id, so a
    replayed start finds its job). `kind`: `shop` or `customer` (an export), `import` (a CSV),
    `erasure` (a customer's, whose record is `result` once done).
    `phase` and `cursor` (the last key read, as DynamoDB gave it, or the next row of a file)
    say where the next piece starts; `parts` are the S3 keys written so far, in order;
    `version` keeps two runs of one piece (a retried invocation) from both moving it on. Gone
    two days after (TTL), like its files (the bucket's reports/ rule)."""
    shop_id = Text()
    job_id = Text()
    kind = Text()
    customer_id = Text(null=True)
    state = Text()  # queued | running | done | failed
    phase = Text(null=True)
    cursor = Document(null=True)
    first_day = Text(null=True)  # the shop's first order on the board: the bar's start
    percent = Number()
    counts = Document()
    parts = Values()
    errors = Values(null=True)  # an import's bad rows, {line, message}, the first ERRORS_KEPT
    files = Document(null=True)  # an export's {"json": key, "csv": key} once done
    result = Document(null=True)  # what a finished job answers besides its counts (an erasure)
    # Why the job ended without doing its work, as the person must hear it: {code, zh, en}
    # (a customer with an open order cannot be erased).
    refusal = Document(null=True)
    options = Document(null=True)  # a price list's import: {import_id, format, dry_run, grade, supplier, encoding}
    language = Text(null=True)  # an import's messages: the language of who started it
    tries = Number()
    pieces = Number()
    audit_id = Text(null=True)
    started_by = Document()  # staff_id, name, role: who the pieces act as
    created_at = Text()
    updated_at = Text()
    expires_at = Number()
    version = Version()

    @staticmethod
    def key(shop_id: str, job_id: str) -> Key:
        return {"pk": f"{shop_pk(shop_id)}#JOB#{job_id}", "sk": "JOB"}
