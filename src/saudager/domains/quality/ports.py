"""What the quality domain needs from the outside world to warn a seller."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from saudager.core.errors import SaudagerError
from saudager.domains.quality.alerts import Alert

log = logging.getLogger(__name__)


class NotifyError(SaudagerError):
    """An alert could not be delivered. The message names the channel and what to check, and
    never carries a token, a password or a phone number."""


class PartialDeliveryError(NotifyError):
    """Some channels delivered the alert and some did not (see ``FanoutNotifier``).

    The seller has been told, so the caller records the alert as sent (resending would repeat it
    on the channels that worked) and logs ``failures``.
    """

    def __init__(self, delivered: Sequence[str], failures: Sequence[tuple[str, NotifyError]]):
        self.delivered = list(delivered)
        self.failures = list(failures)
        lines = "; ".join(f"{name}: {error}" for name, error in self.failures)
        super().__init__(
            f"delivered by {', '.join(self.delivered) or 'no channel'}, failed on {lines}"
        )


class Notifier(Protocol):
    """One way of telling the seller: Telegram, e-mail, the log."""

    def send(self, alert: Alert) -> None:
        """Deliver the alert, or raise :class:`NotifyError` saying why not."""
        ...


def deliver(notifier: Notifier, alert: Alert) -> bool:
    """Send ``alert``; ``True`` when the seller was told (on every channel or some: a partial
    delivery is logged and counts, as resending would repeat it where it worked), ``False``
    when no channel took it — the caller then leaves it unrecorded, to try again."""
    try:
        notifier.send(alert)
    except PartialDeliveryError as exc:
        log.warning("alert %s reached only some channels: %s", alert.key, exc)
    except NotifyError as exc:
        log.error("alert %s was not delivered, will retry: %s", alert.key, exc)
        return False
    return True


class AlertLog(Protocol):
    """Which alerts a shop has been sent, so each condition alerts once (``new_alerts``)."""

    def sent_keys(self, shop_id: int) -> set[str]:
        """Keys of every alert recorded for the shop (``Alert.key``)."""
        ...

    def record(self, shop_id: int, alert: Alert, sent_at: datetime) -> None:
        """Remember that ``alert`` went out at ``sent_at`` (aware UTC); recording a key twice
        is harmless."""
        ...
