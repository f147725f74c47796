"""From raw rows to domain objects, or to every problem a file has.

Pure: no IO and no clock. A table is validated whole so that a seller fixes a file once, not
once per error; a row with any bad cell yields problems and no object. Messages name the
column, say what was expected and quote what was found (phone numbers masked).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from typing import TypeVar, cast

from saudager.core.errors import FieldProblem
from saudager.core.masking import mask_phone, redact_phones
from saudager.core.money import MoneyError, to_tenge
from saudager.core.phones import normalize_kz_phone
from saudager.core.timewindows import zone
from saudager.domains.analytics.records import AdSpend
from saudager.domains.catalog.types import Product, ProductCost
from saudager.domains.imports.types import (
    EXCLUDING_COLUMNS,
    ImportKind,
    RawTable,
    ValidatedFile,
    column_names,
    required_columns,
)
from saudager.domains.orders.types import (
    FINAL_STATUSES,
    CancelledBy,
    Order,
    OrderLine,
    OrderState,
    OrderStatus,
    Return,
    ReturnReason,
    Review,
    Source,
    return_key,
)

T = TypeVar("T")

#: A products row without ``cost_effective_from`` sets the cost "since always": analytics look
#: up the cost in force on a sale's day, and no Kaspi sale predates this day.
DEFAULT_COST_EFFECTIVE_FROM = date(2000, 1, 1)

#: Seller-friendly status words (lower case, ``ё`` read as ``е``) → Kaspi status. Kaspi's own
#: values are accepted too, in any case. The four words are the statuses of Kaspi's sales
#: statistics: delivering, received, returned, cancelled.
STATUS_WORDS: Mapping[str, str] = {
    **dict.fromkeys(
        ("delivering", "in delivery", "доставляется", "в доставке", "в пути"),
        OrderStatus.ACCEPTED_BY_MERCHANT.value,
    ),
    **dict.fromkeys(
        ("received", "delivered", "получен", "получено", "выдан", "доставлен", "доставлено"),
        OrderStatus.COMPLETED.value,
    ),
    **dict.fromkeys(("returned", "возврат", "возвращен", "возвращено"), OrderStatus.RETURNED.value),
    **dict.fromkeys(("cancelled", "canceled", "отменен", "отменено"), OrderStatus.CANCELLED.value),
}

#: ``delivery_mode`` values Kaspi documents.
DELIVERY_MODES: tuple[str, ...] = (
    "DELIVERY_LOCAL",
    "DELIVERY_PICKUP",
    "DELIVERY_REGIONAL_TODOOR",
    "DELIVERY_REGIONAL_PICKUP",
)

_TRUE = frozenset({"true", "1", "yes", "y", "да", "д"})
_FALSE = frozenset({"false", "0", "no", "n", "нет", "н"})

_CANCELLED_BY: Mapping[str, str] = {
    **{c.value: c.value for c in CancelledBy},
    "продавец": CancelledBy.SELLER.value,
    "покупатель": CancelledBy.BUYER.value,
    "каспи": CancelledBy.KASPI.value,
}

_RETURN_REASONS: Mapping[str, str] = {
    ReturnReason.QUALITY.value: ReturnReason.QUALITY.value,
    ReturnReason.OTHER.value: ReturnReason.OTHER.value,
    "качество": ReturnReason.QUALITY.value,
    "брак": ReturnReason.QUALITY.value,
    "другое": ReturnReason.OTHER.value,
    "прочее": ReturnReason.OTHER.value,
}

# --- messages: what was expected (the "found ..." part is added where the cell is read) ---

EXPECT_DATETIME = "a date-time in ISO 8601 such as 2026-03-01T14:05:00+05:00"
EXPECT_DATE = "a date in ISO 8601 such as 2026-03-01"
EXPECT_MONEY = "an amount in tenge such as 12 345, 12345.50 or 12 345,50 ₸"
EXPECT_MONEY_NON_NEGATIVE = "an amount of 0 or more"
EXPECT_POSITIVE_INT = "a whole number of 1 or more"
EXPECT_NON_NEGATIVE_INT = "a whole number of 0 or more"
EXPECT_RATING = "a whole number from 1 to 5"
EXPECT_BOOL = "true/false, 1/0, yes/no or да/нет"
EXPECT_WEIGHT = "a weight in kilograms of 0 or more such as 0.25"
EXPECT_PHONE = (
    "a Kazakh mobile number such as +77011234567 (also 87011234567, 77011234567 or"
    " 7011234567; spaces, brackets and dashes allowed)"
)
EXPECT_STATUS = (
    "a Kaspi status (" + ", ".join(s.value for s in OrderStatus) + ") or one of"
    " delivering, received, returned, cancelled (в доставке, получен, возврат, отменен)"
)
EXPECT_STATE = "one of " + ", ".join(s.value for s in OrderState)
EXPECT_CANCELLED_BY = "one of seller, buyer, kaspi"
EXPECT_REASON = "one of quality, other"
EXPECT_DELIVERY_MODE = "one of " + ", ".join(DELIVERY_MODES)
MISSING = "required, found an empty cell"
EXPECT_SKU_OR_CAMPAIGN = (
    "expected a sku, a campaign or both (spend on a product or on a campaign), found neither"
)


class _CellError(ValueError):
    """A cell that cannot be read; carries what was expected."""

    def __init__(self, expected: str, found: str | None = None) -> None:
        super().__init__(expected)
        self.expected = expected
        self.found = found  # replaces the echoed value, e.g. a masked phone number


def _found(raw: object) -> str:
    """The bad value as the seller typed it, short, with any phone number masked."""
    if isinstance(raw, datetime | date | time):
        text = raw.isoformat()
    elif isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    else:
        text = str(raw).strip()
    if len(text) > 60:
        text = text[:57] + "…"
    return f"'{redact_phones(text)}'"


# --- cell parsers: raw value (never empty) → value, or _CellError ---


def parse_text(raw: object) -> str:
    """Codes and names. Spreadsheets turn codes into numbers: ``123.0`` reads back ``"123"``."""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def parse_money(raw: object) -> Decimal:
    # Text with more than two decimals is refused rather than rounded: "12,345" is twelve
    # thousand to one seller and twelve tenge to ``to_tenge``, and a price has tiyn at most.
    if isinstance(raw, str) and _THREE_DECIMALS.search(raw.rstrip(" ₸\u00a0")):
        raise _CellError(EXPECT_MONEY)
    try:
        amount = to_tenge(raw)
    except MoneyError as exc:
        raise _CellError(EXPECT_MONEY) from exc
    if amount < 0:
        raise _CellError(EXPECT_MONEY_NON_NEGATIVE)
    return amount


_THREE_DECIMALS = re.compile(r"[.,]\d{3,}$")


def _integer(raw: object, expected: str) -> int:
    if isinstance(raw, bool):
        raise _CellError(expected)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise _CellError(expected)
    text = str(raw).replace(" ", "").replace("\u00a0", "")
    try:
        return int(text)
    except ValueError:
        pass
    # "2.0" and "2,00" are how spreadsheets write whole numbers; "1,000" is not accepted, as it
    # is a thousand in one locale and one in another.
    whole = _WHOLE_WITH_ZEROS.fullmatch(text)
    if whole:
        return int(whole.group(1))
    raise _CellError(expected)


_WHOLE_WITH_ZEROS = re.compile(r"([-+]?\d+)[.,]0{1,2}")


def parse_positive_int(raw: object) -> int:
    value = _integer(raw, EXPECT_POSITIVE_INT)
    if value < 1:
        raise _CellError(EXPECT_POSITIVE_INT)
    return value


def parse_non_negative_int(raw: object) -> int:
    value = _integer(raw, EXPECT_NON_NEGATIVE_INT)
    if value < 0:
        raise _CellError(EXPECT_NON_NEGATIVE_INT)
    return value


def parse_rating(raw: object) -> int:
    value = _integer(raw, EXPECT_RATING)
    if not 1 <= value <= 5:
        raise _CellError(EXPECT_RATING)
    return value


def parse_weight(raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise _CellError(EXPECT_WEIGHT)
    text = repr(raw) if isinstance(raw, float) else str(raw)
    try:
        value = Decimal(text.replace(" ", "").replace(",", "."))
    except InvalidOperation as exc:
        raise _CellError(EXPECT_WEIGHT) from exc
    if not value.is_finite() or value < 0:
        raise _CellError(EXPECT_WEIGHT)
    return value


def parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _CellError(EXPECT_BOOL)


def parse_phone(raw: object) -> str:
    """``+7XXXXXXXXXX``, read the way the API sync reads Kaspi's numbers; never echoes one."""
    text = parse_text(raw)
    phone = normalize_kz_phone(text)
    if phone is None:
        has_digits = any(ch.isdigit() for ch in text)
        raise _CellError(EXPECT_PHONE, found=f"'{mask_phone(text)}'" if has_digits else None)
    return phone


def _choice(mapping: Mapping[str, str], expected: str) -> Callable[[object], str]:
    def parse(raw: object) -> str:
        value = mapping.get(str(raw).strip().lower().replace("ё", "е"))
        if value is None:
            raise _CellError(expected)
        return value

    return parse


_STATUS_LOOKUP: Mapping[str, str] = {
    **{s.value.lower(): s.value for s in OrderStatus},
    **STATUS_WORDS,
}
parse_status = _choice(_STATUS_LOOKUP, EXPECT_STATUS)
parse_state = _choice({s.value.lower(): s.value for s in OrderState}, EXPECT_STATE)
parse_cancelled_by = _choice(_CANCELLED_BY, EXPECT_CANCELLED_BY)
parse_return_reason = _choice(_RETURN_REASONS, EXPECT_REASON)
parse_delivery_mode = _choice({m.lower(): m for m in DELIVERY_MODES}, EXPECT_DELIVERY_MODE)

# DD.MM.YYYY[ HH:MM[:SS]]: how Russian-locale spreadsheets write dates as text. Accepted
# besides ISO 8601 because sellers' files are full of it; day first, never month first.
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _naive_or_aware(raw: object, expected: str) -> datetime | date:
    """A cell as a datetime (maybe naive) or a bare date; does not apply any zone yet."""
    if isinstance(raw, datetime | date):
        return raw
    if not isinstance(raw, str):
        raise _CellError(expected)
    text = raw.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    match = _DOTTED.fullmatch(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
        try:
            return datetime(  # noqa: DTZ001 - naive on purpose: the shop's zone is applied next
                int(year),
                int(month),
                int(day),
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
            )
        except ValueError:
            pass
    raise _CellError(expected)


def datetime_parser(local: tzinfo) -> Callable[[object], datetime]:
    """Aware UTC instants; a value without an offset (an Excel date-time cell, a bare date)
    is the shop's local time, and a date alone is local midnight."""

    def parse(raw: object) -> datetime:
        value = _naive_or_aware(raw, EXPECT_DATETIME)
        if not isinstance(value, datetime):
            value = datetime.combine(value, time.min)
        if value.tzinfo is None:
            value = value.replace(tzinfo=local)
        return value.astimezone(UTC)

    return parse


def date_parser(local: tzinfo) -> Callable[[object], date]:
    """Calendar days; a date-time with an offset is read as the shop-local day it falls on."""

    def parse(raw: object) -> date:
        value = _naive_or_aware(raw, EXPECT_DATE)
        if isinstance(value, datetime):
            if value.tzinfo is not None:
                value = value.astimezone(local)
            return value.date()
        return value

    return parse


# --- default state ---


def default_state(status: str, is_kaspi_delivery: bool, delivery_mode: str | None) -> str:
    """The Kaspi state an order in ``status`` is in when the file does not say.

    Finished orders (and returns already accepted) are ARCHIVE, as Kaspi files them; a paid
    order awaiting acceptance is NEW; others are under way, in the state of their delivery.
    """
    if status in FINAL_STATUSES or status == OrderStatus.RETURN_ACCEPTED_BY_MERCHANT:
        return OrderState.ARCHIVE.value
    if status == OrderStatus.APPROVED_BY_BANK:
        return OrderState.NEW.value
    if is_kaspi_delivery or status == OrderStatus.KASPI_DELIVERY_RETURN_REQUESTED:
        return OrderState.KASPI_DELIVERY.value
    if delivery_mode == "DELIVERY_PICKUP":
        return OrderState.PICKUP.value
    return OrderState.DELIVERY.value


# --- stable keys for reviews from files (returns use the orders domain's return_key) ---


def review_key(
    order_code: str | None, sku: str | None, created_at: datetime, occurrence: int
) -> str:
    """``import:`` + 32 hex digits of SHA-256 over ``reviews``, the order code, the SKU, the
    creation instant (UTC, ISO 8601) and the occurrence number of that identity within its
    file (1 for the first).

    Rating, text, approval and deletion are left out: a seller who corrects them and
    re-imports updates the review instead of adding a second one.

    The occurrence number lets two genuinely alike rows (two 5-star reviews on the same day
    without an order code) stay two records, while re-importing the file yields the same keys.
    """
    identity = (order_code or "", sku or "", created_at.astimezone(UTC).isoformat())
    payload = "\x1f".join(("reviews", *identity, str(occurrence)))
    return "import:" + hashlib.sha256(payload.encode()).hexdigest()[:32]


# --- header and kind ---


class UndetectedKindError(ValueError):
    """The header fits no kind, or several; the message says which and what to do."""


def detect_kind(header: Sequence[str], sheet: str | None = None) -> ImportKind:
    """The kind a table holds; ``UndetectedKindError`` says why it cannot be told.

    A sheet named after a kind is that kind. Otherwise the header decides: the kind whose
    required columns are all present (and none of its ``EXCLUDING_COLUMNS``); when several
    are, the one whose columns cover the most of the header; a tie is ambiguous and needs
    ``--kind``.
    """
    if sheet is not None:
        try:
            return ImportKind(sheet.strip().lower())
        except ValueError:
            pass
    present = {h for h in header if h}
    complete = [k for k in ImportKind if set(required_columns(k)) <= present]
    fitting = [k for k in complete if not present & EXCLUDING_COLUMNS.get(k, frozenset())]
    if len(fitting) == 1:
        return fitting[0]
    if fitting:
        cover = {k: len(present & set(column_names(k))) for k in fitting}
        best = max(cover.values())
        winners = [k for k in fitting if cover[k] == best]
        if len(winners) == 1:
            return winners[0]
        names = ", ".join(k.value for k in winners)
        raise UndetectedKindError(f"the header fits several kinds ({names}): pass --kind to choose")
    shown = ", ".join(h for h in header if h) or "nothing"
    if complete:
        ruled_out = complete[0]
        extra = ", ".join(sorted(present & EXCLUDING_COLUMNS[ruled_out]))
        raise UndetectedKindError(
            f"cannot tell which kind of file this is from its header ({shown}): it has the"
            f" required columns of {ruled_out.value}, but {ruled_out.value} files have no"
            f" {extra} column; pass --kind {ruled_out.value} to import it as {ruled_out.value}"
            " anyway"
        )
    closest = max(ImportKind, key=lambda k: len(present & set(required_columns(k))))
    missing = [c for c in required_columns(closest) if c not in present]
    raise UndetectedKindError(
        f"cannot tell which kind of file this is from its header ({shown}): expected the"
        f" required columns of one of {', '.join(k.value for k in ImportKind)};"
        f" closest is {closest.value}, which also needs {', '.join(missing)}"
        " (or pass --kind)"
    )


# --- validating a table ---


class _Cells:
    """Reads the cells of one row, recording a problem per bad cell and carrying on."""

    __slots__ = ("ok", "problems", "row", "source", "values")

    def __init__(self, source: str, problems: list[FieldProblem]) -> None:
        self.source = source
        self.problems = problems
        self.row = 0
        self.values: dict[str, object] = {}
        self.ok = True

    def start(self, row: int, values: dict[str, object]) -> None:
        self.row = row
        self.values = values
        self.ok = True

    def fail(self, column: str | None, message: str) -> None:
        self.ok = False
        self.problems.append(FieldProblem(self.source, self.row, column, message))

    def opt(self, column: str, parse: Callable[[object], T]) -> T | None:
        raw = self.values.get(column)
        if raw is None or (type(raw) is str and (raw == "" or raw.isspace())):
            return None
        return self._parse(column, raw, parse)

    def req(self, column: str, parse: Callable[[object], T]) -> T:
        raw = self.values.get(column)
        if raw is None or (type(raw) is str and (raw == "" or raw.isspace())):
            self.fail(column, MISSING)
            return cast(T, None)
        return self._parse(column, raw, parse)

    def _parse(self, column: str, raw: object, parse: Callable[[object], T]) -> T:
        try:
            return parse(raw)
        except _CellError as exc:
            self.fail(column, f"expected {exc.expected}, found {exc.found or _found(raw)}")
            # The row is dropped (``ok`` is now False) before this placeholder can be used.
            return cast(T, None)


def _header_problems(table: RawTable, kind: ImportKind) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    for name in table.header:
        if name and name in seen:
            problems.append(
                FieldProblem(table.source, None, name, "the column appears twice in the header")
            )
        seen.add(name)
    shown = ", ".join(h for h in table.header if h) or "nothing"
    for name in required_columns(kind):
        if name not in seen:
            problems.append(
                FieldProblem(
                    table.source,
                    None,
                    name,
                    f"required column of {kind.value} files is missing (the header has: {shown})",
                )
            )
    return problems


def validate_table(
    table: RawTable, timezone: str, kind: ImportKind | str | None = None
) -> ValidatedFile:
    """Every row of ``table`` as domain objects, or every problem it has.

    ``kind`` forces the kind; otherwise it is detected from the sheet name or the header.
    ``timezone`` is the shop's zone, in which times without an offset are read.
    """
    rows_read = len(table.rows)
    if kind is None:
        try:
            kind = detect_kind(table.header, table.sheet)
        except UndetectedKindError as exc:
            problem = FieldProblem(table.source, None, None, str(exc))
            # The kind is unknown; ORDERS stands in so the result stays well-typed.
            return ValidatedFile(table.source, ImportKind.ORDERS, rows_read, (problem,))
    kind = ImportKind(kind)
    problems = _header_problems(table, kind)
    known = set(column_names(kind))
    ignored = tuple(h for h in dict.fromkeys(table.header) if h and h not in known)
    if problems:
        return ValidatedFile(
            table.source, kind, rows_read, tuple(problems), ignored_columns=ignored
        )
    for row, cells in table.overlong_rows:
        problems.append(
            FieldProblem(
                table.source,
                row,
                None,
                f"the row has {cells} cells but the header has {len(table.header)}: a value"
                ' containing the delimiter must be quoted, such as "12 345,50"',
            )
        )
    base = ValidatedFile(table.source, kind, rows_read, ignored_columns=ignored)
    result = _VALIDATORS[kind](table, zone(timezone), problems, base)
    if problems:
        # Nothing of a file with problems is written, but what it refers to is still checked.
        return replace(
            base,
            problems=tuple(problems),
            references=result.references,
            order_codes=result.order_codes,
        )
    return result


def _duplicate(cells: _Cells, column: str, value: str, first_row: int) -> None:
    cells.fail(
        column,
        f"{column} '{value}' appears more than once in this file (first in row {first_row})",
    )


def _validate_orders(
    table: RawTable, local: tzinfo, problems: list[FieldProblem], base: ValidatedFile
) -> ValidatedFile:
    cells = _Cells(table.source, problems)
    when = datetime_parser(local)
    orders: list[Order] = []
    first_row: dict[str, int] = {}
    for row, values in table.rows:
        cells.start(row, values)
        code = cells.req("order_code", parse_text)
        created_at = cells.req("created_at", when)
        status = cells.req("status", parse_status)
        total = cells.req("total_price", parse_money)
        state = cells.opt("state", parse_state)
        reason = cells.opt("cancellation_reason", parse_text)
        cancelled_by = cells.opt("cancelled_by", parse_cancelled_by)
        cancelled_at = cells.opt("cancelled_at", when)
        mode = cells.opt("delivery_mode", parse_delivery_mode)
        kaspi_delivery = cells.opt("is_kaspi_delivery", parse_bool) or False
        deadline = cells.opt("handover_deadline", when)
        handed_over = cells.opt("handed_over_at", when)
        delivered = cells.opt("delivered_at", when)
        phone = cells.opt("customer_phone", parse_phone)
        name = cells.opt("customer_name", parse_text)
        city = cells.opt("city", parse_text)
        if code is not None:
            if code in first_row:
                _duplicate(cells, "order_code", code, first_row[code])
            else:
                first_row[code] = row
        if not cells.ok:
            continue
        orders.append(
            Order(
                code=code,
                created_at=created_at,
                state=state or default_state(status, kaspi_delivery, mode),
                status=status,
                total_price=total,
                delivery_mode=mode,
                is_kaspi_delivery=kaspi_delivery,
                handover_deadline=deadline,
                handed_over_at=handed_over,
                completed_at=delivered,
                cancelled_at=cancelled_at,
                cancellation_reason=reason,
                cancelled_by=cancelled_by,
                city=city,
                customer_name=name,
                customer_phone=phone,
                source=Source.IMPORT.value,
            )
        )
    # Codes of bad rows too: lines of an order whose row has a typo are not reported as
    # pointing at an unknown order on top of the typo.
    return replace(base, orders=tuple(orders), order_codes=frozenset(first_row))


def _validate_order_lines(
    table: RawTable, local: tzinfo, problems: list[FieldProblem], base: ValidatedFile
) -> ValidatedFile:
    cells = _Cells(table.source, problems)
    lines: dict[str, list[OrderLine]] = {}
    references: list[tuple[int, str]] = []
    referenced: set[str] = set()
    for row, values in table.rows:
        cells.start(row, values)
        code = cells.req("order_code", parse_text)
        sku = cells.req("sku", parse_text)
        quantity = cells.req("quantity", parse_positive_int)
        unit_price = cells.req("unit_price", parse_money)
        product_name = cells.opt("product_name", parse_text)
        category = cells.opt("category", parse_text)
        if code is not None and code not in referenced:
            referenced.add(code)  # one reference per order, not one per line
            references.append((row, code))
        if not cells.ok:
            continue
        entries = lines.setdefault(code, [])
        entries.append(
            OrderLine(
                line_no=len(entries) + 1,
                sku=sku,
                quantity=quantity,
                unit_price=unit_price,
                total_price=unit_price * quantity,
                product_name=product_name,
                category=category,
            )
        )
    return replace(
        base,
        order_lines={code: tuple(entries) for code, entries in lines.items()},
        references=tuple(references),
    )


def _validate_reviews(
    table: RawTable, local: tzinfo, problems: list[FieldProblem], base: ValidatedFile
) -> ValidatedFile:
    cells = _Cells(table.source, problems)
    when = datetime_parser(local)
    reviews: list[Review] = []
    references: list[tuple[int, str]] = []
    occurrences: dict[tuple[str | None, str | None, datetime], int] = {}
    for row, values in table.rows:
        cells.start(row, values)
        rating = cells.req("rating", parse_rating)
        created_at = cells.req("created_at", when)
        code = cells.opt("order_code", parse_text)
        sku = cells.opt("sku", parse_text)
        approved_at = cells.opt("approved_at", when)
        text = cells.opt("text", parse_text)
        deleted = cells.opt("deleted", parse_bool)
        if code is not None:
            references.append((row, code))
        if not cells.ok:
            continue
        identity = (code, sku, created_at)
        occurrence = occurrences[identity] = occurrences.get(identity, 0) + 1
        reviews.append(
            Review(
                key=review_key(code, sku, created_at, occurrence),
                rating=rating,
                created_at=created_at,
                text=text,
                approved_at=approved_at,
                # A file says only that a review was deleted, not when: its creation time
                # stands in, so it counts in no window at all, as Kaspi no longer counts it.
                deleted_at=created_at if deleted else None,
                order_code=code,
                sku=sku,
                source=Source.IMPORT.value,
            )
        )
    return replace(base, reviews=tuple(reviews), references=tuple(references))


def _validate_returns(
    table: RawTable, local: tzinfo, problems: list[FieldProblem], base: ValidatedFile
) -> ValidatedFile:
    cells = _Cells(table.source, problems)
    when = datetime_parser(local)
    returns: list[Return] = []
    references: list[tuple[int, str]] = []
    first_row: dict[tuple[str, str], int] = {}
    for row, values in table.rows:
        cells.start(row, values)
        code = cells.req("order_code", parse_text)
        sku = cells.req("sku", parse_text)
        quantity = cells.req("quantity", parse_positive_int)
        reason = cells.req("reason", parse_return_reason)
        created_at = cells.req("created_at", when)
        if code is not None and sku is not None:
            # One return per order and SKU (``return_key``), as the API sync keys them too, so
            # that the file and the sync describe one return rather than two.
            first = first_row.setdefault((code, sku), row)
            if first != row:
                cells.fail(
                    "sku",
                    f"order '{code}' and sku '{sku}' already have a return in row {first}:"
                    " one row per order and SKU, with the total quantity returned",
                )
        if code is not None:
            references.append((row, code))
        if not cells.ok:
            continue
        returns.append(
            Return(
                key=return_key(code, sku),
                order_code=code,
                sku=sku,
                quantity=quantity,
                reason=reason,
                created_at=created_at,
                source=Source.IMPORT.value,
            )
        )
    return replace(base, returns=tuple(returns), references=tuple(references))


def _validate_products(
    table: RawTable, local: tzinfo, problems: list[FieldProblem], base: ValidatedFile
) -> ValidatedFile:
    cells = _Cells(table.source, problems)
    day = date_parser(local)
    products: list[Product] = []
    costs: list[ProductCost] = []
    first_row: dict[str, int] = {}
    for row, values in table.rows:
        cells.start(row, values)
        sku = cells.req("sku", parse_text)
        name = cells.req("name", parse_text)
        category = cells.req("category", parse_text)
        cost = cells.req("purchase_cost", parse_money)
        brand = cells.opt("brand", parse_text)
        weight = cells.opt("weight_kg", parse_weight)
        effective_from = cells.opt("cost_effective_from", day)
        stock = cells.opt("stock", parse_non_negative_int)
        kaspi_code = cells.opt("kaspi_product_code", parse_text)
        if sku is not None:
            if sku in first_row:
                _duplicate(cells, "sku", sku, first_row[sku])
            else:
                first_row[sku] = row
        if not cells.ok:
            continue
        products.append(
            Product(
                sku=sku,
                name=name,
                category=category,
                brand=brand,
                weight_kg=weight,
                stock=stock,
                kaspi_product_code=kaspi_code,
            )
        )
        costs.append(ProductCost(sku, effective_from or DEFAULT_COST_EFFECTIVE_FROM, cost))
    return replace(base, products=tuple(products), product_costs=tuple(costs))


def _validate_advertising(
    table: RawTable, local: tzinfo, problems: list[FieldProblem], base: ValidatedFile
) -> ValidatedFile:
    cells = _Cells(table.source, problems)
    day = date_parser(local)
    spend: list[AdSpend] = []
    first_row: dict[tuple[date, str | None, str | None], int] = {}
    for row, values in table.rows:
        cells.start(row, values)
        when = cells.req("day", day)
        amount = cells.req("amount", parse_money)
        sku = cells.opt("sku", parse_text)
        campaign = cells.opt("campaign", parse_text)
        if sku is None and campaign is None:
            cells.fail(None, EXPECT_SKU_OR_CAMPAIGN)
        elif when is not None:
            # The store's key: a second row would overwrite the first, not add to it.
            first = first_row.setdefault((when, sku, campaign), row)
            if first != row:
                cells.fail(
                    None,
                    f"{_ad_identity(when, sku, campaign)} already has a row in row {first}:"
                    " one row per day, sku and campaign, with the day's total amount",
                )
        if not cells.ok:
            continue
        spend.append(AdSpend(day=when, amount=amount, sku=sku, campaign=campaign))
    return replace(base, ad_spend=tuple(spend))


def _ad_identity(day: date, sku: str | None, campaign: str | None) -> str:
    parts = [f"day {day.isoformat()}"]
    parts.append(f"sku '{sku}'" if sku is not None else "no sku")
    parts.append(f"campaign '{campaign}'" if campaign is not None else "no campaign")
    return ", ".join(parts[:-1]) + " and " + parts[-1]


_Validator = Callable[[RawTable, tzinfo, list[FieldProblem], ValidatedFile], ValidatedFile]
_VALIDATORS: Mapping[ImportKind, _Validator] = {
    ImportKind.ORDERS: _validate_orders,
    ImportKind.ORDER_LINES: _validate_order_lines,
    ImportKind.REVIEWS: _validate_reviews,
    ImportKind.RETURNS: _validate_returns,
    ImportKind.PRODUCTS: _validate_products,
    ImportKind.ADVERTISING: _validate_advertising,
}

# --- across files ---


@dataclass(frozen=True, slots=True)
class ImportBatch:
    """Everything one import writes, merged across its files.

    A later file wins over an earlier one for the same natural key, as if the files had been
    imported one after the other; within one file a repeated key is an error instead.
    """

    orders: tuple[Order, ...]
    order_lines: Mapping[str, tuple[OrderLine, ...]]
    reviews: tuple[Review, ...]
    returns: tuple[Return, ...]
    products: tuple[Product, ...]
    product_costs: tuple[ProductCost, ...]
    ad_spend: tuple[AdSpend, ...]


def merge(files: Sequence[ValidatedFile]) -> ImportBatch:
    orders: dict[str, Order] = {}
    lines: dict[str, tuple[OrderLine, ...]] = {}
    reviews: dict[str, Review] = {}
    returns: dict[str, Return] = {}
    products: dict[str, Product] = {}
    costs: dict[tuple[str, date], ProductCost] = {}
    spend: dict[tuple[date, str | None, str | None], AdSpend] = {}
    for f in files:
        orders.update((o.code, o) for o in f.orders)
        lines.update(f.order_lines)
        reviews.update((r.key, r) for r in f.reviews)
        returns.update((r.key, r) for r in f.returns)
        products.update((p.sku, p) for p in f.products)
        costs.update(((c.sku, c.effective_from), c) for c in f.product_costs)
        spend.update(((a.day, a.sku, a.campaign), a) for a in f.ad_spend)
    return ImportBatch(
        orders=tuple(orders.values()),
        order_lines=lines,
        reviews=tuple(reviews.values()),
        returns=tuple(returns.values()),
        products=tuple(products.values()),
        product_costs=tuple(costs.values()),
        ad_spend=tuple(spend.values()),
    )


def unresolved_order_codes(files: Sequence[ValidatedFile]) -> set[str]:
    """Order codes that lines, returns and reviews point at but no orders file of the import
    holds: the service asks the store which of them already exist."""
    imported = {code for f in files for code in f.order_codes}
    return {code for f in files for _, code in f.references} - imported


def reference_problems(
    files: Sequence[ValidatedFile], stored_codes: Iterable[str]
) -> list[FieldProblem]:
    """A problem for every row naming an order that is neither imported nor stored."""
    known = {code for f in files for code in f.order_codes}
    known.update(stored_codes)
    return [
        FieldProblem(
            f.source,
            row,
            "order_code",
            f"order '{code}' is neither in this import nor already stored: import its"
            " orders file first, or together with this one",
        )
        for f in files
        for row, code in f.references
        if code not in known
    ]
