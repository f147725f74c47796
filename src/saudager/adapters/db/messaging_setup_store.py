"""Each shop's messaging setup: its send window and language, and its own template wordings."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import Connection, delete, insert, select, update

from saudager.adapters.db import tables as t
from saudager.adapters.db.unique import update_or_insert
from saudager.domains.messaging.setup import StoredSetup, own_key
from saudager.domains.messaging.templates import Language, MessageKind, Template

_s = t.messaging_shop_settings
_tpl = t.messaging_templates
_p = t.messaging_shop_pauses


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _time(text: str | None) -> time | None:
    return None if text is None else time.fromisoformat(text)


def stored_setup(
    window_start: str | None,
    window_end: str | None,
    language: str | None,
    paused_at: datetime | None,
    pause_reason: str | None,
) -> StoredSetup:
    """A shop's setup from its stored columns (NULL: the install's default)."""
    return StoredSetup(
        window_start=_time(window_start), window_end=_time(window_end),
        language=Language(language) if language else None, paused_at=paused_at,
        pause_reason=pause_reason,
    )  # fmt: skip


class MessagingSetupStoreMixin:
    _conn: Connection

    def messaging_setup(self, shop_id: int) -> StoredSetup:
        """What the shop has set (``None`` fields: the install's defaults) and its pause."""
        row = self._conn.execute(select(_s).where(_s.c.shop_id == shop_id)).first()
        pause = self._conn.execute(select(_p).where(_p.c.shop_id == shop_id)).first()
        return stored_setup(
            row.window_start if row else None, row.window_end if row else None,
            row.language if row else None, pause.paused_at if pause else None,
            pause.reason if pause else None,
        )  # fmt: skip

    def _upsert_setup(self, shop_id: int, values: dict[str, object], now: datetime) -> None:
        update_or_insert(
            self._conn,
            update(_s).where(_s.c.shop_id == shop_id).values(**values, updated_at=now),
            insert(_s).values(shop_id=shop_id, **values, updated_at=now),
        )

    def set_send_window(
        self, shop_id: int, window: tuple[time, time] | None, now: datetime
    ) -> None:
        """The shop's own window, or ``None``: back to the install's."""
        start, end = (_hhmm(window[0]), _hhmm(window[1])) if window else (None, None)
        self._upsert_setup(shop_id, {"window_start": start, "window_end": end}, now)

    def set_messaging_language(self, shop_id: int, language: Language, now: datetime) -> None:
        self._upsert_setup(shop_id, {"language": language.value}, now)

    def own_templates(self, shop_id: int) -> list[tuple[Template, datetime]]:
        """The shop's own wordings with when each was last saved."""
        rows = self._conn.execute(
            select(_tpl).where(_tpl.c.shop_id == shop_id).order_by(_tpl.c.kind, _tpl.c.language)
        )
        found = []
        for row in rows:
            kind, language = MessageKind(row.kind), Language(row.language)
            template = Template(
                key=own_key(shop_id, kind, language), kind=kind, language=language,
                body=row.body, shop_id=shop_id, approved_name=row.approved_name,
            )  # fmt: skip
            found.append((template, row.updated_at))
        return found

    def save_own_template(self, template: Template, now: datetime) -> None:
        """Store the shop's wording (already checked), replacing its earlier one."""
        assert template.shop_id is not None, "a ready template is not stored"
        where = (
            (_tpl.c.shop_id == template.shop_id)
            & (_tpl.c.kind == template.kind.value)
            & (_tpl.c.language == template.language.value)
        )
        update_or_insert(
            self._conn,
            update(_tpl)
            .where(where)
            .values(body=template.body, approved_name=template.provider_name, updated_at=now),
            insert(_tpl).values(
                shop_id=template.shop_id, kind=template.kind.value,
                language=template.language.value, body=template.body,
                approved_name=template.provider_name, updated_at=now,
            ),
        )  # fmt: skip

    def delete_own_template(self, shop_id: int, kind: MessageKind, language: Language) -> bool:
        return (
            self._conn.execute(
                delete(_tpl).where(
                    (_tpl.c.shop_id == shop_id)
                    & (_tpl.c.kind == kind.value)
                    & (_tpl.c.language == language.value)
                )
            ).rowcount
            > 0
        )
