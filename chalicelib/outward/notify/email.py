"""E-mail through Amazon SES (v2 SendEmail, plain text in UTF-8)."""
from __future__ import annotations

from chalicelib.core.config import settings
from chalicelib.outward.notify._aws import client, describe
from chalicelib.outward.notify.base import Delivery, Message, failed


def send(message: Message) -> Delivery:
    try:
        answer = client("sesv2").send_email(
            FromEmailAddress=settings().mail_from,
            Destination={"ToAddresses": [message.to]},
            Content={"Simple": {
                "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": message.text, "Charset": "UTF-8"}}}})
    except Exception as err:
        reason, retryable = describe(err)
        return failed(f"SES {reason}", retryable)
    return Delivery("sent", provider_id=answer.get("MessageId"))
