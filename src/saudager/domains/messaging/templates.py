"""Message templates: the ready set, the seller's own, their checks, previews and provider mapping.

A template's body is text with placeholders in braces. The placeholders are
:data:`PLACEHOLDERS`: ``{first_name}`` (the buyer's first name), ``{order_code}`` (the Kaspi
order number), ``{product}`` (the ordered product), ``{shop}`` (the shop's name) and
``{review_link}`` (the Kaspi review page of the product). A template is checked when it is
saved (:func:`template_problems`), before anything is sent; each problem names the template and
the placeholder or word at fault:

- an unknown placeholder (``{name}``), an empty one (``{}``) or a lone brace is an error;
- every kind requires ``{order_code}`` and ``{shop}`` (a utility message names the order, and
  several shops share one number whose display name is not the shop's); a review request also
  requires ``{review_link}``; other kinds may not carry ``{review_link}`` (a review is asked for
  in message 2 only);
- the body, without ``{review_link}`` (which goes to the URL button), may not start or end with
  a placeholder (Cloud API error 2388299); the body is at most 1 024 characters;
- no incentive or promotion (:data:`INCENTIVE_STEMS`): a review request with a discount, a gift,
  a bonus or a plea for "5 stars" is a marketing message to Meta and a bought review to Kaspi.

At the provider a template is an approved Cloud API template (:class:`ProviderTemplate`): one
per kind for the ready set (:data:`READY_APPROVED`, the same name in every language), and one
per kind and language for a shop's own wording, approved under its own name (``approved_name``:
lower-case letters, digits and underscores, not one of the ready names — one WhatsApp account
holds the ready templates for every shop on its number). The approved text is fixed, so a
wording sent under another wording's template would reach the buyer in that other wording. Its
positional body parameters ``{{1}}, {{2}}, …``: they are our placeholders in the order they first
appear in the body, ``{review_link}`` excepted — the link goes in the template's URL button,
whose fixed part is ``button_url_base`` and whose parameter is the rest of the link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from saudager.domains.messaging.provider import TemplateMessage
from saudager.domains.orders.types import Order

PLACEHOLDERS: tuple[str, ...] = ("first_name", "order_code", "product", "shop", "review_link")

#: The shape of a template name at WhatsApp (reference/whatsapp.md §2.2).
APPROVED_NAME = re.compile(r"[a-z0-9_]{1,512}")

MAX_BODY_CHARS = 1024


class MessageKind(StrEnum):
    """What a message is for. Message 1 is ``order_received``; message 2 is one of the rest."""

    ORDER_RECEIVED = "order_received"  # message 1: a new order, what happens next
    REVIEW_REQUEST = "review_request"  # message 2: delivered, with the review link
    LATE_APOLOGY = "late_apology"  # message 2 after a late handover
    CANCELLED = "cancelled"  # message 2 after a cancellation: acknowledgement
    RETURNED = "returned"  # message 2 after a return: acknowledgement
    COMPLAINT_FOLLOW_UP = "complaint_follow_up"  # message 2 after a complaint


class Language(StrEnum):
    RU = "ru"
    KK = "kk"
    EN = "en"


#: The approved Cloud API template of each kind's ready wording (in each of its languages).
READY_APPROVED: Mapping[MessageKind, str] = {
    MessageKind.ORDER_RECEIVED: "order_received_v1",
    MessageKind.REVIEW_REQUEST: "order_delivered_review_v1",
    MessageKind.LATE_APOLOGY: "order_late_apology_v1",
    MessageKind.CANCELLED: "order_cancelled_v1",
    MessageKind.RETURNED: "order_returned_v1",
    MessageKind.COMPLAINT_FOLLOW_UP: "order_complaint_follow_up_v1",
}


#: Placeholders a body of each kind must contain.
REQUIRED: Mapping[MessageKind, frozenset[str]] = {
    kind: frozenset({"order_code", "shop"})
    | (frozenset({"review_link"}) if kind is MessageKind.REVIEW_REQUEST else frozenset())
    for kind in MessageKind
}

#: Lower-case stems of words that make a message an incentive or a promotion (checked in every
#: template; a review request most of all). Stems match at a word's start: "скидк" catches
#: "скидка", "скидку".
INCENTIVE_STEMS: tuple[str, ...] = (
    # Russian
    "скидк",
    "бонус",
    "подар",
    "промокод",
    "кэшбэк",
    "кешбэк",
    "акци",
    "распродаж",
    "выигра",
    "розыгрыш",
    "бесплатн",
    "только положительн",
    "5 звезд",
    "пять звезд",
    "5 звёзд",
    "пять звёзд",
    # Kazakh
    "жеңілдік",
    "сыйлық",
    "тегін",
    "ұтыс",
    "5 жұлдыз",
    "бес жұлдыз",
    # English
    "discount",
    "gift",
    "bonus",
    "promo",
    "coupon",
    "cashback",
    "free",
    "reward",
    "giveaway",
    "5 star",
    "five star",
    "positive review",
)

_BRACES = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class Template:
    """One wording of one kind in one language: ready-made (``shop_id`` None) or a shop's own."""

    key: str  # our name for it: "ready.review_request.ru", "shop7.review_request.kk"
    kind: MessageKind
    language: Language
    body: str
    shop_id: int | None = None
    approved_name: str | None = None  # a shop's own: the name approved at WhatsApp

    @property
    def provider_name(self) -> str:
        """The approved template it goes out as."""
        return self.approved_name or READY_APPROVED[self.kind]


@dataclass(frozen=True, slots=True)
class ProviderTemplate:
    """The approved Cloud API template a :class:`Template` is sent as."""

    name: str  # e.g. "review_request_v1"
    language: str  # the provider's code: "ru", "kk", "en"
    #: The URL button's fixed part; the review link must start with it.
    button_url_base: str | None = None


@dataclass(frozen=True, slots=True)
class TemplateValues:
    """What the placeholders of one message stand for."""

    first_name: str
    order_code: str
    product: str
    shop: str
    review_link: str | None = None

    def get(self, placeholder: str) -> str | None:
        value: str | None = getattr(self, placeholder)
        return value


class TemplateError(ValueError):
    """A template that may not be saved or sent; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def placeholders_in(body: str) -> list[str]:
    """The placeholders of ``body`` in order of first appearance (unknown ones included)."""
    seen: list[str] = []
    for match in _BRACES.finditer(body):
        if match.group(1) not in seen:
            seen.append(match.group(1))
    return seen


def _stem_found(text: str, stem: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(stem), text) is not None


def incentive_words(body: str) -> list[str]:
    """The incentive stems :data:`INCENTIVE_STEMS` found in ``body`` (case-insensitive)."""
    text = _BRACES.sub(" ", body).casefold()
    return [stem for stem in INCENTIVE_STEMS if _stem_found(text, stem)]


def template_problems(template: Template) -> list[str]:
    """Every reason ``template`` may not be saved; empty when it may."""
    name = template.key
    body = template.body
    problems: list[str] = []
    found = placeholders_in(body)
    for placeholder in found:
        if placeholder == "":
            problems.append(f"template {name!r}: empty placeholder {{}}")
        elif placeholder not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            problems.append(
                f"template {name!r}: unknown placeholder {{{placeholder}}} (known: {known})"
            )
    if "{" in _BRACES.sub("", body) or "}" in _BRACES.sub("", body):
        problems.append(f"template {name!r}: a brace without its pair")
    for placeholder in sorted(REQUIRED[template.kind] - set(found)):
        problems.append(
            f"template {name!r}: missing required placeholder {{{placeholder}}} "
            f"for a {template.kind.value} message"
        )
    if template.kind is not MessageKind.REVIEW_REQUEST and "review_link" in found:
        problems.append(
            f"template {name!r}: {{review_link}} belongs in a review request only, "
            f"not in a {template.kind.value} message"
        )
    stripped = body.strip()
    sent_body = _BRACES.sub(lambda m: "" if m.group(1) == "review_link" else m.group(0), body)
    if sent_body.strip().startswith("{") or sent_body.strip().endswith("}"):
        problems.append(f"template {name!r}: the text may not start or end with a placeholder")
    if not stripped:
        problems.append(f"template {name!r}: the text is empty")
    if len(body) > MAX_BODY_CHARS:
        problems.append(
            f"template {name!r}: {len(body)} characters, at most {MAX_BODY_CHARS} are allowed"
        )
    if template.approved_name is not None:
        approved = template.approved_name
        if APPROVED_NAME.fullmatch(approved) is None:
            problems.append(
                f"template {name!r}: approved name {approved!r} — WhatsApp template names are "
                "1–512 lower-case Latin letters, digits and underscores"
            )
        elif approved in READY_APPROVED.values():
            problems.append(
                f"template {name!r}: approved name {approved!r} is a ready template's; give "
                "the shop's own wording its own name"
            )
    for stem in incentive_words(body):
        problems.append(
            f"template {name!r}: incentive or promotion word {stem!r} — a review may be asked "
            "for, never paid for or steered"
        )
    return problems


def check_template(template: Template) -> Template:
    """``template`` unchanged, or :class:`TemplateError` listing its problems."""
    problems = template_problems(template)
    if problems:
        raise TemplateError(problems)
    return template


_FALLBACK_NAME = {Language.RU: "покупатель", Language.KK: "сатып алушы", Language.EN: "customer"}


def first_name(full_name: str | None, language: Language) -> str:
    """The first word of Kaspi's customer name, or a polite word for a buyer when unknown."""
    parts = (full_name or "").split()
    return parts[0] if parts else _FALLBACK_NAME[language]


def product_label(order: Order, language: Language) -> str:
    """The first line's product name (its SKU when unnamed), "+N" for further lines."""
    if not order.lines:
        return {Language.RU: "товар", Language.KK: "тауар", Language.EN: "item"}[language]
    first = min(order.lines, key=lambda line: line.line_no)
    label = first.product_name or first.sku
    more = len(order.lines) - 1
    return f"{label} +{more}" if more else label


def values_for(
    order: Order, *, shop: str, language: Language, review_link: str | None = None
) -> TemplateValues:
    """The placeholders' values for a real order of the shop named ``shop``."""
    return TemplateValues(
        first_name=first_name(order.customer_name, language),
        order_code=order.code,
        product=product_label(order, language),
        shop=shop,
        review_link=review_link,
    )


def _value(template: Template, values: TemplateValues, placeholder: str) -> str:
    value = values.get(placeholder)
    if value is None or not value.strip():
        raise TemplateError(
            [f"template {template.key!r}: no value for {{{placeholder}}} in this order"]
        )
    return value


def render(template: Template, values: TemplateValues) -> str:
    """The text the buyer will read (the preview): every placeholder replaced."""
    check_template(template)
    return _BRACES.sub(lambda m: _value(template, values, m.group(1)), template.body)


def body_parameters(template: Template, values: TemplateValues) -> tuple[str, ...]:
    """The positional ``{{1}}, {{2}}, …`` of the approved template, in order of appearance."""
    return tuple(
        _value(template, values, p) for p in placeholders_in(template.body) if p != "review_link"
    )


def provider_body(template: Template) -> str:
    """The body to submit for approval: placeholders as ``{{1}}, {{2}}, …``, no review link.

    The review link is the URL button's parameter, so its placeholder and the text around it on
    the same line are left to the button; here it is simply removed.
    """
    numbers = {
        p: i
        for i, p in enumerate((p for p in placeholders_in(template.body) if p != "review_link"), 1)
    }

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        return "" if name == "review_link" else "{{" + str(numbers[name]) + "}}"

    return _BRACES.sub(number, template.body).strip()


def to_template_message(
    template: Template,
    mapping: ProviderTemplate,
    values: TemplateValues,
    *,
    to: str,
    callback_data: str,
) -> TemplateMessage:
    """The provider's message for ``template`` filled with ``values``."""
    check_template(template)
    button: str | None = None
    if "review_link" in placeholders_in(template.body):
        link = _value(template, values, "review_link")
        base = mapping.button_url_base
        if base is None or not link.startswith(base):
            raise TemplateError(
                [
                    f"template {template.key!r}: review link {link!r} does not start with the "
                    f"URL button's base {base!r} of {mapping.name!r}"
                ]
            )
        button = link[len(base) :]
    return TemplateMessage(
        to=to,
        template=mapping.name,
        language=mapping.language,
        body_parameters=body_parameters(template, values),
        callback_data=callback_data,
        button_url_parameter=button,
    )


def _ready(kind: MessageKind, language: Language, body: str) -> Template:
    return Template(
        key=f"ready.{kind.value}.{language.value}", kind=kind, language=language, body=body
    )


_K = MessageKind
_L = Language

#: The ready set: every kind in Russian, Kazakh and English. Utility wording only.
READY_TEMPLATES: tuple[Template, ...] = (
    _ready(
        _K.ORDER_RECEIVED,
        _L.RU,
        "Здравствуйте, {first_name}! Магазин {shop} получил ваш заказ № {order_code} "
        "({product}). Мы сообщим, когда передадим его в доставку.",
    ),
    _ready(
        _K.ORDER_RECEIVED,
        _L.KK,
        "Сәлеметсіз бе, {first_name}! {shop} дүкені № {order_code} тапсырысыңызды ({product}) "
        "қабылдады. Жеткізуге бергенде хабарлаймыз.",
    ),
    _ready(
        _K.ORDER_RECEIVED,
        _L.EN,
        "Hello {first_name}! {shop} has received your order No. {order_code} ({product}). "
        "We will let you know when it is handed over for delivery.",
    ),
    _ready(
        _K.REVIEW_REQUEST,
        _L.RU,
        "Здравствуйте, {first_name}! Заказ № {order_code} ({product}) от магазина {shop} "
        "доставлен. Всё ли в порядке? Если есть вопрос или проблема, ответьте на это сообщение. "
        "Оценить товар на Kaspi: {review_link}",
    ),
    _ready(
        _K.REVIEW_REQUEST,
        _L.KK,
        "Сәлеметсіз бе, {first_name}! {shop} дүкенінің № {order_code} тапсырысы ({product}) "
        "жеткізілді. Бәрі дұрыс па? Сұрақ не мәселе болса, осы хабарламаға жауап беріңіз. "
        "Тауарды Kaspi-де бағалау: {review_link}",
    ),
    _ready(
        _K.REVIEW_REQUEST,
        _L.EN,
        "Hello {first_name}! Your order No. {order_code} ({product}) from {shop} has been "
        "delivered. Is everything all right? If there is a question or a problem, reply to this "
        "message. Rate the product on Kaspi: {review_link}",
    ),
    _ready(
        _K.LATE_APOLOGY,
        _L.RU,
        "Здравствуйте, {first_name}! Заказ № {order_code} ({product}) магазин {shop} передал в "
        "доставку позже обещанного. Приносим извинения. Если что-то не так, ответьте на это "
        "сообщение.",
    ),
    _ready(
        _K.LATE_APOLOGY,
        _L.KK,
        "Сәлеметсіз бе, {first_name}! {shop} дүкені № {order_code} тапсырысын ({product}) "
        "жеткізуге уәде етілген уақыттан кеш берді. Кешірім сұраймыз. Бірдеңе дұрыс болмаса, "
        "осы хабарламаға жауап беріңіз.",
    ),
    _ready(
        _K.LATE_APOLOGY,
        _L.EN,
        "Hello {first_name}! {shop} handed over your order No. {order_code} ({product}) later "
        "than promised. We apologise. If anything is wrong, reply to this message.",
    ),
    _ready(
        _K.CANCELLED,
        _L.RU,
        "Здравствуйте, {first_name}! Заказ № {order_code} ({product}) в магазине {shop} "
        "отменён. Если у вас есть вопрос, ответьте на это сообщение.",
    ),
    _ready(
        _K.CANCELLED,
        _L.KK,
        "Сәлеметсіз бе, {first_name}! {shop} дүкеніндегі № {order_code} тапсырыс ({product}) "
        "тоқтатылды. Сұрағыңыз болса, осы хабарламаға жауап беріңіз.",
    ),
    _ready(
        _K.CANCELLED,
        _L.EN,
        "Hello {first_name}! Your order No. {order_code} ({product}) at {shop} has been "
        "cancelled. If you have a question, reply to this message.",
    ),
    _ready(
        _K.RETURNED,
        _L.RU,
        "Здравствуйте, {first_name}! Магазин {shop} получил возврат по заказу № {order_code} "
        "({product}). Если остались вопросы, ответьте на это сообщение.",
    ),
    _ready(
        _K.RETURNED,
        _L.KK,
        "Сәлеметсіз бе, {first_name}! {shop} дүкені № {order_code} тапсырысы ({product}) "
        "бойынша қайтаруды алды. Сұрақтарыңыз болса, осы хабарламаға жауап беріңіз.",
    ),
    _ready(
        _K.RETURNED,
        _L.EN,
        "Hello {first_name}! {shop} has received the return of order No. {order_code} "
        "({product}). If you have questions, reply to this message.",
    ),
    _ready(
        _K.COMPLAINT_FOLLOW_UP,
        _L.RU,
        "Здравствуйте, {first_name}! Магазин {shop} получил ваше сообщение о заказе "
        "№ {order_code} ({product}) и уже разбирается. Мы ответим здесь.",
    ),
    _ready(
        _K.COMPLAINT_FOLLOW_UP,
        _L.KK,
        "Сәлеметсіз бе, {first_name}! {shop} дүкені № {order_code} тапсырысы ({product}) "
        "туралы хабарламаңызды алды, қазір қарап жатыр. Осында жауап береміз.",
    ),
    _ready(
        _K.COMPLAINT_FOLLOW_UP,
        _L.EN,
        "Hello {first_name}! {shop} has received your message about order No. {order_code} "
        "({product}) and is looking into it. We will answer here.",
    ),
)


def ready_template(kind: MessageKind, language: Language) -> Template:
    """The ready template of ``kind`` in ``language``."""
    for template in READY_TEMPLATES:
        if template.kind is kind and template.language is language:
            return template
    raise KeyError(f"no ready template for {kind.value} in {language.value}")


def pick_template(
    kind: MessageKind, language: Language, own: tuple[Template, ...] | list[Template] = ()
) -> Template:
    """The shop's own template of ``kind`` in ``language`` when it has one, else the ready one."""
    for template in own:
        if template.kind is kind and template.language is language:
            return template
    return ready_template(kind, language)
