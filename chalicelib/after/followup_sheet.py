"""The 維修後關懷紀錄表 on paper: a day's follow-up calls and the cases they opened, as an A4 PDF
the advisor hands to the manager (KPS5220-004v1 P5.1).

A day's calls are on two lists: the follow-ups still due (no answer, call back: the shop's list,
one Query) and those done, whose order moved to `followed_up` that day (the board's orders
closed that day, one Query, then each order's follow-up read side by side). A case is opened
only by a call (chalicelib/after/followups.py), so the day's cases are the ones its calls name.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from chalicelib import models
from chalicelib.api import Body, Caller, Day
from chalicelib.api.roles import require
from chalicelib.core import clock
from chalicelib.work import paper, pdf

OUTCOMES = {"reached": ("已聯絡", "Reached"), "no_answer": ("未接", "No answer"),
            "call_back": ("再回電", "Call back")}
REACTIONS = {"satisfied": ("滿意", "Satisfied"), "issue": ("有問題", "Issue")}
CASE_STATES = {"open": ("處理中", "Open"), "closed": ("已結案", "Closed")}


class SheetQuery(Body):
    day: Day | None = None


def calls_on(shop_id: str, day: str) -> list[dict]:
    """The calls made on `day` (Asia/Taipei), each with its follow-up's order, customer and
    vehicle, by time."""
    due = [item.as_dict() for item in models.Item.lists.query(models.followups_due_pk(shop_id))]
    headers = models.Order.lists.query(models.board_pk(shop_id), models.Order.gsi2sk >= day,
                                       attributes_to_get=["order_id", "closed_on", "state"])
    done_ids = [header.order_id for header in headers
                if header.closed_on == day and header.state == "followed_up"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        done = pool.map(lambda order_id: models.FollowUp.read(
            models.FollowUp.key(shop_id, order_id)), done_ids)
        followups = [*due, *(item for item in done if item)]
    calls = [{**call, "followup": item} for item in followups for call in item.get("calls") or []
             if clock.local_date(call["at"]) == day]
    return sorted(calls, key=lambda call: call["at"])


def pdf_link(caller: Caller, query: SheetQuery) -> dict:
    """The day's calls and cases as an A4 PDF: a 15-minute link."""
    require(caller, "followups.record")
    day = query.day or clock.local_date()
    calls = calls_on(caller.shop_id, day)
    case_ids = [call["case_id"] for call in calls if call.get("case_id")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        cases = [case for case in pool.map(
            lambda case_id: models.Case.read(models.Case.key(caller.shop_id, case_id)), case_ids)
            if case]
    return paper.link(caller.shop_id, f"followups-{day}", render(caller.shop_id, day, calls,
                                                                 cases))


def render(shop_id: str, day: str, calls: list[dict], cases: list[dict]) -> bytes:
    sheet = paper.sheet(shop_id, ("維修後關懷紀錄表", "Follow-up calls"), str([calls, cases]))
    sheet.add_page()
    reached = sum(1 for call in calls if call["outcome"] == "reached")
    paper.header(sheet, [("日期", "Date", sheet.date(day)),
                         ("通話", "Calls", f"{len(calls)} 通"),
                         ("聯絡上", "Reached", f"{reached} 通"),
                         ("開立案件", "Cases opened", f"{len(cases)} 件")])
    pdf.section(sheet, "關懷電話", "Calls", needs=24)
    if not calls:
        paper.none_line(sheet, "這天沒有關懷電話紀錄。", "No calls recorded this day.")
    else:
        rows = []
        for call in calls:
            item = call["followup"]
            outcome = OUTCOMES[call["outcome"]]
            result = f"{outcome[0]} {outcome[1]}"
            if call.get("reaction"):
                reaction = REACTIONS[call["reaction"]]
                colour = pdf.COLOURS["green" if call["reaction"] == "satisfied" else "red"]
                result = (f"{result}\n{reaction[0]} {reaction[1]}", colour)
            note = call.get("note") or ""
            if call.get("call_back_at"):
                note = (f"{note}\n" if note else "") + \
                    f"回電 Call back: {sheet.date(call['call_back_at'], time=True)}"
            rows.append([_time(call["at"]), f"{item['vehicle']['plate']}\n{item['number']}",
                         item["customer"]["name"], sheet.date(item.get("delivered_on")), result,
                         note, (call.get("by") or {}).get("name", "")])
        paper.table(sheet, [("時間", "Time"), ("車牌/工單", "Plate/order"),
                            ("客戶", "Customer"), ("交車日", "Delivered"),
                            ("結果", "Outcome"), ("備註", "Notes"), ("經辦", "By")],
                    [14, 30, 24, 24, 28, 0, 24], rows)
    pdf.section(sheet, "開立的客訴案件", "Cases opened", needs=24)
    if not cases:
        paper.none_line(sheet, "這天沒有開立案件。", "No cases opened this day.")
    else:
        rows = []
        for case in cases:
            state = CASE_STATES.get(case["state"], (case["state"], ""))
            rows.append([f"{(case.get('vehicle') or {}).get('plate', '')}\n{case.get('number', '')}",
                         case["customer"]["name"], case["summary"], case["owner"]["name"],
                         sheet.date(case["due_on"]), f"{state[0]}\n{state[1]}"])
        paper.table(sheet, [("車牌/工單", "Plate/order"), ("客戶", "Customer"),
                            ("問題", "Issue"), ("負責人", "Owner"), ("期限", "Due"),
                            ("狀態", "State")], [30, 24, 0, 26, 24, 18], rows)
    sheet.ln(10)
    pdf.font(sheet, 9)
    sheet.cell(sheet.epw / 2, 6, "填表人 Prepared by：____________________")
    sheet.cell(sheet.epw / 2, 6, "主管 Manager：____________________")
    return bytes(sheet.output())


def _time(text: str) -> str:
    return clock.parse_iso(text).astimezone(clock.SHOP_TIMEZONE).strftime("%H:%M")
