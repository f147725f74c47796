"""A provider that prints what would be sent, for the demo: nothing leaves the machine.

Phone numbers are masked in the printout as in logs. Every send is accepted with a made-up
``wamid.console…`` id, unique across processes (the outbox keeps provider ids unique: a
counter restarting with each process would repeat them); no status webhooks follow.
"""

from __future__ import annotations

import itertools
import secrets
import sys
from typing import TextIO

from saudager.core.masking import mask_phone
from saudager.domains.messaging.provider import SendAccepted, TemplateMessage, TextMessage


class ConsoleProvider:
    """Implements ``MessagingProvider`` by writing one block per message to ``stream``."""

    def __init__(self, stream: TextIO | None = None, *, label: str = "whatsapp") -> None:
        self._stream = stream
        self._label = label
        self._ids = itertools.count(1)
        self._run = secrets.token_hex(6)  # this provider's, so that ids never repeat

    def send_template(self, message: TemplateMessage) -> SendAccepted:
        lines = [
            f"[{self._label}] template {message.template} ({message.language}) "
            f"→ {mask_phone(message.to)}",
            *(f"  {{{{{i}}}}} = {value}" for i, value in enumerate(message.body_parameters, 1)),
        ]
        if message.button_url_parameter is not None:
            lines.append(f"  button url = {message.button_url_parameter}")
        lines.append(f"  key = {message.callback_data}")
        return self._accept(lines)

    def send_text(self, message: TextMessage) -> SendAccepted:
        lines = [
            f"[{self._label}] text → {mask_phone(message.to)}",
            *(f"  {line}" for line in message.text.splitlines()),
            f"  key = {message.callback_data}",
        ]
        return self._accept(lines)

    def _accept(self, lines: list[str]) -> SendAccepted:
        stream = self._stream or sys.stdout
        stream.write("\n".join(lines) + "\n")
        stream.flush()
        return SendAccepted(f"wamid.console.{self._run}.{next(self._ids):06d}")
