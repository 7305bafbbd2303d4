"""Bookings: a partition each, a shop's day through gsi2, a customer's through gsi1."""
from __future__ import annotations

from chalicelib.models.base import Document, Flag, Item, Number, Text, Values
from chalicelib.models.shops import shop_pk

Key = dict[str, str]


def appointment_day_pk(shop_id: str, local_date: str) -> str:
    return f"APPTS#{shop_id}#{local_date}"


def appointment_day_index(shop_id: str, local_date: str, at: str, appointment_id: str) -> Key:
    return {"gsi2pk": appointment_day_pk(shop_id, local_date), "gsi2sk": f"{at}#{appointment_id}"}


def customer_appointments_pk(shop_id: str, customer_id: str) -> str:
    return f"CUSTOMER_APPTS#{shop_id}#{customer_id}"


def customer_appointments_index(shop_id: str, customer_id: str, appointment_id: str) -> Key:
    """A customer's appointments (gsi1), so exporting or erasing their data needs no Scan."""
    return {"gsi1pk": customer_appointments_pk(shop_id, customer_id),
            "gsi1sk": f"APPT#{appointment_id}"}


class Appointment(Item, discriminator="appointment"):
    """A booking (預約). PK `SHOP#<shop>#APPT#<appointment>`, SK `APPT`; gsi2
    `APPTS#<shop>#<local day>` / `<at>#<id>` (the day's list, by time); gsi1
    `CUSTOMER_APPTS#<shop>#<customer>` / `APPT#<id>` (a customer's, for their data rights).
    Checked in, it names the order it opened."""
    shop_id = Text()
    appointment_id = Text()
    at = Text()
    duration_minutes = Number()
    purpose = Text()
    source = Text()
    parts_to_prepare = Values(null=True)
    state = Text()
    customer_id = Text()
    customer_name = Text(null=True)
    vehicle_id = Text()
    plate = Text(null=True)
    order_id = Text(null=True)
    checked_in_at = Text(null=True)
    checked_in_by = Document(null=True)
    state_changed_at = Text(null=True)
    state_changed_by = Document(null=True)
    # Online booking (chalicelib/work/appointments.py): the places it holds (its local day and
    # the slots' local starts, given back exactly as taken), who confirmed a pending one, the
    # day-before reminder (set once), and what the advisor prepared.
    slot_day = Text(null=True)
    slot_starts = Values(null=True)
    overbooked = Flag(null=True)
    confirmed_at = Text(null=True)
    confirmed_by = Document(null=True)
    reminded_at = Text(null=True)
    technician_id = Text(null=True)
    technician_name = Text(null=True)
    parts_ready = Values(null=True)
    estimate_amount = Number(null=True)
    note = Text(null=True)
    service_id = Text(null=True)
    created_at = Text()
    created_by = Document(null=True)
    updated_at = Text(null=True)
    updated_by = Document(null=True)  # the last change's (`{"customer": true}`: their own)

    @staticmethod
    def key(shop_id: str, appointment_id: str) -> Key:
        return {"pk": f"{shop_pk(shop_id)}#APPT#{appointment_id}", "sk": "APPT"}
