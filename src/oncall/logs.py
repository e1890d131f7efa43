"""Log files that hold no client data: owner-only files, ids and actions only, redacted.

The rule for every log call in oncall: log ids, counts and actions, never free text
(no names, summaries, notes, phone numbers or exception messages). The filter here
is the second line of defence for what slips through, including third-party
loggers: phone numbers, e-mail addresses and the names of clients and their
emergency contacts are replaced before a record is written, string arguments that
are not id-like are dropped, and tracebacks keep exception types and frames only.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import re
import sqlite3
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from oncall import paths
from oncall.private_files import open_private, private_folder
from oncall.secrets import scrub_secrets

LOG_FILE = "oncall.log"
MAX_BYTES = 5_000_000
BACKUPS = 5
NAME_REFRESH_S = 60.0
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

PHONE = re.compile(
    r"(?<![\w+])(?:\+?\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)"
    r"|(?<![\w+])\+\d[\d\s.-]{7,16}\d(?!\w)"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An argument that looks like an id, a count, an action, a path or a URL may stay.
ID_LIKE = re.compile(r"^[\w.:/#?=&%+@~,;-]{0,200}$")
MIN_PART = 3
"""Parts of a name shorter than this are left alone (whole names and nicknames never are)."""

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class NameList:
    """The client and emergency-contact names to redact, re-read from the database now and then.

    It reads through its own read-only connection, so logging never waits on the
    console's shared connection or its lock.
    """

    def __init__(
        self, db_path: Path | None = None, *, loader: Callable[[], set[str]] | None = None
    ) -> None:
        self.db_path = db_path
        self._loader = loader
        self._pattern: re.Pattern[str] | None = None
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def _load(self) -> set[str]:
        if self._loader is not None:
            return self._loader()
        if self.db_path is None or not self.db_path.exists():
            return set()
        from oncall.store.access import sensitive_names

        uri = f"file:{quote(str(self.db_path))}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=1.0)
        try:
            return sensitive_names(conn)
        finally:
            conn.close()

    def pattern(self) -> re.Pattern[str] | None:
        """The compiled pattern of every name (and name part), refreshed at most once a minute."""
        with self._lock:
            if time.monotonic() - self._loaded_at >= NAME_REFRESH_S:
                self._loaded_at = time.monotonic()
                with contextlib.suppress(sqlite3.Error, OSError):
                    self._pattern = _compile(self._load())
            return self._pattern


def _compile(names: Iterable[str]) -> re.Pattern[str] | None:
    words: set[str] = set()
    for name in names:
        cleaned = " ".join(name.split())
        if len(cleaned) >= 2:
            words.add(cleaned)
        words.update(part for part in re.split(r"[\s,]+", cleaned) if len(part) >= MIN_PART)
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def redact(text: str, names: re.Pattern[str] | None = None) -> str:
    """Replace phone numbers, e-mail addresses and known names in `text`."""
    text = EMAIL.sub("[email]", text)
    text = PHONE.sub("[phone]", text)
    if names is not None:
        text = names.sub("[name]", text)
    return text


def _safe_arg(value: object) -> object:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    return text if ID_LIKE.match(text) else "[text]"


def redacted_traceback(exc_info: ExcInfo) -> str:
    """Exception types and frames (file:line in function): no message, no locals, no source."""
    lines = ["Traceback (types and frames only):"]
    seen: set[int] = set()
    current: BaseException | None = exc_info[1]
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
        kind = type(current)
        lines.append(f"{kind.__module__}.{kind.__qualname__}")
        current = current.__cause__ or current.__context__
    return "\n".join(lines)


class RedactingFilter(logging.Filter):
    """Rewrites each record so no client data reaches a log handler."""

    def __init__(self, names: NameList | None = None) -> None:
        super().__init__()
        self.names = names

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message, drop free-text arguments, strip tracebacks to types and frames."""
        args: Any = record.args
        if isinstance(args, tuple):
            args = tuple(_safe_arg(a) for a in args)
        elif isinstance(args, dict):
            args = {k: _safe_arg(v) for k, v in args.items()}
        if isinstance(record.msg, BaseException):
            # `log.exception(error)`: the message text may quote client data; keep the type.
            message = f"{type(record.msg).__module__}.{type(record.msg).__qualname__}"
        else:
            try:
                message = str(record.msg) % args if args else str(record.msg)
            except (TypeError, ValueError, KeyError):
                message = str(record.msg)
        record.msg = redact(scrub_secrets(message), self.names.pattern() if self.names else None)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redacted_traceback(record.exc_info)
            record.exc_info = None
        record.stack_info = None
        return True


class SecretScrubbingFormatter(logging.Formatter):
    """Takes secrets out of each formatted line (for output that is not the log file: the
    worker's lines on standard output), as `scrub_secrets` does for everything printed.

    A formatter, not a filter: a filter that rewrote the record would hand the log
    file's RedactingFilter a message already formatted, its free-text arguments in it.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The line as the base formatter makes it, scrubbed."""
        return scrub_secrets(super().format(record))


class PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file created readable by its owner only (and written by no one else)."""

    def __init__(self, path: Path, mode: int = 0o600) -> None:
        self.file_mode = mode
        self.failed = False
        """Set at the first write that failed: nothing more is written (or said)."""
        super().__init__(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record, unless an earlier write failed."""
        if not self.failed:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        """Say once, in one sentence, that the log cannot be written; then stop logging.

        logging's own handler printed a traceback per record: a full disk gave seven of
        them on the way out of a command.
        """
        if self.failed:
            return
        self.failed = True
        error = sys.exc_info()[1]
        why = error.strerror if isinstance(error, OSError) and error.strerror else "error"
        with contextlib.suppress(Exception):
            sys.stderr.write(
                f"oncall: the log file {self.baseFilename} cannot be written ({why}); "
                "nothing more is logged\n"
            )

    def flush(self) -> None:
        """Flush, quietly once a write has failed (the data has nowhere to go)."""
        try:
            super().flush()
        except OSError:
            if not self.failed:
                self.handleError(logging.makeLogRecord({}))

    def close(self) -> None:
        """Close, quietly once a write has failed."""
        try:
            super().close()
        except OSError:
            self.failed = True

    def _open(self) -> Any:
        fd = open_private(
            Path(self.baseFilename), os.O_WRONLY | os.O_APPEND | os.O_CREAT, self.file_mode
        )
        # A file left by an older version, or made under a loose umask: tighten it.
        os.fchmod(fd, self.file_mode)
        return os.fdopen(fd, "a", encoding="utf-8")


_installed: PrivateFileHandler | None = None


def setup_logging(
    db_path: Path | None = None, *, directory: Path | None = None, level: int = logging.INFO
) -> Path:
    """Send every logger to an owner-only, redacted file under paths.log_dir(); returns its path.

    Calling it again replaces the handler (the CLI calls it once per command).
    """
    global _installed
    folder = private_folder(directory or paths.log_dir())
    path = folder / LOG_FILE
    handler = PrivateFileHandler(path)
    handler.addFilter(RedactingFilter(NameList(db_path)))
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    if _installed is not None:
        root.removeHandler(_installed)
        _installed.close()
    root.addHandler(handler)
    root.setLevel(level)
    _installed = handler
    return path


def stop_logging() -> None:
    """Remove and close the handler setup_logging installed (tests, shutdown)."""
    global _installed
    if _installed is not None:
        logging.getLogger().removeHandler(_installed)
        _installed.close()
        _installed = None
