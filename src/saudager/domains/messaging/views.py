"""Messaging as plain JSON values, for the API and ``--json``: outbox and buyers' messages
(phones masked, also inside a buyer's text and an error), and a shop's setup, wordings and
previews."""

from __future__ import annotations

from typing import Any

from saudager.core.masking import mask_phone, redact_phones
from saudager.domains.messaging.inbox_ports import InboundRecord
from saudager.domains.messaging.records import OutboxMessage
from saudager.domains.messaging.setup import Preview, ShopMessagingSetup, TemplateEntry


def outbox_json(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "shop_id": message.key.shop_id,
        "order": message.key.order_code,
        "kind": message.key.kind,
        "to": mask_phone(message.to),
        "template": message.template,
        "state": message.state.value,
        "delivery": message.delivery_status.value if message.delivery_status else None,
        "attempts": message.attempts,
        "due_at": message.due_at.isoformat(),
        "created_at": message.created_at.isoformat(),
        "error": redact_phones(message.last_error) if message.last_error else None,
    }


def inbound_json(record: InboundRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "from": mask_phone(record.message.sender),
        "text": redact_phones(record.message.text),  # a buyer may write a phone: masked too
        "at": record.message.at.isoformat(),
        "category": record.triage.category.value,
        "order": record.order_code,
        "resolved_at": record.resolved_at.isoformat() if record.resolved_at else None,
    }


def setup_json(setup: ShopMessagingSetup) -> dict[str, Any]:
    return {
        "window_start": f"{setup.window_start:%H:%M}",
        "window_end": f"{setup.window_end:%H:%M}",
        "window_is_default": setup.window_is_default,
        "language": setup.language.value,
        "paused": setup.paused,
        "paused_at": setup.paused_at.isoformat() if setup.paused_at else None,
        "pause_reason": setup.pause_reason,
        "number": setup.number,
        "number_stop": None
        if setup.number_stop is None
        else {
            "kind": setup.number_stop.kind.value,
            "reason": setup.number_stop.reason,
            "stopped_at": setup.number_stop.stopped_at.isoformat(),
        },
    }


def template_json(entry: TemplateEntry) -> dict[str, Any]:
    return {
        "kind": entry.kind.value,
        "language": entry.language.value,
        "body": entry.body,
        "own": entry.own,
        "updated_at": entry.updated_at.isoformat() if entry.updated_at else None,
        "provider_template": entry.provider_template,
    }


def preview_json(preview: Preview) -> dict[str, Any]:
    return {
        "order": preview.order_code,
        "text": preview.text,
        "provider_template": preview.provider_template,
        "approved_body": preview.approved_body,
        "language": preview.language,
        "body_parameters": list(preview.body_parameters),
        "button_url_parameter": preview.button_url_parameter,
    }
