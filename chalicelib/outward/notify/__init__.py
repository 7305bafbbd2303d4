"""Telling the customer, by the step their repair order reached (docs/design.md §1, "Who is
told"): the package's face, what the routes, the stream and the later parts use.

- steps.py: an order's state change (from the table's stream) tells the customer, in the shop's
  words; a reminder's text goes the same way.
- delivery.py: one message sent, channel after channel, each once, retried, recorded under the
  order (`MESSAGE#…`), a dead letter after the last try.
- quiet_hours.py: what is not urgent waits for the morning, queued, until `send_due`.
- order_messages.py: the order screen's list of messages, a resend, the read receipt.
- line_linking.py: a customer's LINE account linked by a code; LINE's webhook.
- chat.py: what a linked customer writes on LINE, the advisors' replies, the inbox.
- The channels, each `send(message) -> Delivery` (base.py): line.py, line_pnp.py, sms.py,
  email.py, push.py, and locally outbox.py.
"""
from chalicelib.outward.notify.base import Delivery, Message
from chalicelib.outward.notify.delivery import (BACKOFF_SECONDS, MAX_TRIES, adapter, deliver,
                                                send_direct)
from chalicelib.outward.notify.chat import Reply, conversation, inbox, reply
from chalicelib.outward.notify.chat import mark_read as mark_conversation_read
from chalicelib.outward.notify.line_linking import line_link, line_webhook, link_code
from chalicelib.outward.notify.order_messages import (Resend, list_messages, mark_read,
                                                      order_messages, resend)
from chalicelib.outward.notify.quiet_hours import (next_send_time, queue, quiet, send_due,
                                                   send_due_now)
from chalicelib.outward.notify.steps import (notify_parts_date, notify_step, on_line_change,
                                             on_order_change, render, send_text)

__all__ = ["Delivery", "Message", "BACKOFF_SECONDS", "MAX_TRIES", "adapter", "deliver",
           "send_direct", "Reply", "conversation", "inbox", "reply", "mark_conversation_read",
           "line_link", "line_webhook", "link_code", "Resend", "list_messages", "mark_read",
           "order_messages", "resend", "next_send_time", "queue", "quiet", "send_due",
           "send_due_now", "notify_step", "on_order_change", "render", "send_text",
           "notify_parts_date", "on_line_change"]
