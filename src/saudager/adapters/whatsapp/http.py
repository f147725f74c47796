"""What every HTTP provider shares: one client, and with it one connection pool, for the
provider's life, with a connect timeout shorter than the answer's."""

from __future__ import annotations

from typing import Self

import httpx


class HttpProvider:
    def __init__(
        self,
        *,
        headers: dict[str, str] | None = None,
        timeout_seconds: float = 10.0,
        connect_timeout_seconds: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds),
            transport=transport,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()
