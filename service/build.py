"""``hipback build``: the hand-edited source in, the checked release artifacts out.

1. parse ontology/hipback-edit.ttl;
2. run HermiT: fail on an inconsistency or any unsatisfiable class;
3. run the QC queries on asserted + inferred: fail on any row;
4. write ontology/release/: hipback.* (asserted: the source plus the OBO annotations of
   service/obo.py), hipback-reasoned.* (asserted + inferred) and hipback-inferred.nt (inferred
   only), in Turtle, RDF/XML, JSON-LD and N-Triples; beside them the prefix map
   (hipback.context.jsonld) and the mappings as SSSOM (hipback-mappings.sssom.tsv).

Every artifact carries the source's owl:versionIRI (never the clock), and the same
source gives byte-identical artifacts, so ``check()`` can rebuild in a temporary
directory and compare bytes to tell whether the committed artifacts are stale.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from . import artifacts, config, obo, owl, qc

#: Release file stem -> the formats it is written in.
RELEASE = {
    "hipback": ("ttl", "owl", "jsonld", "nt"),
    "hipback-reasoned": ("ttl", "owl", "jsonld", "nt"),
    "hipback-inferred": ("nt",),
}
#: Release files that are not RDF: the prefix map and the mappings as SSSOM (service/obo.py)
EXTRA = (obo.CONTEXT_NAME, obo.SSSOM_NAME)

TURTLE_BANNER = (
    "# Built by `hipback build` from ontology/hipback-edit.ttl ({stem}); do not edit by hand.\n"
    "# Version: <{version}>\n"
)


class BuildError(Exception):
    """The source does not make a release; the message says why."""


@dataclass
class BuildReport:
    ontology_iri: str
    version_iri: str
    asserted_triples: int
    inferred_triples: int
    files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    skipped_qc: bool = False


def release_names() -> list[str]:
    return [f"{stem}.{suffix}" for stem, suffixes in RELEASE.items() for suffix in suffixes] + list(EXTRA)


def rdf_release_names() -> list[str]:
    return [f"{stem}.{suffix}" for stem, suffixes in RELEASE.items() for suffix in suffixes]


def load_source(path: Path = config.SOURCE_TTL) -> rdflib.Graph:
    """The source as written; ``with_obo`` adds what the release derives from it."""
    graph = rdflib.Graph()
    try:
        graph.parse(path, format="turtle")
    except FileNotFoundError as exc:
        raise BuildError(f"source not found: {path}") from exc
    except Exception as exc:  # rdflib raises several parser-specific types
        raise BuildError(f"{path} does not parse as Turtle: {exc}") from exc
    return graph


def with_obo(source: rdflib.Graph) -> rdflib.Graph:
    """The release's asserted graph: the source plus the OBO annotations derived from it (service/obo.py)."""
    return source + obo.annotations(source)


def header(graph: rdflib.Graph) -> rdflib.Graph:
    """The ontology's IRI, type, version IRI and version info, from the source."""
    ontologies = sorted(o for o in graph.subjects(RDF.type, OWL.Ontology) if isinstance(o, rdflib.URIRef))
    if len(ontologies) != 1:
        raise BuildError(f"the source must declare exactly one owl:Ontology (found {len(ontologies)})")
    ontology = ontologies[0]
    versions = list(graph.objects(ontology, OWL.versionIRI))
    if len(versions) != 1:
        raise BuildError(f"<{ontology}> must have exactly one owl:versionIRI (found {len(versions)})")
    result = rdflib.Graph()
    result.add((ontology, RDF.type, OWL.Ontology))
    result.add((ontology, OWL.versionIRI, versions[0]))
    for info in graph.objects(ontology, OWL.versionInfo):
        result.add((ontology, OWL.versionInfo, info))
    return result


def _name(graph: rdflib.Graph, term) -> str:
    label = graph.value(term, RDFS.label)
    return f"<{term}> ({label})" if label else f"<{term}>"


def reason_or_fail(graph: rdflib.Graph) -> owl.Reasoned:
    result = owl.reason(graph)
    if not result.consistent:
        raise BuildError(f"HermiT finds the ontology inconsistent: {result.message}")
    if result.unsatisfiable:
        names = "\n  ".join(_name(graph, c) for c in result.unsatisfiable)
        raise BuildError(f"HermiT finds {len(result.unsatisfiable)} unsatisfiable class(es):\n  {names}")
    return result


def qc_or_fail(graph: rdflib.Graph) -> None:
    violations = qc.run(graph)
    if violations:
        total = sum(len(v.rows) for v in violations)
        details = "\n".join(v.describe() for v in violations)
        raise BuildError(
            f"{total} QC violation(s) in {len(violations)} check(s) (queries/qc/README.md says why each exists):\n"
            + details
        )


def render(asserted: rdflib.Graph, inferred: rdflib.Graph) -> dict[str, bytes]:
    """File name -> bytes of every release artifact."""
    head = header(asserted)
    version = next(head.objects(None, OWL.versionIRI))
    base = artifacts.canonical(asserted)
    if artifacts.has_blank_nodes(inferred):
        reasoned = artifacts.canonical(asserted + inferred)
    else:  # HermiT infers about named terms only: the asserted labels stand, no second canonicalisation
        reasoned = artifacts.ordered(base + inferred)
    graphs = {
        "hipback": base,
        "hipback-reasoned": reasoned,
        "hipback-inferred": artifacts.canonical(head + inferred),
    }
    files: dict[str, bytes] = {}
    for stem, suffixes in RELEASE.items():
        graph = graphs[stem]
        for suffix in suffixes:
            data = artifacts.serialise(graph, suffix)
            if suffix == "ttl":
                data = TURTLE_BANNER.format(stem=stem, version=version).encode("utf-8") + data
            files[f"{stem}.{suffix}"] = data
    files[obo.CONTEXT_NAME] = obo.context()
    files[obo.SSSOM_NAME] = obo.sssom(asserted, head)
    return files


def build(
    source: Path = config.SOURCE_TTL, out: Path = config.RELEASE_DIR, run_qc: bool = True
) -> BuildReport:
    """Check the source and write the release artifacts into ``out``."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    asserted = with_obo(load_source(Path(source)))
    head = header(asserted)
    seconds["parse"] = time.perf_counter() - started

    mark = time.perf_counter()
    reasoned = reason_or_fail(asserted)
    seconds["reason"] = time.perf_counter() - mark

    if run_qc:
        mark = time.perf_counter()
        qc_or_fail(asserted + reasoned.inferred)
        seconds["qc"] = time.perf_counter() - mark

    mark = time.perf_counter()
    files = render(asserted, reasoned.inferred)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = out / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    seconds["write"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started

    ontology = next(head.subjects(RDF.type, OWL.Ontology))
    return BuildReport(
        ontology_iri=str(ontology),
        version_iri=str(next(head.objects(ontology, OWL.versionIRI))),
        asserted_triples=len(asserted),
        inferred_triples=len(reasoned.inferred),
        files=written,
        seconds=seconds,
        skipped_qc=not run_qc,
    )


def stale_files(source: Path = config.SOURCE_TTL, release: Path = config.RELEASE_DIR) -> list[str]:
    """Rebuild in a temporary directory; the release files that are missing or differ."""
    with tempfile.TemporaryDirectory(prefix="hipback-build-") as tmp:
        build(source, Path(tmp))
        stale = []
        for name in release_names():
            committed = Path(release) / name
            if not committed.exists() or committed.read_bytes() != (Path(tmp) / name).read_bytes():
                stale.append(name)
        return stale
