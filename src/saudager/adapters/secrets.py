"""Secrets at rest: Kaspi tokens are encrypted with a key created on first run.

The key file is created with mode 0600 next to the database. Losing it means re-entering the
shops' tokens; nothing else depends on it.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from saudager.core.errors import ConfigurationError


class TokenCipher:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_key_file(cls, path: Path) -> TokenCipher:
        """Load the key, creating it (mode 0600) when the file does not exist yet."""
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return cls(path.read_bytes().strip())
        with os.fdopen(fd, "wb") as handle:
            key = Fernet.generate_key()
            handle.write(key)
        return cls(key)

    def encrypt(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode())

    def decrypt(self, ciphertext: bytes) -> str:
        try:
            return self._fernet.decrypt(ciphertext).decode()
        except InvalidToken as exc:
            # Never echo the ciphertext or any part of the secret.
            raise ConfigurationError(
                "the stored Kaspi token cannot be decrypted with this install's key file; "
                "set it again with 'saudager shop token SHOP --token ...'"
            ) from exc
