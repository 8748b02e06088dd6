"""Everything the reasoner knows, compiled once at start from the store.

Four queries in ``queries/app/reasoner-*.rq`` (run through ``Store.select``, so the embedded and a
remote store give the same knowledge) bring the class hierarchy (asserted and inferred, so defined
classes count), the annotations, the properties and the OWL class expressions. From them:

- the findings, their ancestors and which are red flags;
- the lexicon (labels, lay synonyms, absence phrases) and the kind x place compositions;
- each condition's characteristic findings (``presentsWith``, inherited) and care actions;
- the urgency levels and THE RULES: every class with ``hb:assignsUrgency`` is parsed from its
  ``owl:equivalentClass`` definition into an expression the fast path evaluates (``rules.py``).
  A class with ``hb:assignsUrgency`` and no definition is a closed-world fallback, applied when
  no rule classifies a case (``hb:OutOfScopeCase``).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..config import BASE
from ..vocab import DCTERMS, FOAF, RDFS, SKOS
from . import expressions as ex

HB = BASE
OWL = ex.OWL

FINDING = HB + "Finding"
RED_FLAG = HB + "RedFlag"
CONDITION = HB + "Condition"
BODY_LOCATION = HB + "BodyLocation"
CARE_ACTION = HB + "CareAction"
PATIENT_CASE = HB + "PatientCase"
HAS_FINDING = HB + "hasFinding"
HAS_LOCATION = HB + "hasLocation"
PRESENTS_WITH = HB + "presentsWith"
MANAGED_BY = HB + "managedBy"
IS_CARE_FOR = HB + "isCareFor"
HAS_CAUTION = HB + "hasCaution"
APPLIES_WHEN = HB + "appliesWhen"
SERIOUS_CAUSE = HB + "SeriousCauseRiskFactor"

#: The case's fields and the ontology's properties for them (the input schema, not a rule).
CASE_PROPERTIES = {
    HB + "durationDays": "duration_days",
    HB + "painSeverity": "severity",
    HB + "ageYears": "age",
    HB + "improvingWithHomeCare": "improving_with_home_care",
}

_ANNOTATION_KEYS = {
    RDFS + "label": "label",
    SKOS + "altLabel": "alt",
    SKOS + "definition": "definition",
    HB + "absenceLabel": "absence",
    HB + "sourceSection": "section",
    HB + "sourceExcerpt": "excerpt",
    HB + "externalSource": "external",
    HB + "interpretation": "interpretation",
    HB + "advice": "advice",
    HB + "timing": "timing",
    HB + "recommendsCareAction": "recommends",
    HB + "describedAsCommon": "common",
    HB + "course": "course",
    HB + "ageRelatedFrom": "age_from",
    HB + "maxDaysAfterInjury": "max_days",
    HB + "assignsUrgency": "assigns",
    HB + "urgencyCode": "code",
    HB + "urgencyRank": "rank",
    HB + "question": "question",
    HB + "questionPriority": "priority",
    HB + "textCue": "cue",
    HB + "sourceDisagreement": "disagreement",
    DCTERMS + "title": "title",
    DCTERMS + "publisher": "publisher",
    DCTERMS + "issued": "issued",
    DCTERMS + "type": "kind",
    FOAF + "page": "page",
    DCTERMS + "source": "source",
}


def annotation_rows(statements) -> list[dict]:
    """The annotations the reasoner reads, for every named term: labels and lay synonyms (the annotator's
    lexicon), absence phrases, sources, interpretations, advice, ranking priors, the urgency levels and the
    interview's questions; literals in English or with no language. Each statement once."""
    seen = sorted({(st.s, st.p, st.o) for st in statements if st.p in _ANNOTATION_KEYS
                   and (st.iri or st.lang == "" or st.lang.lower() == "en" or st.lang.lower().startswith("en-"))})
    return [{"term": term, "property": prop, "value": value} for term, prop, value in seen]


def hierarchy_rows(statements) -> list[dict]:
    """Every named subclass and equivalence edge, asserted and inferred: the reasoner's class hierarchy."""
    edges = set()
    for st in statements:
        if st.iri and st.s != st.o:
            if st.p == RDFS + "subClassOf":
                edges.add((st.s, st.o))
            elif st.p == ex.OWL + "equivalentClass":
                edges.add((st.s, st.o))
                edges.add((st.o, st.s))
    return [{"child": child, "parent": parent} for child, parent in sorted(edges)]


class KnowledgeError(RuntimeError):
    """The ontology cannot be compiled into a sound fast path."""


@dataclass
class Term:
    iri: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    absence_labels: list[str] = field(default_factory=list)
    notes: dict = field(default_factory=dict)

    def note(self, key, default=None):
        values = self.notes.get(key)
        return values[0] if values else default


@dataclass
class Level:
    iri: str
    code: str
    rank: int
    label: str


@dataclass
class Rule:
    iri: str
    label: str
    level: Level
    definitions: list  # parsed owl:equivalentClass expressions; empty for a fallback

    @property
    def fallback(self) -> bool:
        return not self.definitions


@dataclass(frozen=True)
class Composition:
    """``result`` is defined as ``kind and (hasLocation some place)``."""

    result: str
    kind: str
    places: tuple[str, ...]


class Knowledge:
    """The compiled ontology; build it with ``Knowledge.load(store)``."""

    def __init__(self, version: str | None):
        self.version = version
        self.terms: dict[str, Term] = {}
        self.ancestors: dict[str, frozenset[str]] = {}
        self.descendants: dict[str, set[str]] = defaultdict(set)
        self.told: dict[str, list] = defaultdict(list)  # class -> told superclass expressions
        self.defined: dict[str, list] = defaultdict(list)  # class -> equivalentClass expressions
        self.functional: set[str] = set()
        self.inverse: dict[str, str] = {}
        self.findings: set[str] = set()
        self.red_flags: set[str] = set()
        self.locations: set[str] = set()
        self.compositions: list[Composition] = []
        self.kinds: set[str] = set()
        self.conditions: list[str] = []
        self.named_conditions: set[str] = set()  # every condition a patient may name (hb:Condition's descendants)
        self.characteristic: dict[str, set[str]] = {}
        self.care: dict[str, set[str]] = {}
        self.cautions: dict[str, set[str]] = {}
        self.applies_when: dict[str, set[str]] = {}  # caution -> the findings that make it hold
        self.flags: set[str] = set()  # red flags and the guidelines' risk factors: supposing one reports nothing
        self.red_flag_questions: list[str] = []  # the red flags the interview asks, in order (interview.py)
        self.rule_findings: list = []  # (finding, data properties beside it) the rules name (interview.py)
        self.levels: dict[str, Level] = {}
        self.rules: dict[str, Rule] = {}

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, store, index=None) -> "Knowledge":
        """The knowledge of the ontology in ``store``. Names, annotations and the named hierarchy come from
        the term index (``index``, the app's own; loaded here when not given), so the app reads them once;
        the axioms the rules are made of are read here."""
        from ..terms import TermIndex

        index = index if index is not None else TermIndex.load(store)
        knowledge = cls(index.version)  # the owl:versionIRI the index read (None for a store without one)
        knowledge._load_annotations(annotation_rows(index.statements))
        knowledge._load_hierarchy(hierarchy_rows(index.statements))
        datatype_properties = knowledge._load_properties(store.select("reasoner-properties"))
        knowledge._load_axioms(ex.Graph(store.select("reasoner-axioms")), datatype_properties)
        knowledge._compile()
        from .lexicon import build as build_lexicon
        from .rules import check_red_flags

        knowledge.lexicon = build_lexicon(knowledge)
        from .interview import red_flag_questions, rule_findings

        knowledge.red_flag_questions = red_flag_questions(knowledge)
        knowledge.rule_findings = rule_findings(knowledge)

        check_red_flags(knowledge)
        return knowledge

    def _load_annotations(self, rows) -> None:
        for row in rows:
            term = self.terms.setdefault(row["term"], Term(row["term"], ""))
            key = _ANNOTATION_KEYS[row["property"]]
            value = row["value"]
            if key == "label":
                if not term.label:
                    term.label = value
                else:
                    term.alt_labels.append(value)
            elif key == "alt":
                term.alt_labels.append(value)
            elif key == "absence":
                term.absence_labels.append(value)
            else:
                term.notes.setdefault(key, []).append(value)
        for term in self.terms.values():
            if not term.label:
                term.label = term.iri.rsplit("/", 1)[-1]
            term.alt_labels.sort()
            term.absence_labels.sort()
            for key in ("excerpt", "external", "interpretation", "recommends"):
                if key in term.notes:
                    term.notes[key].sort()

    def _load_hierarchy(self, rows) -> None:
        parents: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            parents[row["child"]].add(row["parent"])
        for start in list(parents):
            seen, stack = set(), list(parents[start])
            while stack:
                node = stack.pop()
                if node not in seen:
                    seen.add(node)
                    stack.extend(parents.get(node, ()))
            seen.discard(start)
            self.ancestors[start] = frozenset(seen)
            for ancestor in seen:
                self.descendants[ancestor].add(start)

    def _load_properties(self, rows) -> set[str]:
        datatype_properties = set()
        for row in rows:
            if row["type"] == OWL + "DatatypeProperty":
                datatype_properties.add(row["property"])
            if row.get("inverse"):
                self.inverse[row["property"]] = row["inverse"]
            if row.get("functional"):
                self.functional.add(row["property"])
        return datatype_properties

    def _load_axioms(self, graph: ex.Graph, datatype_properties: set[str]) -> None:
        for node, edges in graph.out.items():
            if node.startswith("_:"):
                continue
            for predicate, obj, kind, _ in edges:
                if predicate in (RDFS + "subClassOf", OWL + "equivalentClass") and kind == "bnode":
                    try:
                        expression = ex.parse(graph, obj, datatype_properties)
                    except ex.UnsupportedExpression as exc:
                        expression = ex.Unsupported(obj, str(exc))
                    target = self.told if predicate == RDFS + "subClassOf" else self.defined
                    target[node].append(expression)

    # ------------------------------------------------------------------ compiling
    def _compile(self) -> None:
        self.findings = {FINDING} | self.descendants.get(FINDING, set())
        self.red_flags = {RED_FLAG} | self.descendants.get(RED_FLAG, set())
        self.locations = {BODY_LOCATION} | self.descendants.get(BODY_LOCATION, set())
        for cls, definitions in self.defined.items():
            if cls not in self.findings:
                continue
            for definition in definitions:
                parts = ex.conjuncts(definition)
                kinds = [p.iri for p in parts if isinstance(p, ex.Named)]
                places = [p.filler.iri for p in parts if isinstance(p, ex.Some) and p.property == HAS_LOCATION
                          and isinstance(p.filler, ex.Named) and p.filler.iri in self.locations]
                if len(kinds) == 1 and places and len(kinds) + len(places) == len(parts) and kinds[0] in self.findings:
                    self.compositions.append(Composition(cls, kinds[0], tuple(sorted(places))))
                    self.kinds.add(kinds[0])
        self.compositions.sort(key=lambda c: c.result)

        conditions = {CONDITION} | self.descendants.get(CONDITION, set())
        self.named_conditions = conditions - {CONDITION}
        for cls in sorted(conditions):
            characteristic = self.inherited_fillers(cls, PRESENTS_WITH)
            children = self.descendants.get(cls, set()) & conditions
            if characteristic and not children - self.equivalents(cls):
                self.conditions.append(cls)
                self.characteristic[cls] = characteristic
        care_actions = {CARE_ACTION} | self.descendants.get(CARE_ACTION, set())
        # Care for a condition: its (inherited) managedBy actions, and the actions whose own
        # isCareFor names the condition or an ancestor (not the actions' subclasses, which would
        # make every professional treatment, surgery included, care for a strain).
        care_for = {action: self.told_fillers(action, IS_CARE_FOR) for action in care_actions}
        for cls in conditions:
            actions = set(self.inherited_fillers(cls, MANAGED_BY))
            actions |= {a for a, targets in care_for.items() if any(self.is_a(cls, t) for t in targets)}
            self.care[cls] = actions
        for action in care_actions:
            self.cautions[action] = self.inherited_fillers(action, HAS_CAUTION)
        for caution in {c for cs in self.cautions.values() for c in cs}:
            self.applies_when[caution] = self.inherited_fillers(caution, APPLIES_WHEN)
        self.flags = set(self.red_flags) | ({SERIOUS_CAUSE} | self.descendants.get(SERIOUS_CAUSE, set()))

        for iri, term in self.terms.items():
            if term.note("code") is not None and term.note("rank") is not None:
                self.levels[iri] = Level(iri, term.note("code"), int(term.note("rank")), term.label)
        for iri, term in self.terms.items():
            level = term.note("assigns")
            if level is None:
                continue
            if level not in self.levels:
                raise KnowledgeError(f"rule {iri} assigns {level}, which is not an urgency level with a code and rank")
            definitions = list(self.defined.get(iri, ()))
            for definition in definitions:
                bad = ex.unsupported_parts(definition)
                if bad:
                    raise KnowledgeError(f"rule {iri} has a definition the fast path cannot evaluate: {bad[0].reason}")
            self.rules[iri] = Rule(iri, term.label, self.levels[level], definitions)
        if not self.rules:
            raise KnowledgeError("the ontology has no triage rules (classes with hb:assignsUrgency)")

    # ------------------------------------------------------------------ queries
    def equivalents(self, cls: str) -> set[str]:
        return {a for a in self.ancestors.get(cls, ()) if cls in self.ancestors.get(a, ())}

    def is_a(self, cls: str, ancestor: str) -> bool:
        return cls == ancestor or ancestor in self.ancestors.get(cls, ())

    def inherited_fillers(self, cls: str, prop: str) -> set[str]:
        """Named fillers of ``prop some X`` told on ``cls`` or an ancestor (or via the inverse)."""
        found = set()
        for node in {cls} | set(self.ancestors.get(cls, ())):
            for expression in self.told.get(node, ()):
                for part in ex.conjuncts(expression):
                    if isinstance(part, ex.Some) and part.property == prop and isinstance(part.filler, ex.Named):
                        found.add(part.filler.iri)
        return found

    def told_fillers(self, cls: str, prop: str) -> set[str]:
        """Named fillers of ``prop some X`` told on ``cls`` itself."""
        return {
            part.filler.iri
            for expression in self.told.get(cls, ())
            for part in ex.conjuncts(expression)
            if isinstance(part, ex.Some) and part.property == prop and isinstance(part.filler, ex.Named)
        }

    def label(self, iri) -> str:
        if not isinstance(iri, str):
            return str(iri)
        term = self.terms.get(iri)
        return term.label if term else iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def term(self, iri: str) -> Term:
        return self.terms.get(iri) or Term(iri, self.label(iri))

    def satisfies(self, cls: str, expression) -> bool:
        """Whether every instance of the named class ``cls`` is an instance of ``expression``.

        Named classes use the reasoned hierarchy (exact). Anonymous restrictions are checked
        structurally against the restrictions told on ``cls`` and its ancestors, including the
        parts of their definitions: sound for the existential fragment the ontology uses.
        """
        if isinstance(expression, ex.Named):
            return self.is_a(cls, expression.iri)
        if isinstance(expression, ex.Or):
            return any(self.satisfies(cls, item) for item in expression.items)
        if isinstance(expression, ex.And):
            return all(self.satisfies(cls, item) for item in expression.items)
        if isinstance(expression, ex.Some):
            for node in {cls} | set(self.ancestors.get(cls, ())):
                for told in list(self.told.get(node, ())) + list(self.defined.get(node, ())):
                    for part in ex.conjuncts(told):
                        if (isinstance(part, ex.Some) and part.property == expression.property
                                and isinstance(part.filler, ex.Named)
                                and self.satisfies(part.filler.iri, expression.filler)):
                            return True
            return False
        return False
