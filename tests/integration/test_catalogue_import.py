"""A supplier's price list imported into the catalogue's parts: UTF-8 or Big5 CSV and .xlsx,
bad rows by line, a dry run that writes nothing, a re-import that updates prices without
duplicates (also when two run at once), and who may."""
import io
from concurrent.futures import ThreadPoolExecutor

import openpyxl

from chalicelib import models
from chalicelib.core import pieces
from tests.builders import a_shop, new_id
from tests.integration.test_photos import upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BIG5_LIST = "\n".join([
    "料號,品名,等級,廠牌,售價,成本,供應商",
    "04152-YZZA1,機油濾芯,正廠,TOYOTA,\"NT$1,200\",800,和泰",        # 2
    "90915-YZZE1,機油濾芯,副廠,,350,200,",                          # 3
    ",空白料號,正廠,,100,,",                                         # 4: no number
    "17801-0D060,空氣濾網,正廠,TOYOTA,一千,,",                       # 5: not a price
    "",                                                              # 6: blank, skipped
    "04465-02220,煞車來令片,原廠,TOYOTA,2800,,",                     # 7
    "04152 YZZA1,機油濾芯（重複）,正廠,toyota,1300,,",              # 8: line 2's part again
    "28113-2S000,空氣濾網,水貨,HYUNDAI,500,,",                       # 9: no such grade
    "DID-428H,正時鍊條,再生,DID,1500,,",                             # 10
])


def import_list(person, data, format="csv", dry_run=False, import_id=None, **options):
    """A price list sent as the PWA sends it (upload form, file to S3, start), waited for and
    answered as `GET /api/catalogue/imports/<id>` answers then; or the first refusal."""
    import_id = import_id or new_id("pl")
    form = person.post("/api/catalogue/imports/uploads", {"import_id": import_id,
                                                          "format": format})
    if form.status != 200:
        return form
    upload(form.body, data, content_type=XLSX if format == "xlsx" else "text/csv",
           filename=f"價目表.{format}")
    return run_import(person, import_id, format, dry_run, **options)


def run_import(person, import_id, format="csv", dry_run=False, **options):
    started = person.post("/api/catalogue/imports", {"import_id": import_id, "format": format,
                                                     "dry_run": dry_run, **options})
    if started.status != 202:
        return started
    pieces.wait()
    return person.get(f"/api/catalogue/imports/{import_id}")


def parts_of(shop) -> dict[str, dict]:
    return {item["part_key"]: item for item in models.CataloguePart.items(
        models.catalogue_pk(shop.shop_id), models.CataloguePart.sk.startswith("PART#"))}


def head_version(shop) -> int:
    head = models.CatalogueHead.read(models.CatalogueHead.key(shop.shop_id), consistent=True)
    return int(head["version"]) if head else 0


def an_xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_big5_price_list_is_imported_with_its_bad_rows_reported_by_line(shop):
    answer = import_list(shop.manager, BIG5_LIST.encode("cp950"))
    assert answer.status == 200, answer.body
    body = answer.body
    assert (body["state"], body["encoding"], body["dry_run"]) == ("done", "big5", False)
    assert [(error["line"], error["field"]) for error in body["errors"]] == [
        (4, "part_number"), (5, "price"), (8, "part_number"), (9, "grade")]
    assert "第 2 列" in body["errors"][2]["message"]
    assert (body["rows"], body["created"], body["updated"], body["unchanged"], body["bad"]) == (
        8, 4, 0, 0, 4)
    parts = parts_of(shop)
    assert set(parts) == {"04152YZZA1~TOYOTA", "90915YZZE1", "0446502220~TOYOTA", "DID428H~DID"}
    oil = parts["04152YZZA1~TOYOTA"]
    assert (oil["name"], oil["grade"], oil["price"], oil["cost"], oil["supplier"]) == (
        "機油濾芯", "oem", 1200, 800, "和泰")
    assert parts["DID428H~DID"]["name"] == "正時鍊條" and parts["DID428H~DID"]["grade"] == "reman"
    assert parts["0446502220~TOYOTA"]["grade"] == "oem"  # 原廠 is 正廠
    assert head_version(shop) == 1


def test_a_utf8_list_with_bom_takes_the_default_grade_and_supplier_and_english_messages(shop):
    text = "\ufeffPart No.,Name,Name_EN,Brand,Price (NT$)\nA-1,來令片,Brake pads,,990\nB-2,雨刷,,,12.5\n"
    english = shop.manager.__class__(shop.manager.client, shop.manager.token, "en")
    answer = import_list(english, text.encode("utf-8"), grade="aftermarket", supplier="東昇")
    assert answer.status == 200, answer.body
    assert answer.body["encoding"] == "utf-8"
    assert answer.body["errors"] == [{"line": 3, "field": "price",
                                      "message": 'price "12.5" is not a whole NT$ amount'}]
    (part,) = parts_of(shop).values()
    assert (part["part_key"], part["name_en"], part["grade"], part["supplier"]) == (
        "A1", "Brake pads", "aftermarket", "東昇")
    no_grade = import_list(shop.manager, "料號,品名,售價\nC-3,火星塞,300\n".encode("utf-8"))
    assert no_grade.body["errors"][0]["field"] == "grade"
    assert "預設等級" in no_grade.body["errors"][0]["message"]


def test_an_xlsx_price_list_is_read_from_its_first_sheet_with_lines_as_excel_numbers_them(shop):
    data = an_xlsx([
        ["零件編號", "零件名稱", "品牌", "等級", "定價", "進價"],
        ["90919-01253", "火星塞", "DENSO", "OEM", 450, 300.0],
        [None, None, None, None, None, None],
        ["90919-01253", "火星塞", "NGK", "aftermarket", "NT$380", None],
        ["X" * 41, "太長的料號", "", "正廠", 10, None],
        ["15400-RTA-003", "機油濾芯", "HONDA", "中古", -5, None],
    ])
    answer = import_list(shop.manager, data, format="xlsx")
    assert answer.status == 200, answer.body
    assert (answer.body["encoding"], answer.body["rows"]) == ("xlsx", 4)  # the empty row not
    assert [(e["line"], e["field"]) for e in answer.body["errors"]] == [
        (5, "part_number"), (6, "price")]
    parts = parts_of(shop)
    assert {key: part["price"] for key, part in parts.items()} == {
        "9091901253~DENSO": 450, "9091901253~NGK": 380}
    assert parts["9091901253~DENSO"]["cost"] == 300


def test_a_dry_run_counts_every_row_and_writes_nothing_then_the_same_file_is_imported(shop):
    first = import_list(shop.manager, BIG5_LIST.encode("cp950"))
    assert first.body["created"] == 4
    changed = BIG5_LIST.replace("350,200", "390,200") + "\nNEW-1,新零件,副廠,,100,,"
    import_id = new_id("pl")
    preview = import_list(shop.manager, changed.encode("cp950"), dry_run=True,
                          import_id=import_id)
    assert (preview.body["dry_run"], preview.body["created"], preview.body["updated"],
            preview.body["unchanged"], preview.body["bad"]) == (True, 1, 1, 3, 4)
    assert len(parts_of(shop)) == 4 and parts_of(shop)["90915YZZE1"]["price"] == 350
    assert head_version(shop) == 1

    real = run_import(shop.manager, import_id)
    assert (real.body["dry_run"], real.body["created"], real.body["updated"],
            real.body["unchanged"]) == (False, 1, 1, 3)
    parts = parts_of(shop)
    assert len(parts) == 5 and parts["90915YZZE1"]["price"] == 390
    assert parts["04152YZZA1~TOYOTA"]["cost"] == 800  # kept
    assert head_version(shop) == 2
    head = models.CatalogueHead.read(models.CatalogueHead.key(shop.shop_id), consistent=True)
    assert head["built"] == 2 and head["counts"]["parts"] == 5  # built by the job, not a tablet
    again = import_list(shop.manager, changed.encode("cp950"))
    assert (again.body["created"], again.body["updated"], again.body["unchanged"]) == (0, 0, 5)
    assert head_version(shop) == 2  # nothing changed: the tablets keep their copy


def test_a_reimport_keeps_what_the_list_does_not_give(shop):
    import_list(shop.manager, "料號,品名,等級,售價,英文名\nK-1,濾清器,正廠,500,Filter\n".encode())
    again = import_list(shop.manager, "料號,品名,等級,售價\nK-1,濾清器,正廠,550\n".encode())
    assert again.body["updated"] == 1
    (part,) = parts_of(shop).values()
    assert (part["price"], part["name_en"]) == (550, "Filter")


def test_two_imports_of_the_same_file_at_once_leave_each_part_once(shop):
    rows = "\n".join(f"R-{n:04d},零件{n},副廠,{100 + n}" for n in range(300))
    data = ("料號,品名,等級,售價\n" + rows).encode("utf-8")
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: import_list(shop.manager, data), range(4)))
    assert all(answer.body["state"] == "done" for answer in answers), answers[0].body
    assert all(answer.body["created"] + answer.body["updated"] + answer.body["unchanged"] == 300
               for answer in answers)
    parts = parts_of(shop)
    assert len(parts) == 300 and parts["R0299"]["price"] == 399
    items = list(models.Item.query(models.catalogue_pk(shop.shop_id)))
    assert sum(1 for item in items if item.sk.startswith("PART#")) == 300


def test_a_long_list_is_imported_in_pieces_each_part_once(shop, monkeypatch):
    from chalicelib.after import catalogue_import, jobs

    monkeypatch.setattr(catalogue_import, "ROWS_PER_SAVE", 40)
    monkeypatch.setattr(jobs, "PIECE_SECONDS", 0)
    real_save, saves = jobs.save, []

    def cut_off_once(job, **changes):
        saves.append(changes.get("cursor"))
        if len(saves) == 4:
            raise TimeoutError("Task timed out")
        real_save(job, **changes)

    monkeypatch.setattr(jobs, "save", cut_off_once)
    rows = "\n".join(f"L-{n:04d},零件{n},正廠,{n + 1}" for n in range(200))
    done = import_list(shop.manager, ("料號,品名,等級,售價\n" + rows).encode())
    assert done.body["state"] == "done", done.body
    assert done.body["created"] + done.body["unchanged"] == 200
    assert len(parts_of(shop)) == 200 and head_version(shop) == 1


def test_a_list_without_the_columns_or_the_file_is_refused_whole(shop):
    missing = import_list(shop.manager, "料號,規格\nA-1,1L\n".encode("cp950"))
    assert (missing.status, missing.error) == (422, "unknown_columns")
    assert "品名" in missing.body["error"]["message"] and "售價" in missing.body["error"]["message"]
    english = shop.manager.__class__(shop.manager.client, shop.manager.token, "en")
    empty = import_list(english, b"\n", format="csv")
    assert empty.status == 422 and "part number" in empty.body["error"]["message"]
    broken = import_list(shop.manager, b"not a workbook", format="xlsx")
    assert (broken.status, broken.error) == (422, "file_unreadable")
    never = run_import(shop.manager, new_id("pl"))
    assert (never.status, never.error) == (404, "file_not_uploaded")
    bad_grade = shop.manager.post("/api/catalogue/imports", {
        "import_id": new_id("pl"), "format": "csv", "dry_run": True, "grade": "水貨"})
    assert bad_grade.status == 422
    assert parts_of(shop) == {}


def test_only_a_manager_or_owner_imports_and_only_into_their_own_shop(shop, chalice_client):
    data = "料號,品名,等級,售價\nA-1,機油,正廠,100\n".encode()
    owner = import_list(shop.owner, data)
    assert owner.body["created"] == 1
    for person in (shop.advisor, shop.technician):
        for answer in (
                person.post("/api/catalogue/imports/uploads", {"import_id": new_id("pl"),
                                                               "format": "csv"}),
                person.post("/api/catalogue/imports", {"import_id": new_id("pl"),
                                                       "format": "csv", "dry_run": True}),
                person.get(f"/api/catalogue/imports/{owner.body['import_id']}")):
            assert (answer.status, answer.error) == (403, "forbidden"), person.role
    other = a_shop(chalice_client, name="別家")
    seen = other.owner.get(f"/api/catalogue/imports/{owner.body['import_id']}")
    assert (seen.status, seen.error) == (404, "not_found")
    started = other.owner.post("/api/catalogue/imports", {
        "import_id": owner.body["import_id"], "format": "csv", "dry_run": False})
    assert (started.status, started.error) == (404, "file_not_uploaded")
    assert parts_of(other) == {} and len(parts_of(shop)) == 1
