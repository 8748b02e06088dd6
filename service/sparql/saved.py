"""The saved queries researchers can run by name: ``queries/*.rq``.

Each file starts with comment lines ``# title: ...`` and ``# description: ...``; further
``#`` lines right after a header continue it. The name is the file name without ``.rq``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import config

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_HEADER = re.compile(r"^#\s*(title|description)\s*:\s*(.*)$", re.I)


@dataclass(frozen=True)
class SavedQuery:
    name: str
    title: str
    description: str
    text: str


def parse(name: str, text: str) -> SavedQuery:
    headers: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            current = match.group(1).lower()
            headers[current] = match.group(2).strip()
        elif current and line[1:].strip():
            headers[current] += " " + line[1:].strip()
        else:
            current = None
    return SavedQuery(name, headers.get("title", ""), headers.get("description", ""), text)


def directory() -> Path:
    return config.QUERIES_DIR


def all_saved() -> list[SavedQuery]:
    """Every saved query, by name."""
    return [parse(p.stem, p.read_text(encoding="utf-8")) for p in sorted(directory().glob("*.rq"))]


def get(name: str) -> SavedQuery | None:
    if len(name) > 100 or not _NAME.match(name):  # no file name is that long (the OS refuses over 255 bytes)
        return None
    path = directory() / f"{name}.rq"
    if not path.is_file():
        return None
    return parse(name, path.read_text(encoding="utf-8"))
