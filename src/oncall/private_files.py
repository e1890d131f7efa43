"""Log files and incident reports opened safely: in a folder this account owns, never
through a link (a planted `oncall.log` link once re-moded and appended to a root-owned
file, issue 16)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from oncall import paths


class UnsafeLogPath(OSError):
    """A log or report file would be opened through a link or in a folder not this account's.

    An OSError, so callers that carry on without a log file on a full disk carry on
    here too; `strerror` is the one sentence to show.
    """

    def __init__(self, sentence: str) -> None:
        super().__init__(errno.EPERM, sentence)


def private_folder(folder: Path) -> Path:
    """The folder for logs and reports, created owner-only: a real folder this account owns.

    A folder that is a symbolic link, or that another account owns, is refused: whoever
    controls it could plant a link that turns our appends and chmods onto their target.
    """
    paths.ensure_private_dir(folder)
    info = os.lstat(folder)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UnsafeLogPath(f"the log folder {folder} is a symbolic link, not a folder; refused")
    if info.st_uid != os.geteuid():
        raise UnsafeLogPath(
            f"the log folder {folder} belongs to another account (uid {info.st_uid}); refused"
        )
    if info.st_mode & 0o077:
        os.chmod(folder, 0o700)  # ours, left open by a loose umask or an older version
    return folder


def open_private(path: Path, flags: int, mode: int = 0o600) -> int:
    """Open a log or report file in a private folder, never through a symbolic link.

    O_NOFOLLOW refuses a link planted at the name (a planted `oncall.log` once re-moded
    and appended to a root-owned file); a hard link or another account's file is
    refused after opening, before anything is written or re-moded.
    """
    private_folder(path.parent)
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, mode)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafeLogPath(f"{path} is a symbolic link; refused") from None
        raise
    info = os.fstat(fd)
    problem = None
    if not stat.S_ISREG(info.st_mode):
        problem = f"{path} is not a regular file; refused"
    elif info.st_uid != os.geteuid():
        problem = f"{path} belongs to another account (uid {info.st_uid}); refused"
    elif info.st_nlink > 1:
        problem = f"{path} has other names (a hard link); refused"
    if problem is not None:
        os.close(fd)
        raise UnsafeLogPath(problem)
    os.set_blocking(fd, True)
    return fd
