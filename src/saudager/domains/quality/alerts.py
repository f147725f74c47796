"""Quality alerts: which conditions deserve a message, and the message, in Russian or English.

Pure: every function takes plain data and an explicit ``as_of``; nothing reads a clock, a store
or the network. The service feeds it the shop's current indicator values, their daily history,
the projected breach days and the orders at risk of a late handover, then sends what
:func:`new_alerts` returns and records each key in the alert log.

Conditions (``AlertKind``) and their keys — ``{shop_id}/{kind}/{subject}/{episode}``:

- ``warning``: an indicator is in the warning zone (status WARNING: worse than Kaspi's "good"
  level, not past the mark). Episode: the first day of the current run of days in the zone.
- ``critical``: an indicator is past Kaspi's mark (status CRITICAL). Episode: the first day of
  the current run of critical days.
- ``projected``: the indicator is projected to cross the mark within ``projection_days``.
  Episode: the projected breach day.
- ``handover``: an order's handover deadline is within ``handover_horizon_minutes`` (or has
  passed). Episode: the deadline, so a rescheduled deadline is a new condition.

The same condition alerts once: ``new_alerts`` drops a candidate whose key was sent, and also
one whose *episode* was already announced under an earlier date of the same run (history is
recomputed as reviews are deleted and orders change state, so the run's first day can shift; a
shift must not re-alert). An indicator that leaves the zone (a day with status OK) and enters it
again starts a new run, so a new episode, so a new alert. See ``docs/alerts.md``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

import polars as pl

from saudager.core.timewindows import DEFAULT_TIMEZONE, local_day, zone
from saudager.domains.quality.types import SANCTIONED, Indicator, IndicatorValue, Status


class Language(StrEnum):
    RU = "ru"
    EN = "en"


class AlertKind(StrEnum):
    WARNING = "warning"  # entered the warning zone
    CRITICAL = "critical"  # past Kaspi's mark: a violation
    PROJECTED = "projected"  # projected to cross the mark within N days
    HANDOVER = "handover"  # an order about to be handed over late (or already late)


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class HandoverRisk:
    """An order whose handover deadline is near; computed by the orders side of the house."""

    order_code: str
    deadline: datetime  # aware
    minutes_left: int  # negative once the deadline has passed


@dataclass(frozen=True, slots=True)
class AlertRules:
    """The settings that decide which conditions alert."""

    projection_days: int = 7  # alert when the projected breach day is at most this many days off
    handover_horizon_minutes: int = 120  # alert when a deadline is at most this far off


@dataclass(frozen=True, slots=True)
class EpisodeSpan:
    """Which already-sent keys stand for the same episode as a candidate (see ``new_alerts``).

    A sent key suppresses the candidate when its kind is in ``kinds``, its shop and subject are
    the candidate's, and its episode lies in ``[since, until]`` (ISO strings compare in order;
    ``None`` is open). For an indicator the span is the current run of days in the zone.
    """

    kinds: frozenset[AlertKind]
    since: str | None
    until: str | None

    def covers(self, kind: AlertKind, episode: str) -> bool:
        if kind not in self.kinds:
            return False
        if self.since is not None and episode < self.since:
            return False
        return not (self.until is not None and episode > self.until)


@dataclass(frozen=True, slots=True)
class Alert:
    """One condition worth a message, with its text in the seller's language."""

    shop_id: int
    kind: AlertKind
    severity: Severity
    subject: str  # the indicator's value ("late_handovers") or the order code
    episode: str  # ISO day (indicator alerts) or ISO instant in UTC (handover alerts)
    raised_at: datetime  # the ``as_of`` of the run that found it
    language: Language
    title: str  # one line: an e-mail subject, Telegram's bold first line
    text: str  # the body: the numbers, then what to do
    indicator: Indicator | None = None
    order_code: str | None = None
    value: Decimal | None = None
    critical_mark: Decimal | None = None
    breach_day: date | None = None
    deadline: datetime | None = None
    span: EpisodeSpan | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        """Identifies the condition and its episode; stable across syncs."""
        return alert_key(self.shop_id, self.kind, self.subject, self.episode)


def alert_key(shop_id: int, kind: AlertKind, subject: str, episode: str) -> str:
    return f"{shop_id}/{kind.value}/{subject}/{episode}"


def parse_alert_key(key: str) -> tuple[int, AlertKind, str, str] | None:
    """``(shop_id, kind, subject, episode)``, or ``None`` for a key this module did not make."""
    parts = key.split("/", 3)
    if len(parts) != 4:
        return None
    shop, kind, subject, episode = parts
    try:
        return int(shop), AlertKind(kind), subject, episode
    except ValueError:
        return None


def new_alerts(candidates: Sequence[Alert], already_sent_keys: Collection[str]) -> list[Alert]:
    """The candidates not yet announced, each condition once, in the candidates' order.

    A candidate is dropped when its key is among ``already_sent_keys`` or among the earlier
    candidates, or when a sent key stands for the same episode (its ``span`` covers it).
    """
    sent: dict[tuple[int, str], list[tuple[AlertKind, str]]] = {}
    for key in already_sent_keys:
        parsed = parse_alert_key(key)
        if parsed is not None:
            shop_id, kind, subject, episode = parsed
            sent.setdefault((shop_id, subject), []).append((kind, episode))
    exact = set(already_sent_keys)
    fresh: list[Alert] = []
    for alert in candidates:
        if alert.key in exact:
            continue
        span = alert.span
        if span is not None and any(
            span.covers(kind, episode)
            for kind, episode in sent.get((alert.shop_id, alert.subject), [])
        ):
            continue
        exact.add(alert.key)
        fresh.append(alert)
    return fresh


# ---- finding the conditions ----------------------------------------------------------------

#: Statuses that keep an indicator "in the warning zone": a critical day does not end the
#: warning episode (falling back from critical to warning is not news), an OK day does.
_WARNING_ZONE = frozenset({Status.WARNING, Status.CRITICAL})
_CRITICAL_ZONE = frozenset({Status.CRITICAL})
#: Days that neither extend nor break a run: too few orders to judge says nothing about the zone.
_TRANSPARENT = frozenset({Status.NOT_ENOUGH_DATA})


@dataclass(frozen=True, slots=True)
class Run:
    """A run of days in a zone that ends today."""

    first: date  # its first day seen in the zone: the episode named in the key
    since: date | None  # the day after the last day seen outside it; None: none seen


def run_start(
    today: date,
    today_status: Status,
    days: Mapping[date, Status],
    zone_statuses: Collection[Status],
) -> Run:
    """The run of days in the zone that ends today.

    Walks back from today through ``days`` (end-of-day statuses). A day with a status outside the
    zone ends the run. A day with too little data, or missing from ``days``, neither ends nor
    starts it — but belongs to it for dedupe: ``since`` is the day after the last day known to
    be outside the zone, so a gap in the history cannot split one episode in two. Reaching the
    oldest day of ``days`` still in the zone means the run may have started earlier than we can
    see: ``since`` is then ``None``.
    """
    if today_status not in zone_statuses:
        raise ValueError("today is not in the zone")
    first = today
    oldest = min(days, default=today)
    day = today - timedelta(days=1)
    while day >= oldest:
        status = days.get(day)
        if status is not None and status not in _TRANSPARENT:
            if status not in zone_statuses:
                return Run(first, day + timedelta(days=1))
            first = day
        day -= timedelta(days=1)
    return Run(first, None)


def statuses_by_day(series: pl.DataFrame) -> dict[Indicator, dict[date, Status]]:
    """``build_alerts``'s ``history`` from a daily series (``history.daily_series``): the
    columns ``day``, ``indicator`` and ``status`` of each row."""
    history: dict[Indicator, dict[date, Status]] = {}
    for day, indicator, status in series.select("day", "indicator", "status").iter_rows():
        history.setdefault(Indicator(indicator), {})[day] = Status(status)
    return history


def build_alerts(
    shop_id: int,
    values: Sequence[IndicatorValue],
    projected_breach: Mapping[Indicator, date | None],
    handover_risks: Sequence[HandoverRisk],
    *,
    as_of: datetime,
    history: Mapping[Indicator, Mapping[date, Status]] | None = None,
    rules: AlertRules | None = None,
    language: Language = Language.RU,
    shop_name: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> list[Alert]:
    """Every alert the shop's present state calls for (dedupe with :func:`new_alerts`).

    ``history`` holds each indicator's end-of-day status for past days; the longer it reaches
    back, the better episodes are told apart. Without it an indicator's run is unbounded: it
    alerts once and not again until the log forgets the key — pass history.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    rules = rules or AlertRules()
    history = history or {}
    today = local_day(as_of, timezone)
    texts = _Texts(language, shop_id, shop_name, timezone)
    by_indicator = {value.indicator: value for value in values}
    found: list[Alert] = []

    for value in values:
        if value.status not in _WARNING_ZONE:
            continue
        days = history.get(value.indicator, {})
        if value.status is Status.CRITICAL:
            kind, zone_statuses = AlertKind.CRITICAL, _CRITICAL_ZONE
            covered_by = frozenset({AlertKind.CRITICAL})
        else:
            kind, zone_statuses = AlertKind.WARNING, _WARNING_ZONE
            # A critical alert already sent in this run said more than a warning would.
            covered_by = frozenset({AlertKind.WARNING, AlertKind.CRITICAL})
        run = run_start(value.as_of, value.status, days, zone_statuses)
        # Any key of this condition dated inside the run stands for this episode.
        since = run.since.isoformat() if run.since else None
        span = EpisodeSpan(covered_by, since, None)
        title, text = texts.indicator(kind, value)
        found.append(
            Alert(
                shop_id=shop_id,
                kind=kind,
                severity=Severity.CRITICAL if kind is AlertKind.CRITICAL else Severity.WARNING,
                subject=value.indicator.value,
                episode=run.first.isoformat(),
                raised_at=as_of,
                language=language,
                title=title,
                text=text,
                indicator=value.indicator,
                value=value.value,
                critical_mark=value.critical_mark,
                span=span,
            )
        )

    for indicator, breach_day in projected_breach.items():
        if breach_day is None:
            continue
        days_left = (breach_day - today).days
        if not 0 <= days_left <= rules.projection_days:
            continue
        current = by_indicator.get(indicator)
        if current is not None and current.status is Status.CRITICAL:
            continue  # already breached: the critical alert says so
        # One forecast stands until its day comes: a breach day that shifts as data arrive
        # must not repeat the warning every sync.
        span = EpisodeSpan(frozenset({AlertKind.PROJECTED}), today.isoformat(), None)
        title, text = texts.projection(indicator, current, breach_day, days_left)
        found.append(
            Alert(
                shop_id=shop_id,
                kind=AlertKind.PROJECTED,
                severity=Severity.WARNING,
                subject=indicator.value,
                episode=breach_day.isoformat(),
                raised_at=as_of,
                language=language,
                title=title,
                text=text,
                indicator=indicator,
                value=current.value if current else None,
                critical_mark=current.critical_mark if current else None,
                breach_day=breach_day,
                span=span,
            )
        )

    late = by_indicator.get(Indicator.LATE_HANDOVERS)
    for risk in sorted(handover_risks, key=lambda r: (r.minutes_left, r.order_code)):
        if risk.minutes_left > rules.handover_horizon_minutes:
            continue
        if risk.deadline.tzinfo is None:
            raise ValueError(f"deadline of order {risk.order_code} must be timezone-aware")
        title, text = texts.handover(risk, late)
        found.append(
            Alert(
                shop_id=shop_id,
                kind=AlertKind.HANDOVER,
                severity=Severity.CRITICAL if risk.minutes_left <= 0 else Severity.WARNING,
                subject=risk.order_code,
                episode=_instant_episode(risk.deadline),
                raised_at=as_of,
                language=language,
                title=title,
                text=text,
                order_code=risk.order_code,
                deadline=risk.deadline,
            )
        )

    order = {
        AlertKind.CRITICAL: 0,
        AlertKind.HANDOVER: 1,
        AlertKind.WARNING: 2,
        AlertKind.PROJECTED: 3,
    }
    indicator_order = {indicator: i for i, indicator in enumerate(Indicator)}
    found.sort(
        key=lambda a: (
            order[a.kind],
            indicator_order.get(a.indicator, 0) if a.indicator else 0,
        )
    )
    return found


def _sentence(text: str) -> str:
    """Capitalised and closed by one full stop ("за 90 дн." keeps its own)."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else f"{text}."


def _instant_episode(moment: datetime) -> str:
    """Minute precision in UTC: a re-read deadline with other seconds is the same deadline."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


# ---- numbers for Kazakhstan ------------------------------------------------------------------

_NBSP = "\u00a0"


def format_number(value: Decimal | int, language: Language, places: int = 2) -> str:
    """``3.25`` → ``3,25`` in Russian, ``3.25`` in English; at most ``places`` decimals, no
    trailing zeros; thousands grouped by a no-break space (Russian) or a comma (English)."""
    number = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _, frac = f"{abs(number):f}".partition(".")
    frac = frac.rstrip("0")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    separator, point = (_NBSP, ",") if language is Language.RU else (",", ".")
    body = separator.join(groups) or "0"
    return f"{sign}{body}{point}{frac}" if frac else f"{sign}{body}"


def format_percent(value: Decimal, language: Language) -> str:
    """``3,25 %`` (no-break space, as Russian typography wants) or ``3.25%``."""
    number = format_number(value, language)
    return f"{number}{_NBSP}%" if language is Language.RU else f"{number}%"


# ---- texts -----------------------------------------------------------------------------------

_NAMES: dict[Indicator, tuple[str, str]] = {
    Indicator.RATING: ("Рейтинг", "Rating"),
    Indicator.SELLER_CANCELLATIONS: ("Доля отмен по вине продавца", "Seller-fault cancellations"),
    Indicator.LATE_HANDOVERS: ("Доля поздних передач", "Late handovers"),
    Indicator.QUALITY_RETURNS: ("Доля возвратов по качеству", "Quality returns"),
    Indicator.REVIEWS_BALANCE: ("Баланс отзывов", "Review balance"),
}

_ADVICE: dict[Indicator, tuple[str, str]] = {
    Indicator.RATING: (
        "попросите довольных покупателей оценить заказ после доставки; позвоните тем, кто "
        "поставил 1–3 звезды; проверьте товары с низкими оценками.",
        "ask satisfied buyers to rate the order after delivery; call back buyers who gave 1–3 "
        "stars; check the products with low ratings.",
    ),
    Indicator.SELLER_CANCELLATIONS: (
        "обновите остатки, чтобы Kaspi снимал с продажи то, чего нет; принимайте заказы "
        "вовремя; не отменяйте принятые заказы — найдите товар или договоритесь с покупателем.",
        "update stock levels so Kaspi takes sold-out items off sale; accept orders on time; do "
        "not cancel accepted orders — find the item or agree with the buyer.",
    ),
    Indicator.LATE_HANDOVERS: (
        "передавайте заказы в доставку до срока, указанного в заказе, начиная с ближайших; "
        "проверьте время «в тот же день, если заказ до …» в настройках склада.",
        "hand orders over before the deadline shown in each order, nearest first; check the "
        "warehouse's “same day if ordered before …” time.",
    ),
    Indicator.QUALITY_RETURNS: (
        "проверьте описание и фото товаров, которые возвращают чаще всего; осматривайте товар "
        "на брак перед упаковкой.",
        "check the descriptions and photos of the most returned products; inspect items for "
        "defects before packing.",
    ),
    Indicator.REVIEWS_BALANCE: (
        "попросите довольных покупателей оставить отзыв; свяжитесь с недовольными, пока они не "
        "написали отзыв.",
        "ask satisfied buyers for a review; reach unhappy buyers before they write one.",
    ),
}

_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class _Texts:
    """Titles and bodies in one language. Russian avoids number agreement ("5 заказов" vs
    "21 заказ") by putting counts after a colon, and abbreviates units ("дн.", "мин")."""

    def __init__(
        self, language: Language, shop_id: int, shop_name: str | None, timezone: str
    ) -> None:
        self.language = language
        self.ru = language is Language.RU
        self.timezone = timezone
        if shop_name:
            self.shop = f"«{shop_name}»" if self.ru else shop_name
        else:
            self.shop = f"магазин №{shop_id}" if self.ru else f"shop #{shop_id}"

    def _pick(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.ru else pair[1]

    def _num(self, value: Decimal | int) -> str:
        return format_number(value, self.language)

    def _day(self, day: date) -> str:
        if self.ru:
            return day.strftime("%d.%m.%Y")
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"

    def _value(self, value: IndicatorValue) -> str:
        if value.indicator is Indicator.REVIEWS_BALANCE:
            # Its "value" is the pair itself: negatives against positives.
            n, d = self._num(value.numerator), self._num(value.denominator)
            return f"негативных {n}, позитивных {d}" if self.ru else f"{n} negative, {d} positive"
        if value.value is None:
            return "—"
        if value.indicator is Indicator.RATING:
            return self._num(value.value)
        return format_percent(value.value, self.language)

    def _mark(self, indicator: Indicator, mark: Decimal) -> str:
        if indicator is Indicator.RATING:
            return f"ниже {self._num(mark)}" if self.ru else f"below {self._num(mark)}"
        if indicator is Indicator.REVIEWS_BALANCE:
            return (
                "негативных не меньше, чем позитивных"
                if self.ru
                else "negatives not fewer than positives"
            )
        return format_percent(mark, self.language)

    def _good(self, indicator: Indicator, good: Decimal | None) -> str | None:
        if good is None or indicator is Indicator.REVIEWS_BALANCE:
            return None
        if indicator is Indicator.RATING:
            return f"от {self._num(good)}" if self.ru else f"{self._num(good)} or more"
        percent = format_percent(good, self.language)
        return f"до {percent}" if self.ru else f"up to {percent}"

    def _counts(self, value: IndicatorValue) -> str:
        days = round((value.window_end - value.window_start).total_seconds() / 86400)
        n, d = self._num(value.numerator), self._num(value.denominator)
        ru = {
            Indicator.RATING: f"оценок: {d}",
            Indicator.SELLER_CANCELLATIONS: f"отменено по вине продавца: {n}, всего заказов: {d}",
            Indicator.LATE_HANDOVERS: f"передано с опозданием: {n}, всего передано: {d}",
            Indicator.QUALITY_RETURNS: f"возвратов по качеству: {n}, завершённых заказов: {d}",
            Indicator.REVIEWS_BALANCE: "",
        }
        en = {
            Indicator.RATING: f"from {d} ratings",
            Indicator.SELLER_CANCELLATIONS: (
                f"{n} of {d} orders cancelled through the seller's fault"
            ),
            Indicator.LATE_HANDOVERS: f"{n} of {d} handovers late",
            Indicator.QUALITY_RETURNS: f"{n} quality returns of {d} completed orders",
            Indicator.REVIEWS_BALANCE: "",
        }
        if self.ru:
            what = ru[value.indicator]
            return f"{what} (за {days} дн.)" if what else f"отзывы за {days} дн."
        what = en[value.indicator]
        return f"{what} in {days} days" if what else f"reviews of the last {days} days"

    def _advice(self, indicator: Indicator) -> str:
        return ("Что делать: " if self.ru else "What to do: ") + self._pick(_ADVICE[indicator])

    def _consequence(self, indicator: Indicator) -> str:
        if indicator in SANCTIONED:
            return self._pick(
                (
                    "Это нарушение: Kaspi может заблокировать магазин на 7 дней (первый этап "
                    "санкций), повторное нарушение — ещё на 7 дней.",
                    "This is a violation: Kaspi may block the shop for 7 days (first stage of "
                    "sanctions), a repeat for 7 more.",
                )
            )
        return self._pick(
            (
                "С таким балансом магазин не пройдёт отбор на Kaspi Жұма.",
                "With this balance the shop cannot enter Kaspi Жұма.",
            )
        )

    def indicator(self, kind: AlertKind, value: IndicatorValue) -> tuple[str, str]:
        name = self._pick(_NAMES[value.indicator])
        shown, mark = self._value(value), self._mark(value.indicator, value.critical_mark)
        counts = self._counts(value)
        if kind is AlertKind.CRITICAL:
            if self.ru:
                title = f"{self.shop}: {name} за порогом Kaspi — {shown}"
                lead = f"{name}: {shown} — порог Kaspi ({mark}) пройден. {_sentence(counts)}"
            else:
                title = f"{self.shop}: {name} past Kaspi's mark — {shown}"
                lead = f"{name}: {shown} — past Kaspi's mark ({mark}). {_sentence(counts)}"
            return title, "\n".join(
                [lead, self._consequence(value.indicator), self._advice(value.indicator)]
            )
        good = self._good(value.indicator, value.good_level)
        if self.ru:
            title = f"{self.shop}: {name} в жёлтой зоне — {shown}"
            zone_line = (
                f"хороший уровень — {good}, порог Kaspi — {mark}"
                if good
                else (f"порог Kaspi — {mark}")
            )
            lead = f"{name}: {shown} — в жёлтой зоне ({zone_line}). {_sentence(counts)}"
        else:
            title = f"{self.shop}: {name} in the warning zone — {shown}"
            zone_line = (
                f"good is {good}, Kaspi's mark is {mark}" if good else (f"Kaspi's mark is {mark}")
            )
            lead = f"{name}: {shown} — in the warning zone ({zone_line}). {_sentence(counts)}"
        return title, "\n".join([lead, self._advice(value.indicator)])

    def projection(
        self, indicator: Indicator, current: IndicatorValue | None, day: date, days_left: int
    ) -> tuple[str, str]:
        name = self._pick(_NAMES[indicator])
        if days_left == 0:
            when = self._pick(("сегодня", "today"))
        elif days_left == 1:
            when = self._pick(("завтра", "tomorrow"))
        elif self.ru:
            when = f"через {days_left} дн."
        else:
            when = f"in {days_left} days"
        mark = self._mark(indicator, current.critical_mark) if current else None
        mark_part = f" ({mark})" if mark else ""
        if self.ru:
            title = f"{self.shop}: {name} по прогнозу пройдёт порог Kaspi {when}"
            lead = (
                f"Прогноз: {name.lower()} пройдёт порог Kaspi{mark_part} {when} — "
                f"{self._day(day)}, если ничего не менять."
            )
            now = (
                _sentence(f"Сейчас: {self._value(current)}; {self._counts(current)}")
                if current
                else ""
            )
        else:
            title = f"{self.shop}: {name} projected to cross Kaspi's mark {when}"
            lead = (
                f"Forecast: {name.lower()} will cross Kaspi's mark{mark_part} {when}, on "
                f"{self._day(day)}, unless something changes."
            )
            now = (
                _sentence(f"Now: {self._value(current)}; {self._counts(current)}")
                if current
                else ""
            )
        return title, "\n".join(line for line in (lead, now, self._advice(indicator)) if line)

    def _duration(self, minutes: int) -> str:
        hours, rest = divmod(abs(minutes), 60)
        h, m = self._pick(("ч", "h")), self._pick(("мин", "min"))
        if hours and rest:
            return f"{hours} {h} {rest} {m}"
        return f"{hours} {h}" if hours else f"{rest} {m}"

    def handover(self, risk: HandoverRisk, late: IndicatorValue | None) -> tuple[str, str]:
        local = risk.deadline.astimezone(zone(self.timezone))
        at = (
            local.strftime("%H:%M %d.%m")
            if self.ru
            else (f"{local:%H:%M} on {local.day} {_MONTHS_EN[local.month - 1][:3]}")
        )
        left = self._duration(risk.minutes_left)
        code = risk.order_code
        if self.ru:
            if risk.minutes_left > 0:
                title = f"{self.shop}: заказ {code} — передать до {local:%H:%M}"
                lead = (
                    f"Заказ {code} нужно передать в доставку до {at} — осталось {left}. "
                    "Иначе он засчитается как переданный с опозданием."
                )
            else:
                title = f"{self.shop}: заказ {code} — срок передачи прошёл"
                lead = (
                    f"Срок передачи заказа {code} прошёл в {at} ({left} назад). Передайте "
                    "его как можно скорее."
                )
            now = (
                f"Сейчас доля поздних передач: {self._value(late)}, порог Kaspi — "
                f"{self._mark(Indicator.LATE_HANDOVERS, late.critical_mark)}."
                if late is not None and late.value is not None
                else ""
            )
        else:
            if risk.minutes_left > 0:
                title = f"{self.shop}: order {code} — hand over by {local:%H:%M}"
                lead = (
                    f"Order {code} must be handed over by {at} — {left} left. Otherwise it "
                    "counts as a late handover."
                )
            else:
                title = f"{self.shop}: order {code} — handover deadline passed"
                lead = (
                    f"The handover deadline of order {code} passed at {at} ({left} ago). "
                    "Hand it over as soon as possible."
                )
            now = (
                f"Late handovers now: {self._value(late)}, Kaspi's mark is "
                f"{self._mark(Indicator.LATE_HANDOVERS, late.critical_mark)}."
                if late is not None and late.value is not None
                else ""
            )
        return title, "\n".join(line for line in (lead, now) if line)
