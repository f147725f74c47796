"""A local fake of the WhatsApp Cloud API for the demo and the tests (reference §7)."""

from saudager.adapters.whatsapp.fake.server import (
    RunningFakeCloudApi,
    create_app,
    running_fake_cloud_api,
    serve_fake_cloud_api,
)
from saudager.adapters.whatsapp.fake.state import (
    DEFAULT_TEMPLATES,
    AcceptedMessage,
    FakeCloudApi,
    FakeCloudConfig,
    FakeTemplate,
)
from saudager.adapters.whatsapp.fake.webhooks import PostedWebhook, escaped_json

__all__ = [
    "DEFAULT_TEMPLATES",
    "AcceptedMessage",
    "FakeCloudApi",
    "FakeCloudConfig",
    "FakeTemplate",
    "PostedWebhook",
    "RunningFakeCloudApi",
    "create_app",
    "escaped_json",
    "running_fake_cloud_api",
    "serve_fake_cloud_api",
]
