"""Which historian export files are new or changed since the last look: a cursor of name, size
and modification time per file, so a re-exported file counts as a new arrival."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from connectors.historian import list_export_files


@dataclass(frozen=True)
class ExportFile:
    """One version of one export file: its path, arrival night, size and modification time."""

    path: str
    night: date
    size_bytes: int
    mtime_ns: int

    @property
    def version(self) -> str:
        """Unique per file version: the same file rewritten gets a new one."""
        return f"{self.path}|{self.size_bytes}|{self.mtime_ns}"


def scan_exports(patterns: list[str], date_regex: str) -> list[ExportFile]:
    """Every export file matching the globs, with its arrival night from its name."""
    found = []
    for pattern in patterns:
        for night, paths in list_export_files(pattern, date_regex).items():
            for path in paths:
                stat = path.stat()
                found.append(ExportFile(str(path), night, stat.st_size, stat.st_mtime_ns))
    return sorted(found, key=lambda f: (f.night, f.path))


def new_exports(current: list[ExportFile], cursor: str | None) -> list[ExportFile]:
    """The files of `current` whose version the cursor has not seen (all of them on no cursor)."""
    seen = set(json.loads(cursor)) if cursor else set()
    return [f for f in current if f.version not in seen]


def cursor_of(current: list[ExportFile]) -> str:
    """The cursor after seeing `current`: their versions (a deleted file drops out of it)."""
    return json.dumps(sorted(f.version for f in current))
