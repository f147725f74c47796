"""The demo's buyer messages: the local fake WhatsApp Cloud API, and a dispatcher beside the app.

The fake runs in this process for as long as the demo does. The demo's settings point the
messaging at it exactly as a real install points at Meta (a phone number id, an access token,
an app secret that signs the webhooks), so every message goes the real way: the planner
queues it, the dispatcher's gate keeps the shop's send window and the caps, the Cloud API
client sends it over loopback HTTP, and the fake posts its signed status webhooks to the web
app. A few simulated buyers answer the first messages delivered — a complaint, a question,
thanks, a stop — so that the inbox and the statistics have something true to show.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import httpx
from pydantic import SecretStr

from saudager.adapters.whatsapp.fake import FakeCloudConfig, running_fake_cloud_api
from saudager.adapters.whatsapp.fake.server import RunningFakeCloudApi
from saudager.core.timewindows import zone
from saudager.domains.messaging.templates import READY_APPROVED, MessageKind
from saudager.domains.messaging.windows import SendWindow, is_open
from saudager.domains.shops.types import Shop
from saudager.jobs.dispatch import dispatch_messages_now
from saudager.settings import Settings
from saudager.wiring import build_services

log = logging.getLogger(__name__)

#: A dispatch pass this often (the worker's is every minute; the demo is in a hurry).
DEMO_DISPATCH_SECONDS = 20.0

#: The messages the simulated buyers answer: message 1 and the review request.
ANSWERED_TEMPLATES = frozenset(
    READY_APPROVED[kind] for kind in (MessageKind.ORDER_RECEIVED, MessageKind.REVIEW_REQUEST)
)

#: What the simulated buyers answer, in the order the first messages are delivered.
BUYER_REPLIES = (
    "Здравствуйте, товар пришёл с трещиной на крышке. Что делать?",
    "Подскажите, когда передадите заказ в доставку?",
    "Спасибо, всё отлично, 5 звёзд!",
    "Стоп",
)


def demo_window(now: datetime, timezone: str, default: SendWindow) -> tuple[time, time] | None:
    """The demo shop's own send window when the default one is shut at ``now`` (the demo is
    often run in the evening): from an hour before the present to three hours after, so that
    messages are seen going out; ``None`` while the default window is open."""
    if is_open(default, now):
        return None
    local = now.astimezone(zone(timezone)).replace(second=0, microsecond=0)
    return (local - timedelta(hours=1)).time(), (local + timedelta(hours=3)).time()


def messaging_settings(settings: Settings, fake_url: str, config: FakeCloudConfig) -> Settings:
    """``settings`` with messaging on and pointed at the fake Cloud API at ``fake_url``."""
    messaging = settings.messaging.model_copy(
        update={
            "enabled": True,
            "provider": "cloud",
            "phone_number_id": config.phone_number_id,
            "access_token": SecretStr(config.access_token),
            "app_secret": SecretStr(config.app_secret),
            "verify_token": SecretStr(secrets.token_urlsafe(16)),
            "cloud_api_url": fake_url,
        }
    )
    return settings.model_copy(update={"messaging": messaging})


@dataclass
class DemoDispatcher:
    """Plans and dispatches every :data:`DEMO_DISPATCH_SECONDS` in a daemon thread, once the
    web app answers; simulated buyers reply to the first messages sent."""

    settings: Settings
    shop: Shop
    fake: RunningFakeCloudApi
    app_url: str
    _stop: threading.Event = field(default_factory=threading.Event)
    _replied: bool = False

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, name="demo-dispatcher", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()

    def _app_is_up(self) -> bool:
        try:
            return httpx.get(f"{self.app_url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def _run(self) -> None:
        while not self._app_is_up():  # the fake's webhooks need the app listening
            if self._stop.wait(0.5):
                return
        while not self._stop.is_set():
            try:
                self.one_pass()
            except Exception:  # the demo's web app must stay up whatever a pass meets
                log.exception("demo dispatch pass failed")
            self._stop.wait(DEMO_DISPATCH_SECONDS)

    def one_pass(self) -> dict[str, object]:
        services = build_services(self.settings, migrate=False)
        try:
            planned = services.planning.plan_shop(self.shop)
        finally:
            services.close()
        result = dispatch_messages_now(self.settings)
        if planned or result.get("sent"):
            log.warning(
                "demo messages: %d planned, %s sent, %s postponed to the send window or a cap",
                len(planned), result.get("sent"), result.get("postponed"),
            )  # fmt: skip
        if not self._replied:
            self._replied = self._buyers_reply()
        return result

    def _buyers_reply(self) -> bool:
        """Distinct buyers answer the first messages the fake took; ``False`` until enough
        messages have gone out (at night the window holds them)."""
        firsts: dict[str, str] = {}
        for message in self.fake.fake.accepted():
            # Buyers told of their order or asked for a review: their words fit those messages.
            if message.template in ANSWERED_TEMPLATES and message.to not in firsts:
                firsts[message.to] = message.wamid
        if len(firsts) < len(BUYER_REPLIES):
            return False
        for (phone, wamid), text in zip(firsts.items(), BUYER_REPLIES, strict=False):
            self.fake.fake.inject_text(phone, text, context_id=wamid)
        return True


@contextmanager
def demo_messaging(
    settings: Settings, shop: Shop, app_url: str
) -> Iterator[tuple[Settings, DemoDispatcher]]:
    """The fake Cloud API for as long as the block runs, posting webhooks to ``app_url``; the
    settings that point at it and the dispatcher to start once the app is served."""
    config = FakeCloudConfig(webhook_url=f"{app_url}/webhooks/whatsapp", seed=42)
    with running_fake_cloud_api(config) as fake:
        demo_settings = messaging_settings(settings, fake.base_url, config)
        dispatcher = DemoDispatcher(demo_settings, shop, fake, app_url)
        try:
            yield demo_settings, dispatcher
        finally:
            dispatcher.stop()
