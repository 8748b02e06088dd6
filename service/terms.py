"""Everything about a term, read once from the store into an in-memory index.

``TermIndex.load(store)`` reads the ontology's statements once (``queries/app/statements.rq``)
and its restrictions and cross-references (``term-*.rq``), so it works on the embedded and on
a remote store, and compiles them into dictionaries; every lookup after that is a dictionary
access. The index is plain Python (no Flask): the REST API, the linked-data views, the pages,
FHIR and the reasoner all build on it (``Knowledge.load(store, index)`` takes its statements
and adds the rules and the lexicon).

- ``index.resolve(id)`` accepts an IRI, a CURIE (``hb:LumbarHerniatedDisc``) or a local
  name, case-insensitively, and answers the ``Term`` or None.
- ``index.summary(term)`` / ``index.detail(term)`` are the JSON-ready dicts of the API.
- ``index.members(category)`` lists the conditions, treatments, causes or red flags.
- ``index.by_code(system, code)`` maps an external code to terms.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

from . import codes as codesys
from . import config
from .vocab import DCTERMS, FOAF, IAO, OBOINOWL, OWL, RDF_TYPE, RDFS, SKOS

BASE = config.BASE

#: OWL type IRI -> the kind a term is given in the API
KINDS = {
    OWL + "Class": "class",
    OWL + "ObjectProperty": "object_property",
    OWL + "DatatypeProperty": "datatype_property",
    OWL + "AnnotationProperty": "annotation_property",
    OWL + "NamedIndividual": "individual",
    OWL + "Ontology": "ontology",
}

#: statements read into dedicated fields; every other statement goes to ``annotations``
FIELDS = {
    RDFS + "label": "label",
    SKOS + "altLabel": "synonyms",
    SKOS + "definition": "definition",
    BASE + "sourceSection": "section",
    BASE + "sourceExcerpt": "excerpts",
    BASE + "interpretation": "interpretation",
    BASE + "externalSource": "external",
    DCTERMS + "source": "document",
    OWL + "deprecated": "deprecated",
    DCTERMS + "isReplacedBy": "replaced_by",
    RDF_TYPE: "types",
    RDFS + "subClassOf": None,
    OWL + "equivalentClass": None,
    # the OBO twins the release writes of labels and definitions (service/obo.py) say nothing new
    OBOINOWL + "hasRelatedSynonym": None,
    IAO + "0000115": None,
    # cross-references are read by term-xrefs.rq into ``codes``
    SKOS + "exactMatch": None,
    SKOS + "closeMatch": None,
    SKOS + "broadMatch": None,
    SKOS + "narrowMatch": None,
    SKOS + "relatedMatch": None,
}

#: the upper classes whose descendants make each list of the API
CATEGORIES = {
    "conditions": BASE + "Condition",
    "findings": BASE + "Finding",
    "red-flags": BASE + "RedFlag",
    "treatments": BASE + "CareAction",
}
CAN_CAUSE = BASE + "canCause"
CAN_BE_CAUSED_BY = BASE + "canBeCausedBy"


def local_name(iri: str) -> str:
    return iri[len(BASE):] if iri.startswith(BASE) else iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def curie(iri: str) -> str:
    return "hb:" + iri[len(BASE):] if iri.startswith(BASE) else iri


@dataclass(frozen=True)
class Ref:
    """A link to a term: enough to show and follow it."""

    iri: str
    curie: str
    label: str


@dataclass(frozen=True)
class Code:
    """A cross-reference from a term to an external code, by one SKOS mapping property."""

    system: str  # ICD10CM, HP or MESH
    code: str  # as the system writes it: M51.26, HP:0003419, D007405
    curie: str  # ICD10CM:M51.26, HP:0003419, MESH:D007405
    iri: str
    label: str | None
    relation: str  # exactMatch, closeMatch, broadMatch, narrowMatch, relatedMatch
    relation_iri: str


@dataclass(frozen=True)
class SourceDocument:
    """A document a term or rule rests on (``dcterms:source``), with its citation; ``label`` is its title."""

    iri: str
    curie: str
    label: str
    publisher: str | None = None
    year: str | None = None
    url: str | None = None
    kind: str | None = None
    primary: bool = False  # the article itself (quoted); any other document is paraphrased


def drop_nulls(value):
    """``value`` with every None-valued key of its nested dicts left out (the reasoner's answers and every
    source are written so: the JSON stays small and stable)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value


def source_json(source: "Source") -> dict:
    """A source as every answer writes it, null keys left out, so it reads the same in the term API, the pages
    and triage."""
    return drop_nulls(asdict(source))


@dataclass(frozen=True)
class Source:
    """Where a term or a rule comes from: the one source shape of every answer (terms, pages, triage).

    The document, the article's section and verbatim excerpts, the reading chosen where the article
    is vague (``interpretation``), other sources named in full (``external``), and where sources
    disagree."""

    document: SourceDocument | None
    section: str | None
    excerpts: list[str]
    interpretation: list[str]
    external: list[str]
    disagreement: str | None = None


@dataclass(frozen=True)
class Relation:
    """One OWL restriction between two terms, seen from one of them.

    ``direction`` is ``out`` (this term -> ``term``) or ``in`` (``term`` -> this term);
    ``via`` is ``subClassOf`` or ``equivalentClass``; ``inherited_from`` names the ancestor
    that holds the restriction when this term only inherits it.
    """

    property: Ref
    direction: str
    term: Ref
    via: str
    inherited_from: Ref | None = None


@dataclass
class Term:
    iri: str
    kind: str
    label: str = ""
    local_name: str = ""
    curie: str = ""
    definition: str | None = None
    synonyms: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    section: str | None = None
    excerpts: list[str] = field(default_factory=list)
    interpretation: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    document: str | None = None
    deprecated: bool = False
    replaced_by: list[str] = field(default_factory=list)
    annotations: dict[str, list[str]] = field(default_factory=dict)
    codes: list[Code] = field(default_factory=list)


@dataclass(frozen=True, order=True)
class Statement:
    """One statement about a named resource, as ``statements.rq`` reads it: subject, predicate, object (an
    IRI when ``iri``), the graph that holds it and the object's language."""

    s: str
    p: str
    o: str
    graph: str
    lang: str
    iri: bool


@dataclass
class CodeMatch:
    """What ``TermIndex.terms_for_code`` found: how (``exact``, ``narrower``, ``broader`` or ``none``),
    through which code (the broader one, for ``broader``; the code itself for ``narrower``), and the
    (matched code, term, mapping) triples."""

    match: str
    via: str | None
    found: list


class TermIndex:
    """The compiled index of every term; build it with ``TermIndex.load(store)``."""

    def __init__(self) -> None:
        self.terms: dict[str, Term] = {}
        self.version: str | None = None
        #: a hash of everything the index was read from: with the version, the basis of ETags
        self.digest: str = ""
        self.ontology_iri: str | None = None
        self._lower: dict[str, str] = {}
        self.parents: dict[str, set[str]] = {}
        self.children: dict[str, set[str]] = {}
        self.inferred_edges: set[tuple[str, str]] = set()
        self._ancestors: dict[str, list[str]] = {}
        self._descendants: dict[str, list[str]] = {}
        self.out: dict[str, list[tuple[str, str, str]]] = {}
        self.into: dict[str, list[tuple[str, str, str]]] = {}
        self.inverse: dict[str, str] = {}
        self.codes_by_key: dict[tuple[str, str], list[tuple[str, Code]]] = {}
        self.code_labels: dict[str, str] = {}
        self.statements: list[Statement] = []

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def load(cls, store) -> "TermIndex":
        """The index from one read of the ontology's statements (``statements.rq``, kept as
        ``index.statements`` for the reasoner to build on) and its restrictions and cross-references."""
        index = cls()
        index.statements = sorted({Statement(r["s"], r["p"], r["o"], r.get("g", ""), r.get("lang", ""),
                                             bool(r.get("iri"))) for r in store.select("statements")})
        rows = {"terms": index._term_rows(), "term-statements": index._named_rows(),
                "term-subclasses": index._subclass_rows()}
        rows.update({name: store.select(name) for name in ("term-restrictions", "term-xrefs")})
        digest = hashlib.sha256()
        for name, result in rows.items():
            for line in sorted(json.dumps(r, sort_keys=True) for r in result):
                digest.update(line.encode("utf-8"))
        index.digest = digest.hexdigest()
        for row in rows["terms"]:
            term = index.terms.get(row["term"])
            kind = KINDS.get(row.get("kind", ""), "resource")
            if term is None:
                index.terms[row["term"]] = Term(row["term"], kind)
            elif kind != "resource" and term.kind in ("resource", "individual"):
                term.kind = kind if term.kind == "resource" or kind == "class" else term.kind
        for row in rows["term-statements"]:
            index._statement(row["term"], row["p"], row["o"])
        for row in rows["term-subclasses"]:
            index._edge(row["sub"], row["super"], row.get("g") == config.INFERRED_GRAPH)
        for row in rows["term-restrictions"]:
            index._restriction(row["term"], row["property"], row["target"], row["via"])
        for row in rows["term-xrefs"]:
            index._xref(row)
        index._finish()
        return index

    # -- views of the statements (what the term-*.rq queries read before; tests/test_one_index.py compares) --

    def _term_rows(self) -> list[dict]:
        """Every IRI of the namespace that has a label, with each of its OWL kinds."""
        labelled = {st.s for st in self.statements if st.p == RDFS + "label" and st.s.startswith(config.BASE)}
        kinds: dict[str, set] = {iri: set() for iri in labelled}
        for st in self.statements:
            if st.s in kinds and st.p == RDF_TYPE and st.o in KINDS:
                kinds[st.s].add(st.o)
        return [{"term": iri, **({"kind": kind} if kind else {})}
                for iri in sorted(kinds) for kind in (sorted(kinds[iri]) or [None])]

    def _named_rows(self) -> list[dict]:
        """The statements about IRIs of the namespace (each once, whichever graphs hold it)."""
        seen = sorted({(st.s, st.p, st.o) for st in self.statements if st.s.startswith(config.BASE)})
        return [{"term": t, "p": p, "o": o} for t, p, o in seen]

    def _subclass_rows(self) -> list[dict]:
        """Named superclasses of named classes, with the graph that holds each edge."""
        seen = sorted({(st.s, st.o, st.graph) for st in self.statements
                       if st.p == RDFS + "subClassOf" and st.iri and st.o != OWL + "Thing" and st.s != st.o})
        return [{"sub": sub, "super": sup, "g": g} for sub, sup, g in seen]

    def _statement(self, iri: str, predicate: str, value: str) -> None:
        if predicate == OWL + "versionIRI":
            self.version, self.ontology_iri = value, iri
        term = self.terms.get(iri)
        if term is None:
            return
        name = FIELDS.get(predicate, "annotations")
        if name is None:
            return
        if name == "label":
            term.label = term.label or value
        elif name in ("definition", "section", "document"):
            setattr(term, name, getattr(term, name) or value)
        elif name == "deprecated":
            term.deprecated = value.lower() in ("true", "1")
        elif name == "annotations":
            if predicate == OWL + "inverseOf":
                self.inverse[iri] = value
                self.inverse.setdefault(value, iri)
            term.annotations.setdefault(predicate, []).append(value)
        else:
            getattr(term, name).append(value)

    def _edge(self, sub: str, sup: str, inferred: bool) -> None:
        self.parents.setdefault(sub, set()).add(sup)
        if inferred:
            self.inferred_edges.add((sub, sup))

    def _restriction(self, iri: str, prop: str, target: str, via: str) -> None:
        self.out.setdefault(iri, []).append((prop, target, via))
        self.into.setdefault(target, []).append((prop, iri, via))

    def _xref(self, row: dict) -> None:
        parsed = codesys.from_iri(row["code"])
        if parsed is None:
            return
        system, code = parsed
        relation = row["relation"].rsplit("#", 1)[-1]
        entry = Code(system, code, codesys.curie(system, code), row["code"],
                     row.get("label"), relation, row["relation"])
        term = self.terms.get(row["term"])
        if term is None or entry in term.codes:
            return
        term.codes.append(entry)
        self.codes_by_key.setdefault((system, code.upper()), []).append((term.iri, entry))
        if entry.label:
            self.code_labels[entry.iri] = entry.label

    def _finish(self) -> None:
        for term in self.terms.values():
            term.local_name = local_name(term.iri)
            term.curie = curie(term.iri)
            term.label = term.label or term.local_name
            term.synonyms = sorted(set(term.synonyms), key=str.lower)
            term.excerpts = sorted(set(term.excerpts))
            for name in ("types", "interpretation", "external", "replaced_by"):
                setattr(term, name, sorted(set(getattr(term, name))))
            term.annotations = {p: sorted(set(v)) for p, v in term.annotations.items()}
            term.codes.sort(key=lambda c: (RELATION_ORDER.get(c.relation, 9), c.system, c.code))
            self._lower.setdefault(term.local_name.lower(), term.iri)
        named = {s for s in self.parents} | {p for ps in self.parents.values() for p in ps}
        self.parents = {s: {p for p in ps if p in self.terms} for s, ps in self.parents.items() if s in self.terms}
        for node in named:
            self._ancestors[node] = self._closure(node, self.parents)
        # direct parents: the transitive reduction of the (asserted + inferred) closure
        for sub, sups in self.parents.items():
            direct = {p for p in sups if not any(p in self._ancestors.get(o, ()) for o in sups if o != p)}
            self.parents[sub] = direct
            for sup in direct:
                self.children.setdefault(sup, set()).add(sub)
        for node in list(self.terms):
            self._descendants[node] = self._closure(node, self.children)
        for table in (self.out, self.into):
            for key, rows in table.items():
                table[key] = sorted(set(rows), key=lambda r: (r[0], self.label(r[1])))

    @staticmethod
    def _closure(start: str, edges: dict[str, set[str]]) -> list[str]:
        """Every node reachable from ``start``, nearest first, ties by IRI: the same order on any store
        and in any process (sets of edges iterate in an order that varies with the hash seed)."""
        seen: list[str] = []
        found = {start}
        level = sorted(edges.get(start, ()))
        while level:
            following: set[str] = set()
            for node in level:
                if node in found:
                    continue
                found.add(node)
                seen.append(node)
                following.update(edges.get(node, ()))
            level = sorted(following - found)
        return seen

    # -- lookups ----------------------------------------------------------------------------

    def resolve(self, identifier: str) -> Term | None:
        """The term named by an IRI, a CURIE (``hb:X``) or a local name (case-insensitive)."""
        text = (identifier or "").strip()
        if text in self.terms:
            return self.terms[text]
        if text.lower().startswith("hb:"):
            text = text[3:]
        elif text.startswith(BASE):
            text = text[len(BASE):]
        if BASE + text in self.terms:
            return self.terms[BASE + text]
        iri = self._lower.get(text.lower())
        return self.terms.get(iri) if iri else None

    def label(self, iri: str) -> str:
        term = self.terms.get(iri)
        if term:
            return term.label
        return self.code_labels.get(iri) or local_name(iri)

    def ref(self, iri: str) -> Ref:
        return Ref(iri, curie(iri), self.label(iri))

    def ancestors(self, iri: str) -> list[str]:
        return self._ancestors.get(iri, [])

    def descendants(self, iri: str) -> list[str]:
        return self._descendants.get(iri, [])

    def is_a(self, iri: str, upper: str) -> bool:
        return iri == upper or upper in self._ancestors.get(iri, ())

    def members(self, category: str) -> list[Term]:
        """The terms of a list of the API (``conditions``, ``findings``, ``red-flags``, ``treatments``,
        ``causes``), sorted by label; deprecated terms are left out."""
        if category == "causes":
            iris = self.causes()
        else:
            iris = self.descendants(CATEGORIES[category])
        terms = [self.terms[i] for i in iris if i in self.terms and not self.terms[i].deprecated]
        return sorted(terms, key=lambda t: (t.label.lower(), t.iri))

    def causes(self) -> set[str]:
        """Terms the ontology says can cause something (``canCause`` on them or an ancestor, or
        ``canBeCausedBy`` pointing at them)."""
        found = set()
        for iri in self.terms:
            if any(p == CAN_CAUSE for p, _t, _v, _f in self.relations_out(iri)):
                found.add(iri)
        for rows in self.out.values():
            found.update(t for p, t, _v in rows if p == CAN_BE_CAUSED_BY and t in self.terms)
        return found

    def relations_out(self, iri: str) -> list[tuple[str, str, str, str | None]]:
        """(property, target, via, inherited_from) for the term's own and inherited restrictions."""
        rows = [(p, t, v, None) for p, t, v in self.out.get(iri, [])]
        seen = {(p, t) for p, t, _v, _f in rows}
        for ancestor in self.ancestors(iri):
            for p, t, v in self.out.get(ancestor, []):
                if (p, t) not in seen and v == "subClassOf":
                    seen.add((p, t))
                    rows.append((p, t, v, ancestor))
        return rows

    def relations(self, iri: str) -> list[Relation]:
        """Both directions: the term's restrictions (own and inherited), then those that point at it."""
        result = [
            Relation(self.ref(p), "out", self.ref(t), v, self.ref(f) if f else None)
            for p, t, v, f in self.relations_out(iri)
        ]
        result += [Relation(self.ref(p), "in", self.ref(s), v) for p, s, v in self.into.get(iri, [])]
        return result

    def by_code(self, system: str, code: str) -> list[tuple[Term, Code]]:
        """The terms mapped to an external code, exact matches first."""
        rows = self.codes_by_key.get((system, code.upper()), [])
        pairs = [(self.terms[i], c) for i, c in rows]
        return sorted(pairs, key=lambda pc: (RELATION_ORDER.get(pc[1].relation, 9), pc[0].label.lower()))

    def terms_for_code(self, system: str, code: str) -> "CodeMatch":
        """The terms for an external code: those mapped to the code itself (``exact``); for an ICD-10-CM
        code no term maps to, those of the codes under it (``narrower``: M54.3 to M54.30), else of the codes
        under its nearest broader code that has any (``broader``: M54.41 to M54.40, under M54.4); or none."""
        found = [(code, term, mapped) for term, mapped in self.by_code(system, code)]
        if found:
            return CodeMatch("exact", None, found)
        if system == codesys.ICD10CM and codesys.lookup(system, code):
            mapped_codes = sorted(c for s, c in self.codes_by_key if s == codesys.ICD10CM)
            levels = [("narrower", code.upper())] + [("broader", a) for a in codesys.icd10cm_ancestors(code)]
            for level, ancestor in levels:
                under = [c for c in mapped_codes if c.startswith(ancestor)]
                if under:
                    found = [(c, term, mapped) for c in under for term, mapped in self.by_code(system, c)]
                    return CodeMatch(level, ancestor, found)
        return CodeMatch("none", None, [])

    # -- JSON-ready views -------------------------------------------------------------------

    def document(self, iri: str) -> SourceDocument:
        term = self.terms.get(iri)
        notes = term.annotations if term is not None else {}
        first = lambda key: (notes.get(key) or [None])[0]  # noqa: E731
        return SourceDocument(
            iri=iri, curie=curie(iri), label=first(DCTERMS + "title") or self.label(iri),
            publisher=first(DCTERMS + "publisher"), year=first(DCTERMS + "issued"),
            url=first(FOAF + "page"), kind=first(DCTERMS + "type"),
            primary=iri == BASE + "SourceArticle")

    def source(self, term: Term) -> Source:
        disagreement = (term.annotations.get(BASE + "sourceDisagreement") or [None])[0]
        return Source(self.document(term.document) if term.document else None, term.section, term.excerpts,
                      term.interpretation, term.external, disagreement)

    def summary(self, term: Term) -> dict:
        """A list item: iri, curie, label, definition, synonyms, codes, source."""
        return {
            "iri": term.iri,
            "curie": term.curie,
            "id": term.local_name,
            "label": term.label,
            "kind": term.kind,
            "definition": term.definition,
            "synonyms": list(term.synonyms),
            "codes": [asdict(c) for c in term.codes],
            "source": source_json(self.source(term)),
            "red_flag": self.is_a(term.iri, CATEGORIES["red-flags"]),
            "deprecated": term.deprecated,
        }

    def detail(self, term: Term) -> dict:
        """Everything about a term: the summary, its hierarchy, relations and clinical groups."""
        from .groups import groups

        refs = lambda iris: [asdict(self.ref(i)) for i in sorted(iris, key=lambda i: self.label(i).lower())]  # noqa: E731
        relations = self.relations(term.iri)
        data = self.summary(term)
        data.update({
            "types": refs(t for t in term.types if t != OWL + "Class"),
            "parents": [dict(asdict(self.ref(p)), inferred=(term.iri, p) in self.inferred_edges)
                        for p in sorted(self.parents.get(term.iri, ()), key=lambda i: self.label(i).lower())],
            "children": refs(self.children.get(term.iri, ())),
            "ancestors": refs(self.ancestors(term.iri)),
            "descendants": refs(self.descendants(term.iri)),
            "relations": {
                "outgoing": [_relation_dict(r) for r in relations if r.direction == "out"],
                "incoming": [_relation_dict(r) for r in relations if r.direction == "in"],
            },
            "groups": groups(self, term, relations),
            "annotations": [
                {"property": asdict(self.ref(p)), "values": [
                    dict(asdict(self.ref(v)), value=v) if v in self.terms else {"value": v} for v in values]}
                for p, values in sorted(term.annotations.items())
            ],
            "replaced_by": refs(term.replaced_by),
        })
        return data


RELATION_ORDER = {"exactMatch": 0, "closeMatch": 1, "narrowMatch": 2, "broadMatch": 3, "relatedMatch": 4}


def _relation_dict(relation: Relation) -> dict:
    data = asdict(relation)
    if data["inherited_from"] is None:
        del data["inherited_from"]
    return data
