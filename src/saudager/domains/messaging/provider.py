"""What buyer messaging needs from a WhatsApp provider (the Cloud API, GREEN-API, WAHA, the
console), and what a provider tells us back. Adapters live in ``saudager.adapters.whatsapp``;
the shapes follow ``reference/whatsapp.md``.

A send has three outcomes, and the outbox treats them differently:

- accepted (:class:`SendAccepted`): the provider took the message; delivery is reported later
  by status webhooks (:class:`StatusUpdate`);
- refused (:class:`SendRefused`): the provider answered that it did not take it — nothing was
  sent, so it may be retried when ``retryable``;
- unknown (:class:`OutcomeUnknown`): the request may have reached the provider but no answer
  came (a timeout, a dropped connection). It must never be sent again blindly: the status
  webhooks (which carry our ``callback_data``) settle it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True, slots=True)
class TemplateMessage:
    """An approved template sent to a buyer (message 1, message 2, a service message)."""

    to: str  # E.164, "+7…"
    template: str  # the approved template's name at the provider
    language: str  # the template's language code at the provider: "ru", "kk", "en"
    body_parameters: tuple[str, ...]  # the {{1}}, {{2}}, … of the body, in order
    #: Our message's key, echoed back in every status webhook (``biz_opaque_callback_data``).
    callback_data: str
    #: The review link's variable part for a URL button, when the template has one.
    button_url_parameter: str | None = None


@dataclass(frozen=True, slots=True)
class TextMessage:
    """Free text: allowed only inside the 24-hour window after the buyer wrote."""

    to: str
    text: str
    callback_data: str


@dataclass(frozen=True, slots=True)
class SendAccepted:
    provider_message_id: str  # "wamid.…"


class RefusalKind(StrEnum):
    """What a refusal means for us (reference/whatsapp.md §2.5)."""

    RATE_LIMITED = "rate_limited"  # 130429, 131056, 4, 80007, HTTP 429: wait, then retry
    PROVIDER_ERROR = "provider_error"  # 131000, 131016, HTTP 5xx: retry with backoff
    NUMBER_BLOCKED = "number_blocked"  # 131048, 131031, 368: stop the number, tell the seller
    TEMPLATE_UNUSABLE = "template_unusable"  # 132000/132001/132012/132015/132016: fix mapping
    AUTH_FAILED = "auth_failed"  # 0, 190: stop, the seller must fix the token
    UNREACHABLE = "unreachable"  # 131026: the buyer has no WhatsApp; never retry
    WINDOW_CLOSED = "window_closed"  # 131047: free text outside 24 h; send a template
    USER_LIMIT = "user_limit"  # 131049, 131050: not for this buyer now
    BAD_REQUEST = "bad_request"  # 100, 131008, 131009, anything else: a bug; no retry


#: Kinds after which the same message may be sent again later.
RETRYABLE = frozenset({RefusalKind.RATE_LIMITED, RefusalKind.PROVIDER_ERROR})


class SendRefused(Exception):
    """The provider answered that it did not take the message: nothing was sent."""

    def __init__(
        self,
        kind: RefusalKind,
        reason: str,
        *,
        code: int | None = None,
        retry_after_seconds: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.code = code
        self.retry_after_seconds = retry_after_seconds

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE


class OutcomeUnknown(Exception):
    """The request may have reached the provider, and no answer says whether it was taken."""


class DeliveryStatus(StrEnum):
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


#: Later statuses win; a duplicate or an older one arriving late changes nothing.
STATUS_RANK = {
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
    DeliveryStatus.FAILED: 4,
}


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A status webhook for one message we sent."""

    provider_message_id: str
    status: DeliveryStatus
    at: datetime
    recipient: str  # E.164 "+7…"
    callback_data: str | None
    error_code: int | None = None
    error_title: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A buyer's message or button reply to one of our numbers."""

    provider_message_id: str
    sender: str  # E.164 "+7…"
    at: datetime
    text: str  # the text, or the button's title/payload for a button reply
    #: The message it answers (``context.id``), when the buyer replied to one of ours.
    in_reply_to: str | None = None
    button_payload: str | None = None
    #: Our number it was written to (the webhook's ``metadata.phone_number_id``), when given.
    business_number: str | None = None


class MessagingProvider(Protocol):
    """One business number at one provider."""

    def send_template(self, message: TemplateMessage) -> SendAccepted:
        """Raises :class:`SendRefused` or :class:`OutcomeUnknown`."""
        ...

    def send_text(self, message: TextMessage) -> SendAccepted:
        """Raises :class:`SendRefused` or :class:`OutcomeUnknown`."""
        ...
