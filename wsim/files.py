"""Writing files atomically: a reader never finds a half-written file under a final name.

Everything wsim writes for a user (tables, reports, plots, scenario files, stored
replications) goes through here: the bytes go to a new temporary file in the same folder, are
flushed to disk, and the file is renamed over the final name. An interrupted run leaves
either the old file or the whole new one.

No symbolic link is followed at the file itself: the temporary file is created new
(``O_CREAT | O_EXCL | O_NOFOLLOW``, so a link planted at its name makes the write fail instead
of writing through it), and the rename *replaces* a symbolic link found at the final name
with the file, leaving whatever it pointed to untouched. A folder at the final name is an
:class:`OutputError`, as is any failure to write, naming the final path (never the temporary
one). The folders on the way are the caller's: a linked output folder is followed, like any
folder the user names.
"""

from __future__ import annotations

import io
import os
import stat
import uuid
from pathlib import Path

import pandas as pd

from wsim.errors import WsimError

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


class OutputError(WsimError, OSError):
    """A result file cannot be written where asked (a folder there, no permission, ...)."""


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    path = Path(path)
    _check_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create its folder ({exc.strerror or exc})") from None
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        descriptor = os.open(tmp, _FLAGS, 0o666)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _check_target(path: Path) -> None:
    """A folder at the final name cannot be replaced by a file (a symbolic link can)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{path}: is a folder; give the path of a file to write")


def write_text_atomic(path: Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_table_atomic(table: pd.DataFrame, path: Path) -> Path:
    """Write `table` as CSV (gzip-compressed when `path` ends in .gz) to `path` atomically."""
    buffer = io.BytesIO()
    compression = "gzip" if Path(path).suffix == ".gz" else None
    table.to_csv(buffer, index=False, compression=compression)
    return write_bytes_atomic(path, buffer.getvalue())
