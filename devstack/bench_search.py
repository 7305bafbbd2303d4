"""The tablet's catalogue search, measured in Chromium over 30,000 parts, and the size of the
snapshot the tablet downloads.

The parts are generated (seeded, so every run measures the same catalogue): zh-TW names as a
Taiwanese price list writes them (機油濾芯、前來令片… with the car and the side), numbers in the
makers' shapes (04152-YZZA1, 90919-01253, OF-1234), an 正廠 and a 副廠 of most of them. The search
is the PWA's own code (pwa/src/data/catalogueIndex.ts, bundled by rolldown), run in a page of
headless Chromium (playwright-core, tests/e2e/browser.mjs): an advisor's typed sequence of
queries, one search per keystroke, each timed with performance.now().
"""
from __future__ import annotations

import gzip
import json
import random
import statistics
import subprocess
import tempfile
from pathlib import Path

from devstack import ROOT

PARTS = 30_000
ROUNDS = 20
# What an advisor types, a keystroke at a time: names by a few characters, numbers with and
# without dashes, an English word for an operation.
TYPED = ["機油濾芯", "來令片", "04152-YZZA1", "0415 2yz", "雨刷", "9091901253", "火星塞", "oil",
         "避震器 後", "OF-12"]

_THINGS = ["機油濾芯", "空氣濾芯", "冷氣濾網", "汽油濾芯", "前來令片", "後來令片", "煞車碟盤", "火星塞",
           "雨刷片", "正時皮帶", "發電機皮帶", "水幫浦", "節溫器", "避震器", "三角架", "方向機外球頭",
           "平衡桿", "惰輪", "引擎腳", "含油軸承", "輪軸承", "電瓶", "大燈燈泡", "煞車總泵", "離合器片",
           "變速箱油", "動力方向機油", "冷卻水管", "散熱器", "風扇馬達", "啟動馬達", "含氧感知器", "點火線圈"]
_SIDES = ["", "", "前", "後", "左前", "右前", "左後", "右後"]
_CARS = ["ALTIS", "VIOS", "CAMRY", "RAV4", "YARIS", "CR-V", "FIT", "CIVIC", "TIIDA", "SENTRA",
         "FOCUS", "KUGA", "MAZDA3", "CX-5", "LANCER", "OUTLANDER", "ELANTRA", "TUCSON"]
_BRANDS_OEM = ["TOYOTA", "HONDA", "NISSAN", "FORD", "MAZDA", "MITSUBISHI", "HYUNDAI"]
_BRANDS_AFTER = ["BOSCH", "DENSO", "NGK", "SAKURA", "MANN", "KYB", "GATES", "AISIN", ""]
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def _number(rng: random.Random, oem: bool) -> str:
    if oem and rng.random() < 0.5:
        return f"{rng.randrange(10000, 99999)}-{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}" \
               f"{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}{rng.randrange(1, 9)}"
    if oem:
        return f"{rng.randrange(10000, 99999)}-{rng.randrange(10000, 99999)}"
    return f"{rng.choice(_LETTERS)}{rng.choice(_LETTERS)}-{rng.randrange(100, 99999)}"


def snapshot(parts: int = PARTS, seed: int = 20) -> dict:
    """A catalogue snapshot in the contract's shape (docs/api.md, GET /api/catalogue)."""
    rng = random.Random(seed)
    columns: dict[str, list] = {name: [] for name in
                                ("part_key", "part_number", "name", "grade", "brand", "price")}
    keys: set[str] = set()
    fixed = [("04152-YZZA1", "機油濾芯 ALTIS", "oem", "TOYOTA", 280),
             ("90919-01253", "火星塞 ALTIS", "oem", "TOYOTA", 450),
             ("OF-1234", "機油濾芯 ALTIS", "aftermarket", "SAKURA", 150)]
    while len(columns["part_key"]) < parts:
        if fixed:
            number, name, grade, brand, price = fixed.pop()
        else:
            grade = "oem" if rng.random() < 0.55 else rng.choice(["aftermarket", "aftermarket", "reman"])
            brand = rng.choice(_BRANDS_OEM if grade == "oem" else _BRANDS_AFTER)
            number = _number(rng, grade == "oem")
            name = " ".join(filter(None, [rng.choice(_SIDES) + rng.choice(_THINGS), rng.choice(_CARS)]))
            price = rng.randrange(80, 12000, 10)
        key = f"{number.replace('-', '').replace(' ', '').upper()}~{brand}" if brand else \
            number.replace("-", "").replace(" ", "").upper()
        if key in keys:
            continue
        keys.add(key)
        for column, value in zip(columns, (key, number, name, grade, brand, price)):
            columns[column].append(value)
    return {
        "version": 1,
        "rates": [{"rate_id": "general", "name": "一般工資", "name_en": "General", "rate": 1600}],
        "operations": [
            {"code": f"OP{i:03}", "name": f"更換{thing}", "name_en": None, "hours": 0.5 + (i % 6) / 2,
             "by_model": {"TOYOTA|ALTIS": 0.4 + (i % 6) / 2}, "rate_id": "general"}
            for i, thing in enumerate(_THINGS)] + [
            {"code": "OIL", "name": "更換機油", "name_en": "Oil change", "hours": 0.5, "by_model": {},
             "rate_id": "general"}],
        "menus": [
            {"menu_id": f"m{km // 1000}k", "name": f"{km:,} 公里保養", "name_en": f"{km:,} km service",
             "mileage_km": km, "months": km // 10000 * 6, "make": None, "model": None,
             "items": [{"kind": "labour", "code": "OIL"},
                       {"kind": "part", "part_key": "04152YZZA1~TOYOTA", "quantity": 1}],
             "price": None} for km in range(10000, 100001, 10000)],
        "parts": columns,
    }


def as_built(data: dict) -> dict:
    """The snapshot as the API builds it (records.catalogue.snapshot_of) from the same items:
    what the tablet downloads, gzip-compressed as the build compresses it."""
    from chalicelib import models
    from chalicelib.records import catalogue

    columns = data["parts"]
    rows = [{"type": models.CatalogueHead.type_name(), "rates": data["rates"]},
            *({"type": models.LabourOp.type_name(), **op} for op in data["operations"]),
            *({"type": models.ServiceMenu.type_name(), **menu} for menu in data["menus"]),
            *({"type": models.CataloguePart.type_name(),
               **{name: values[i] for name, values in columns.items()}}
              for i in range(len(columns["part_key"])))]
    return catalogue.snapshot_of(data["version"], rows)


_PAGE_SCRIPT = r"""
import { readFileSync } from 'node:fs';
import { launch } from %(browser)s;

const [bundle, snapshotFile, typedFile, rounds] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><meta charset="utf-8"><title>bench</title>');
  await page.addScriptTag({ content: readFileSync(bundle, 'utf8') });
  const answer = await page.evaluate(({ snapshot, typed, rounds }) => {
    const started = performance.now();
    const index = CatalogueIndex.buildIndex(JSON.parse(snapshot));
    const build = performance.now() - started;
    const car = { make: 'TOYOTA', model: 'ALTIS' };
    const samples = [];
    let found = 0;
    for (let round = 0; round < rounds; round++) {
      for (const query of typed) {
        for (let end = 1; end <= query.length; end++) {
          const t0 = performance.now();
          found += index.search(query.slice(0, end), car).length;
          samples.push(performance.now() - t0);
        }
      }
    }
    return { build, samples, found };
  }, { snapshot: readFileSync(snapshotFile, 'utf8'), typed: JSON.parse(readFileSync(typedFile, 'utf8')), rounds: Number(rounds) });
  process.stdout.write(JSON.stringify(answer));
} finally {
  await browser.close();
}
"""


def _bundle(out: Path) -> Path:
    """The PWA's search module alone, as a script that sets `CatalogueIndex`."""
    target = out / "catalogue-index.js"
    subprocess.run([str(ROOT / "pwa" / "node_modules" / ".bin" / "rolldown"),
                    "src/data/catalogueIndex.ts", "--format", "iife", "--name", "CatalogueIndex",
                    "--file", str(target)],
                   cwd=ROOT / "pwa", check=True, capture_output=True)
    return target


def measure(parts: int = PARTS, rounds: int = ROUNDS) -> dict:
    """Per-keystroke search times (ms) in Chromium, the index's build time, the snapshot's bytes."""
    data = as_built(snapshot(parts))
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        (out / "snapshot.json").write_bytes(raw)
        (out / "typed.json").write_text(json.dumps(TYPED, ensure_ascii=False))
        script = out / "search.mjs"
        browser = json.dumps(str(ROOT / "tests" / "e2e" / "browser.mjs"))
        script.write_text(_PAGE_SCRIPT % {"browser": browser})
        done = subprocess.run(["node", str(script), str(_bundle(out)), str(out / "snapshot.json"),
                               str(out / "typed.json"), str(rounds)],
                              cwd=ROOT / "tests" / "e2e", check=True, capture_output=True, text=True)
    answer = json.loads(done.stdout)
    samples = sorted(answer["samples"])
    return {"parts": parts, "keystrokes": len(samples), "median": statistics.median(samples),
            "p95": samples[int(len(samples) * 0.95) - 1], "max": samples[-1],
            "build": answer["build"], "raw": len(raw), "gzip": len(gzip.compress(raw, mtime=0))}


def catalogue_search() -> list[str]:
    """The section's lines (markdown) for docs/bench.md."""
    m = measure()
    return [
        "## The tablet's catalogue search (30,000 parts)", "",
        f"{m['parts']:,} generated parts (zh-TW names, makers' number shapes, 正廠 and 副廠), the",
        "operations and menus beside them; the PWA's own search (pwa/src/data/catalogueIndex.ts) in",
        f"headless Chromium, one search per keystroke over {len(TYPED)} typed queries × {ROUNDS} rounds",
        "(names by a few characters, numbers with and without dashes).", "",
        "| measure | value | target |", "| --- | --- | --- |",
        f"| search per keystroke, median / p95 ({m['keystrokes']:,} keystrokes) "
        f"| {m['median']:.2f} / {m['p95']:.2f} ms | p95 < 50 ms |",
        f"| slowest keystroke | {m['max']:.2f} ms | |",
        f"| building the index once (a copy installed) | {m['build']:.0f} ms | |",
        f"| snapshot JSON / gzip, as records.catalogue builds it (what the tablet downloads) "
        f"| {m['raw']:,} / {m['gzip']:,} bytes | |",
    ]


if __name__ == "__main__":
    print("\n".join(catalogue_search()))
