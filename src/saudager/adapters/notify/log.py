"""The default notifier: the alert goes to the application log at WARNING.

Alert texts hold indicator numbers and order codes only, never a buyer's name or phone (their
inputs carry none), so they can be logged as they are.
"""

from __future__ import annotations

import logging

from saudager.domains.quality.alerts import Alert

DEFAULT_LOGGER = "saudager.alerts"


class LogNotifier:
    """Logs each alert; never fails, so a shop with no channel configured still sees alerts."""

    name = "log"

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or logging.getLogger(DEFAULT_LOGGER)

    def send(self, alert: Alert) -> None:
        self._log.warning(
            "quality alert [%s] %s: %s",
            alert.key,
            alert.title,
            alert.text.replace("\n", " "),
            extra={
                "alert_key": alert.key,
                "alert_kind": alert.kind.value,
                "shop_id": alert.shop_id,
            },
        )
