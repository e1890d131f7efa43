"""What happens on an unexpected error: a short message with an incident id, a redacted report.

Textual's own handler prints the traceback with every local variable, which would put
client data on the screen and in the terminal's scrollback. This one keeps only what a
developer needs to find the fault: the exception's type and, for each frame, the file,
line and function. No locals, no exception message (it may quote client data).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import traceback
from datetime import UTC, datetime
from pathlib import Path

from oncall import paths


def new_incident_id(now: datetime | None = None) -> str:
    """A short id that names one incident in the message and in the report file."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def redacted_report(error: BaseException, incident: str) -> str:
    """The report text: exception types and frames (file:line in function), nothing else."""
    lines = [f"oncall incident {incident}", ""]
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        lines.append(f"{kind.__module__}.{kind.__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("raised while handling, or caused by:")
    return "\n".join(lines) + "\n"


def write_report(error: BaseException, incident: str, folder: Path | None = None) -> Path:
    """Write the redacted report, readable by its owner only; returns its path."""
    from oncall.private_files import open_private

    path = (folder or paths.log_dir()) / f"incident-{incident}.txt"
    # Never through a link, and only in a folder this account owns (issue 16).
    fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(redacted_report(error, incident))
    return path


def report_exception(error: BaseException, folder: Path | None = None) -> str:
    """Record an unexpected error; returns the incident id, even if no report could be written."""
    incident = new_incident_id()
    # A full or read-only disk must not turn one error into two; the id still helps.
    with contextlib.suppress(OSError):
        write_report(error, incident, folder)
    return incident


def incident_message(incident: str) -> str:
    """What a clinician reads after an unexpected error in an action; the console stays up."""
    return (
        f"Something went wrong and that action did not finish (incident {incident}). "
        "Saved records are safe. Please tell your administrator the incident id."
    )


def fatal_message(incident: str) -> str:
    """What is printed when the console itself has to stop."""
    return (
        f"oncall stopped after an unexpected error (incident {incident}).\n"
        f"A report without client data is in {paths.log_dir()}.\n"
        "Everything saved before the error is in the database; start oncall again to go on."
    )
