"""SMS through Amazon SNS (Publish straight to a phone number, transactional)."""
from __future__ import annotations

from chalicelib.outward.notify._aws import client, describe
from chalicelib.outward.notify.base import Delivery, Message, failed


def send(message: Message) -> Delivery:
    try:
        answer = client("sns").publish(
            PhoneNumber=message.to, Message=message.text,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})
    except Exception as err:
        reason, retryable = describe(err)
        return failed(f"SNS {reason}", retryable)
    return Delivery("sent", provider_id=answer.get("MessageId"))
