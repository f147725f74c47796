"""A shop's messaging setup as plain JSON values: what the API answers and ``--json`` prints."""

from __future__ import annotations

from typing import Any

from saudager.domains.messaging.setup import Preview, ShopMessagingSetup, TemplateEntry


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
