"""`make bench`'s price list import (chalicelib/after/catalogue_import.py): a supplier's list of
30,000 parts imported into a new shop's catalogue, through the API as the tablet does it (the
upload form, the file to S3, the dry run, the import), its pieces on this process's threads.

`catalogue_import()` runs with the engines devstack/bench.py's main() has up; alone,
`python -m devstack.bench_import` starts its own and prints the table.
"""
from __future__ import annotations

import csv
import io
import json
import random
import time
import uuid

ROWS = 30_000
CHANGED = 3_000  # the prices a supplier's next list changes
GRADES = ("正廠", "副廠", "再生")
NAMES = ("機油濾芯", "空氣濾網", "冷氣濾網", "煞車來令片", "火星塞", "正時皮帶", "雨刷", "水幫浦",
         "發電機皮帶", "煞車碟盤", "避震器", "電瓶")


def price_list(rows: int = ROWS, seed: int = 20, changed: int = 0) -> list[list]:
    """A supplier's list as Taiwanese suppliers send it: 料號, 品名, 等級, 廠牌, 售價, 成本."""
    pick = random.Random(seed)
    out = [["料號", "品名", "等級", "廠牌", "售價", "成本", "供應商"]]
    for n in range(rows):
        price = pick.randint(80, 25_000)
        out.append([f"{pick.randint(10_000, 99_999)}-{n:06d}", f"{pick.choice(NAMES)} {n}",
                    pick.choice(GRADES), pick.choice(("TOYOTA", "HONDA", "NISSAN", "BOSCH", "")),
                    price + (10 if n < changed else 0), price * 7 // 10, "和泰汽材"])
    return out


def _csv(rows: list[list], encoding: str) -> bytes:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return text.getvalue().encode(encoding)


def _xlsx(rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


WRITES = frozenset({"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"})


def _meter():
    """devstack/bench.py's DynamoMeter, its units also split into writes and reads."""
    from devstack.bench import DynamoMeter, table_clients

    class Meter(DynamoMeter):
        def _add(self, parsed, model=None, **_):
            before = self.units
            super()._add(parsed)
            if model is not None and model.name in WRITES:
                self.writes += self.units - before

        def reset(self) -> None:
            super().reset()
            self.writes = 0.0

    meter = Meter(table_clients())
    meter.reset()
    return meter


def catalogue_import() -> list[str]:
    """Seconds and DynamoDB write units of a 30,000-row price list: its dry run, its import,
    and a re-import changing 3,000 prices; and how long reading the file takes."""
    import requests
    from chalice.test import Client

    from app import app
    from chalicelib.after import catalogue_import as importer
    from chalicelib.core import pieces
    from chalicelib.records import auth, onboarding, shops

    shop_id = f"bench-import-{uuid.uuid4().hex[:8]}"
    opened = onboarding.open_shop(onboarding.NewShop(
        shop_id=shop_id, name="價目表測試車廠", tax_id="04595257", phone="02-2765-0000", address="臺北市松山區",
        owner_name="王店長", owner_login=f"{shop_id}@bench.test"), welcome=False)
    owner = shops.get_staff(shop_id, opened.owner_id)
    headers = {"authorization": f"Bearer {auth.access_token(owner, None)}",
               "content-type": "application/json"}
    first, second = price_list(), price_list(changed=CHANGED)
    files = {"csv": _csv(first, "utf-8"), "big5": _csv(first, "cp950"), "xlsx": _xlsx(first)}
    reading = {}
    for kind, data in files.items():
        started = time.perf_counter()
        listing = importer.read(data, "xlsx" if kind == "xlsx" else "csv")
        assert len(listing.rows) == ROWS, kind
        reading[kind] = time.perf_counter() - started
    meter = _meter()
    runs = []
    with Client(app, stage_name="bench") as client:
        def call(method, path, body=None):
            answer = client.http.request(method, path, headers=headers,
                                         body=json.dumps(body) if body is not None else None)
            assert answer.status_code < 300, (path, answer.status_code, answer.body)
            return json.loads(answer.body)

        def run(name, data, dry_run, import_id=None):
            if import_id is None:
                import_id = f"bench-{uuid.uuid4().hex[:12]}"
                form = call("POST", "/api/catalogue/imports/uploads",
                            {"import_id": import_id, "format": "csv"})
                sent = requests.post(form["url"], data=form["fields"], timeout=60,
                                     files={"file": ("list.csv", data, "text/csv")})
                assert sent.status_code in (200, 201, 204), sent.text
            meter.reset()
            started = time.perf_counter()
            call("POST", "/api/catalogue/imports",
                 {"import_id": import_id, "format": "csv", "dry_run": dry_run})
            pieces.wait(timeout=1800)
            seconds = time.perf_counter() - started
            done = call("GET", f"/api/catalogue/imports/{import_id}")
            assert done["state"] == "done", done
            runs.append((name, seconds, meter.requests, meter.writes, meter.units - meter.writes,
                         done))
            return import_id

        checked = run("dry run (the preview), 30,000 new parts", files["csv"], True)
        run("import, 30,000 new parts", None, False, import_id=checked)
        run(f"re-import, {CHANGED:,} prices changed", _csv(second, "utf-8"), False)
    pieces_of = -(-ROWS // importer.ROWS_PER_SAVE)
    lines = [
        "## Price list import (30,000 parts)", "",
        "A supplier's CSV of 30,000 rows imported into a new shop through the API, as the tablet",
        "does (chalicelib/after/catalogue_import.py): the job's pieces on this process's threads",
        f"against DynamoDB Local; {pieces_of} saves of {importer.ROWS_PER_SAVE:,} rows, each one Query of its",
        "key range and BatchWriteItem (25 parts a call) of what is new or changed. Capacity units",
        "as DynamoDB Local reports them (a part is under 1 KB: one write unit); the job's own saves",
        "and the catalogue head's one update are among the writes.", "",
        "| run | seconds | DynamoDB requests | write units | read units | created / updated / "
        "unchanged |",
        "| --- | --- | --- | --- | --- | --- |",
        *[f"| {name} | {seconds:.1f} | {requests:,} | {writes:,.0f} | {reads:,.0f} | "
          f"{done['created']:,} / {done['updated']:,} / {done['unchanged']:,} |"
          for name, seconds, requests, writes, reads, done in runs], "",
        "Reading and checking the file (every piece does it again; in-process, once):", "",
        "| file | bytes | seconds |", "| --- | --- | --- |",
        *[f"| {kind} | {len(files[kind]):,} | {seconds:.2f} |" for kind, seconds in reading.items()],
        "",
    ]
    return lines


def main() -> int:
    from devstack import engines

    return engines.bench_alone("servicelane-bench-import-", catalogue_import)


if __name__ == "__main__":
    raise SystemExit(main())
