"""Console PINs: salted scrypt hashes, constant-time checks, lockout after five wrong PINs.

A hash is stored as `scrypt$<n>$<r>$<p>$<salt hex>$<key hex>`, so the cost parameters
travel with it and can be raised later without breaking the PINs already set.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from enum import StrEnum

from oncall.domain.types import Role
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, PermissionDenied, ValidationFailed
from oncall.store import carryover, people
from oncall.store import staff_admin as accounts

MAX_ATTEMPTS = 5
MIN_LENGTH = 4
MAX_LENGTH = 12
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
KEY_BYTES = 32
SALT_BYTES = 16

log = logging.getLogger(__name__)


DEMO_PIN = "1234"
"""The demo clinician's idle-lock PIN, set by `oncall demo` when none is set (synthetic data
only: shown on the demo's own lock screen)."""


def check_pin_format(pin: str) -> str:
    """The PIN if it is 4 to 12 digits; otherwise ValidationFailed saying what is wrong."""
    if not pin.isdigit() or not pin.isascii():
        raise ValidationFailed("A PIN is digits only (0–9).")
    if not MIN_LENGTH <= len(pin) <= MAX_LENGTH:
        raise ValidationFailed(f"A PIN is {MIN_LENGTH} to {MAX_LENGTH} digits long.")
    return pin


def _derive(pin: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    # maxmem a little above 128·n·r so raised parameters still fit.
    return hashlib.scrypt(
        pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * n * r + 2**20
    )


def hash_pin(pin: str) -> str:
    """A salted scrypt hash of the PIN, with its parameters."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${key.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether the PIN produces the stored hash (compared in constant time)."""
    try:
        scheme, n, r, p, salt_hex, key_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(key_hex)
        actual = _derive(pin, bytes.fromhex(salt_hex), int(n), int(r), int(p), len(expected))
    except ValueError:
        return False  # a damaged hash matches nothing; the owner sets a new PIN
    return hmac.compare_digest(actual, expected)


def set_pin(ctx: ServiceContext, pin: str, *, login: str | None = None) -> None:
    """Set the acting user's PIN, or (admins only) another account's; audited."""
    check_pin_format(pin)
    target_login = login or ctx.actor.login
    if target_login != ctx.actor.login and ctx.actor.role is not Role.ADMIN:
        raise PermissionDenied("Only admins may set another person's PIN.")
    pin_hash = hash_pin(pin)
    with ctx.store.write() as conn:
        target = people.staff_by_login(conn, target_login)
        if target is None:
            raise NotFound(f"There is no staff member with the login {target_login}.")
        accounts.set_pin_hash(conn, target.id, pin_hash)
        ctx.audit(conn, "pin.set", "staff", target.id, detail={"login": target.login})


class PinOutcome(StrEnum):
    """What entering a PIN at the lock screen came to."""

    UNLOCKED = "unlocked"
    WRONG = "wrong"
    LOCKED_OUT = "locked_out"
    NO_PIN = "no_pin"


@dataclass(frozen=True)
class PinCheck:
    """The outcome of one PIN entry and how many tries are left before lockout."""

    outcome: PinOutcome
    attempts_left: int


def pin_status(ctx: ServiceContext) -> PinCheck:
    """Whether the acting user has a PIN and is locked out (nothing is counted)."""
    with ctx.store.read() as conn:
        state = accounts.pin_state(conn, ctx.actor.id)
    if state is None or state.pin_hash is None:
        return PinCheck(PinOutcome.NO_PIN, 0)
    if state.locked_out_at is not None or not state.active:
        return PinCheck(PinOutcome.LOCKED_OUT, 0)
    return PinCheck(PinOutcome.WRONG, MAX_ATTEMPTS - state.pin_failures)


def verify_pin(ctx: ServiceContext, pin: str) -> PinCheck:
    """Check the acting user's PIN to unlock the console; the fifth wrong one locks them out."""
    with ctx.store.read() as conn:
        before = accounts.pin_state(conn, ctx.actor.id)
    if before is None or before.pin_hash is None:
        return PinCheck(PinOutcome.NO_PIN, 0)
    if before.locked_out_at is not None or not before.active:
        ctx.audit_alone("pin.refused_locked_out", "staff", ctx.actor.id)
        return PinCheck(PinOutcome.LOCKED_OUT, 0)
    # scrypt takes tens of milliseconds: derive outside the write lock, then re-check.
    right = pin_matches(pin, before.pin_hash)
    with ctx.store.write() as conn:
        now = accounts.pin_state(conn, ctx.actor.id)
        assert now is not None
        if now.locked_out_at is not None:
            return PinCheck(PinOutcome.LOCKED_OUT, 0)
        if right and now.pin_hash == before.pin_hash:
            accounts.reset_pin_failures(conn, ctx.actor.id)
            carryover.clear_console_lock(conn, ctx.actor.id)  # the next start opens unlocked
            ctx.audit(conn, "console.unlocked", "staff", ctx.actor.id)
            return PinCheck(PinOutcome.UNLOCKED, MAX_ATTEMPTS)
        failures = accounts.record_pin_failure(conn, ctx.actor.id)
        if failures >= MAX_ATTEMPTS:
            accounts.lock_out(conn, ctx.actor.id, ctx.now_iso())
            ctx.audit(conn, "pin.locked_out", "staff", ctx.actor.id, detail={"failures": failures})
            log.warning("staff %d locked out after %d wrong PINs", ctx.actor.id, failures)
            return PinCheck(PinOutcome.LOCKED_OUT, 0)
        ctx.audit(conn, "pin.failed", "staff", ctx.actor.id, detail={"failures": failures})
        return PinCheck(PinOutcome.WRONG, MAX_ATTEMPTS - failures)
