"""Quality checks: the SPARQL files ``queries/qc/*-violation.rq``, run with pyoxigraph.

Each check returns the terms that break one rule; a release needs zero rows from every
one. queries/qc/README.md says why each check exists.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

from . import config

QC_DIR = config.QUERIES_DIR / "qc"


@dataclass(frozen=True)
class Violations:
    """The rows one check returned."""

    check: str
    rows: tuple[dict[str, str], ...]

    def describe(self, limit: int = 10) -> str:
        lines = [f"{self.check}: {len(self.rows)} row(s)"]
        for row in self.rows[:limit]:
            lines.append("  " + "  ".join(f"{k}={v}" for k, v in row.items()))
        if len(self.rows) > limit:
            lines.append(f"  ... and {len(self.rows) - limit} more")
        return "\n".join(lines)


def check_files(directory: Path = QC_DIR) -> list[Path]:
    """The QC query files, in name order."""
    return sorted(directory.glob("*-violation.rq"))


def check_name(path: Path) -> str:
    return path.name[: -len(".rq")]


def load(graph: rdflib.Graph) -> ox.Store:
    """A pyoxigraph store holding ``graph`` in its default graph."""
    store = ox.Store()
    data = graph.serialize(format="nt", encoding="utf-8")
    store.load(data, format=ox.RdfFormat.N_TRIPLES)
    return store


def run_check(store: ox.Store, path: Path) -> Violations:
    result = store.query(path.read_text(encoding="utf-8"))
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        rows.append({name: solution[name].value for name in names if solution[name] is not None})
    return Violations(check_name(path), tuple(rows))


def run(graph: rdflib.Graph, directory: Path = QC_DIR) -> list[Violations]:
    """Every check on ``graph`` (asserted plus inferred); only the checks with rows are returned."""
    store = load(graph)
    found = [run_check(store, path) for path in check_files(directory)]
    return [v for v in found if v.rows]
