"""Anchors of the audit log: its head (row id, hash, time) written outside the database.

The chain shows a row edited or deleted in the middle, but not rows deleted at the end:
what is left is still a valid chain. So the head is appended now and then to a
separate file beside the database (`DB.auditanchors`, owner-only, only ever appended
to) and, when configured, sent to the system log or a webhook, out of reach of whoever
can write the database; `oncall audit --verify` compares the log with every anchor.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from oncall.services.context import ServiceContext
from oncall.store.audit_checks import AuditHead, audit_head, hash_of_row

ANCHOR_SUFFIX = ".auditanchors"
TAIL_BYTES = 4096
"""Enough of the file's end to hold its last anchor (one line is about 200 bytes)."""


class AnchorFileError(Exception):
    """The anchor file cannot be used; the message is one sentence naming it."""


@dataclass(frozen=True)
class Anchor:
    """One line of the anchor file."""

    row: int
    hash: str
    at: str
    """The anchored row's own time."""
    anchored_at: str


@dataclass(frozen=True)
class AnchorResult:
    """What `anchor_audit_head` did."""

    anchor: Anchor | None
    """The head anchored (None: the log is empty)."""
    written: bool
    """False when the head was already the last anchor."""
    path: Path
    problems: tuple[str, ...] = ()
    """Copies that could not be sent (the system log, the webhook)."""


def anchors_path(db_path: Path) -> Path:
    """Where the anchors of the database at `db_path` are kept."""
    return db_path.with_name(db_path.name + ANCHOR_SUFFIX)


def _open(path: Path, flags: int) -> int:
    """Open the anchor file, never through a link, and only a plain file of this account."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise AnchorFileError(f"The anchor file {path} is a symbolic link; refused.") from None
        raise AnchorFileError(f"Cannot open the anchor file {path}: {error.strerror}.") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
        os.close(fd)
        raise AnchorFileError(f"The anchor file {path} is not a file of this account; refused.")
    return fd


def _anchor_from(line: str) -> Anchor | None:
    try:
        data = json.loads(line)
        return Anchor(
            int(data["row"]), str(data["hash"]), str(data["at"]), str(data["anchored_at"])
        )
    except (ValueError, KeyError, TypeError):
        return None


def read_anchors(path: Path) -> Iterator[tuple[int, Anchor | None]]:
    """Each line's number and anchor (None for a line that is not one); none without a file."""
    try:
        fd = _open(path, os.O_RDONLY)
    except AnchorFileError:
        if not os.path.lexists(path):
            return
        raise
    with os.fdopen(fd, encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, _anchor_from(line)


def last_anchor(path: Path) -> Anchor | None:
    """The file's last anchor, read from its end (the file grows by one line per change)."""
    try:
        fd = _open(path, os.O_RDONLY)
    except AnchorFileError:
        if not os.path.lexists(path):
            return None
        raise
    try:
        size = os.fstat(fd).st_size
        os.lseek(fd, max(size - TAIL_BYTES, 0), os.SEEK_SET)
        tail = os.read(fd, TAIL_BYTES).decode("utf-8", "replace")
    finally:
        os.close(fd)
    lines = [line for line in tail.splitlines() if line.strip()]
    return _anchor_from(lines[-1]) if lines else None


AnchorPoster = Callable[[str, Path, str], str | None]
"""`post(url_setting, db_path, line)` sends an anchor to the webhook; None, or why not.
The caller hands it in (feeds.anchor_post.post_anchor): use cases make no HTTP calls."""


def anchor_audit_head(ctx: ServiceContext, post: AnchorPoster | None = None) -> AnchorResult:
    """Append the audit log's head to the anchor file (unless it is already the last
    anchor), and send it to the system log and, with `post`, the webhook when configured."""
    path = anchors_path(ctx.store.path)
    with ctx.store.read() as conn:
        head = audit_head(conn)
    if head is None:
        return AnchorResult(None, False, path)
    last = last_anchor(path)
    if last is not None and (last.row, last.hash) == (head.id, head.hash):
        return AnchorResult(last, False, path)
    anchor = Anchor(head.id, head.hash, head.at, ctx.now_iso())
    line = json.dumps(
        {"row": anchor.row, "hash": anchor.hash, "at": anchor.at, "anchored_at": anchor.anchored_at}
    )
    fd = _open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    problems = []
    if ctx.settings.audit_anchor_syslog:
        problems += _to_syslog(ctx.settings.audit_anchor_syslog, ctx.store.path, anchor)
    if ctx.settings.audit_anchor_url:
        problem = (
            post(ctx.settings.audit_anchor_url, ctx.store.path, line)
            if post is not None
            else "the anchor webhook is configured but this process cannot send to it"
        )
        if problem:
            problems.append(problem)
    return AnchorResult(anchor, True, path, tuple(problems))


SYSLOG_PRIORITY = 10 * 8 + 5
"""authpriv.notice (RFC 3164: facility 10, severity 5)."""


def _to_syslog(address: str, db_path: Path, anchor: Anchor) -> list[str]:
    """Send the anchor to a system log: a local socket (`/dev/log`) or HOST:PORT over UDP."""
    message = (
        f"<{SYSLOG_PRIORITY}>oncall[{os.getpid()}]: audit anchor db={db_path} "
        f"row={anchor.row} hash={anchor.hash} at={anchor.at}"
    ).encode()
    try:
        if address.startswith("/"):
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.sendto(message, address)
        else:
            host, _, port = address.rpartition(":")
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.sendto(message, (host, int(port)))
    except (OSError, ValueError) as error:
        why = error.strerror if isinstance(error, OSError) and error.strerror else "not HOST:PORT"
        return [f"the anchor was not sent to the system log at {address} ({why})"]
    return []


def check_anchors(ctx: ServiceContext) -> tuple[list[str], int]:
    """Compare the log with every anchor: (problems, anchors read).

    An anchored row that is gone means rows at the end were deleted; one whose hash
    differs means the log was rewritten after it was anchored.
    """
    path = anchors_path(ctx.store.path)
    problems: list[str] = []
    count = 0
    seen: set[tuple[int, str]] = set()
    latest: Anchor | None = None
    with ctx.store.read() as conn:
        head = audit_head(conn)
        for number, anchor in read_anchors(path):
            count += 1
            if anchor is None:
                problems.append(f"line {number} of the anchor file {path} is not an anchor")
                continue
            if (anchor.row, anchor.hash) in seen:
                continue
            seen.add((anchor.row, anchor.hash))
            latest = anchor if latest is None or anchor.row >= latest.row else latest
            stored = hash_of_row(conn, anchor.row)
            if stored is not None and stored != anchor.hash:
                problems.append(
                    f"audit row {anchor.row} does not match its anchor of {anchor.anchored_at}:"
                    " the log was rewritten after it was anchored"
                )
    if latest is not None and (head is None or head.id < latest.row):
        problems.append(_truncated(head, latest))
    return problems, count


def _truncated(head: AuditHead | None, latest: Anchor) -> str:
    ends = f"ends at row {head.id}" if head else "is empty"
    missing = latest.row - (head.id if head else 0)
    return (
        f"the audit log {ends}, but row {latest.row} was anchored at {latest.anchored_at}: "
        f"at least {missing} rows at its end were deleted"
    )
