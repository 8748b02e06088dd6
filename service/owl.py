"""HermiT, the OWL 2 reasoner that ships with owlready2, run on rdflib graphs.

``reason(*graphs)`` writes the graphs as one N-Triples file into a private temporary
directory, runs HermiT once (classification and realisation, one JVM), and returns a
``Reasoned``: whether the graphs are consistent, the unsatisfiable classes, and the
entailed class hierarchy and individual types as an rdflib graph.

HermiT prints only *direct* relations; here they are closed transitively, so the
inferred graph holds every entailed ``rdfs:subClassOf`` between named classes and every
entailed ``rdf:type`` of a named individual that the input does not already assert
(never the trivial ``owl:Thing`` or self ones). Callers that classify many individuals
(patient cases) pass them all in one call and read ``Reasoned.types``.

owlready2's ``sync_reasoner`` is not used: it leaves its input file behind when HermiT
fails, and it rewrites class parents inside a World that would have to be diffed to
learn what was inferred. Its HermiT jar, Java executable and memory setting are.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import owlready2
import rdflib
from owlready2 import reasoning as _owlready_reasoning
from rdflib.namespace import OWL, RDF, RDFS

#: Predicates outside these namespaces that the input does not declare are declared
#: annotation properties for HermiT (skos:exactMatch, dcterms:source, hb:sourceExcerpt...).
_BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")
_DECLARED_PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

_RESULT_LINE = re.compile(r"^(SubClassOf|EquivalentClasses|Type)\( ((?:<[^>]+>\s*)+)\)$", re.MULTILINE)
_IRI = re.compile(r"<([^>]+)>")
_NOTHING = str(OWL.Nothing)
_TRIVIAL_TYPES = {OWL.Thing, OWL.NamedIndividual}


class ReasonerError(RuntimeError):
    """HermiT could not run or could not read its input (not an inconsistency)."""


@dataclass(frozen=True)
class Reasoned:
    """What HermiT entails from the input graphs."""

    consistent: bool
    #: Named classes equivalent to owl:Nothing, sorted.
    unsatisfiable: tuple[rdflib.URIRef, ...] = ()
    #: Entailed subClassOf / equivalentClass / type triples not asserted in the input.
    inferred: rdflib.Graph = field(default_factory=rdflib.Graph)
    #: Every named type of every named individual HermiT saw, asserted or inferred.
    types: dict[rdflib.URIRef, frozenset[rdflib.URIRef]] = field(default_factory=dict)
    #: Every named strict superclass (and equivalent class) of every named class.
    ancestors: dict[rdflib.URIRef, frozenset[rdflib.URIRef]] = field(default_factory=dict)
    #: HermiT's message when the input is inconsistent.
    message: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def _undeclared_predicates(graphs) -> set[rdflib.URIRef]:
    declared: set = set()
    used: set = set()
    for graph in graphs:
        for kind in _DECLARED_PROPERTY_TYPES:
            declared.update(graph.subjects(RDF.type, kind))
        used.update(graph.predicates())
    return {
        p
        for p in used - declared
        if isinstance(p, rdflib.URIRef) and not str(p).startswith(_BUILTIN_NAMESPACES)
    }


def _write_input(graphs, path: Path) -> None:
    with open(path, "wb") as handle:
        for graph in graphs:
            handle.write(graph.serialize(format="nt", encoding="utf-8"))
            handle.write(b"\n")
        for predicate in sorted(_undeclared_predicates(graphs)):
            handle.write(f"<{predicate}> <{RDF.type}> <{OWL.AnnotationProperty}> .\n".encode("utf-8"))


def run_hermit(path: Path) -> subprocess.CompletedProcess:
    """HermiT on one file: classify (-c) and realise (-I); stdout holds the direct results."""
    command = [
        owlready2.JAVA_EXE,
        f"-Xmx{_owlready_reasoning.JAVA_MEMORY}M",
        "-cp",
        _owlready_reasoning._HERMIT_CLASSPATH,
        "org.semanticweb.HermiT.cli.CommandLine",
        "-c",
        "-I",
        path.resolve().as_uri(),
    ]
    try:
        return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace")
    except FileNotFoundError as exc:
        raise ReasonerError(f"Java was not found ({owlready2.JAVA_EXE!r}); HermiT needs a Java runtime") from exc


def _closure(parents: dict[str, set[str]]) -> dict[str, set[str]]:
    """Ancestors of every node of a (possibly cyclic, through equivalences) parent map."""
    result: dict[str, set[str]] = {}
    for start in parents:
        seen: set[str] = set()
        stack = list(parents[start])
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(parents.get(node, ()))
        seen.discard(start)
        result[start] = seen
    return result


def _interpret(output: str, graphs) -> Reasoned:
    sub_parents: dict[str, set[str]] = defaultdict(set)
    direct_types: dict[str, set[str]] = defaultdict(set)
    equivalent_pairs: set[tuple[str, str]] = set()
    unsatisfiable: set[str] = set()

    for relation, iris_text in _RESULT_LINE.findall(output):
        iris = _IRI.findall(iris_text)
        if relation == "SubClassOf":
            child, parent = iris
            if child != _NOTHING and not parent.startswith(str(OWL)):
                sub_parents[child].add(parent)
        elif relation == "Type":
            individual, cls = iris
            if not cls.startswith(str(OWL)):
                direct_types[individual].add(cls)
        elif _NOTHING in iris:
            unsatisfiable.update(i for i in iris if not i.startswith(str(OWL)))
        else:
            named = [i for i in iris if not i.startswith(str(OWL))]
            for a in named:
                for b in named:
                    if a != b:
                        sub_parents[a].add(b)
                        equivalent_pairs.add((a, b))

    def asserted(triple) -> bool:
        return any(triple in graph for graph in graphs)

    # Asserted edges between named, satisfiable classes are entailed too; with HermiT's
    # direct edges they give every class its full set of ancestors.
    for graph in graphs:
        for child, parent in graph.subject_objects(RDFS.subClassOf):
            if isinstance(child, rdflib.URIRef) and isinstance(parent, rdflib.URIRef):
                if str(child) not in unsatisfiable and not str(parent).startswith(str(OWL)):
                    sub_parents[str(child)].add(str(parent))
    ancestors = _closure(sub_parents)

    inferred = rdflib.Graph()
    for child, parents in ancestors.items():
        if child in unsatisfiable:
            continue
        for parent in parents:
            triple = (rdflib.URIRef(child), RDFS.subClassOf, rdflib.URIRef(parent))
            if not asserted(triple):
                inferred.add(triple)
    for a, b in equivalent_pairs:
        triple = (rdflib.URIRef(a), OWL.equivalentClass, rdflib.URIRef(b))
        reverse = (rdflib.URIRef(b), OWL.equivalentClass, rdflib.URIRef(a))
        if not asserted(triple) and not asserted(reverse):
            inferred.add(triple)

    for graph in graphs:
        for individual, cls in graph.subject_objects(RDF.type):
            if isinstance(individual, rdflib.URIRef) and str(individual) in direct_types:
                if isinstance(cls, rdflib.URIRef) and cls not in _TRIVIAL_TYPES:
                    direct_types[str(individual)].add(str(cls))
    types: dict[rdflib.URIRef, frozenset[rdflib.URIRef]] = {}
    for individual, classes in direct_types.items():
        every = set(classes)
        for cls in classes:
            every |= ancestors.get(cls, set())
        subject = rdflib.URIRef(individual)
        types[subject] = frozenset(rdflib.URIRef(c) for c in every)
        for cls in types[subject]:
            triple = (subject, RDF.type, cls)
            if not asserted(triple):
                inferred.add(triple)

    return Reasoned(
        consistent=True,
        unsatisfiable=tuple(sorted(rdflib.URIRef(i) for i in unsatisfiable)),
        inferred=inferred,
        types=types,
        ancestors={rdflib.URIRef(c): frozenset(rdflib.URIRef(p) for p in ps) for c, ps in ancestors.items()},
    )


def logical_axioms(graph: rdflib.Graph) -> rdflib.Graph:
    """``graph`` without its annotations (labels, synonyms, definitions, sources, axiom annotations).

    Annotations carry no meaning for an OWL reasoner, so HermiT classifies the result exactly as the
    whole; it only has less to read. The release's lay labels and per-statement sources are most of its
    triples, which is why the agreement test reasons over this."""
    annotation = {s for s in graph.subjects(rdflib.RDF.type, rdflib.OWL.AnnotationProperty)}
    annotation |= {rdflib.RDFS.label, rdflib.RDFS.comment, rdflib.RDFS.seeAlso, rdflib.RDFS.isDefinedBy}
    annotation |= {p for p in set(graph.predicates()) if str(p).startswith((str(rdflib.SKOS), str(rdflib.DCTERMS)))}
    reified = set(graph.subjects(rdflib.RDF.type, rdflib.OWL.Axiom))
    kept = rdflib.Graph()
    for triple in graph:
        if triple[1] not in annotation and triple[0] not in reified:
            kept.add(triple)
    return kept


def reason(*graphs: rdflib.Graph) -> Reasoned:
    """Run HermiT once over the union of ``graphs`` (e.g. the ontology plus patient cases)."""
    if not graphs:
        raise ValueError("reason() needs at least one graph")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hipback-hermit-") as tmp:
        path = Path(tmp) / "input.nt"
        _write_input(graphs, path)
        process = run_hermit(path)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        text = (process.stderr or "") + (process.stdout or "")
        if "InconsistentOntologyException" in text or "Inconsistent ontology" in text:
            first = next((line for line in text.splitlines() if "Inconsistent" in line), "Inconsistent ontology")
            return Reasoned(consistent=False, message=first.strip(), seconds=seconds)
        raise ReasonerError("HermiT failed:\n" + text.strip()[-4000:])
    result = _interpret(process.stdout, graphs)
    return Reasoned(
        consistent=True,
        unsatisfiable=result.unsatisfiable,
        inferred=result.inferred,
        types=result.types,
        ancestors=result.ancestors,
        seconds=seconds,
    )
