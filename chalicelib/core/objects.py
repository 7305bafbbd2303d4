"""Where files live in the bucket: every S3 key is built here (the table's keys are built in
chalicelib/models/). Each folder is a prefix the Lambdas' policies name (.chalice/policy-*.json)."""
from __future__ import annotations


def photo_object(shop_id: str, order_id: str, photo_id: str, size: str) -> str:
    """An S3 key: `incoming/…` until the API checks it (removed after a day otherwise, by the
    bucket's lifecycle), then the display and thumbnail sizes under `photos/…`."""
    if size == "incoming":
        return f"incoming/{shop_id}/{order_id}/{photo_id}"
    return f"photos/{shop_id}/{order_id}/{photo_id}/{size}.jpg"


def signature_object(shop_id: str, order_id: str, signature_id: str, kind: str) -> str:
    """An S3 key: the signature's PNG (`png`) or the signed document's PDF (`pdf`)."""
    folder = "signatures" if kind == "png" else "documents"
    return f"{folder}/{shop_id}/{order_id}/{signature_id}.{kind}"


def label_object(shop_id: str, filename: str) -> str:
    """An S3 key for a printable label file (made again on every request: nothing to keep)."""
    return f"labels/{shop_id}/{filename}"


def report_object(shop_id: str, filename: str) -> str:
    return f"reports/{shop_id}/{filename}"


def sealed_record_object(shop_id: str, order_id: str, signature_id: str) -> str:
    """A signed record taken out of the table when its customer was erased: kept beside the
    signed PDF (which shows the same), so the signature still verifies."""
    return f"documents/{shop_id}/{order_id}/{signature_id}.record.json"


def catalogue_object(shop_id: str, version: int, digest: str) -> str:
    """The tablets' copy of the shop's catalogue (gzip JSON), one object per build: named by
    its version and its content's hash, so the head never names bytes another build wrote."""
    return f"catalogue/{shop_id}/{version}-{digest}.json.gz"
