"""Encryption at rest for the words people write (glimmer text, typed body notes).

With ENCRYPTION_KEY set, each value is sealed with AES-256-GCM (authenticated: a changed byte
is detected, never decrypted into garbage) under a fresh random nonce, and bound to its place:
the owner's user id, the glimmer's `ref` (a number stored in its row, chosen before the row
is written) and the column. A sealed value copied into another row, another column or
another person's row does not open. Stored as

    enc2:<key id>:<base64url(nonce + ciphertext)>

Values sealed before (`enc1:`) are bound to their owner only; they still open, and
`glimmers-bot rotate-key` re-seals them as enc2. Plain text that itself begins with "enc1:",
"enc2:" or "plain:" is stored as "plain:" + text. The key id (8 hex characters of the key's
SHA-256) says which key sealed a value: start-up refuses a key that does not match the
database, and `rotate-key` can stop and resume anywhere. Values without a prefix are plain
text, written before encryption was on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc2:"
LEGACY_PREFIX = "enc1:"  # bound to the owner only
SEALED_PREFIXES = (PREFIX, LEGACY_PREFIX)
# Plain text that happens to begin like a sealed value (or like this marker) is stored with
# this marker in front, so it is never mistaken for ciphertext.
PLAIN_MARK = "plain:"
KEY_BYTES = 32
NONCE_BYTES = 12


class Place(NamedTuple):
    """Where a sealed value lives: whose, which glimmer (its `ref`), which column."""

    user_id: int
    ref: int
    field: str

    def bound(self) -> bytes:
        return f"glimmer:{self.user_id}:{self.ref}:{self.field}".encode("ascii")


class SealError(Exception):
    """A sealed value can't be opened with the key at hand (wrong key, or no key)."""


def generate_key() -> str:
    """A new random key, in the form ENCRYPTION_KEY takes."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def decode_key(text: str) -> bytes:
    """The key's bytes; ValueError with a readable reason when it is malformed."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ValueError("is not a key from `glimmers-bot generate-key` (base64)") from None
    if len(raw) != KEY_BYTES:
        raise ValueError(
            f"must be {KEY_BYTES} bytes, base64-encoded (`glimmers-bot generate-key` makes one)"
        )
    return raw


def key_id_of(stored: str) -> str | None:
    """Which key sealed a stored value; None for plain text."""
    if not stored.startswith(SEALED_PREFIXES):
        return None
    return stored[len(PREFIX) : len(PREFIX) + 8]


class TextBox:
    """Seals and opens the free text of one user's rows. Without a key it stores plain text."""

    def __init__(self, key: bytes | None = None) -> None:
        self._aead = AESGCM(key) if key is not None else None
        self.key_id = hashlib.sha256(key).hexdigest()[:8] if key is not None else None

    @property
    def encrypts(self) -> bool:
        return self._aead is not None

    def seal(self, text: str, place: Place) -> str:
        if self._aead is None:
            return PLAIN_MARK + text if text.startswith((*SEALED_PREFIXES, PLAIN_MARK)) else text
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, text.encode("utf-8"), place.bound())
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{PREFIX}{self.key_id}:{body}"

    def seal_optional(self, text: str | None, place: Place) -> str | None:
        return None if text is None else self.seal(text, place)

    def open(self, stored: str, place: Place) -> str:
        if stored.startswith(PLAIN_MARK):
            return stored[len(PLAIN_MARK) :]
        if not stored.startswith(SEALED_PREFIXES):
            return stored
        if self._aead is None:
            raise SealError("this text is encrypted and ENCRYPTION_KEY is not set")
        key_id, _, body = stored[len(PREFIX) :].partition(":")
        if key_id != self.key_id:
            raise SealError(f"this text was encrypted with another key ({key_id})")
        bound = place.bound() if stored.startswith(PREFIX) else _owner(place.user_id)
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            plain: bytes = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], bound)
        except (InvalidTag, binascii.Error, ValueError):
            raise SealError("this text does not open with the key (damaged or moved)") from None
        return plain.decode("utf-8")

    def open_optional(self, stored: str | None, place: Place) -> str | None:
        return None if stored is None else self.open(stored, place)

    def holds(self, stored: str | None) -> bool:
        """Whether a stored value is already as this box would write it now (nothing to
        re-seal): sealed with this key and bound to its place, or plain text without a key."""
        if stored is None:
            return True
        if self._aead is None:
            return not stored.startswith(SEALED_PREFIXES)
        return stored.startswith(PREFIX) and key_id_of(stored) == self.key_id


PLAIN = TextBox()


def _owner(user_id: int) -> bytes:
    """What an enc1 value (sealed before values were bound to their row) is bound to."""
    return f"glimmer-of:{user_id}".encode("ascii")
