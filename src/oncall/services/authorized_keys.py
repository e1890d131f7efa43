"""The service account's `authorized_keys`: oncall's gate lines, read and rewritten safely.

Each line oncall writes is
`command="<oncall> --db <db> gate LOGIN --key SHA256:…",restrict,pty <key>`
(the gitolite pattern: sshd runs the forced command whatever the client asked for). The
fingerprint is the line's own key, so a session knows which key it rests on and ends when
that key goes; lines written before it (`gate LOGIN` alone) rest on any key of the login.
A disabled line (its staff member deactivated) is kept as a comment so reactivation
can restore it. Every other line is someone else's and is written back untouched.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import re
import shlex
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

DISABLED_PREFIX = "# oncall disabled: "
_GATE_LINE = re.compile(
    r'^command="(?P<command>[^"\\]*)",restrict,pty '
    r"(?P<type>\S+) (?P<blob>[A-Za-z0-9+/=]+)(?: (?P<comment>.*))?$"
)
FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")
"""An OpenSSH SHA256 fingerprint as `ssh-keygen -l` prints it (no padding)."""
_GATE_COMMAND = re.compile(
    r" gate (?P<login>[a-z_][a-z0-9_.-]{0,31})(?: --key (?P<key>SHA256:[A-Za-z0-9+/]{43}))?$"
)


@dataclass(frozen=True)
class GateKey:
    """One staff key installed with the gate as its forced command."""

    login: str
    """The staff login the forced command names: the only identity the gate trusts."""
    key_type: str
    """The OpenSSH key type, e.g. ssh-ed25519."""
    blob: str
    """The key itself, base64 as in the file."""
    comment: str
    """The key's comment (often user@host), kept as given."""
    command: str
    """The forced command."""
    disabled: bool = False
    """Commented out because the staff member is deactivated."""

    @property
    def named_key(self) -> str | None:
        """The fingerprint the forced command names (`--key`), None on an older line."""
        found = _GATE_COMMAND.search(self.command)
        return found["key"] if found else None

    @property
    def fingerprint(self) -> str:
        """SHA256 fingerprint, as `ssh-keygen -l` prints it."""
        digest = hashlib.sha256(base64.b64decode(self.blob)).digest()
        return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")

    def line(self) -> str:
        """The line as written in authorized_keys."""
        text = f'command="{self.command}",restrict,pty {self.key_type} {self.blob}'
        text += f" {self.comment}" if self.comment else ""
        return DISABLED_PREFIX + text if self.disabled else text


Line = GateKey | str
"""A parsed line: one of oncall's keys, or anyone else's text kept as it is."""


def gate_command(program: Path, db_path: Path, login: str, fingerprint: str | None = None) -> str:
    """The forced command for `login` (and its key), quoted for the account's shell."""
    words = [str(program), "--db", str(db_path), "gate", login]
    if fingerprint is not None:
        if FINGERPRINT.fullmatch(fingerprint) is None:
            raise ValueError(f"{fingerprint[:60]!r} is not a SHA256 key fingerprint.")
        words += ["--key", fingerprint]
    if any('"' in word or "\\" in word for word in words):
        # Inside command="…" these would need escaping that sshd and the shell read
        # differently; refuse rather than write a line that runs something else.
        raise ValueError("The oncall program or database path contains '\"' or '\\'.")
    return shlex.join(words)


def parse_line(text: str) -> Line:
    """One line of the file: a GateKey when oncall wrote it, else the text unchanged."""
    body, disabled = text, False
    if text.startswith(DISABLED_PREFIX):
        body, disabled = text[len(DISABLED_PREFIX) :], True
    match = _GATE_LINE.match(body)
    found = _GATE_COMMAND.search(match["command"]) if match else None
    if match is None or found is None:
        return text
    return GateKey(
        login=found["login"],
        key_type=match["type"],
        blob=match["blob"],
        comment=match["comment"] or "",
        command=match["command"],
        disabled=disabled,
    )


def read_lines(path: Path) -> list[Line]:
    """Every line of the file (an absent file has none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [parse_line(line) for line in text.splitlines()]


def gate_keys(lines: list[Line]) -> list[GateKey]:
    """The lines oncall wrote."""
    return [line for line in lines if isinstance(line, GateKey)]


def with_state(key: GateKey, disabled: bool) -> GateKey:
    """The same key, disabled or enabled."""
    return replace(key, disabled=disabled)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of `path` (a lock file beside it)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path.parent / f".{path.name}.lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_lines(path: Path, lines: list[Line]) -> None:
    """Replace the file atomically (temp file + rename), owner-only, keeping its owner."""
    text = "".join((line.line() if isinstance(line, GateKey) else line) + "\n" for line in lines)
    try:
        owner: tuple[int, int] | None = (path.stat().st_uid, path.stat().st_gid)
    except FileNotFoundError:
        owner = None
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, 0o600)
        if owner is not None and os.geteuid() == 0:
            os.fchown(fd, *owner)  # root editing the service account's file leaves it theirs
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(temp)
        raise
    os.close(fd)
    os.replace(temp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a crash
    finally:
        os.close(folder)
