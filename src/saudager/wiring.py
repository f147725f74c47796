"""Build every service from one ``Settings``: the only place adapters are chosen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from sqlalchemy.engine import Engine

from saudager.adapters.db.engine import create_engine_for
from saudager.adapters.db.migrate import upgrade_to_head
from saudager.adapters.db.store import SqlStore
from saudager.adapters.files.readers import TabularFileReader
from saudager.adapters.kaspi.client import KaspiClient
from saudager.adapters.notify.email import EmailNotifier, SmtpSecurity
from saudager.adapters.notify.fanout import FanoutNotifier
from saudager.adapters.notify.log import LogNotifier
from saudager.adapters.notify.telegram import TelegramNotifier
from saudager.adapters.passwords import Argon2Hasher
from saudager.adapters.secrets import TokenCipher
from saudager.adapters.whatsapp.cloud import CloudApiProvider
from saudager.adapters.whatsapp.console import ConsoleProvider
from saudager.core.errors import ConfigurationError, SaudagerError
from saudager.core.timewindows import zone
from saudager.domains.accounts.service import AccountsService
from saudager.domains.accounts.types import Role
from saudager.domains.analytics.service import AnalyticsService
from saudager.domains.catalog.service import CatalogService
from saudager.domains.dashboard.service import DashboardService
from saudager.domains.imports.service import ImportService
from saudager.domains.jobs.service import JobsService
from saudager.domains.messaging.alerts import MessagingAlerts
from saudager.domains.messaging.inbox import InboxService
from saudager.domains.messaging.planner import ShopMessaging
from saudager.domains.messaging.planning import PlanningService
from saudager.domains.messaging.provider import MessagingProvider
from saudager.domains.messaging.reporting import ReportingService
from saudager.domains.messaging.service import OutboxService
from saudager.domains.messaging.setup import InstallDefaults, MessagingSetupService
from saudager.domains.orders.service import SyncService
from saudager.domains.orders.sync import SyncPolicy
from saudager.domains.quality.alerts import AlertRules, Language
from saudager.domains.quality.ports import Notifier
from saudager.domains.quality.service import GuardRules, QualityService
from saudager.domains.shops.service import ShopsService
from saudager.domains.shops.types import Shop
from saudager.settings import Settings

#: The business number of messages when no Cloud API number is configured (the console's).
CONSOLE_NUMBER = "console"


@dataclass
class Services:
    """What the entry points (CLI, web, jobs) use. Built by :func:`build_services`."""

    settings: Settings
    engine: Engine
    #: Messaging providers by business number, made once (see ``messaging_provider``).
    _providers: dict[str, CloudApiProvider | ConsoleProvider] = field(default_factory=dict)

    @cached_property
    def store(self) -> SqlStore:
        return SqlStore(self.engine)

    @cached_property
    def cipher(self) -> TokenCipher:
        return TokenCipher.from_key_file(self.settings.key_file)

    @cached_property
    def sync(self) -> SyncService:
        policy = SyncPolicy(
            history=timedelta(days=self.settings.sync_history_days),
            overlap=timedelta(hours=self.settings.sync_overlap_hours),
            rescan_limit=timedelta(days=30),
        )
        return SyncService(
            self.store,
            policy,
            review_window=timedelta(days=self.settings.review_window_days),
            clock=lambda: datetime.now(UTC),
        )

    @cached_property
    def analytics(self) -> AnalyticsService:
        return AnalyticsService(
            self.store,
            self.settings.analytics,
            self.settings.zhuma_calendar,
            cached_shops=self.settings.cache.shops,
        )

    @cached_property
    def catalog(self) -> CatalogService:
        return CatalogService(self.store, self.analytics)

    @cached_property
    def quality(self) -> QualityService:
        s = self.settings
        rules = GuardRules(
            quality=s.quality,
            sanctions=s.sanctions,
            warnings=s.early_warnings,
            alerts=AlertRules(
                projection_days=s.alerts.projection_days,
                handover_horizon_minutes=s.alerts.handover_horizon_minutes,
            ),
            language=Language(s.alerts.language),
            zhuma_calendar=s.zhuma_calendar,
            credit_payments_since=s.zhuma_credit_payments_since,
        )
        return QualityService(self.store, rules, cached_shops=s.cache.shops)

    @cached_property
    def dashboard(self) -> DashboardService:
        return DashboardService(
            self.store,
            self.quality,
            self.analytics,
            clock=lambda: datetime.now(UTC),
            rules=self.settings.cache,
        )

    @cached_property
    def shops(self) -> ShopsService:
        return ShopsService(self.store)

    @cached_property
    def imports(self) -> ImportService:
        return ImportService(self.store, TabularFileReader())

    @cached_property
    def accounts(self) -> AccountsService:
        return AccountsService(
            self.store, Argon2Hasher(), self.settings.accounts, clock=lambda: datetime.now(UTC)
        )

    @cached_property
    def jobs(self) -> JobsService:
        return JobsService(lambda: datetime.now(UTC))

    def add_shop(
        self,
        name: str,
        token: str | None,
        api_url: str | None,
        timezone: str | None,
        requests_per_second: float | None = None,
        *,
        owner_id: int | None = None,
    ) -> Shop:
        """``owner_id``: the user who becomes the shop's owner, in the same transaction."""
        tz = timezone or self.settings.default_timezone
        zone(tz)
        if not name.strip():
            raise SaudagerError("a shop needs a name")
        if requests_per_second is not None and requests_per_second <= 0:
            raise SaudagerError("requests per second must be above zero")
        ciphertext = self.cipher.encrypt(token) if token else None
        with self.store.transaction() as tx:
            shop = tx.add_shop(name.strip(), tz, api_url, ciphertext, requests_per_second)
            if owner_id is not None:
                tx.set_membership(owner_id, shop.id, Role.OWNER)
            return shop

    def set_token(self, shop: Shop, token: str) -> None:
        with self.store.transaction() as tx:
            tx.set_shop_token(shop.id, self.cipher.encrypt(token))

    def remove_token(self, shop: Shop) -> None:
        """Forget the shop's Kaspi token: it is then filled by file import only."""
        with self.store.transaction() as tx:
            tx.set_shop_token(shop.id, None)

    def shop(self, name_or_id: str) -> Shop:
        with self.store.transaction() as tx:
            if name_or_id.isdigit():
                try:
                    return tx.get_shop(int(name_or_id))
                except SaudagerError:
                    pass
            return tx.shop_by_name(name_or_id)

    @property
    def messaging_defaults(self) -> InstallDefaults:
        """The install's send window, for shops that have not set their own."""
        m = self.settings.messaging
        return InstallDefaults(
            m.window_start, m.window_end, number=m.phone_number_id or CONSOLE_NUMBER
        )

    @cached_property
    def messaging_setup(self) -> MessagingSetupService:
        """Each shop's send window, language, own wordings and kill switch."""
        return MessagingSetupService(self.store, self.messaging_defaults, lambda: datetime.now(UTC))

    @cached_property
    def planning(self) -> PlanningService:
        m = self.settings.messaging

        def settings_for(shop: Shop) -> ShopMessaging:
            return self.messaging_setup.shop_messaging(
                shop, number=m.phone_number_id or CONSOLE_NUMBER, holdout_share=m.holdout_share
            )

        return PlanningService(self.store, settings_for, lambda: datetime.now(UTC))

    def messaging_provider(self, number: str) -> MessagingProvider | None:
        """The provider that sends from business ``number`` (its Cloud API phone number id);
        ``None`` for a number the settings do not configure (its messages then fail, visibly).
        Made once per number: a Cloud API client holds its connection pool."""
        m = self.settings.messaging
        provider = self._providers.get(number)
        if provider is not None:
            return provider
        if m.provider == "console":
            provider = ConsoleProvider(label=f"whatsapp {number}")
        elif m.access_token is not None and number == m.phone_number_id:
            provider = CloudApiProvider(
                number, m.access_token.get_secret_value(), base_url=m.cloud_api_url,
                version=m.cloud_api_version,
            )  # fmt: skip
        else:
            return None
        self._providers[number] = provider
        return provider

    def kaspi_client(self, shop: Shop) -> KaspiClient:
        with self.store.transaction() as tx:
            ciphertext = tx.shop_token(shop.id)
        if ciphertext is None:
            raise ConfigurationError(
                f"shop '{shop.name}' has no Kaspi API token: add one with "
                f"'saudager shop token {shop.name} --token ...', or import files instead"
            )
        s = self.settings
        return KaspiClient(
            shop.api_url or s.kaspi_api_url,
            self.cipher.decrypt(ciphertext),
            requests_per_second=shop.requests_per_second or s.kaspi_requests_per_second,
            timeout_seconds=s.kaspi_timeout_seconds,
            max_retries=s.kaspi_max_retries,
            backoff_seconds=s.kaspi_backoff_seconds,
            page_size=s.kaspi_page_size,
        )

    def notifier(self) -> Notifier:
        """The configured channels; the log alone when none is (see docs/alerts.md)."""
        a = self.settings.alerts
        channels: list[Notifier] = []
        if a.telegram_bot_token is not None and a.telegram_chat_id:
            channels.append(
                TelegramNotifier(
                    a.telegram_bot_token.get_secret_value(),
                    a.telegram_chat_id,
                    base_url=a.telegram_api_url,
                    timeout_seconds=a.timeout_seconds,
                    max_retries=a.max_retries,
                    max_retry_after_seconds=a.telegram_max_retry_after_seconds,
                )
            )
        if a.smtp_host and a.email_to:
            channels.append(
                EmailNotifier(
                    a.smtp_host,
                    sender=a.email_from or f"saudager@{a.smtp_host}",
                    recipients=a.email_to,
                    port=a.smtp_port,
                    security=SmtpSecurity(a.smtp_security),
                    username=a.smtp_username,
                    password=a.smtp_password.get_secret_value() if a.smtp_password else None,
                    timeout_seconds=a.timeout_seconds,
                    max_retries=a.max_retries,
                )
            )
        if not channels:
            return LogNotifier()
        return channels[0] if len(channels) == 1 else FanoutNotifier(channels)

    def close(self) -> None:
        if "jobs" in self.__dict__:  # running jobs finish before the database closes
            self.jobs.close()
        for provider in self._providers.values():
            if isinstance(provider, CloudApiProvider):
                provider.close()
        self._providers.clear()
        self.engine.dispose()

    @cached_property
    def messaging_alerts(self) -> MessagingAlerts:
        """Complaints and stopped numbers told to the seller, each at least once."""
        return MessagingAlerts(
            self.store, self.notifier(), lambda: datetime.now(UTC),
            Language(self.settings.alerts.language),
        )  # fmt: skip

    @cached_property
    def inbox(self) -> InboxService:
        """What the WhatsApp webhook delivers, applied: statuses, replies, opt-outs, alerts."""
        return InboxService(
            self.store,
            OutboxService(self.store, lambda: datetime.now(UTC)),
            self.messaging_alerts,
            lambda: datetime.now(UTC),
            business_number=self.settings.messaging.phone_number_id,
        )

    @cached_property
    def reporting(self) -> ReportingService:
        """Messaging statistics: per-template counts and review conversion against the holdout."""
        return ReportingService(
            self.store,
            lambda: datetime.now(UTC),
            business_number=self.settings.messaging.phone_number_id or CONSOLE_NUMBER,
            holdout_share=self.settings.messaging.holdout_share,
        )


def build_services(settings: Settings, migrate: bool = True) -> Services:
    """Open the database (migrating it to the newest schema) and wire the services."""
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = create_engine_for(settings.resolved_database_url)
    if migrate:
        upgrade_to_head(engine)
    return Services(settings=settings, engine=engine)
