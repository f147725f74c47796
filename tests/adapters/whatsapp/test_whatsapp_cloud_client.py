"""The Cloud API client against the fake Cloud API (and raw sockets) over loopback HTTP."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import httpx
import pytest
from whatsapp_test_helpers import (
    BUYER,
    Receiver,
    closed_port_url,
    silent_server,
    template,
    webhook_receiver,
)

from saudager.adapters.whatsapp.cloud import CloudApiProvider, parse_retry_after
from saudager.adapters.whatsapp.fake import (
    FakeCloudConfig,
    RunningFakeCloudApi,
    running_fake_cloud_api,
)
from saudager.domains.messaging.provider import (
    OutcomeUnknown,
    RefusalKind,
    SendRefused,
    TextMessage,
)


def test_template_accepted_with_parameters_button_and_callback_data(
    provider: CloudApiProvider, cloud: RunningFakeCloudApi
) -> None:
    message = template(
        name="order_delivered_review_v1", callback="shop7:512345678:review", url="512345678"
    )
    accepted = provider.send_template(message)

    assert accepted.provider_message_id.startswith("wamid.")
    [taken] = cloud.fake.accepted()
    assert taken.wamid == accepted.provider_message_id
    assert taken.to == BUYER  # sent with "+", never a bare local number
    assert taken.template == "order_delivered_review_v1"
    assert taken.language == "ru"
    assert taken.body_parameters == ("Айгерим", "512345678", "Чайник", "Tech Shop")
    assert taken.button_url_parameter == "512345678"
    assert taken.callback_data == "shop7:512345678:review"


def test_free_text_needs_the_buyer_to_have_written(
    provider: CloudApiProvider, cloud: RunningFakeCloudApi
) -> None:
    text = TextMessage(to=BUYER, text="Здравствуйте! Уже разбираемся.", callback_data="k1")
    with pytest.raises(SendRefused) as refused:
        provider.send_text(text)
    assert refused.value.kind is RefusalKind.WINDOW_CLOSED
    assert refused.value.code == 131047
    assert not refused.value.retryable

    cloud.fake.inject_text(BUYER, "Пришёл не тот размер")
    accepted = provider.send_text(text)
    assert [m.wamid for m in cloud.fake.accepted()] == [accepted.provider_message_id]
    assert cloud.fake.accepted()[0].text == "Здравствуйте! Уже разбираемся."


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (130429, RefusalKind.RATE_LIMITED),
        (131056, RefusalKind.RATE_LIMITED),
        (4, RefusalKind.RATE_LIMITED),
        (80007, RefusalKind.RATE_LIMITED),
        (131000, RefusalKind.PROVIDER_ERROR),
        (131016, RefusalKind.PROVIDER_ERROR),
        (131048, RefusalKind.NUMBER_BLOCKED),
        (131031, RefusalKind.NUMBER_BLOCKED),
        (368, RefusalKind.NUMBER_BLOCKED),
        (132000, RefusalKind.TEMPLATE_UNUSABLE),
        (132001, RefusalKind.TEMPLATE_UNUSABLE),
        (132012, RefusalKind.TEMPLATE_UNUSABLE),
        (132015, RefusalKind.TEMPLATE_UNUSABLE),
        (132016, RefusalKind.TEMPLATE_UNUSABLE),
        (0, RefusalKind.AUTH_FAILED),
        (190, RefusalKind.AUTH_FAILED),
        (131026, RefusalKind.UNREACHABLE),
        (131047, RefusalKind.WINDOW_CLOSED),
        (131049, RefusalKind.USER_LIMIT),
        (131050, RefusalKind.USER_LIMIT),
        (100, RefusalKind.BAD_REQUEST),
        (131008, RefusalKind.BAD_REQUEST),
        (131009, RefusalKind.BAD_REQUEST),
        (999999, RefusalKind.BAD_REQUEST),
    ],
)
def test_every_error_code_maps_to_its_refusal(
    provider: CloudApiProvider, cloud: RunningFakeCloudApi, code: int, kind: RefusalKind
) -> None:
    cloud.fake.fail_next(code)
    with pytest.raises(SendRefused) as refused:
        provider.send_template(template())
    assert refused.value.kind is kind
    assert refused.value.code == code
    assert refused.value.retryable == (
        kind in (RefusalKind.RATE_LIMITED, RefusalKind.PROVIDER_ERROR)
    )
    assert cloud.fake.accepted() == []
    # The script is used up: the next send goes through.
    provider.send_template(template())


def test_reason_comes_from_error_details_with_phones_masked(
    provider: CloudApiProvider, cloud: RunningFakeCloudApi
) -> None:
    cloud.fake.fail_next(131026, http_status=400)
    with pytest.raises(SendRefused) as refused:
        provider.send_template(template())
    assert "Message undeliverable" in refused.value.reason
    assert "(code 131026)" in refused.value.reason


def test_http_429_keeps_retry_after(provider: CloudApiProvider, cloud: RunningFakeCloudApi) -> None:
    cloud.fake.fail_next(None, http_status=429, retry_after_seconds=7)
    with pytest.raises(SendRefused) as refused:
        provider.send_template(template())
    assert refused.value.kind is RefusalKind.RATE_LIMITED
    assert refused.value.retry_after_seconds == 7
    assert refused.value.retryable


def test_http_5xx_without_a_graph_error_is_a_provider_error(
    provider: CloudApiProvider, cloud: RunningFakeCloudApi
) -> None:
    cloud.fake.fail_next(None, http_status=502)
    with pytest.raises(SendRefused) as refused:
        provider.send_template(template())
    assert refused.value.kind is RefusalKind.PROVIDER_ERROR
    assert refused.value.code is None


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 11, 24, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Tue, 24 Nov 2026 10:00:30 GMT", now) == 30
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_a_wrong_token_is_auth_failed(cloud: RunningFakeCloudApi) -> None:
    with (
        CloudApiProvider(
            cloud.config.phone_number_id, "not-the-token", base_url=cloud.base_url
        ) as wrong,
        pytest.raises(SendRefused) as refused,
    ):
        wrong.send_template(template())
    assert refused.value.kind is RefusalKind.AUTH_FAILED
    assert refused.value.code == 190


def test_unknown_template_and_wrong_parameter_count(
    provider: CloudApiProvider, cloud: RunningFakeCloudApi
) -> None:
    with pytest.raises(SendRefused) as missing:
        provider.send_template(template(name="order_received_v1", language="de"))
    assert (missing.value.kind, missing.value.code) == (RefusalKind.TEMPLATE_UNUSABLE, 132001)
    with pytest.raises(SendRefused) as count:
        provider.send_template(template(parameters=("Айгерим",)))
    assert (count.value.kind, count.value.code) == (RefusalKind.TEMPLATE_UNUSABLE, 132000)
    with pytest.raises(SendRefused) as button:
        provider.send_template(template(name="order_delivered_review_v1"))  # no URL parameter
    assert button.value.code == 132000
    assert cloud.fake.accepted() == []


def test_spam_for_one_number_blocks_it_only(
    provider: CloudApiProvider, cloud: RunningFakeCloudApi
) -> None:
    cloud.fake.refuse_number("+77019998877", 131048)
    with pytest.raises(SendRefused) as refused:
        provider.send_template(template(to="+77019998877"))
    assert refused.value.kind is RefusalKind.NUMBER_BLOCKED
    assert not refused.value.retryable
    provider.send_template(template())


def test_pair_rate_and_throughput_limits(receiver: Receiver) -> None:
    config = FakeCloudConfig(webhook_url=receiver.url, pair_interval_seconds=60, max_per_second=3)
    frozen = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    with (
        running_fake_cloud_api(config, clock=lambda: frozen) as cloud,
        CloudApiProvider(
            config.phone_number_id, config.access_token, base_url=cloud.base_url
        ) as provider,
    ):
        provider.send_template(template(to="+77010000001"))
        with pytest.raises(SendRefused) as pair:
            provider.send_template(template(to="+77010000001"))
        assert (pair.value.kind, pair.value.code) == (RefusalKind.RATE_LIMITED, 131056)
        provider.send_template(template(to="+77010000002"))
        provider.send_template(template(to="+77010000003"))
        with pytest.raises(SendRefused) as throughput:
            provider.send_template(template(to="+77010000004"))
        assert (throughput.value.kind, throughput.value.code) == (
            RefusalKind.RATE_LIMITED,
            130429,
        )
        assert len(cloud.fake.accepted()) == 3


def test_a_local_number_is_refused_before_anything_is_sent(
    provider: CloudApiProvider, cloud: RunningFakeCloudApi
) -> None:
    with pytest.raises(SendRefused) as refused:
        provider.send_template(template(to="87011234567"))
    assert refused.value.kind is RefusalKind.BAD_REQUEST
    assert cloud.fake.accepted() == []


def test_taken_but_never_answered_is_outcome_unknown_and_settled_by_webhooks(
    receiver: Receiver,
) -> None:
    config = FakeCloudConfig(webhook_url=receiver.url, duplicate_rate=0, reorder_rate=0)
    with running_fake_cloud_api(config) as cloud:
        with CloudApiProvider(
            config.phone_number_id, config.access_token, base_url=cloud.base_url,
            timeout_seconds=0.3,
        ) as provider:  # fmt: skip
            cloud.fake.hang_next(seconds=3)
            with pytest.raises(OutcomeUnknown):
                provider.send_template(template(callback="shop7:1:order"))
        [taken] = cloud.fake.accepted_with("shop7:1:order")
        assert not taken.answered
        assert cloud.fake.wait_for_webhooks()
    bodies = b"".join(body for body, _ in receiver.received)
    assert b"shop7:1:order" in bodies


@pytest.mark.parametrize("close_after_reading", [False, True])
def test_a_server_that_reads_and_never_answers_gives_outcome_unknown(
    close_after_reading: bool,
) -> None:
    with (
        silent_server(close_after_reading=close_after_reading) as url,
        CloudApiProvider("1", "token", base_url=url, timeout_seconds=0.3) as provider,
        pytest.raises(OutcomeUnknown),
    ):
        provider.send_template(template())


def test_connection_refused_is_a_retryable_refusal() -> None:
    with (
        CloudApiProvider("1", "token", base_url=closed_port_url()) as provider,
        pytest.raises(SendRefused) as refused,
    ):
        provider.send_template(template())
    assert refused.value.kind is RefusalKind.PROVIDER_ERROR
    assert refused.value.retryable


def test_a_200_without_a_message_id_is_outcome_unknown() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="<html>ok</html>"))
    with (
        CloudApiProvider("1", "token", transport=transport) as provider,
        pytest.raises(OutcomeUnknown),
    ):
        provider.send_template(template())


def test_request_shape_on_the_wire() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"messages": [{"id": "wamid.X"}]})

    with CloudApiProvider(
        "106540352242922", "secret-token", version="v24.0", transport=httpx.MockTransport(answer)
    ) as provider:
        provider.send_template(template(parameters=("a", "b", "c", "d"), url="rv/1"))
    [request] = seen
    assert request.url == "https://graph.facebook.com/v24.0/106540352242922/messages"
    assert request.headers["Authorization"] == "Bearer secret-token"
    body = json.loads(request.content)
    assert body["messaging_product"] == "whatsapp"
    assert body["to"] == BUYER
    assert body["template"]["language"] == {"policy": "deterministic", "code": "ru"}
    assert body["template"]["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": t} for t in "abcd"]},
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "rv/1"}],
        },
    ]
    assert body["biz_opaque_callback_data"] == "shop7:512345678:order"


def test_logs_mask_the_phone_and_never_show_the_token(
    cloud: RunningFakeCloudApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = cloud.config.access_token
    with CloudApiProvider(cloud.config.phone_number_id, token, base_url=cloud.base_url) as provider:
        provider.send_template(template())
        cloud.fake.fail_next(131048)
        with pytest.raises(SendRefused):
            provider.send_template(template())
        assert token not in repr(provider)
    text = caplog.text
    assert "+7701***4567" in text
    assert "7011234567" not in text
    assert token not in text


def test_webhook_receiver_helper_fails_first_posts() -> None:
    with webhook_receiver(fail_first=1) as receiver:
        config = FakeCloudConfig(webhook_url=receiver.url, batch_rate=1.0, duplicate_rate=0)
        with running_fake_cloud_api(config) as cloud:
            cloud.fake.inject_text(BUYER, "hi")
            assert cloud.fake.wait_for_webhooks()
            [posted] = cloud.fake.webhooks()
    assert posted.delivered
    assert posted.attempts == 2
    assert len(receiver.received) == 2


def test_a_base_url_httpx_cannot_use_is_a_bad_request() -> None:
    with (
        CloudApiProvider("1", "token", base_url="ftp://127.0.0.1:1") as provider,
        pytest.raises(SendRefused) as refused,
    ):
        provider.send_template(template())
    assert refused.value.kind is RefusalKind.BAD_REQUEST
