"""Alerts to a Telegram chat through the Bot API's ``sendMessage``.

``POST {base_url}/bot<token>/sendMessage`` with a JSON body ``{chat_id, text, parse_mode}``.
Every answer is ``{"ok": true, "result": Message}`` or ``{"ok": false, "error_code": int,
"description": str, "parameters": {"retry_after": int, "migrate_to_chat_id": int}}``. We retry
429 after ``retry_after`` seconds, 5xx and network failures with jittered exponential back-off,
and give up at once on anything else (a wrong token or chat does not heal by retrying).

The token is part of the URL path, so it would leak wherever a URL is printed: in httpx's own
INFO log line for each request and in some httpx exception messages. A filter on the ``httpx``
logger masks it, and every error we raise is scrubbed and raised ``from None`` so the original
exception (which carries the request URL) does not ride along into a traceback.
"""

from __future__ import annotations

import html
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from saudager.core.masking import mask_secret
from saudager.domains.quality.alerts import Alert, AlertKind, Severity
from saudager.domains.quality.ports import NotifyError

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.telegram.org"
#: sendMessage takes 1–4096 characters of text after entities are parsed (UTF-16 units).
_TEXT_BUDGET = 4000
_BOT_TOKEN_SHAPE = re.compile(r"bot\d+:[A-Za-z0-9_-]+")


class TelegramError(NotifyError):
    """Telegram refused the message, or could not be reached after every retry."""

    def __init__(self, message: str, *, error_code: int | None = None) -> None:
        super().__init__(message)
        self.error_code = error_code


class TelegramAuthError(TelegramError):
    """401/404: the bot token is wrong or revoked."""


class _SecretFilter(logging.Filter):
    """Masks registered secrets (and anything shaped like a bot token) in log records."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secret: str) -> None:
        with self._lock:
            self._secrets.add(secret)

    def scrub(self, text: str) -> str:
        with self._lock:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, mask_secret(secret))
        return _BOT_TOKEN_SHAPE.sub("bot<token>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


_FILTER = _SecretFilter()
logging.getLogger("httpx").addFilter(_FILTER)


def scrub(text: str, token: str) -> str:
    """``text`` with the token (and anything shaped like a bot token) masked."""
    if token:
        text = text.replace(token, mask_secret(token))
    return _BOT_TOKEN_SHAPE.sub("bot<token>", text)


_EMOJI = {Severity.CRITICAL: "🔴", Severity.WARNING: "🟠", Severity.INFO: "ℹ️"}


def render_html(alert: Alert) -> str:
    """The alert as Telegram HTML: a bold title, then the body.

    Telegram's limit applies to the text after entities are parsed, so the plain text is cut
    (before escaping, so no ``&amp;`` is cut in half). 4000 leaves room for emoji, which count
    twice in Telegram's UTF-16 length.
    """
    mark = "⏰" if alert.kind is AlertKind.HANDOVER else _EMOJI[alert.severity]
    title = f"{mark} {alert.title}"
    body = alert.text
    room = _TEXT_BUDGET - len(title) - 2
    if len(body) > room:
        body = body[: max(0, room - 1)].rstrip() + "…"
    return f"<b>{html.escape(title)}</b>\n\n{html.escape(body)}"


class TelegramNotifier:
    """Sends each alert to one chat (a person, a group, a channel the bot may post in)."""

    name = "telegram"

    def __init__(
        self,
        token: str,
        chat_id: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout_seconds: float = 10.0,
        max_retries: int = 3,
        backoff_seconds: float = 1.0,
        max_retry_after_seconds: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not token:
            raise ValueError("a Telegram bot token is required")
        if not chat_id:
            raise ValueError("a Telegram chat id is required")
        self._token = token
        _FILTER.add(token)
        # Again here, not only at import: a logging set-up (dictConfig) run since may have
        # replaced the httpx logger's filters. Adding the same filter twice is a no-op.
        logging.getLogger("httpx").addFilter(_FILTER)
        self._chat_id = chat_id
        self._url = f"{base_url.rstrip('/')}/bot{token}/sendMessage"
        self._http = httpx.Client(timeout=timeout_seconds, transport=transport)
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        self._max_retry_after = max_retry_after_seconds
        self._sleep = sleep
        self._rng = rng or random.Random()

    def __enter__(self) -> TelegramNotifier:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def send(self, alert: Alert) -> None:
        payload = {"chat_id": self._chat_id, "text": render_html(alert), "parse_mode": "HTML"}
        self._post(payload, alert.key)

    def _post(self, payload: dict[str, Any], what: str) -> dict[str, Any]:
        attempt = 0
        while True:
            failure: str
            retry_after: float | None = None
            try:
                response = self._http.post(self._url, json=payload)
            except httpx.HTTPError as exc:
                # Timeouts included: a message that did arrive is sent twice, which beats one
                # that never arrives.
                failure = f"{type(exc).__name__}: {scrub(str(exc), self._token)}"
            else:
                document = _json(response)
                if response.status_code == 200 and document.get("ok") is True:
                    result = document.get("result")
                    return result if isinstance(result, dict) else {}
                code = _int(document.get("error_code")) or response.status_code
                description = scrub(str(document.get("description") or ""), self._token)
                if code == 429 or response.status_code == 429:
                    retry_after = _retry_after(document, response)
                    if retry_after is not None and retry_after > self._max_retry_after:
                        raise TelegramError(
                            f"Telegram rate-limits this bot for {retry_after:.0f} s "
                            f"(HTTP 429{': ' + description if description else ''}); {what} "
                            "not sent",
                            error_code=429,
                        ) from None
                    failure = f"HTTP 429{': ' + description if description else ''}"
                elif response.status_code >= 500:
                    failure = f"HTTP {response.status_code}"
                else:
                    raise self._refusal(code, description, document) from None
            if attempt >= self._max_retries:
                raise TelegramError(
                    f"Telegram did not accept {what} after {attempt + 1} attempts: {failure}"
                ) from None
            delay = self._delay(attempt, retry_after)
            log.warning("Telegram sendMessage: %s; retrying in %.2f s", failure, delay)
            self._sleep(delay)
            attempt += 1

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after  # Telegram said exactly how long; earlier is refused again
        # Full jitter: several Saudager workers sharing a bot do not retry in step.
        return self._rng.uniform(0, self._backoff * (2**attempt))

    def _refusal(self, code: int, description: str, document: dict[str, Any]) -> TelegramError:
        said = f" ({description})" if description else ""
        if code in (401, 404):
            return TelegramAuthError(
                f"Telegram refused the bot token (HTTP {code}{said}): check "
                f"alerts_telegram_bot_token (ends {mask_secret(self._token)}), as given by "
                "@BotFather",
                error_code=code,
            )
        parameters = document.get("parameters")
        migrated = parameters.get("migrate_to_chat_id") if isinstance(parameters, dict) else None
        if migrated is not None:
            return TelegramError(
                f"the Telegram group became a supergroup: set alerts_telegram_chat_id to "
                f"{migrated}{said}",
                error_code=code,
            )
        hint = {
            400: "check alerts_telegram_chat_id, and that the chat has started the bot",
            403: "the bot was blocked or removed from the chat: add it again",
        }.get(code, "")
        return TelegramError(
            f"Telegram refused the message (HTTP {code}{said})" + (f": {hint}" if hint else ""),
            error_code=code,
        )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        document = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
    return document if isinstance(document, dict) else {}


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _retry_after(document: dict[str, Any], response: httpx.Response) -> float | None:
    parameters = document.get("parameters")
    if isinstance(parameters, dict):
        value = parameters.get("retry_after")
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
    header = response.headers.get("retry-after")
    if header is not None:
        try:
            return max(0.0, float(header))
        except ValueError:
            return None
    return None
