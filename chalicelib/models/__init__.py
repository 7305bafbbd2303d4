"""The single table, one model per item type (docs/design.md, "The table").

Read this package first: each model's docstring names its keys, the indexes it sets and who
reads it; the key formats are built here and nowhere else. The table itself (key schema, the
two indexes, the stream, TTL) is declared once, in infra/resources.json, and
tests/unit/test_models.py holds the two together.

    from chalicelib import models
    order = models.Order.read(models.order_key(shop_id, order_id))  # a dict, or None
"""
from chalicelib.models.aftercare import (INVITATION_SK, Case, DashboardDay, DashboardSeen,
                                         DashboardTotals, Invitation, case_index, cases_pk, dashboard_pk,
                                         followup_pending_item, reminder_views)
from chalicelib.models.appointments import (Appointment, appointment_day_index,
                                            appointment_day_pk, customer_appointments_index,
                                            customer_appointments_pk)
from chalicelib.models.booking_page import BookingCode, ManageLink
from chalicelib.models.bookings import (BookingPage, BookingSetup, SlotDay, slot_day_index,
                                        slot_days_listed_pk, slot_days_pk)
from chalicelib.models.base import (Document, Flag, Item, Lists, Lookup, Number, Text,
                                    UndeclaredAttribute, Values, Version)
from chalicelib.models.catalogue import (GRADE_NAMES, MENU_PREFIX, OP_PREFIX, CatalogueHead,
                                        CataloguePart, Grade, LabourOp, ServiceMenu, StockItem,
                                        catalogue_pk, part_key, stock_pk)
from chalicelib.models.conversations import (CHAT_ID_PREFIX, CHAT_PREFIX, ChatClaim,
                                             ChatMessage, InboxEntry, LineEvent, LineStrangers,
                                             LineUser, inbox_pk, line_user_pk)
from chalicelib.models.customers import (MILEAGE_PREFIX, OWNER_PREFIX, PUSH_PREFIX,
                                         REMINDER_PREFIX, VEHICLE_SK, Customer, LineLink,
                                         Mileage, OptOutLink, PhoneClaim, PlateClaim,
                                         PushSubscription, Reminder, Vehicle, VehicleOwner,
                                         customer_key, customer_vehicles_index,
                                         customer_vehicles_pk, invitations_pk, invite_index,
                                         phone_holders, phone_index,
                                         phone_lookup, plate_index, plate_lookup,
                                         reminder_pending_index,
                                         reminders_pending_pk, vehicle_key, vehicle_pk)
from chalicelib.models.jobs import Job
from chalicelib.models.messages import (DeadLetter, LineDeliveryTag, Outbox, idempotency_pk,
                                        message_once_key, message_views)
from chalicelib.models.orders import (BOARD_OPEN, BRAKE_AXLES, CUSTOMER_ORDER_PREFIX,
                                      EVENT_PREFIX, FOLLOWUP_SK,
                                      INSPECTION_SK, LINE_PREFIX, LINK_SK, MESSAGE_PREFIX,
                                      ORDER_SK, PART_PREFIX, PHOTO_PREFIX, SIGNATURE_PREFIX,
                                      SIGNED_PREFIX, TYRE_POSITIONS, ApprovalCode, CustomerOrder,
                                      Event, FollowUp, Inspection, IntegrityAlert, Line, LinkHash,
                                      Message, Order,
                                      PartClientId, PartCode, PartTag, Photo, ProgressLink,
                                      Signature, SignedRecently, board_index, board_pk,
                                      followup_due_index, followup_pending_index,
                                      followups_due_pk, followups_pending_pk,
                                      integrity_alerts_pk, jobs_index, jobs_pk, link_hash_index,
                                      message_due_index, message_id, message_step_prefix,
                                      messages_due_pk, order_key, order_of, order_pk,
                                      order_summary, parts_month_pk, parts_pending_pk,
                                      parts_report_index, promised_time, signature_hash_index,
                                      signed_recently_pk, vehicle_orders_index,
                                      vehicle_orders_lookup)
from chalicelib.models.payments import (INVOICE_CHANGE_PREFIX, INVOICE_PREFIX, INVOICE_QUEUE,
                                          PAYMENT_PREFIX, Invoice, InvoiceChange, Payment,
                                          invoice_change_index, invoice_queue_index,
                                          invoices_pk, issued_index, takings_index, takings_pk)
from chalicelib.models.shops import (SHARDS, STAFF_PREFIX, Audit, ClientGuard, Device,
                                     InspectionTemplate, Login, LoginGuard, NotifySettings,
                                     OrderCounter, PinGuard, QualityTemplate, RefreshFamily,
                                     RefreshToken, Shop, ShopSettings, Staff, StaffAlert,
                                     StaffPush, Welcome, devices_pk, login_pk, shard_of, shop_pk,
                                     staff_push_pk)
from chalicelib.models.writes import (ATTEMPTS, Conflicted, LostRace, Refused, failed, reasons,
                                      refusals, retry, transaction)

__all__ = [name for name in dir() if not name.startswith("_")
           and name not in ("aftercare", "appointments", "base", "booking_page", "bookings",
                            "conversations", "customers", "messages", "orders", "payments", "shops",
                            "writes")]
