"""The source of a term or rule: article section and excerpts, interpretation, external source."""
from __future__ import annotations

from .model import Source


def source_of(term) -> Source:
    return Source(
        section=term.note("section"),
        excerpt=list(term.notes.get("excerpt", [])),
        interpretation=term.note("interpretation"),
        external_source=term.note("external"),
    )
