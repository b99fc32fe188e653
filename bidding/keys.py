"""Key-encryption keys (KEKs) of sealed bids and the keyring that holds them, outside the database.

The keyring itself is the platform's generic one (:mod:`core.keys`); this module gives it the
sealing names. Production reads the keyring text from ``JICAI_SEAL_KEK`` (config is read in one
place; this module only parses it). Development keeps it in the instance-folder file
``seal_keyring``, created by :func:`load_or_create_keyring_file` (mode 0600) the first time a
command seals or opens bids — never by merely starting the app.
"""

from __future__ import annotations

from core.keys import (
    KEY_BYTES,
    KEY_ID_PATTERN,
    KeyFormatError,
    KeyRing,
    b64d,
    b64e,
    load_or_create_keyring_file,
)
from core.keys import Key as Kek
from core.keys import KeyringError as SealingError
from core.keys import UnknownKey as UnknownKek

NONCE_BYTES = 12

__all__ = [
    "KEY_BYTES", "KEY_ID_PATTERN", "NONCE_BYTES", "Kek", "KeyFormatError", "KeyRing", "SealingError",
    "UnknownKek", "b64d", "b64e", "load_or_create_keyring_file",
]
