"""Writing files atomically: a reader never finds a half-written file under a final name.

Everything wsim writes for a user (tables, reports, scenario files, stored replications) goes
through here: the bytes go to a temporary file in the same folder, are flushed to disk, and
the file is renamed over the final name. An interrupted run leaves either the old file or the
whole new one.
"""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import pandas as pd


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_table_atomic(table: pd.DataFrame, path: Path) -> Path:
    """Write `table` as CSV (gzip-compressed when `path` ends in .gz) to `path` atomically."""
    buffer = io.BytesIO()
    compression = "gzip" if Path(path).suffix == ".gz" else None
    table.to_csv(buffer, index=False, compression=compression)
    return write_bytes_atomic(path, buffer.getvalue())
