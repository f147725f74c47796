"""The WhatsApp adapters against the fake Cloud API over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from whatsapp_test_helpers import Receiver, webhook_receiver

from saudager.adapters.whatsapp.cloud import CloudApiProvider
from saudager.adapters.whatsapp.fake import (
    FakeCloudConfig,
    RunningFakeCloudApi,
    running_fake_cloud_api,
)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as running:
        yield running


@pytest.fixture
def cloud(receiver: Receiver) -> Iterator[RunningFakeCloudApi]:
    with running_fake_cloud_api(FakeCloudConfig(webhook_url=receiver.url, seed=7)) as running:
        yield running


@pytest.fixture
def provider(cloud: RunningFakeCloudApi) -> Iterator[CloudApiProvider]:
    with CloudApiProvider(
        cloud.config.phone_number_id, cloud.config.access_token, base_url=cloud.base_url,
        timeout_seconds=2.0,
    ) as client:  # fmt: skip
        yield client
