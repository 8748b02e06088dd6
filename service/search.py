"""Search and autocomplete over the terms' labels, synonyms and codes.

Forgiving of case, accents, punctuation, word order, plurals and small typos. A query is
scored against every name of a term (label, synonyms, CURIE, local name) and against its
codes; the term keeps its best score:

====  ==============================================================
100   the query is the label (95: a synonym; 90: a code, exact match; 85: a closer match)
 90   the same words in another order (85 for a synonym)
 75   every query word is in the name (the last may be a prefix)
 60   every query word is in the name, allowing small typos
 <40  some of the query words are in the name
====  ==============================================================

Words are compared after dropping stopwords ("a", "of", "in", ...) and plural endings; a name
that also matches with the stopwords kept gets one point more ("pulled muscle" prefers the
synonym "pulled muscle" to "pulled a muscle"). Ties go to the shorter name, then the label. A typo is one edit for words of 4-7 letters,
two for longer words; short words must match exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import codes as codesys
from .text import words as words_of

STOPWORDS = frozenset("a an and the of in on to for with my your or at by from into is".split())
_CODE_PREFIX = re.compile(r"^(icd-?10-?cm|icd10|icd|hpo|hp|mesh|msh)[:_ ]\s*", re.I)


def normalise(text: str) -> str:
    return words_of(text)


def stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    return [stem(w) for w in normalise(text).split() if w not in STOPWORDS] or [stem(w) for w in normalise(text).split()]


def within(a: str, b: str, limit: int) -> bool:
    """Whether the edit distance between ``a`` and ``b`` is at most ``limit`` (with transpositions)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return False
        previous2, previous = previous, current
    return previous[-1] <= limit


def allowed_typos(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


@dataclass(frozen=True)
class Name:
    iri: str
    text: str
    field: str  # label, synonym, curie, code
    norm: str
    words: tuple[str, ...]
    wordset: frozenset[str]
    literal: str  # normalised, stopwords kept: "pulled a muscle" is not quite "pulled muscle"


@dataclass(frozen=True)
class Hit:
    iri: str
    score: float
    field: str
    text: str


class SearchIndex:
    """Names of the searchable terms (classes and individuals), built once from a TermIndex."""

    def __init__(self, index, kinds=("class", "individual")):
        self.index = index
        self.names: list[Name] = []
        self.vocabulary: set[str] = set()
        self.by_word: dict[str, list[int]] = {}
        self._near_cache: dict[str, frozenset[str]] = {}
        for term in index.terms.values():
            if term.kind not in kinds:
                continue
            self._add(term.iri, term.label, "label")
            for synonym in term.synonyms:
                self._add(term.iri, synonym, "synonym")
            self._add(term.iri, term.curie, "curie")
        self.codes: dict[str, list[tuple[str, object]]] = {}
        for (system, code), pairs in index.codes_by_key.items():
            for iri, entry in pairs:
                self.codes.setdefault(_code_key(code), []).append((iri, entry))

    def _add(self, iri: str, text: str, field: str) -> None:
        parts = words(text)
        self.names.append(Name(iri, text, field, " ".join(parts), tuple(parts), frozenset(parts), normalise(text)))
        self.vocabulary.update(parts)
        for part in parts:
            self.by_word.setdefault(part, []).append(len(self.names) - 1)

    # -- search -------------------------------------------------------------------------------

    def search(self, query: str) -> list[Hit]:
        """Every term that matches, best first."""
        best: dict[str, Hit] = {}
        for hit in self._code_hits(query):
            _keep(best, hit)
        qwords = words(query)
        if qwords:
            qnorm = " ".join(qwords)
            literal = normalise(query)
            near = [self._near(w) for w in qwords]
            last = qwords[-1]
            prefixed = {v for v in self.vocabulary if v.startswith(last)}
            vocabulary = set(qwords).union(prefixed, *near)
            candidates = {i for word in vocabulary for i in self.by_word.get(word, ())}
            for name in (self.names[i] for i in candidates):
                score = self._score(qnorm, qwords, near, prefixed, name)
                if score > 0:
                    score += 1 if name.literal == literal else 0
                    _keep(best, Hit(name.iri, score - len(name.norm) / 1000, name.field, name.text))
        return sorted(best.values(), key=lambda h: (-h.score, self.index.label(h.iri).lower(), h.iri))

    def _near(self, word: str) -> frozenset[str]:
        """The words of the vocabulary within the typos ``word`` is allowed (cached per word)."""
        found = self._near_cache.get(word)
        if found is None:
            limit = allowed_typos(word)
            found = frozenset(v for v in self.vocabulary if v != word and limit and within(word, v, limit))
            if len(self._near_cache) < 10000:
                self._near_cache[word] = found
        return found

    def _code_hits(self, query: str) -> list[Hit]:
        key = _code_key(query)
        if not key or not any(ch.isdigit() for ch in key):
            return []
        hits = []
        for iri, entry in self.codes.get(key, []):
            hits.append(Hit(iri, 90 - (0 if entry.relation == "exactMatch" else 5), "code", entry.curie))
        if not hits and len(key) >= 3:
            for code_key, pairs in self.codes.items():
                if code_key.startswith(key):
                    hits += [Hit(iri, 50 - len(code_key) / 100, "code", e.curie) for iri, e in pairs]
        return hits

    @staticmethod
    def _score(qnorm: str, qwords: list[str], near: list[frozenset], prefixed: set, name: Name) -> float:
        synonym = 0 if name.field == "label" else 5
        if qnorm == name.norm:
            return 100 - synonym
        names = name.wordset
        if len(qwords) == len(name.words) and sorted(qwords) == sorted(name.words):
            return 90 - synonym
        last = len(qwords) - 1
        exact = [w in names or (i == last and not names.isdisjoint(prefixed)) for i, w in enumerate(qwords)]
        coverage = 10 * len(qwords) / max(len(name.words), 1)
        if all(exact):
            return 75 - synonym + coverage
        fuzzy = [e or not names.isdisjoint(n) for e, n in zip(exact, near)]
        if all(fuzzy):
            return 60 - synonym + coverage
        matched = sum(fuzzy)
        if matched:
            return 30 * matched / len(qwords) * matched / max(len(name.words), 1) + 1
        return 0

    # -- autocomplete -------------------------------------------------------------------------

    def autocomplete(self, prefix: str) -> list[Hit]:
        """Terms with a name that starts with ``prefix`` (or whose words do), best first."""
        norm = normalise(prefix)
        if not norm:
            return []
        qwords = norm.split()
        best: dict[str, Hit] = {}
        for name in self.names:
            text = normalise(name.text)
            if text.startswith(norm):
                score = 100 - (5 if name.field != "label" else 0)
            else:
                tokens = text.split()
                if not all(any(t.startswith(w) for t in tokens) for w in qwords):
                    continue
                score = 70 - (5 if name.field != "label" else 0)
            _keep(best, Hit(name.iri, score - len(text) / 1000, name.field, name.text))
        key = _code_key(prefix)
        if key and any(ch.isdigit() for ch in key):
            for code_key, pairs in self.codes.items():
                if code_key.startswith(key):
                    for iri, entry in pairs:
                        _keep(best, Hit(iri, 95 - len(code_key) / 1000, "code", entry.curie))
        return sorted(best.values(), key=lambda h: (-h.score, self.index.label(h.iri).lower(), h.iri))


def _keep(best: dict[str, Hit], hit: Hit) -> None:
    """The best hit per term; among equal scores the first name in a fixed order, whatever the store's order."""
    kept = best.get(hit.iri)
    if kept is None or (hit.score, kept.field, kept.text) > (kept.score, hit.field, hit.text):
        best[hit.iri] = hit


def _code_key(text: str) -> str:
    """A code reduced to compare: system prefix, case, dots and separators dropped."""
    text = (text or "").strip()
    text = _CODE_PREFIX.sub("", text)
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def parse_code(text: str, system: str | None = None) -> tuple[str, str] | None:
    """(system, code) for ``ICD10CM:M51.26``, ``HP:0003419``, ``MESH:D007405``, or a bare code with
    ``system``; None when it is not a well-formed code of a known system."""
    text = (text or "").strip()
    if system is None and ":" in text:
        head, _, rest = text.partition(":")
        system = resolve_system(head)
        if system is None:
            return None
        text = rest.strip() if system != codesys.HP else "HP:" + rest.strip()
    elif system is not None:
        system = resolve_system(system)
        if system is None:
            return None
        if system == codesys.HP and not text.upper().startswith("HP:"):
            text = "HP:" + text.replace("HP_", "")
    else:
        if codesys.is_well_formed(codesys.MESH, text.upper()):
            system = codesys.MESH
        elif codesys.is_well_formed(codesys.ICD10CM, _with_dot(codesys.ICD10CM, text.upper())):
            system = codesys.ICD10CM
        else:
            return None
    text = text.upper()
    text = _with_dot(system, text)
    return (system, text) if codesys.is_well_formed(system, text) else None


def _with_dot(system: str, text: str) -> str:
    """ICD-10-CM codes are written with a dot after the category: M5126 -> M51.26."""
    if system == codesys.ICD10CM and "." not in text and len(text) > 3:
        return text[:3] + "." + text[3:]
    return text


SYSTEM_ALIASES = {
    "icd10cm": codesys.ICD10CM, "icd10": codesys.ICD10CM, "icd": codesys.ICD10CM,
    "hp": codesys.HP, "hpo": codesys.HP,
    "mesh": codesys.MESH, "msh": codesys.MESH,
}

#: the code system URIs FHIR uses for each system (HL7 Terminology)
FHIR_SYSTEMS = {
    codesys.ICD10CM: "http://hl7.org/fhir/sid/icd-10-cm",
    codesys.HP: "http://human-phenotype-ontology.org",
    codesys.MESH: "http://www.nlm.nih.gov/research/umls/mesh",
}
FHIR_SYSTEMS_BY_URL = {url: system for system, url in FHIR_SYSTEMS.items()}


def resolve_system(name: str) -> str | None:
    """ICD10CM, HP or MESH for a system's name (``icd-10-cm``, ``hpo``, ``MeSH``) or FHIR URI."""
    name = (name or "").strip()
    return FHIR_SYSTEMS_BY_URL.get(name) or SYSTEM_ALIASES.get(name.lower().replace("-", "").replace("_", ""))
