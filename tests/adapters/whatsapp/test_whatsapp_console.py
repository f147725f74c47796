"""The console provider prints what would be sent, with the number masked."""

from __future__ import annotations

import io

from whatsapp_test_helpers import BUYER, template

from saudager.adapters.whatsapp.console import ConsoleProvider
from saudager.domains.messaging.provider import MessagingProvider, TextMessage


def test_prints_templates_and_text_and_accepts_them() -> None:
    out = io.StringIO()
    provider: MessagingProvider = ConsoleProvider(out)
    first = provider.send_template(
        template(name="order_delivered_review_v1", url="512345678", callback="shop7:1:review")
    )
    second = provider.send_text(TextMessage(BUYER, "Спасибо!\nЖдём снова.", "shop7:1:reply"))

    assert first.provider_message_id != second.provider_message_id
    printed = out.getvalue()
    assert "template order_delivered_review_v1 (ru) → +7701***4567" in printed
    assert "{{1}} = Айгерим" in printed
    assert "button url = 512345678" in printed
    assert "key = shop7:1:review" in printed
    assert "  Ждём снова." in printed
    assert "7011234567" not in printed
