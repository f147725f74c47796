"""Templates: the ready set, checks on save, previews and the provider mapping."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saudager.domains.messaging.provider import TemplateMessage
from saudager.domains.messaging.templates import (
    READY_TEMPLATES,
    Language,
    MessageKind,
    ProviderTemplate,
    Template,
    TemplateError,
    TemplateValues,
    check_template,
    incentive_words,
    pick_template,
    placeholders_in,
    provider_body,
    ready_template,
    render,
    template_problems,
    to_template_message,
    values_for,
)
from saudager.domains.orders.types import Order, OrderLine

ORDER = Order(
    code="512345678",
    created_at=datetime(2026, 5, 1, 6, 0, tzinfo=UTC),
    state="ARCHIVE",
    status="COMPLETED",
    total_price=Decimal(15990),
    customer_name="Айгерим Сапарова",
    customer_phone="+77011234567",
    lines=(
        OrderLine(2, "SKU-2", 1, Decimal(990), Decimal(990), "Чехол"),
        OrderLine(1, "SKU-1", 1, Decimal(15000), Decimal(15000), "Наушники X1"),
    ),
)
LINK = "https://kaspi.kz/shop/p/naushniki-x1-100200300/?tab=reviews"
REVIEW_MAPPING = ProviderTemplate("review_request_v1", "ru", button_url_base="https://kaspi.kz/")


def test_the_ready_set_covers_every_kind_in_three_languages_and_passes_its_checks() -> None:
    keys = {(t.kind, t.language) for t in READY_TEMPLATES}
    assert keys == {(k, lang) for k in MessageKind for lang in Language}
    assert len(READY_TEMPLATES) == len(keys)
    for template in READY_TEMPLATES:
        assert template_problems(template) == [], template.key


def own(body: str, kind: MessageKind = MessageKind.REVIEW_REQUEST) -> Template:
    return Template("shop7.mine", kind, Language.RU, body, shop_id=7)


GOOD = "Заказ № {order_code} из {shop} доставлен. Оставить отзыв: {review_link}"


@pytest.mark.parametrize(
    ("body", "kind", "expected"),
    [
        (
            GOOD.replace("{shop}", "{shop_name}"),
            MessageKind.REVIEW_REQUEST,
            [
                "template 'shop7.mine': unknown placeholder {shop_name} (known: {first_name}, "
                "{order_code}, {product}, {shop}, {review_link})",
                "template 'shop7.mine': missing required placeholder {shop} for a "
                "review_request message",
            ],
        ),
        (
            "Заказ № {order_code} из {shop} доставлен.",
            MessageKind.REVIEW_REQUEST,
            [
                "template 'shop7.mine': missing required placeholder {review_link} for a "
                "review_request message"
            ],
        ),
        (
            "Заказ {order_code} в {shop} отменён. {review_link}",
            MessageKind.CANCELLED,
            [
                "template 'shop7.mine': {review_link} belongs in a review request only, "
                "not in a cancelled message"
            ],
        ),
        (
            "{first_name}, заказ № {order_code} в {shop} принят.",
            MessageKind.ORDER_RECEIVED,
            ["template 'shop7.mine': the text may not start or end with a placeholder"],
        ),
        (
            "Заказ № {} {order_code} в {shop} принят.",
            MessageKind.ORDER_RECEIVED,
            ["template 'shop7.mine': empty placeholder {}"],
        ),
        (
            "Заказ № {order_code в {shop} принят.",
            MessageKind.ORDER_RECEIVED,
            [
                "template 'shop7.mine': a brace without its pair",
                "template 'shop7.mine': missing required placeholder {order_code} for a "
                "order_received message",
            ],
        ),
        (
            GOOD + " Поставьте 5 звёзд и получите скидку!",
            MessageKind.REVIEW_REQUEST,
            [
                "template 'shop7.mine': incentive or promotion word 'скидк' — a review may be "
                "asked for, never paid for or steered",
                "template 'shop7.mine': incentive or promotion word '5 звёзд' — a review may be "
                "asked for, never paid for or steered",
            ],
        ),
    ],
)
def test_problems_name_the_template_and_the_placeholder(
    body: str, kind: MessageKind, expected: list[str]
) -> None:
    assert template_problems(own(body, kind)) == expected


def test_check_raises_with_every_problem() -> None:
    with pytest.raises(TemplateError, match=r"unknown placeholder \{name\}") as caught:
        check_template(own("Привет {name}, заказ {order_code}."))
    assert len(caught.value.problems) == 3  # unknown {name}, missing {shop}, missing link


def test_a_too_long_body_is_refused() -> None:
    problems = template_problems(own(GOOD + " Текст." * 200))
    assert problems == ["template 'shop7.mine': 1471 characters, at most 1024 are allowed"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("Дарим бонус за отзыв", ["бонус"]),
        ("Сыйлық аласыз, 5 жұлдыз қойыңыз", ["сыйлық", "5 жұлдыз"]),
        ("Leave a 5 star review and get a FREE gift", ["gift", "free", "5 star"]),
        ("Promo code inside", ["promo"]),
        ("Оцените товар честно", []),
        ("Бағалаңыз", []),
        ("Affordable gifted", ["gift"]),  # a stem at a word's start
        ("Mogift", []),
    ],
)
def test_incentive_words(body: str, words: list[str]) -> None:
    assert incentive_words(body) == words


def test_preview_renders_a_real_order() -> None:
    template = ready_template(MessageKind.REVIEW_REQUEST, Language.RU)
    values = values_for(ORDER, shop="Электроника+", language=Language.RU, review_link=LINK)
    assert values == TemplateValues("Айгерим", "512345678", "Наушники X1 +1", "Электроника+", LINK)
    assert render(template, values) == (
        "Здравствуйте, Айгерим! Заказ № 512345678 (Наушники X1 +1) от магазина Электроника+ "
        "доставлен. Всё ли в порядке? Если есть вопрос или проблема, ответьте на это "
        f"сообщение. Оценить товар на Kaspi: {LINK}"
    )


def test_missing_name_and_unnamed_lines_fall_back() -> None:
    bare = Order("1", ORDER.created_at, "NEW", "APPROVED_BY_BANK", Decimal(1))
    assert values_for(bare, shop="S", language=Language.KK).first_name == "сатып алушы"
    assert values_for(bare, shop="S", language=Language.EN).product == "item"
    unnamed = Order(
        "2", ORDER.created_at, "NEW", "APPROVED_BY_BANK", Decimal(1),
        lines=(OrderLine(1, "SKU-9", 1, Decimal(1), Decimal(1)),),
    )  # fmt: skip
    assert values_for(unnamed, shop="S", language=Language.EN).product == "SKU-9"


def test_a_review_request_without_a_link_cannot_be_rendered() -> None:
    values = values_for(ORDER, shop="S", language=Language.RU)
    with pytest.raises(TemplateError, match=r"no value for \{review_link\}"):
        render(ready_template(MessageKind.REVIEW_REQUEST, Language.RU), values)


def test_mapping_to_the_cloud_api_template() -> None:
    template = ready_template(MessageKind.REVIEW_REQUEST, Language.RU)
    values = values_for(ORDER, shop="Электроника+", language=Language.RU, review_link=LINK)
    message = to_template_message(
        template, REVIEW_MAPPING, values, to="+77011234567", callback_data="7:512345678:2"
    )
    assert message == TemplateMessage(
        to="+77011234567",
        template="review_request_v1",
        language="ru",
        body_parameters=("Айгерим", "512345678", "Наушники X1 +1", "Электроника+"),
        callback_data="7:512345678:2",
        button_url_parameter="shop/p/naushniki-x1-100200300/?tab=reviews",
    )
    assert provider_body(template).startswith(
        "Здравствуйте, {{1}}! Заказ № {{2}} ({{3}}) от магазина {{4}} доставлен."
    )
    assert "{{5}}" not in provider_body(template)


def test_parameters_follow_the_order_of_first_appearance() -> None:
    template = own("Магазин {shop}: заказ {order_code}, {shop} благодарит. {review_link}")
    values = TemplateValues("A", "42", "P", "S", "https://kaspi.kz/x")
    message = to_template_message(
        template, REVIEW_MAPPING, values, to="+77011234567", callback_data="k"
    )
    assert message.body_parameters == ("S", "42")
    assert placeholders_in(template.body) == ["shop", "order_code", "review_link"]


def test_a_link_outside_the_button_base_is_refused() -> None:
    template = ready_template(MessageKind.REVIEW_REQUEST, Language.EN)
    values = TemplateValues("A", "42", "P", "S", "https://evil.example/x")
    with pytest.raises(TemplateError, match="does not start with the URL button's base"):
        to_template_message(template, REVIEW_MAPPING, values, to="+77011234567", callback_data="k")


def test_message_one_has_no_button() -> None:
    template = ready_template(MessageKind.ORDER_RECEIVED, Language.KK)
    values = values_for(ORDER, shop="S", language=Language.KK)
    message = to_template_message(
        template, ProviderTemplate("order_received_v1", "kk"), values, to="+7", callback_data="k"
    )
    assert message.button_url_parameter is None
    assert message.body_parameters == ("Айгерим", "S", "512345678", "Наушники X1 +1")


def test_a_shops_own_template_wins_over_the_ready_one() -> None:
    mine = own(GOOD)
    assert pick_template(MessageKind.REVIEW_REQUEST, Language.RU, [mine]) is mine
    assert pick_template(MessageKind.REVIEW_REQUEST, Language.KK, [mine]).key == (
        "ready.review_request.kk"
    )


PIECES = st.sampled_from(
    [
        "{first_name}",
        "{order_code}",
        "{product}",
        "{shop}",
        "{review_link}",
        "{oops}",
        "{",
        "}",
        "Заказ ",
        " доставлен. ",
        "скидка",
        "Рахмет! ",
    ]
)


@given(
    pieces=st.lists(PIECES, max_size=12),
    kind=st.sampled_from(list(MessageKind)),
)
def test_every_body_is_either_refused_with_reasons_or_renders_without_braces(
    pieces: list[str], kind: MessageKind
) -> None:
    template = own("".join(pieces), kind)
    problems = template_problems(template)
    values = TemplateValues("A", "42", "P", "S", "https://kaspi.kz/x")
    if problems:
        assert all(p.startswith("template 'shop7.mine': ") for p in problems)
        with pytest.raises(TemplateError):
            render(template, values)
    else:
        text = render(template, values)
        assert "{" not in text
        assert "}" not in text
        message = to_template_message(
            template, REVIEW_MAPPING, values, to="+77011234567", callback_data="k"
        )
        # One parameter per variable of the approved body: a placeholder used twice is one
        # variable ({{1}} twice), filled once.
        variables = set(re.findall(r"\{\{(\d+)\}\}", provider_body(template)))
        assert len(message.body_parameters) == len(variables)
