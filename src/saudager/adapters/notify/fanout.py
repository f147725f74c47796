"""Several notifiers as one: each alert goes to every channel; one failing stops no other."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from saudager.domains.quality.alerts import Alert
from saudager.domains.quality.ports import Notifier, NotifyError, PartialDeliveryError

log = logging.getLogger(__name__)


class FanoutNotifier:
    """Sends to every notifier in turn and collects the failures.

    Raises :class:`PartialDeliveryError` (a :class:`NotifyError`) when some channels failed and
    some delivered — record the alert as sent then, or the channels that worked repeat it — and
    a plain :class:`NotifyError` listing every failure when none delivered.
    """

    name = "fanout"

    def __init__(self, notifiers: Sequence[Notifier]) -> None:
        if not notifiers:
            raise ValueError("a fanout needs at least one notifier")
        self._notifiers = list(notifiers)

    def __enter__(self) -> FanoutNotifier:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the notifiers that hold connections (Telegram's HTTP pool)."""
        for notifier in self._notifiers:
            close = getattr(notifier, "close", None)
            if callable(close):
                close()

    def send(self, alert: Alert) -> None:
        delivered: list[str] = []
        failures: list[tuple[str, NotifyError]] = []
        for index, notifier in enumerate(self._notifiers):
            name = str(getattr(notifier, "name", "")) or f"notifier {index + 1}"
            try:
                notifier.send(alert)
            except NotifyError as exc:
                failures.append((name, exc))
            except Exception as exc:
                # A bug in one channel must not silence the others; it is reported, not hidden.
                log.exception("notifier %s crashed on alert %s", name, alert.key)
                failures.append((name, NotifyError(f"{type(exc).__name__}: {exc}")))
            else:
                delivered.append(name)
        if not failures:
            return
        if delivered:
            raise PartialDeliveryError(delivered, failures)
        raise NotifyError(
            f"alert {alert.key} was not delivered: "
            + "; ".join(f"{name}: {error}" for name, error in failures)
        )
