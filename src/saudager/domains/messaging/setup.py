"""Each shop's messaging setup: its send window and language, its own wordings, its kill switch.

Several shops write from one business number; each keeps its own:

- **send window**: local hours in the shop's time zone, start included and end excluded
  (``windows.py``). Unset, the install's (``messaging.window_start`` / ``window_end``, by
  default 10:00–21:00). A window is whole minutes, start and end differ, and it is open at
  least :data:`MIN_WINDOW` a day — a shorter one would pile the day's messages into minutes;
- **language** of its messages (ru, kk, en; Russian unless set);
- **templates**: its own wording of any kind in any language, checked when saved
  (``templates.template_problems``): a wording with a problem is refused with every problem
  named and nothing stored; without one, the ready wording is used;
- **kill switch**: paused, none of its messages leaves (the dispatcher's gate cancels them).

A preview renders a wording — saved or just typed — with a real order of the shop, exactly as
the planner would fill it (the review link included), and shows the approved Cloud API
template and parameters it goes out as.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Protocol

from saudager.core.errors import NotFoundError, SaudagerError
from saudager.domains.messaging.planner import (
    ShopMessaging,
    filled_message,
    order_values,
)
from saudager.domains.messaging.records import NumberStop
from saudager.domains.messaging.templates import (
    Language,
    MessageKind,
    Template,
    check_template,
    pick_template,
    provider_body,
    ready_template,
    render,
)
from saudager.domains.orders.types import Order
from saudager.domains.shops.types import Shop

#: The shortest send window a shop may set.
MIN_WINDOW = timedelta(hours=1)
DEFAULT_LANGUAGE = Language.RU


class SetupError(SaudagerError, ValueError):
    """A setting that may not be saved; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class StoredSetup:
    """What a shop has set; ``None``: the install's default."""

    window_start: time | None = None
    window_end: time | None = None
    language: Language | None = None
    paused_at: datetime | None = None
    pause_reason: str | None = None


@dataclass(frozen=True, slots=True)
class InstallDefaults:
    window_start: time
    window_end: time
    language: Language = DEFAULT_LANGUAGE
    number: str = "console"  # the business number the install's shops write from


@dataclass(frozen=True, slots=True)
class ShopMessagingSetup:
    """A shop's setup in force (its own where set, else the install's)."""

    shop_id: int
    window_start: time
    window_end: time
    window_is_default: bool
    language: Language
    paused: bool
    paused_at: datetime | None
    pause_reason: str | None
    number: str = "console"  # the business number it writes from
    number_stop: NumberStop | None = None  # WhatsApp stopped that number: nothing leaves it


@dataclass(frozen=True, slots=True)
class TemplateEntry:
    """The wording in force for one kind and language."""

    kind: MessageKind
    language: Language
    body: str
    own: bool  # the shop's own wording; else the ready one
    updated_at: datetime | None
    provider_template: str  # the approved Cloud API template it goes out as


@dataclass(frozen=True, slots=True)
class Preview:
    order_code: str
    text: str  # what the buyer reads
    provider_template: str
    approved_body: str  # the wording as submitted for approval: {{1}}, {{2}}, …
    language: str
    body_parameters: tuple[str, ...]
    button_url_parameter: str | None


def window_problems(start: time, end: time) -> list[str]:
    """Every reason ``[start, end)`` may not be a shop's send window; empty when it may."""
    problems: list[str] = []
    if start.second or start.microsecond or end.second or end.microsecond:
        problems.append("send window: give whole minutes (HH:MM)")
    if start.tzinfo is not None or end.tzinfo is not None:
        problems.append("send window: give local wall-clock times, without a zone")
    if start == end:
        problems.append(f"send window: start and end are both {start:%H:%M}; they must differ")
        return problems
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    open_for = timedelta(minutes=minutes % (24 * 60))
    if open_for < MIN_WINDOW:
        problems.append(
            f"send window {start:%H:%M}–{end:%H:%M} is open {open_for.seconds // 60} minutes a "
            f"day; at least {MIN_WINDOW.seconds // 60} are needed"
        )
    return problems


def window_in_force(stored: StoredSetup, defaults: InstallDefaults) -> tuple[time, time]:
    if stored.window_start is not None and stored.window_end is not None:
        return stored.window_start, stored.window_end
    return defaults.window_start, defaults.window_end


def own_key(shop_id: int, kind: MessageKind, language: Language) -> str:
    return f"shop{shop_id}.{kind.value}.{language.value}"


def default_approved_name(shop_id: int, kind: MessageKind) -> str:
    """The name a shop's own wording is submitted for approval under unless it gives one."""
    return f"shop{shop_id}_{kind.value}"


class SetupTx(Protocol):
    def messaging_setup(self, shop_id: int) -> StoredSetup: ...

    def set_send_window(
        self, shop_id: int, window: tuple[time, time] | None, now: datetime
    ) -> None: ...

    def set_messaging_language(self, shop_id: int, language: Language, now: datetime) -> None: ...

    def own_templates(self, shop_id: int) -> list[tuple[Template, datetime]]: ...

    def save_own_template(self, template: Template, now: datetime) -> None: ...

    def delete_own_template(self, shop_id: int, kind: MessageKind, language: Language) -> bool: ...

    def pause_shop(self, shop_id: int, reason: str, at: datetime) -> bool: ...

    def resume_shop(self, shop_id: int) -> bool: ...

    def get_order(self, shop_id: int, code: str) -> Order | None: ...

    def latest_order_code(self, shop_id: int) -> str | None: ...

    def number_stops(self) -> list[NumberStop]: ...

    def resume_number(self, number: str) -> bool: ...


class SetupStore(Protocol):
    def transaction(self) -> AbstractContextManager[SetupTx]: ...

    def reading(self) -> AbstractContextManager[SetupTx]: ...


class MessagingSetupService:
    def __init__(
        self, store: SetupStore, defaults: InstallDefaults, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._defaults = defaults
        self._clock = clock

    def setup(self, shop: Shop) -> ShopMessagingSetup:
        number = self._defaults.number
        with self._store.reading() as tx:
            stored = tx.messaging_setup(shop.id)
            stop = next((s for s in tx.number_stops() if s.number == number), None)
        start, end = window_in_force(stored, self._defaults)
        return ShopMessagingSetup(
            shop_id=shop.id, window_start=start, window_end=end,
            window_is_default=stored.window_start is None,
            language=stored.language or self._defaults.language,
            paused=stored.paused_at is not None, paused_at=stored.paused_at,
            pause_reason=stored.pause_reason, number=number, number_stop=stop,
        )  # fmt: skip

    def number_stops(self) -> list[NumberStop]:
        """The business numbers stopped after WhatsApp refused with a block or quality signal."""
        with self._store.reading() as tx:
            return tx.number_stops()

    def resume_number(self, number: str) -> bool:
        """Let the number send again (the seller has dealt with the cause); ``False`` when it
        was not stopped. Messages failed by the stop stay failed."""
        with self._store.transaction() as tx:
            return tx.resume_number(number)

    def set_window(self, shop: Shop, start: time, end: time) -> ShopMessagingSetup:
        """The shop's own window; :class:`SetupError` (nothing stored) when it may not be."""
        problems = window_problems(start, end)
        if problems:
            raise SetupError(problems)
        with self._store.transaction() as tx:
            tx.set_send_window(shop.id, (start, end), self._clock())
        return self.setup(shop)

    def use_default_window(self, shop: Shop) -> ShopMessagingSetup:
        with self._store.transaction() as tx:
            tx.set_send_window(shop.id, None, self._clock())
        return self.setup(shop)

    def set_language(self, shop: Shop, language: Language) -> ShopMessagingSetup:
        with self._store.transaction() as tx:
            tx.set_messaging_language(shop.id, language, self._clock())
        return self.setup(shop)

    def pause(self, shop: Shop, reason: str) -> bool:
        """Turn the shop's messages off; ``False`` when they already were."""
        with self._store.transaction() as tx:
            return tx.pause_shop(shop.id, reason.strip() or "paused by the seller", self._clock())

    def resume(self, shop: Shop) -> bool:
        """Turn them on again; ``False`` when they were not off."""
        with self._store.transaction() as tx:
            return tx.resume_shop(shop.id)

    def templates(self, shop: Shop) -> list[TemplateEntry]:
        """The wording in force for every kind and language."""
        with self._store.reading() as tx:
            own = {(tpl.kind, tpl.language): (tpl, at) for tpl, at in tx.own_templates(shop.id)}
        entries = []
        for kind in MessageKind:
            for language in Language:
                template, at = own.get((kind, language), (ready_template(kind, language), None))
                entries.append(
                    TemplateEntry(
                        kind=kind, language=language, body=template.body,
                        own=at is not None, updated_at=at,
                        provider_template=template.provider_name,
                    )
                )  # fmt: skip
        return entries

    def save_template(
        self,
        shop: Shop,
        kind: MessageKind,
        language: Language,
        body: str,
        approved_name: str | None = None,
    ) -> TemplateEntry:
        """Check the wording and store it as the shop's own, to go out as the WhatsApp template
        approved as ``approved_name`` (default :func:`default_approved_name`); raises
        :class:`~saudager.domains.messaging.templates.TemplateError` (nothing stored) with
        every problem when it may not be saved."""
        template = check_template(
            Template(
                own_key(shop.id, kind, language), kind, language, body, shop_id=shop.id,
                approved_name=approved_name or default_approved_name(shop.id, kind),
            )
        )  # fmt: skip
        now = self._clock()
        with self._store.transaction() as tx:
            tx.save_own_template(template, now)
        return TemplateEntry(
            kind=kind, language=language, body=body, own=True, updated_at=now,
            provider_template=template.provider_name,
        )  # fmt: skip

    def reset_template(self, shop: Shop, kind: MessageKind, language: Language) -> bool:
        """Back to the ready wording; ``False`` when the shop had none of its own."""
        with self._store.transaction() as tx:
            return tx.delete_own_template(shop.id, kind, language)

    def preview(
        self,
        shop: Shop,
        kind: MessageKind,
        language: Language,
        body: str | None = None,
        order_code: str | None = None,
        approved_name: str | None = None,
    ) -> Preview:
        """``body`` (else the wording in force) filled for a real order of the shop (its latest
        when ``order_code`` is None), to go out as ``approved_name`` (a typed body's; default
        :func:`default_approved_name`). Raises ``TemplateError`` for a wording with a problem and
        :class:`NotFoundError` when there is no such order."""
        with self._store.reading() as tx:
            code = order_code or tx.latest_order_code(shop.id)
            order = tx.get_order(shop.id, code) if code else None
            own = [tpl for tpl, _ in tx.own_templates(shop.id)]
        if order is None:
            raise NotFoundError(
                f"shop '{shop.name}' has no order {order_code!r}"
                if order_code
                else f"shop '{shop.name}' has no orders yet to preview a message with"
            )
        if body is None:
            template = pick_template(kind, language, own)
        else:
            template = Template(
                own_key(shop.id, kind, language), kind, language, body, shop.id,
                approved_name=approved_name or default_approved_name(shop.id, kind),
            )  # fmt: skip
        text = render(template, order_values(template, order, shop.name))
        filled = filled_message(
            template, order, shop_name=shop.name, to=order.customer_phone or "",
            callback_data="preview",
        )  # fmt: skip
        return Preview(
            order_code=order.code, text=text, provider_template=filled.template,
            approved_body=provider_body(template), language=filled.language,
            body_parameters=filled.body_parameters,
            button_url_parameter=filled.button_url_parameter,
        )  # fmt: skip

    def shop_messaging(self, shop: Shop, *, number: str, holdout_share: Decimal) -> ShopMessaging:
        """What the planner needs of the shop: its language and own wordings."""
        with self._store.reading() as tx:
            stored = tx.messaging_setup(shop.id)
            own = tuple(tpl for tpl, _ in tx.own_templates(shop.id))
        return ShopMessaging(
            shop_id=shop.id, shop_name=shop.name, number=number,
            language=stored.language or self._defaults.language, holdout_share=holdout_share,
            own_templates=own,
        )  # fmt: skip
