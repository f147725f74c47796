"""What the fake Cloud API remembers and decides (reference/whatsapp.md §7), without HTTP.

:class:`FakeCloudApi` is also the handle tests and the demo script: fail the next sends with a
code, refuse or fail one number, inject a buyer's reply, read back every accepted message.
Status sequences (sent → delivered → read, or failed) are posted to the configured webhook URL,
sometimes duplicated, reordered or batched, from a seeded random generator.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from saudager.adapters.whatsapp.errors import http_status_for
from saudager.adapters.whatsapp.fake.webhooks import PostedWebhook, WebhookSender, escaped_json

ERROR_TITLES: dict[int, str] = {
    0: "AuthException",
    4: "API Too Many Calls",
    100: "Invalid parameter",
    190: "Access token has expired",
    368: "Temporarily blocked for policies violations",
    80007: "Rate limit issues",
    130429: "Rate limit hit",
    131000: "Something went wrong",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131016: "Service unavailable",
    131026: "Message undeliverable",
    131031: "Account has been locked",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131049: "This message was not delivered to maintain healthy ecosystem engagement.",
    131050: "User stopped marketing messages",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132012: "Parameter format does not match format in the created template",
    132015: "Template is paused",
    132016: "Template is disabled",
}

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class FakeTemplate:
    """An approved template: its name, language and how many body parameters it takes."""

    name: str
    language: str
    body_parameters: int
    url_button: bool = False


DEFAULT_TEMPLATES: tuple[FakeTemplate, ...] = tuple(
    FakeTemplate(name, language, count, url_button)
    for language in ("ru", "kk", "en")
    for name, count, url_button in (
        ("order_received_v1", 4, False),
        ("order_delivered_review_v1", 4, True),
        ("order_late_apology_v1", 4, False),
        ("order_cancelled_v1", 4, False),
        ("order_returned_v1", 4, False),
        ("order_complaint_follow_up_v1", 4, False),
    )
)


@dataclass(frozen=True, slots=True)
class FakeCloudConfig:
    phone_number_id: str = "106540352242922"
    display_phone_number: str = "77270001122"
    waba_id: str = "102290129340398"
    access_token: str = "fake-access-token"  # noqa: S105 - the fake's own, not a secret
    app_secret: str = "fake-app-secret"  # noqa: S105 - the fake's own
    webhook_url: str | None = None
    templates: tuple[FakeTemplate, ...] = DEFAULT_TEMPLATES
    seed: int = 0
    #: Minimum seconds between two messages to one number (Meta: 6); ``None`` turns it off.
    pair_interval_seconds: float | None = None
    #: Accepted sends per second before 130429 (Meta: 80); ``None`` turns it off.
    max_per_second: float | None = None
    read_rate: float = 0.8  # share of delivered messages that get "read"
    skip_delivered_rate: float = 0.1  # share of read messages whose "delivered" never comes
    duplicate_rate: float = 0.2  # share of messages with one status posted twice
    reorder_rate: float = 0.2  # share of messages with two statuses swapped
    batch_rate: float = 0.3  # share of messages whose statuses come in one POST
    webhook_retries: int = 3
    #: Seconds between taking a message and answering (Meta answers in tens of milliseconds or
    #: more): a client that dies in between leaves a message taken but never answered.
    answer_delay_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class AcceptedMessage:
    """A message the fake took (answered 200 for, or took and then never answered)."""

    wamid: str
    to: str
    type: str  # "template" | "text"
    callback_data: str | None
    at: datetime
    template: str | None = None
    language: str | None = None
    body_parameters: tuple[str, ...] = ()
    button_url_parameter: str | None = None
    text: str | None = None
    answered: bool = True  # False when the fake hung instead of answering


@dataclass(frozen=True, slots=True)
class ScriptedFault:
    """What the fake does to one upcoming send instead of its normal checks."""

    code: int | None = None  # a Graph error code; ``None`` with http_status for a bare error
    http_status: int | None = None
    retry_after_seconds: float | None = None
    #: Take the message (record it, post its statuses) and never answer, for this many seconds.
    hang_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class SendAnswer:
    """The fake's decision on one send request."""

    status_code: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    hang_seconds: float | None = None


class FakeCloudApi:
    """The fake's state and its scripting handle; thread-safe."""

    def __init__(
        self,
        config: FakeCloudConfig | None = None,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config or FakeCloudConfig()
        self._clock = clock
        self._lock = threading.Lock()
        self._rng = random.Random(self.config.seed)
        self._ids = itertools.count(1)
        self._templates = {(t.name, t.language): t for t in self.config.templates}
        self._accepted: list[AcceptedMessage] = []
        self._faults: deque[ScriptedFault] = deque()
        self._refused: dict[str, int] = {}
        self._failing: dict[str, int] = {}
        self._last_send: dict[str, datetime] = {}
        self._recent: deque[datetime] = deque()
        self._window_until: dict[str, datetime] = {}
        self._webhooks = WebhookSender(
            self.config.app_secret, self.config.webhook_url, self.config.webhook_retries
        )

    # ---- scripting -------------------------------------------------------------------------

    def fail_next(
        self,
        code: int | None,
        count: int = 1,
        *,
        http_status: int | None = None,
        retry_after_seconds: float | None = None,
    ) -> None:
        """Refuse the next ``count`` sends with ``code`` (HTTP status from reference §2.5), or
        with a bare ``http_status`` (e.g. 429 with ``Retry-After``) when ``code`` is None."""
        fault = ScriptedFault(code, http_status, retry_after_seconds)
        with self._lock:
            self._faults.extend([fault] * count)

    def hang_next(self, count: int = 1, *, seconds: float = 30.0) -> None:
        """Take the next ``count`` messages but never answer: the sender's outcome is unknown,
        and the status webhooks (with its callback data) still come."""
        with self._lock:
            self._faults.extend([ScriptedFault(hang_seconds=seconds)] * count)

    def refuse_number(self, to: str, code: int) -> None:
        """Refuse every send to ``to`` with ``code`` (e.g. 131048 spam, 368 blocked)."""
        with self._lock:
            self._refused[_digits(to)] = code

    def fail_delivery_to(self, to: str, code: int = 131026) -> None:
        """Take sends to ``to``, then post ``failed`` with ``code`` (131026 no WhatsApp,
        131049 per-user limit, 131050 stopped marketing)."""
        with self._lock:
            self._failing[_digits(to)] = code

    def verify_webhook(self, verify_token: str, challenge: str = "1158201444") -> bool:
        """Meta's GET verification against the webhook URL (§2.6): ``True`` when it answered
        200 with the challenge unchanged."""
        url = self._webhooks.url
        if url is None:
            return False
        params = {
            "hub.mode": "subscribe",
            "hub.challenge": challenge,
            "hub.verify_token": verify_token,
        }
        try:
            answer = httpx.get(url, params=params, timeout=5.0)
        except httpx.HTTPError:
            return False
        return answer.status_code == 200 and answer.text == challenge

    def set_webhook_url(self, url: str | None) -> None:
        self._webhooks.url = url

    def inject_text(
        self, sender: str, text: str, *, context_id: str | None = None, name: str = "Покупатель"
    ) -> str:
        """A buyer's text as an inbound webhook; opens the 24-hour window. Returns its wamid."""
        return self._inject(sender, {"type": "text", "text": {"body": text}}, context_id, name)

    def inject_button(
        self,
        sender: str,
        payload: str,
        text: str,
        *,
        context_id: str | None = None,
        name: str = "Покупатель",
    ) -> str:
        """A quick-reply tap on one of our templates (``context.id`` = our wamid)."""
        message = {"type": "button", "button": {"payload": payload, "text": text}}
        return self._inject(sender, message, context_id, name)

    # ---- reading back ----------------------------------------------------------------------

    def accepted(self) -> list[AcceptedMessage]:
        """Every message taken, in order."""
        with self._lock:
            return list(self._accepted)

    def accepted_to(self, to: str) -> list[AcceptedMessage]:
        digits = _digits(to)
        return [m for m in self.accepted() if _digits(m.to) == digits]

    def accepted_with(self, callback_data: str) -> list[AcceptedMessage]:
        """Messages taken with this callback data: exactly one when nothing was sent twice."""
        return [m for m in self.accepted() if m.callback_data == callback_data]

    def webhooks(self) -> list[PostedWebhook]:
        """Every webhook body posted (or given up on), in order."""
        return self._webhooks.posted()

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        """Wait until all queued webhooks were posted; ``False`` on timeout."""
        return self._webhooks.wait_idle(timeout)

    def close(self) -> None:
        self._webhooks.close()

    # ---- the send endpoint -----------------------------------------------------------------

    def handle_send(
        self, authorization: str | None, phone_number_id: str, body: object
    ) -> SendAnswer:
        """Decide on ``POST /{version}/{phone_number_id}/messages``; ``body`` is parsed JSON."""
        if authorization != f"Bearer {self.config.access_token}":
            return _error(190, "Invalid OAuth access token.")
        if phone_number_id != self.config.phone_number_id:
            return _error(100, f"Unknown phone number id {phone_number_id}")
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            return _error(100, "messaging_product must be 'whatsapp'")
        to = body.get("to")
        kind = body.get("type")
        if not isinstance(to, str) or not _digits(to):
            return _error(131008, "The parameter to is required.")
        if kind not in ("template", "text"):
            return _error(131009, f"Unsupported message type {kind!r}.")
        with self._lock:
            now = self._clock()
            fault = self._faults.popleft() if self._faults else None
            if fault is not None and fault.hang_seconds is None:
                return _scripted(fault)
            checked = self._check_limits(to, now) if fault is None else None
            if checked is not None:
                return checked
            message = (
                _template_message(body, self._templates)
                if kind == "template"
                else self._text_message(body, to, now)
            )
            if isinstance(message, SendAnswer):
                return message
            wamid = self._new_wamid()
            callback = body.get("biz_opaque_callback_data")
            record = AcceptedMessage(
                wamid=wamid,
                to=to,
                type=kind,
                callback_data=callback if isinstance(callback, str) else None,
                at=now,
                answered=fault is None,
                **message,
            )
            self._accepted.append(record)
            self._last_send[_digits(to)] = now
            self._recent.append(now)
            self._queue_statuses(record)
        answer: dict[str, Any] = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": _digits(to)}],
            "messages": [{"id": wamid}],
        }
        if kind == "template":
            answer["messages"][0]["message_status"] = "accepted"
        delay = fault.hang_seconds if fault else (self.config.answer_delay_seconds or None)
        return SendAnswer(200, answer, hang_seconds=delay)

    def _check_limits(self, to: str, now: datetime) -> SendAnswer | None:
        refused = self._refused.get(_digits(to))
        if refused is not None:
            return _error(refused, "Refused for this recipient by the scenario.")
        if self.config.max_per_second is not None:
            while self._recent and now - self._recent[0] >= timedelta(seconds=1):
                self._recent.popleft()
            if len(self._recent) >= self.config.max_per_second:
                return _error(130429, "Cloud API message throughput has been reached.")
        interval = self.config.pair_interval_seconds
        last = self._last_send.get(_digits(to))
        if interval is not None and last is not None and now - last < timedelta(seconds=interval):
            return _error(
                131056,
                "Message failed to send because there were too many messages sent from this "
                "phone number to the same phone number in a short period of time.",
            )
        return None

    def _text_message(
        self, body: dict[str, Any], to: str, now: datetime
    ) -> dict[str, Any] | SendAnswer:
        text = body.get("text")
        content = text.get("body") if isinstance(text, dict) else None
        if not isinstance(content, str) or not content:
            return _error(131008, "The parameter text['body'] is required.")
        until = self._window_until.get(_digits(to))
        if until is None or now > until:
            return _error(
                131047,
                "Message failed to send because more than 24 hours have passed since the "
                "customer last replied to this number.",
            )
        return {"text": content}

    def _new_wamid(self) -> str:
        return f"wamid.FAKE{next(self._ids):08d}{self._rng.getrandbits(48):012x}"

    # ---- webhooks --------------------------------------------------------------------------

    def _queue_statuses(self, record: AcceptedMessage) -> None:
        config = self.config
        rng = self._rng
        failing = self._failing.get(_digits(record.to))
        names: list[str]
        if failing is not None:
            names = ["failed"]
        elif rng.random() < config.read_rate:
            names = (
                ["sent", "read"]
                if rng.random() < config.skip_delivered_rate
                else ["sent", "delivered", "read"]
            )
        else:
            names = ["sent", "delivered"]
        base = int(record.at.timestamp())
        statuses = [self._status(record, name, base + i, failing) for i, name in enumerate(names)]
        if rng.random() < config.duplicate_rate:
            statuses.insert(rng.randrange(len(statuses) + 1), rng.choice(statuses))
        if len(statuses) > 1 and rng.random() < config.reorder_rate:
            i = rng.randrange(len(statuses) - 1)
            statuses[i], statuses[i + 1] = statuses[i + 1], statuses[i]
        if rng.random() < config.batch_rate:
            self._webhooks.enqueue(escaped_json(self._envelope({"statuses": statuses})))
        else:
            for status in statuses:
                self._webhooks.enqueue(escaped_json(self._envelope({"statuses": [status]})))

    def _status(
        self, record: AcceptedMessage, name: str, timestamp: int, error_code: int | None
    ) -> dict[str, Any]:
        status: dict[str, Any] = {
            "id": record.wamid,
            "status": name,
            "timestamp": str(timestamp),
            "recipient_id": _digits(record.to),
        }
        if record.callback_data is not None:
            status["biz_opaque_callback_data"] = record.callback_data
        if name in ("sent", "delivered"):
            status["pricing"] = {
                "billable": True,
                "pricing_model": "PMP",
                "type": "regular",
                "category": "utility",
            }
        if name == "failed" and error_code is not None:
            title = ERROR_TITLES.get(error_code, "Error")
            status["errors"] = [
                {
                    "code": error_code,
                    "title": title,
                    "message": title,
                    "error_data": {"details": title},
                    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
                }
            ]
        return status

    def _inject(
        self, sender: str, message: dict[str, Any], context_id: str | None, name: str
    ) -> str:
        with self._lock:
            now = self._clock()
            wamid = self._new_wamid()
            wa_id = _digits(sender)
            self._window_until[wa_id] = now + CUSTOMER_SERVICE_WINDOW
        full = {"from": wa_id, "id": wamid, "timestamp": str(int(now.timestamp())), **message}
        if context_id is not None:
            full["context"] = {"from": self.config.display_phone_number, "id": context_id}
        value = {
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [full],
        }
        self._webhooks.enqueue(escaped_json(self._envelope(value)))
        return wamid

    def _envelope(self, value: dict[str, Any]) -> dict[str, Any]:
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": self.config.waba_id,
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": self.config.display_phone_number,
                                    "phone_number_id": self.config.phone_number_id,
                                },
                                **value,
                            },
                        }
                    ],
                }
            ],
        }


def _template_message(
    body: dict[str, Any], templates: dict[tuple[str, str], FakeTemplate]
) -> dict[str, Any] | SendAnswer:
    template = body.get("template")
    if not isinstance(template, dict):
        return _error(131008, "The parameter template is required.")
    name = template.get("name")
    language = template.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    known = templates.get((name, code)) if isinstance(name, str) and isinstance(code, str) else None
    if known is None:
        return _error(132001, f"template name ({name}) does not exist in {code}")
    body_parameters: list[str] = []
    url_parameter: str | None = None
    components = template.get("components", [])
    if not isinstance(components, list):
        return _error(131009, "components must be a list")
    for component in components:
        if not isinstance(component, dict):
            return _error(131009, "a component must be an object")
        parameters = component.get("parameters", [])
        texts = [p.get("text") for p in parameters if isinstance(p, dict)]
        if not isinstance(parameters, list) or len(texts) != len(parameters):
            return _error(131009, "parameters must be a list of objects")
        if any(not isinstance(t, str) or not t for t in texts):
            return _error(132012, "every text parameter needs a non-empty text")
        if component.get("type") == "body":
            body_parameters.extend(str(t) for t in texts)
        elif component.get("type") == "button" and component.get("sub_type") == "url":
            url_parameter = str(texts[0]) if len(texts) == 1 else None
    if len(body_parameters) != known.body_parameters:
        return _error(
            132000,
            f"body expects {known.body_parameters} parameters, got {len(body_parameters)}",
        )
    if known.url_button != (url_parameter is not None):
        return _error(132000, "the URL button expects exactly one parameter")
    return {
        "template": name,
        "language": code,
        "body_parameters": tuple(body_parameters),
        "button_url_parameter": url_parameter,
    }


def _scripted(fault: ScriptedFault) -> SendAnswer:
    headers = {}
    if fault.retry_after_seconds is not None:
        headers["Retry-After"] = f"{fault.retry_after_seconds:g}"
    if fault.code is None:
        status = fault.http_status or 500
        return SendAnswer(status, {"error": {"message": f"HTTP {status}"}}, headers)
    answer = _error(fault.code, ERROR_TITLES.get(fault.code, "Scripted error."), fault.http_status)
    return SendAnswer(answer.status_code, answer.body, headers)


def _error(code: int, details: str, http_status: int | None = None) -> SendAnswer:
    title = ERROR_TITLES.get(code, "Error")
    return SendAnswer(
        http_status or http_status_for(code),
        {
            "error": {
                "message": f"(#{code}) {title}",
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details},
                "fbtrace_id": "AFakeTrace0000",
            }
        },
    )


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())
