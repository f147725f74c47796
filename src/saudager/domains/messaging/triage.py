"""Reply triage: what a buyer's message is — an opt-out, a complaint, a question or thanks —
and which order it is about (:func:`match_order`: the message it quotes, else the latest one
we sent to that phone in the last 30 days).

The rule table is plain data (:data:`RULES`), in Russian, Kazakh and English. The text is first
lower-cased, ``ё`` read as ``е``, punctuation and emoji dropped (``consent.words``); a term then
matches whole words in a row ("не работает"), or, when it ends with ``*``, any words starting
with it ("сломан*" catches "сломался", "сломанный").

Stars count too (:func:`stars_in`): "1 звезда", "2 жұлдыз", "3 stars", "2/5", "2 из 5" or a run
of ⭐ — a rating at most ``negative_at_most`` (3) is a complaint, at least ``positive_at_least``
(4) is thanks, the thresholds of Kaspi's reviews balance in ``saudager.domains.quality``.

Precedence, first that holds wins:

1. **opt-out** — the opt-out button or a stop word (``consent``);
2. **complaint** — a complaint term or a low star rating; "спасибо, но коробка разбита" is a
   complaint: the seller must see it whatever else the buyer wrote;
3. **question** — a ``?`` or a question term;
4. **thanks** — a thanks term or a high star rating;
5. **other** — nothing matched; it still waits in the inbox, unflagged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from saudager.domains.messaging.consent import opt_out_kind, words
from saudager.domains.messaging.provider import InboundMessage
from saudager.domains.quality.types import QualityRules

_REVIEW_BALANCE = QualityRules()
NEGATIVE_AT_MOST = _REVIEW_BALANCE.negative_at_most
POSITIVE_AT_LEAST = _REVIEW_BALANCE.positive_at_least


class Category(StrEnum):
    OPT_OUT = "opt_out"
    COMPLAINT = "complaint"
    QUESTION = "question"
    THANKS = "thanks"
    OTHER = "other"


#: The terms of each category (see the module's text for how a term matches).
# fmt: off
RULES: Mapping[Category, tuple[str, ...]] = {
    Category.COMPLAINT: (
        # Russian
        "брак*", "бракован*", "сломан*", "сломал*", "не работает", "не работают",
        "не включается", "не пришел", "не пришла", "не пришло", "не доставлен*",
        "не получил*", "не тот", "не та", "не то", "не такой", "не такая", "не соответствует",
        "поврежд*", "разбит*", "треснут*", "трещин*", "царапин*", "порван*", "испорч*", "вмятин*",
        "верните", "вернуть деньги", "возврат*", "обман*", "ужас*", "плох*", "жалоб*",
        "претензи*", "опоздал*", "задерж*", "недоволен", "недовольна", "отврат*", "кошмар*",
        "подделк*", "некачествен*", "не хватает", "б у", "где мой заказ",
        # Kazakh
        "сынық*", "сынған*", "бұзылған*", "бұзық*", "жұмыс істемейді", "істемейді", "келмеді",
        "жаман*", "қайтар*", "ақау*", "нашар*", "алдау*", "алдады*", "кешікті*", "шағым*",
        "дұрыс емес", "жақсы емес", "басқа тауар", "сапасыз*",
        # English
        "broken", "broke", "damaged", "defect*", "not working", "doesn't work", "does not work",
        "wrong", "refund*", "return", "returning", "terrible", "awful", "bad", "never arrived",
        "not arrived", "missing", "scam*", "fake", "complain*", "disappointed", "poor",
        "where is my order",
    ),
    Category.QUESTION: (
        # Russian
        "когда", "где", "почему", "зачем", "можно", "сколько", "какой", "какая",
        "подскажите", "скажите", "ли",
        # Kazakh
        "қашан", "қайда", "қалай", "неге", "қанша", "қандай", "бола ма", "ма",
        # English
        "when", "where", "how", "why", "what", "can i", "could you", "is it", "do you",
    ),
    Category.THANKS: (
        # Russian
        "спасибо", "спс", "благодар*", "отлично", "отличный", "супер", "все хорошо",
        "все отлично", "доволен", "довольна", "класс*", "рекомендую", "пришел", "получил*",
        # Kazakh
        "рахмет*", "рақмет*", "керемет*", "жақсы", "бәрі жақсы", "алдым", "ризамын",
        # English
        "thank*", "thx", "great", "perfect", "love*", "excellent", "all good", "got it",
        "received",
    ),
}
# fmt: on

_STAR_WORDS = r"(?:звезд\w*|stars?|жұлдыз\w*)"
_STAR_PATTERNS = (
    re.compile(r"(?<![\d/])([1-5])\s*(?:/|из|of|out of)\s*5(?!\d)"),
    re.compile(r"(?<![\d/])([1-5])\s*" + _STAR_WORDS),
)
_STAR_CHARS = re.compile(r"[⭐★🌟]")


def stars_in(text: str) -> int | None:
    """The star rating a text gives (1–5), or ``None`` when it gives none."""
    folded = text.casefold().replace("ё", "е")
    for pattern in _STAR_PATTERNS:
        match = pattern.search(folded)
        if match:
            return int(match.group(1))
    count = len(_STAR_CHARS.findall(text))
    return min(count, 5) if count else None


def _term_pattern(term: str) -> re.Pattern[str]:
    stem = term.endswith("*")
    body = re.escape(term.rstrip("*"))
    return re.compile(r"(?<!\S)" + body + (r"\S*" if stem else r"(?!\S)"))


_COMPILED: dict[Category, tuple[tuple[str, re.Pattern[str]], ...]] = {
    category: tuple((term, _term_pattern(term)) for term in terms)
    for category, terms in RULES.items()
}


def _matches(category: Category, normalized: str) -> tuple[str, ...]:
    return tuple(term for term, pattern in _COMPILED[category] if pattern.search(normalized))


@dataclass(frozen=True, slots=True)
class Triage:
    """The category and what decided it, so the seller can see why."""

    category: Category
    matched: tuple[str, ...] = ()  # the terms (or "★n", "?", "button") that decided it
    stars: int | None = None


def classify_text(text: str, *, button_payload: str | None = None) -> Triage:
    """The category of a buyer's text (see the module's text for the precedence)."""
    source = opt_out_kind(text, button_payload)
    if source is not None:
        return Triage(Category.OPT_OUT, (source.value,))
    normalized = " ".join(words(text))
    stars = stars_in(text)
    complaint = _matches(Category.COMPLAINT, normalized)
    if stars is not None and stars <= NEGATIVE_AT_MOST:
        complaint = (*complaint, f"★{stars}")
    if complaint:
        return Triage(Category.COMPLAINT, complaint, stars)
    question = _matches(Category.QUESTION, normalized)
    if "?" in text:
        question = ("?", *question)
    if question:
        return Triage(Category.QUESTION, question, stars)
    thanks = _matches(Category.THANKS, normalized)
    if stars is not None and stars >= POSITIVE_AT_LEAST:
        thanks = (*thanks, f"★{stars}")
    if thanks:
        return Triage(Category.THANKS, thanks, stars)
    return Triage(Category.OTHER, (), stars)


def classify(message: InboundMessage) -> Triage:
    """The category of an inbound message."""
    return classify_text(message.text, button_payload=message.button_payload)


@dataclass(frozen=True, slots=True)
class SentRef:
    """One of our messages to a buyer, as the order matching needs it."""

    provider_message_id: str
    shop_id: int
    order_code: str
    phone: str
    at: datetime


#: How far back a reply without a quoted message is matched by phone.
MATCH_BY_PHONE_WITHIN = timedelta(days=30)


def match_order(
    message: InboundMessage,
    sent: Sequence[SentRef],
    *,
    within: timedelta = MATCH_BY_PHONE_WITHIN,
) -> SentRef | None:
    """The message of ours a reply belongs to, and so its shop and order.

    ``sent`` are our messages from the number the reply came to. First the message it quotes
    (``in_reply_to`` equal to our ``provider_message_id``); else our latest message to the
    sender's phone sent at or before the reply and at most ``within`` before it; else none.
    """
    if message.in_reply_to is not None:
        for ref in sent:
            if ref.provider_message_id == message.in_reply_to:
                return ref
    candidates = [
        ref
        for ref in sent
        if ref.phone == message.sender and message.at - within <= ref.at <= message.at
    ]
    return max(candidates, key=lambda ref: (ref.at, ref.provider_message_id), default=None)
