"""Sealing a downtime file to a passphrase: scrypt for the key, AES-256-GCM for the data.

Both come from `cryptography` (pyca, OpenSSL underneath); nothing here is home-made
but the layout of the file:

    MAGIC (16 bytes) | format (1) | log2 N (1) | r (1) | p (1) | salt (16) | nonce (12)
    | AES-GCM ciphertext of the zlib-compressed document, with its 16-byte tag

The header is the GCM's associated data, so a changed cost, salt or format byte fails
the tag like a changed ciphertext does. A wrong passphrase and an altered file look
the same to GCM; the sentence says both.
"""

from __future__ import annotations

import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from oncall.services.errors import ValidationFailed

PACK_MAGIC = b"oncall-downtime\n"
"""The first bytes of a downtime pack."""
JOURNAL_MAGIC = b"oncall-journal1\n"
"""The first bytes of a downtime journal (the same layout after them)."""
_NOUNS = {PACK_MAGIC: "downtime pack", JOURNAL_MAGIC: "downtime journal"}
FORMAT = 1
SALT_BYTES = 16
NONCE_BYTES = 12
HEADER_BYTES = len(PACK_MAGIC) + 4 + SALT_BYTES + NONCE_BYTES
TAG_BYTES = 16
LOG2_N = 15
"""scrypt cost: N = 2^15, r = 8, p = 1 takes 32 MiB and about 0.1 s here (the RFC 7914
interactive figure): cheap for a timer every 15 minutes, dear for a guesser."""
R, P = 8, 1
MIN_PASSPHRASE = 8
MAX_LOG2_N = 20
"""A header asking for more than this is refused before any work (1 GiB of memory)."""


class DowntimeFileError(ValidationFailed):
    """A downtime file that cannot be opened; the message is one sentence to show."""


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to protect client data."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationFailed(f"The passphrase must be at least {MIN_PASSPHRASE} characters long.")


def _key(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    kdf = Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p)
    return kdf.derive(passphrase.encode("utf-8"))


def seal(
    document: bytes, passphrase: str, *, log2_n: int = LOG2_N, magic: bytes = PACK_MAGIC
) -> bytes:
    """The document compressed and encrypted to the passphrase, with its header."""
    check_passphrase(passphrase)
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    header = magic + bytes([FORMAT, log2_n, R, P]) + salt + nonce
    key = _key(passphrase, salt, log2_n, R, P)
    return header + AESGCM(key).encrypt(nonce, zlib.compress(document, 6), header)


def unseal(data: bytes, passphrase: str, name: str, *, magic: bytes = PACK_MAGIC) -> bytes:
    """The document sealed in `data`; DowntimeFileError (one sentence) when it cannot be."""
    if not data.startswith(magic):
        raise DowntimeFileError(f"{name} is not an oncall {_NOUNS[magic]}.")
    if len(data) < HEADER_BYTES + TAG_BYTES:
        raise DowntimeFileError(f"{name} is damaged: it ends before its contents.")
    at = len(magic)
    version, log2_n, r, p = data[at : at + 4]
    if version != FORMAT:
        raise DowntimeFileError(
            f"{name} is a {_NOUNS[magic]} of format {version}, which this oncall cannot read;"
            " update oncall to open it."
        )
    if not (10 <= log2_n <= MAX_LOG2_N and 1 <= r <= 32 and 1 <= p <= 16):
        raise DowntimeFileError(f"{name} is damaged: its key settings are not possible.")
    salt = data[at + 4 : at + 4 + SALT_BYTES]
    nonce = data[at + 4 + SALT_BYTES : HEADER_BYTES]
    header = data[:HEADER_BYTES]
    try:
        compressed = AESGCM(_key(passphrase, salt, log2_n, r, p)).decrypt(
            nonce, data[HEADER_BYTES:], header
        )
    except InvalidTag:
        raise DowntimeFileError(
            f"The passphrase is wrong, or {name} was changed since it was made."
        ) from None
    try:
        return zlib.decompress(compressed)
    except zlib.error:
        raise DowntimeFileError(f"{name} is damaged: its contents cannot be read.") from None
