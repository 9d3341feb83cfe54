"""Per-customer encryption of stored conversations, so that a forget reaches the disk.

Every transcript is written encrypted (AES-256-GCM) under a key of its own owner: the
customer (``user:ID``) or, for a guest, the conversation (``session:ID``). Owners' keys live
in the database's ``data_keys`` table, each wrapped (encrypted) under the shop's data key,
which is kept outside the database: the ``data_key`` setting, or a file in the home.

Forgetting a customer deletes their key row with their rows. Old copies of the ciphertext
may stay in a database's free pages, PostgreSQL's write-ahead log or a backup, but without
the key they cannot be read, and the key's own old copies are wrapped under the data key,
which no database file, log or backup holds. Plain text of a transcript is never written.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "sealed:v1:"
_NONCE = 12


def owner_of(session_id: str, user_id: str | None) -> str:
    """Whose key seals a conversation: its signed-in customer's, else its own (a guest's)."""
    return f"user:{user_id}" if user_id else f"session:{session_id}"


class Sealer:
    """AES-GCM under owners' keys, which are themselves wrapped under the data key.

    Args:
        data_key: 32 bytes (``resolve_data_key``); never stored in the database.
    """

    def __init__(self, data_key: bytes):
        if len(data_key) != 32:
            raise ValueError("the data key must be 32 bytes")
        self._wrapper = AESGCM(data_key)

    @staticmethod
    def new_key() -> bytes:
        return os.urandom(32)

    def wrap(self, key: bytes, owner: str) -> str:
        return self._seal(self._wrapper, key, owner)

    def unwrap(self, wrapped: str, owner: str) -> bytes:
        return self._open(self._wrapper, wrapped, owner)

    def seal(self, key: bytes, text: str, context: str) -> str:
        """``text`` encrypted under an owner's ``key``, bound to ``context`` (the row's id), so
        a sealed value copied to another row does not open there."""
        return PREFIX + self._seal(AESGCM(key), text.encode(), context)

    def open(self, key: bytes, sealed: str, context: str) -> str:
        return self._open(AESGCM(key), sealed.removeprefix(PREFIX), context).decode()

    @staticmethod
    def _seal(cipher, data: bytes, context: str) -> str:
        nonce = os.urandom(_NONCE)
        return base64.urlsafe_b64encode(nonce + cipher.encrypt(nonce, data, context.encode())).decode()

    @staticmethod
    def _open(cipher, token: str, context: str) -> bytes:
        raw = base64.urlsafe_b64decode(token.encode())
        return cipher.decrypt(raw[:_NONCE], raw[_NONCE:], context.encode())


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def resolve_data_key(configured: str | None, key_file: Path) -> bytes:
    """The data key: from the setting (any string of 32+ characters, hashed to 32 bytes), or
    from ``key_file``, created once with 32 random bytes (mode 0600). Every process that
    shares a database must resolve the same key: set ``data_key`` on replicas."""
    if configured:
        return hashlib.sha256(b"shopassist data key\0" + configured.encode()).digest()
    try:
        return _read_key(key_file)
    except FileNotFoundError:
        pass
    key_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = key_file.with_name(f"{key_file.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(os.urandom(32))
    try:
        os.link(tmp, key_file)  # whole or not at all; a process that lost the race uses the winner's
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return _read_key(key_file)


def _read_key(path: Path) -> bytes:
    key = path.read_bytes()
    if len(key) != 32:
        raise ValueError(f"{path} does not hold a 32-byte data key")
    return key
