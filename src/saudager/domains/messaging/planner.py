"""From a shop's orders to the messages to put in the outbox.

For each order, the flows (``flows.py``) say whether it calls for message 1 (a new order) and,
once it is over, which message 2 (service first: a complaint follow-up, a return or cancellation
acknowledgement, a late-handover apology; else, outside the holdout, the review request). Each
becomes a :class:`NewMessage` keyed (shop, order, ``"message_1"`` | ``"message_2"``): the outbox
keeps one message 1 and one message 2 per order however often the planner runs, and whichever
kind message 2 turned out to be. The text comes from the shop's own template or the ready one
(``templates.py``), mapped to the approved Cloud API template of its kind and language.

Every message must be useful, so each is planned only while it is news (the edges included):
message 1 while the order is at most :data:`FRESH_FOR` old (its ``created_at``), message 2
while the order ended at most :data:`FRESH_FOR` ago (the latest of its ``completed_at``,
``cancelled_at`` and its returns' ``created_at``; its ``created_at`` when none is known, as an
order ends after it begins). A complaint follow-up answers the buyer's message, not the order's
end, and is planned whatever the order's age. Turning messaging on for an old shop therefore
asks nobody about an order of last month.

The message is due when the plan is made; the dispatcher's gate (``gate.py``) decides when it
may actually leave (window, caps, consent).

The review link: ``https://kaspi.kz/shop/review/productreview?orderCode=…&productCode=…`` for
the order's first line (reference/kaspi-api.md: the deep link sellers' tools send), its
product code being the Kaspi card code when known, else the SKU. The link carries no
pre-filled rating: the buyer chooses the stars.

Pure: orders, returns and what is already in the outbox come in; no clock reads, no IO.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from saudager.core.phones import normalize_kz_phone
from saudager.domains.messaging.flows import message_one, message_two
from saudager.domains.messaging.provider import TemplateMessage
from saudager.domains.messaging.records import MessageKey, NewMessage
from saudager.domains.messaging.stats import in_holdout
from saudager.domains.messaging.templates import (
    Language,
    MessageKind,
    ProviderTemplate,
    Template,
    TemplateValues,
    pick_template,
    to_template_message,
    values_for,
)
from saudager.domains.orders.types import Order, Return

REVIEW_BASE = "https://kaspi.kz/shop/review/productreview?"
#: How long an order's news stays news: message 1 after it was created, message 2 after it ended.
FRESH_FOR = timedelta(days=3)
MESSAGE_1 = "message_1"
MESSAGE_2 = "message_2"


@dataclass(frozen=True, slots=True)
class ShopMessaging:
    """How one shop's buyers are written to."""

    shop_id: int
    shop_name: str
    number: str  # the business number (Cloud API phone number id) it writes from
    language: Language = Language.RU
    holdout_share: Decimal = Decimal("0.10")
    own_templates: tuple[Template, ...] = ()


def review_link(order: Order) -> str | None:
    """The Kaspi review page of the order's first product, or ``None`` without lines."""
    if not order.lines:
        return None
    first = min(order.lines, key=lambda line: line.line_no)
    product = first.kaspi_product_code or first.sku
    return REVIEW_BASE + urlencode({"orderCode": order.code, "productCode": product})


def provider_template(template: Template) -> ProviderTemplate:
    """The approved Cloud API template ``template`` is sent as (the review request's URL
    button, with the review page's address as its fixed part)."""
    return ProviderTemplate(
        template.provider_name,
        template.language.value,
        REVIEW_BASE if template.kind is MessageKind.REVIEW_REQUEST else None,
    )


def order_values(template: Template, order: Order, shop_name: str) -> TemplateValues:
    """The placeholders' values of ``template`` for ``order``, the review link included when
    the template asks for a review."""
    link = review_link(order) if template.kind is MessageKind.REVIEW_REQUEST else None
    return values_for(order, shop=shop_name, language=template.language, review_link=link)


def filled_message(
    template: Template, order: Order, *, shop_name: str, to: str, callback_data: str
) -> TemplateMessage:
    """What goes to the provider for ``order`` in the words of ``template``."""
    return to_template_message(
        template, provider_template(template),
        order_values(template, order, shop_name), to=to, callback_data=callback_data,
    )  # fmt: skip


def _message(
    shop: ShopMessaging, order: Order, kind: MessageKind, slot: str, phone: str, now: datetime
) -> NewMessage:
    template = pick_template(kind, shop.language, shop.own_templates)
    key = MessageKey(shop.shop_id, order.code, slot)
    filled = filled_message(
        template, order, shop_name=shop.shop_name, to=phone, callback_data=key.callback_data
    )
    return NewMessage(
        key=key, from_number=shop.number, to=phone, template=filled.template,
        language=filled.language, body_parameters=filled.body_parameters,
        button_url_parameter=filled.button_url_parameter, due_at=now, purpose=kind.value,
    )  # fmt: skip


def ended_at(order: Order, returns: Sequence[Return]) -> datetime:
    """When the order ended, as far as we know (see the module's text)."""
    ends = [order.completed_at, order.cancelled_at, *(item.created_at for item in returns)]
    return max((end for end in ends if end is not None), default=order.created_at)


def plan(
    shop: ShopMessaging,
    orders: Sequence[Order],
    returns: Sequence[Return],
    *,
    planned: Collection[tuple[str, str]],
    complained: Collection[str],
    now: datetime,
) -> list[NewMessage]:
    """The messages the orders call for that are not in the outbox yet. ``planned``: the
    (order code, slot) pairs already there; ``complained``: codes of orders whose buyer
    complained (reply triage)."""
    by_order: dict[str, list[Return]] = {}
    for item in returns:
        by_order.setdefault(item.order_code, []).append(item)
    found: list[NewMessage] = []
    oldest = now - FRESH_FOR
    for order in orders:
        if (order.code, MESSAGE_1) not in planned and order.created_at >= oldest:
            first = message_one(order)
            if first.kind is not None and first.phone is not None:
                found.append(_message(shop, order, first.kind, MESSAGE_1, first.phone, now))
        if (order.code, MESSAGE_2) in planned:
            continue
        phone = normalize_kz_phone(order.customer_phone)
        its_returns = by_order.get(order.code, ())
        complaint = order.code in complained
        if not complaint and ended_at(order, its_returns) < oldest:
            continue
        second = message_two(
            order,
            returns=its_returns,
            complained=complaint,
            in_holdout=phone is not None and in_holdout(shop.shop_id, phone, shop.holdout_share),
        )
        if second.kind is not None and second.phone is not None:
            found.append(_message(shop, order, second.kind, MESSAGE_2, second.phone, now))
    return found
