"""Consent: when a buyer's message says "stop", and what we record when it does.

An inbound message is an opt-out when

- its button payload is :data:`OPT_OUT_PAYLOAD` (the template's "stop messages" quick reply), or
- its text, lower-cased, with punctuation, emoji and repeated spaces removed, contains one of
  :data:`OPT_OUT_WORDS` as a whole word (or one of :data:`OPT_OUT_PHRASES` as whole words in a
  row). "Стоп!!", " STOP ", "stop." and "Тоқта" are opt-outs; "стопка", "unstoppable" and
  "non-stop" are not.

An opt-out stops every message to that phone from every shop on the business number, at once;
it is recorded with the time, the source and the shop whose message it answered.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from saudager.domains.messaging.provider import InboundMessage

#: The quick-reply payload of the opt-out button in our templates.
OPT_OUT_PAYLOAD = "OPT_OUT"

#: Single words that mean "stop writing to me" (Russian, Kazakh, English).
OPT_OUT_WORDS: frozenset[str] = frozenset(
    {
        "stop",
        "unsubscribe",
        "стоп",
        "отписаться",
        "отпишите",
        "тоқта",
        "тоқтат",
        "тоқтатыңыз",
        "токта",  # typed without the Kazakh letter
        "токтат",
    }
)

#: Word sequences that mean the same.
OPT_OUT_PHRASES: tuple[tuple[str, ...], ...] = (
    ("не", "пишите"),
    ("больше", "не", "писать"),
    ("жазбаңыз",),
    ("do", "not", "message"),
    ("dont", "message"),
    ("don't", "message"),
)

#: A word: letters, digits, apostrophes and inner hyphens ("non-stop" is one word, not "stop").
_WORD = re.compile(r"[\w'-]+")


class OptOutSource(StrEnum):
    KEYWORD = "keyword"  # the buyer wrote a stop word
    BUTTON = "button"  # the buyer tapped the opt-out quick reply
    SELLER = "seller"  # the seller recorded it (the buyer asked by phone, in the Kaspi chat…)


def words(text: str) -> list[str]:
    """The text's words, lower-cased and NFC-normalised, with punctuation and emoji dropped.

    A hyphenated compound stays one word: "стоп-кран" and "non-stop" are not "стоп" or "stop".
    """
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е").replace("’", "'")
    tokens = (token.strip("-'") for token in _WORD.findall(folded))
    return [token for token in tokens if token]


def _has_phrase(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


def is_opt_out_text(text: str) -> bool:
    """Whether free text asks us to stop (see the module's rule)."""
    tokens = words(text)
    if any(token in OPT_OUT_WORDS for token in tokens):
        return True
    return any(_has_phrase(tokens, phrase) for phrase in OPT_OUT_PHRASES)


def opt_out_kind(text: str, button_payload: str | None = None) -> OptOutSource | None:
    """How a text or button reply opts out, or ``None`` when it does not."""
    if button_payload is not None and button_payload.strip() == OPT_OUT_PAYLOAD:
        return OptOutSource.BUTTON
    if is_opt_out_text(text):
        return OptOutSource.KEYWORD
    return None


def opt_out_source(message: InboundMessage) -> OptOutSource | None:
    """How ``message`` opts out, or ``None`` when it does not."""
    return opt_out_kind(message.text, message.button_payload)


@dataclass(frozen=True, slots=True)
class OptOut:
    """A buyer's phone that gets no more messages from any shop on ``business_number``."""

    phone: str  # the buyer, E.164 "+7…"
    business_number: str  # our number the buyer wrote to; the opt-out covers all its shops
    at: datetime  # when the buyer asked (the inbound message's time), aware UTC
    source: OptOutSource
    shop_id: int | None  # the shop whose message it answered, when known; informational
    provider_message_id: str | None = None  # the inbound message, for the record


def opt_out_from(
    message: InboundMessage, *, business_number: str, shop_id: int | None
) -> OptOut | None:
    """The record an inbound message creates, or ``None`` when it is not an opt-out."""
    source = opt_out_source(message)
    if source is None:
        return None
    return OptOut(
        phone=message.sender,
        business_number=business_number,
        at=message.at,
        source=source,
        shop_id=shop_id,
        provider_message_id=message.provider_message_id,
    )


def is_opted_out(
    phone: str, business_number: str, opt_outs: list[OptOut] | tuple[OptOut, ...]
) -> bool:
    """Whether any shop on ``business_number`` may still write to ``phone`` (no: True)."""
    return any(o.phone == phone and o.business_number == business_number for o in opt_outs)
