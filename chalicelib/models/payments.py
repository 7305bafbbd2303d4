"""Money taken on an order and the 電子發票 issued for it, in the order's partition (one Query
of the order reads them with the rest), each also listed by day for the cash-up (日結):

- `Payment`  SK `PAYMENT#<client id>`: one payment, deposit or refund; gsi2
  `TAKINGS#<shop>` / `<day>#<at>#<id>` — a day's takings are one Query.
- `Invoice`  SK `INVOICE#<seq>`: one uniform invoice for the sale (a voided one is followed by
  the next seq); gsi2 `INVOICES#<shop>` / `<day>#I#<seq>#<order>` once issued — a day's or a
  month's invoices are one Query; gsi1 `INVOICE_QUEUE` / `<retry at>#<shop>#<order>#<seq>`
  while it waits for the value-added centre, so the retry finds what is due in one Query.
- `InvoiceChange`  SK `INVOICE_CHANGE#<client id>`: a void (作廢) or an allowance (折讓) of an
  issued invoice; gsi2 `INVOICES#<shop>` / `<day>#C#<id>` — the day's voids and allowances.
"""
from __future__ import annotations

from chalicelib.models.base import Document, Item, Number, Text, Values, Version
from chalicelib.models.orders import order_pk

Key = dict[str, str]

PAYMENT_PREFIX = "PAYMENT#"
INVOICE_PREFIX = "INVOICE#"
INVOICE_CHANGE_PREFIX = "INVOICE_CHANGE#"
INVOICE_QUEUE = "INVOICE_QUEUE"


def takings_pk(shop_id: str) -> str:
    return f"TAKINGS#{shop_id}"


def takings_index(shop_id: str, day: str, at: str, payment_id: str) -> Key:
    return {"gsi2pk": takings_pk(shop_id), "gsi2sk": f"{day}#{at}#{payment_id}"}


def invoices_pk(shop_id: str) -> str:
    return f"INVOICES#{shop_id}"


def issued_index(shop_id: str, day: str, seq: int, order_id: str) -> Key:
    return {"gsi2pk": invoices_pk(shop_id), "gsi2sk": f"{day}#I#{seq:02d}#{order_id}"}


def invoice_change_index(shop_id: str, day: str, change_id: str) -> Key:
    return {"gsi2pk": invoices_pk(shop_id), "gsi2sk": f"{day}#C#{change_id}"}


def invoice_queue_index(retry_at: str, shop_id: str, order_id: str, seq: int) -> Key:
    return {"gsi1pk": INVOICE_QUEUE, "gsi1sk": f"{retry_at}#{shop_id}#{order_id}#{seq:02d}"}


class Payment(Item, discriminator="payment"):
    """Money in (a payment, a deposit taken at authorization) or out (a refund, `amount`
    below zero), by one method: SK `PAYMENT#<client id>`, gsi2 `TAKINGS#<shop>`; `received` and `change` for cash, `reference` for a card's
    terminal slip, a transfer's last digits or a wallet's transaction."""
    shop_id = Text()
    order_id = Text()
    order_number = Text()
    payment_id = Text()
    kind = Text()  # payment | deposit | refund
    method = Text()  # cash | card | transfer | line_pay | jko | monthly
    amount = Number()
    received = Number(null=True)
    change = Number(null=True)
    reference = Text(null=True)
    reason = Text(null=True)
    by = Document()
    at = Text()
    day = Text()

    @staticmethod
    def key(shop_id: str, order_id: str, payment_id: str) -> Key:
        return {"pk": order_pk(shop_id, order_id), "sk": f"{PAYMENT_PREFIX}{payment_id}"}


class Invoice(Item, discriminator="invoice"):
    """A uniform invoice for the order's sale: SK `INVOICE#<seq>`. `state`: queued (waits for the value-added
    centre) → issued → voided; refused when the centre said no (a wrong carrier). `relate`
    is the sale's number at the centre, the same on every try: the centre issues it once.
    `buyer` {tax_id, title} makes it B2B; else `carrier` {type, number}, `donation_code`, or
    printed. `version` guards each change of state."""
    shop_id = Text()
    order_id = Text()
    order_number = Text()
    seq = Number()
    relate = Text()
    state = Text()
    buyer = Document(null=True)
    carrier = Document(null=True)
    donation_code = Text(null=True)
    issued_for = Document(null=True)  # {name, mobile}: where the centre sends its notice
    items = Values()
    total = Number()
    sales = Number()
    tax = Number()
    number = Text(null=True)
    random_code = Text(null=True)
    issued_at = Text(null=True)
    allowed = Number(null=True)  # the allowances' sum so far
    printed = Number(null=True)  # how often its 證明聯 was printed: the second on is 補印
    tries = Number(null=True)
    last_error = Document(null=True)  # {code, message, message_en, at}
    requested_by = Document()
    requested_at = Text()
    voided = Document(null=True)  # {at, reason, by}
    version = Version()

    @staticmethod
    def key(shop_id: str, order_id: str, seq: int) -> Key:
        return {"pk": order_pk(shop_id, order_id), "sk": f"{INVOICE_PREFIX}{seq:02d}"}


class InvoiceChange(Item, discriminator="invoice_change"):
    """A void (作廢) or an allowance (折讓, a part of the sale given back) of an invoice, SK
    `INVOICE_CHANGE#<client id>`: `kind`
    void | allowance; an allowance's `number` is the centre's 折讓單 number."""
    shop_id = Text()
    order_id = Text()
    change_id = Text()
    kind = Text()
    seq = Number()
    invoice_number = Text()
    amount = Number()
    tax = Number(null=True)
    number = Text(null=True)
    reason = Text()
    by = Document()
    at = Text()
    day = Text()

    @staticmethod
    def key(shop_id: str, order_id: str, change_id: str) -> Key:
        return {"pk": order_pk(shop_id, order_id), "sk": f"{INVOICE_CHANGE_PREFIX}{change_id}"}
