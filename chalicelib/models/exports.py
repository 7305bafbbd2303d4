"""A data export as a job (after/exports.py): started by a request, run in pieces, watched by
the PWA until its files are ready."""
from __future__ import annotations

from chalicelib.models.base import Document, Item, Number, Text, Values, Version
from chalicelib.models.shops import shop_pk

Key = dict[str, str]


class ExportJob(Item, discriminator="export_job"):
    """PK `SHOP#<shop>#EXPORT#<job>`, SK `EXPORT` (the job id is the tablet's client id, so a
    replayed start finds its job). `phase` and `cursor` (the last key read, as DynamoDB gave
    it) say where the next piece starts; `parts` are the S3 keys written so far, in order, each
    a page of rows; `version` keeps two runs of one piece (a retried invocation) from both
    moving it on. Gone two days after (TTL), like its files (the bucket's reports/ rule)."""
    shop_id = Text()
    job_id = Text()
    kind = Text()  # shop | customer
    customer_id = Text(null=True)
    state = Text()  # queued | running | done | failed
    phase = Text(null=True)
    cursor = Document(null=True)
    first_day = Text(null=True)  # the shop's first order on the board: the bar's start
    percent = Number()
    counts = Document()
    parts = Values()
    files = Document(null=True)  # {"json": key, "csv": key} once done
    tries = Number()
    pieces = Number()
    audit_id = Text(null=True)
    started_by = Document()
    created_at = Text()
    updated_at = Text()
    expires_at = Number()
    version = Version()

    @staticmethod
    def key(shop_id: str, job_id: str) -> Key:
        return {"pk": f"{shop_pk(shop_id)}#EXPORT#{job_id}", "sk": "EXPORT"}
