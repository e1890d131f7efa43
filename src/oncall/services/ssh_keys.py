"""Staff SSH keys on the service account: add, list, revoke, disable (all audited)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from oncall.domain.types import Role
from oncall.services import authorized_keys as keyfile
from oncall.services.access import require_role
from oncall.services.authorized_keys import GateKey
from oncall.services.context import ServiceContext
from oncall.services.errors import NotFound, Refused, ValidationFailed
from oncall.store import people

ADMINS = frozenset({Role.ADMIN})
MIN_RSA_BITS = 3072
# The key types oncall installs: what OpenSSH recommends today, FIDO2 hardware keys
# included. DSA is gone from OpenSSH; RSA under 3072 bits is below NIST's 2030 floor.
ACCEPTED_TYPES = {
    "ssh-ed25519": "ED25519",
    "ecdsa-sha2-nistp256": "ECDSA",
    "ecdsa-sha2-nistp384": "ECDSA",
    "ecdsa-sha2-nistp521": "ECDSA",
    "sk-ssh-ed25519@openssh.com": "ED25519-SK",
    "sk-ecdsa-sha2-nistp256@openssh.com": "ECDSA-SK",
    "ssh-rsa": "RSA",
}


@dataclass(frozen=True)
class PublicKey:
    """A public key that passed the checks."""

    key_type: str
    blob: str
    comment: str
    bits: int
    fingerprint: str


def inspect_key(text: str) -> PublicKey:
    """Check one OpenSSH public key (type, size, well-formed) with `ssh-keygen -l`."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("#")]
    if len(lines) != 1:
        raise ValidationFailed(f"Expected one public key, found {len(lines)} lines of keys.")
    fields = lines[0].split(maxsplit=2)
    key_type = fields[0]
    if key_type not in ACCEPTED_TYPES:
        if key_type in ("ssh-dss", "ssh-dsa"):
            raise ValidationFailed("DSA keys are refused: OpenSSH no longer accepts them.")
        if "=" in key_type or "," in key_type or '"' in key_type:
            raise ValidationFailed("The key carries options; give the bare public key line.")
        raise ValidationFailed(
            f"The key type {key_type[:40]!r} is refused; use ed25519, ecdsa, a FIDO2 (sk-) "
            f"key, or RSA of at least {MIN_RSA_BITS} bits."
        )
    if len(fields) < 2:
        raise ValidationFailed("The public key line has a type but no key.")
    with tempfile.NamedTemporaryFile("w", suffix=".pub", encoding="utf-8") as temp:
        temp.write(lines[0] + "\n")
        temp.flush()
        try:
            done = subprocess.run(
                ["ssh-keygen", "-l", "-E", "sha256", "-f", temp.name],
                capture_output=True,
                text=True,
                timeout=10,
            )
        except FileNotFoundError:
            raise Refused(
                "ssh-keygen (OpenSSH) is not installed, so keys cannot be checked."
            ) from None
    words = done.stdout.split()
    if done.returncode != 0 or len(words) < 3 or not words[0].isdigit():
        raise ValidationFailed(
            "This is not a valid OpenSSH public key (ssh-keygen cannot read it)."
        )
    bits = int(words[0])
    if words[-1].strip("()") != ACCEPTED_TYPES[key_type]:
        raise ValidationFailed("The key's type does not match its contents.")
    if key_type == "ssh-rsa" and bits < MIN_RSA_BITS:
        raise ValidationFailed(
            f"This RSA key has {bits} bits; at least {MIN_RSA_BITS} are required (or use ed25519)."
        )
    comment = fields[2] if len(fields) > 2 else ""
    return PublicKey(key_type, fields[1], comment.replace("\n", " "), bits, words[1])


def add_key(
    ctx: ServiceContext,
    login: str,
    key_text: str,
    *,
    keys_file: Path,
    command: Callable[[str], str],
) -> GateKey:
    """Install a staff member's key with the gate as its forced command (admins; audited).

    `command` gives the forced command for the key's SHA256 fingerprint, which it names.
    """
    require_role(ctx, ADMINS, "manage SSH keys")
    key = inspect_key(key_text)
    with keyfile.locked(keys_file), ctx.store.write() as conn:
        staff = people.staff_by_login(conn, login)
        if staff is None:
            raise NotFound(f"There is no staff member with the login {login}.")
        if not staff.active:
            raise Refused(f"{login} is deactivated; reactivate them before adding a key.")
        lines = keyfile.read_lines(keys_file)
        for line in lines:
            if key.blob in (line.blob if isinstance(line, GateKey) else line.split()):
                owner = line.login if isinstance(line, GateKey) else "another entry"
                raise Refused(f"This key is already in {keys_file} (for {owner}).")
        entry = GateKey(login, key.key_type, key.blob, key.comment, "")
        entry = replace(entry, command=command(entry.fingerprint))
        ctx.audit(conn, "ssh_key.added", "staff", login, detail=_detail(entry, key.bits))
        keyfile.write_lines(keys_file, [*lines, entry])
    return entry


def list_keys(ctx: ServiceContext, *, keys_file: Path) -> list[GateKey]:
    """The keys oncall installed, in file order (admins)."""
    require_role(ctx, ADMINS, "manage SSH keys")
    return keyfile.gate_keys(keyfile.read_lines(keys_file))


def revoke_keys(ctx: ServiceContext, target: str, *, keys_file: Path) -> list[GateKey]:
    """Remove every key of a login, or the key with a fingerprint (admins; audited)."""
    require_role(ctx, ADMINS, "manage SSH keys")
    with keyfile.locked(keys_file), ctx.store.write() as conn:
        lines = keyfile.read_lines(keys_file)
        gone = [
            line
            for line in keyfile.gate_keys(lines)
            if target in (line.login, line.fingerprint, line.fingerprint.removeprefix("SHA256:"))
        ]
        if not gone:
            raise NotFound(f"No key in {keys_file} belongs to or has the fingerprint {target}.")
        for key in gone:
            ctx.audit(conn, "ssh_key.revoked", "staff", key.login, detail=_detail(key))
        keyfile.write_lines(keys_file, [line for line in lines if line not in gone])
    return gone


def set_keys_disabled(
    ctx: ServiceContext, login: str, disabled: bool, *, keys_file: Path
) -> list[GateKey]:
    """Comment out (or restore) every key of a login, as its staff member goes (or returns)."""
    require_role(ctx, ADMINS, "manage SSH keys")
    if not keys_file.exists():
        return []
    with keyfile.locked(keys_file), ctx.store.write() as conn:
        lines = keyfile.read_lines(keys_file)
        changed = [
            line
            for line in keyfile.gate_keys(lines)
            if line.login == login and line.disabled is not disabled
        ]
        if not changed:
            return []
        action = "ssh_key.disabled" if disabled else "ssh_key.enabled"
        for key in changed:
            ctx.audit(conn, action, "staff", login, detail=_detail(key))
        keyfile.write_lines(
            keys_file,
            [keyfile.with_state(line, disabled) if line in changed else line for line in lines],
        )
    return changed


def _detail(key: GateKey, bits: int | None = None) -> dict[str, object]:
    detail: dict[str, object] = {
        "login": key.login,
        "type": key.key_type,
        "fingerprint": key.fingerprint,
    }
    if bits is not None:
        detail["bits"] = bits
    return detail
