"""The fake Cloud API: scripted errors, status sequences and inbound messages posted as signed
webhooks with ASCII-escaped bodies, and its record of accepted messages."""

from __future__ import annotations

from collections import defaultdict

import httpx
import pytest
from whatsapp_test_helpers import BUYER, VERIFY_TOKEN, Receiver, template

from saudager.adapters.whatsapp.cloud import CloudApiProvider
from saudager.adapters.whatsapp.fake import (
    FakeCloudConfig,
    RunningFakeCloudApi,
    running_fake_cloud_api,
)
from saudager.adapters.whatsapp.webhook import WebhookBatch, parse_signed
from saudager.domains.messaging.provider import DeliveryStatus, RefusalKind, SendRefused

ORDERLY = {DeliveryStatus.SENT: 1, DeliveryStatus.DELIVERED: 2, DeliveryStatus.READ: 3}


def received(receiver: Receiver, cloud: RunningFakeCloudApi) -> list[WebhookBatch]:
    """Every POST the receiver got, checked and parsed the way the web app will."""
    assert cloud.fake.wait_for_webhooks()
    return [parse_signed(body, sig, cloud.config.app_secret) for body, sig in receiver.received]


def test_each_accepted_message_gets_a_signed_status_sequence(
    provider: CloudApiProvider, cloud: RunningFakeCloudApi, receiver: Receiver
) -> None:
    wamids = [
        provider.send_template(
            template(to=f"+770100000{i:02d}", callback=f"k{i}@shop/7")
        ).provider_message_id
        for i in range(40)
    ]
    batches = received(receiver, cloud)
    by_message: dict[str, list[DeliveryStatus]] = defaultdict(list)
    for batch in batches:
        for update in batch.statuses:
            by_message[update.provider_message_id].append(update.status)
            assert update.callback_data == f"k{wamids.index(update.provider_message_id)}@shop/7"
    assert set(by_message) == set(wamids)
    shapes = {tuple(s) for s in by_message.values()}
    for statuses in by_message.values():
        assert DeliveryStatus.SENT in statuses
        assert set(statuses) <= set(ORDERLY)
        assert DeliveryStatus.READ in statuses or DeliveryStatus.DELIVERED in statuses
    # Seeded randomness: with 40 messages some come duplicated, reordered, or read without
    # delivered, and some in one batched POST.
    assert any(len(s) != len(set(s)) for s in shapes)
    assert any([ORDERLY[x] for x in s] != sorted(ORDERLY[x] for x in s) for s in shapes)
    assert any(DeliveryStatus.DELIVERED not in s for s in shapes)
    assert any(len(b.statuses) > 1 for b in batches)
    # Bodies are signed in Meta's escaped form: "/" → "\/", "@" → "\u0040".
    assert all(b"\\/" in body and b"\\u0040" in body for body, _ in receiver.received)


def test_same_seed_same_sequences(receiver: Receiver) -> None:
    def run() -> list[list[str]]:
        config = FakeCloudConfig(webhook_url=None, seed=3)
        with running_fake_cloud_api(config) as cloud:
            with CloudApiProvider(
                config.phone_number_id, config.access_token, base_url=cloud.base_url
            ) as provider:
                for i in range(10):
                    provider.send_template(template(to=f"+770100000{i:02d}", callback=f"k{i}"))
            assert cloud.fake.wait_for_webhooks()
            return [
                [s["status"] for e in w.payload()["entry"] for c in e["changes"]
                 for s in c["value"]["statuses"]]
                for w in cloud.fake.webhooks()
            ]  # fmt: skip

    assert run() == run()


def test_undeliverable_number_fails_after_acceptance(
    provider: CloudApiProvider, cloud: RunningFakeCloudApi, receiver: Receiver
) -> None:
    cloud.fake.fail_delivery_to("+77019990000", 131026)
    accepted = provider.send_template(template(to="+77019990000"))
    updates = {s for b in received(receiver, cloud) for s in b.statuses}  # maybe duplicated
    [update] = updates
    assert update.provider_message_id == accepted.provider_message_id
    assert update.status is DeliveryStatus.FAILED
    assert update.error_code == 131026
    assert update.recipient == "+77019990000"


def test_fail_next_counts_down(provider: CloudApiProvider, cloud: RunningFakeCloudApi) -> None:
    cloud.fake.fail_next(130429, count=3)
    for _ in range(3):
        with pytest.raises(SendRefused) as refused:
            provider.send_template(template(callback="once"))
        assert refused.value.kind is RefusalKind.RATE_LIMITED
    provider.send_template(template(callback="once"))
    assert len(cloud.fake.accepted_with("once")) == 1
    assert len(cloud.fake.accepted_to(BUYER)) == 1


def test_injected_text_and_button_reply_arrive_as_signed_webhooks(
    provider: CloudApiProvider, cloud: RunningFakeCloudApi, receiver: Receiver
) -> None:
    ours = provider.send_template(template()).provider_message_id
    assert cloud.fake.wait_for_webhooks()
    receiver.received.clear()
    text_id = cloud.fake.inject_text(BUYER, "Курьер опоздал на 2 дня, товар помят")
    tap_id = cloud.fake.inject_button(BUYER, "OPT_OUT", "Больше не писать", context_id=ours)
    messages = [m for b in received(receiver, cloud) for m in b.messages]
    assert [m.provider_message_id for m in messages] == [text_id, tap_id]
    assert messages[0].text == "Курьер опоздал на 2 дня, товар помят"
    assert messages[0].in_reply_to is None
    assert messages[1].in_reply_to == ours
    assert messages[1].button_payload == "OPT_OUT"
    assert all(m.sender == BUYER for m in messages)
    assert all(body.isascii() for body, _ in receiver.received)


def test_admin_routes_for_the_demo(
    cloud: RunningFakeCloudApi, provider: CloudApiProvider, receiver: Receiver
) -> None:
    provider.send_template(template(callback="demo-1"))
    rows = httpx.get(f"{cloud.base_url}/_fake/messages").json()
    assert [r["callback_data"] for r in rows] == ["demo-1"]
    answer = httpx.post(
        f"{cloud.base_url}/_fake/inbound",
        json={"from": BUYER, "text": "Спасибо!", "context_id": rows[0]["wamid"]},
    )
    assert answer.status_code == 200
    wamid = answer.json()["id"]
    messages = [m for b in received(receiver, cloud) for m in b.messages]
    assert [(m.provider_message_id, m.text, m.in_reply_to) for m in messages] == [
        (wamid, "Спасибо!", rows[0]["wamid"])
    ]
    assert httpx.post(f"{cloud.base_url}/_fake/inbound", json={}).status_code == 400


def test_the_send_endpoint_checks_the_request(cloud: RunningFakeCloudApi) -> None:
    url = f"{cloud.base_url}/v23.0/{cloud.config.phone_number_id}/messages"
    auth = {"Authorization": f"Bearer {cloud.config.access_token}"}
    cases = [
        ({}, {"messaging_product": "whatsapp", "to": BUYER, "type": "text"}, 401, 190),
        (auth, {"to": BUYER, "type": "text"}, 400, 100),
        (auth, {"messaging_product": "whatsapp", "type": "text"}, 400, 131008),
        (auth, {"messaging_product": "whatsapp", "to": BUYER, "type": "sticker"}, 400, 131009),
    ]
    for headers, body, http_status, code in cases:
        answer = httpx.post(url, json=body, headers=headers)
        assert (answer.status_code, answer.json()["error"]["code"]) == (http_status, code)
    other_number = httpx.post(
        f"{cloud.base_url}/v23.0/999/messages", json=cases[0][1], headers=auth
    )
    assert other_number.json()["error"]["code"] == 100
    assert cloud.fake.accepted() == []


def test_success_shape(cloud: RunningFakeCloudApi) -> None:
    url = f"{cloud.base_url}/v24.0/{cloud.config.phone_number_id}/messages"
    body = {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": BUYER,
        "type": "template",
        "template": {"name": "order_cancelled_v1", "language": {"code": "kk"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": t} for t in "abcd"]}]},
    }  # fmt: skip
    answer = httpx.post(
        url, json=body, headers={"Authorization": f"Bearer {cloud.config.access_token}"}
    ).json()
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": BUYER, "wa_id": "77011234567"}]
    [message] = answer["messages"]
    assert message["id"].startswith("wamid.")
    assert message["message_status"] == "accepted"


def test_get_verification_against_the_webhook(cloud: RunningFakeCloudApi) -> None:
    assert cloud.fake.verify_webhook(VERIFY_TOKEN)
    assert cloud.fake.verify_webhook(VERIFY_TOKEN, challenge="a-random-string")
    assert not cloud.fake.verify_webhook("wrong")
    cloud.fake.set_webhook_url(None)
    assert not cloud.fake.verify_webhook(VERIFY_TOKEN)
