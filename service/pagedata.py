"""The data of each page, as JSON-ready dicts built from the term index (no Flask).

The pages render these dicts as HTML, and serve them unchanged as the page's JSON, so
what a person reads and what a program reads are the same facts.
"""
from __future__ import annotations

from dataclasses import asdict

from .config import BASE
from .terms import TermIndex, source_json

RED_FLAG = BASE + "RedFlag"
CONDITION = BASE + "Condition"
PRESENTS_WITH = BASE + "presentsWith"
ADVICE = BASE + "advice"
SOURCE_ARTICLE = BASE + "SourceArticle"
RED_FLAG_RULE = BASE + "RedFlagCase"
from .vocab import DCTERMS

#: upper class -> the kind a node of the relationship graph is drawn as (first match wins)
NODE_KINDS = [
    (RED_FLAG, "red_flag"),
    (CONDITION, "condition"),
    (BASE + "Finding", "finding"),
    (BASE + "CareAction", "care"),
    (BASE + "Caution", "care"),
    (BASE + "CareGoal", "care"),
    (BASE + "BodyLocation", "location"),
    (BASE + "AnatomicalStructure", "location"),
    (BASE + "Mechanism", "mechanism"),
    (BASE + "PatientCase", "rule"),
]
URGENCY_LEVEL = BASE + "UrgencyLevel"
GRAPH_LIMIT = 80


def page_url(iri: str) -> str:
    """The HTML page of a term of the namespace, else the IRI itself."""
    return f"/term/{iri[len(BASE):]}.html" if iri.startswith(BASE) else iri


def card(index: TermIndex, iri: str) -> dict:
    term = index.terms[iri]
    return {
        "iri": term.iri,
        "curie": term.curie,
        "label": term.label,
        "definition": term.definition,
        "synonyms": list(term.synonyms),
        "page": page_url(term.iri),
    }


def _sorted(index: TermIndex, iris) -> list[str]:
    return sorted((i for i in iris if i in index.terms and not index.terms[i].deprecated),
                  key=lambda i: index.label(i).lower())


def _source(index: TermIndex, iri: str) -> dict:
    return source_json(index.source(index.terms[iri]))


def _advice(index: TermIndex, iri: str) -> list[str]:
    """The term's own advice, else the nearest ancestor's (the red flag class says what to do for all)."""
    for candidate in [iri, *index.ancestors(iri)]:
        term = index.terms.get(candidate)
        if term and term.annotations.get(ADVICE):
            return list(term.annotations[ADVICE])
    return []


def article(index: TermIndex) -> dict:
    term = index.terms.get(SOURCE_ARTICLE)
    if term is None:
        return {}
    notes = term.annotations
    return {
        "iri": term.iri,
        "title": (notes.get(DCTERMS + "title") or [term.label])[0],
        "publisher": (notes.get(DCTERMS + "publisher") or [None])[0],
        "description": term.definition,
    }


def home(index: TermIndex) -> dict:
    conditions = [card(index, i) for i in _sorted(index, index.descendants(CONDITION))]
    red_flags = [card(index, i) for i in _sorted(index, index.children.get(RED_FLAG, ()))]
    groups, others = [], []
    for iri in _sorted(index, index.children.get(CONDITION, ())):
        members = _sorted(index, index.children.get(iri, ()))
        if not members:
            others.append(card(index, iri))
            continue
        groups.append({**card(index, iri), "members": [
            {**card(index, m), "kinds": [card(index, k) for k in _sorted(index, index.children.get(m, ()))]}
            for m in members]})
    groups.sort(key=lambda g: -len(g["members"]))
    if others:
        groups.append({"iri": None, "label": "Other conditions", "definition": None, "page": None, "members": others})
    return {
        "ok": True,
        "title": "Hip and lower back pain",
        "conditions": conditions,
        "condition_groups": groups,
        "red_flags": red_flags,
        "counts": {name: len(index.members(name)) for name in ("conditions", "findings", "red-flags", "treatments")},
        "source": article(index),
        "ontology": {"iri": index.ontology_iri, "version": index.version},
    }


def red_flags(index: TermIndex) -> dict:
    """Each red flag (the direct kinds of hb:RedFlag): why it matters, what to do, its source."""
    items = []
    for iri in _sorted(index, index.children.get(RED_FLAG, ())):
        term = index.terms[iri]
        points_to = [asdict(index.ref(p)) for p in _sorted(index, (
            s for p, s, _v in index.into.get(iri, []) if p == PRESENTS_WITH))]
        items.append({
            **card(index, iri),
            "why": term.definition,
            "points_to": points_to,
            "what_to_do": _advice(index, iri),
            "kinds": [card(index, k) for k in _sorted(index, index.descendants(iri))],
            "source": _source(index, iri),
        })
    rule = index.terms.get(RED_FLAG_RULE)
    return {
        "ok": True,
        "title": "Red flags",
        "about": card(index, RED_FLAG) if RED_FLAG in index.terms else None,
        "what_to_do": _advice(index, RED_FLAG),
        "rule": ({**card(index, RED_FLAG_RULE), "source": _source(index, RED_FLAG_RULE)} if rule else None),
        "red_flags": items,
    }


def conditions(index: TermIndex) -> list[dict]:
    return [{"iri": i, "id": index.terms[i].local_name, "label": index.label(i)}
            for i in _sorted(index, index.descendants(CONDITION))]


def findings_of(index: TermIndex, iri: str) -> list[str]:
    """What a condition presents with: its own and inherited presentsWith restrictions."""
    return [t for p, t, _v, _f in index.relations_out(iri) if p == PRESENTS_WITH]


def compare(index: TermIndex, iris: list[str]) -> dict:
    """Conditions side by side: the findings they all share, and those only some of them have."""
    from .groups import groups

    found = {iri: set(findings_of(index, iri)) for iri in iris}
    shared = set.intersection(*found.values()) if found else set()
    columns = []
    for iri in iris:
        term = index.terms[iri]
        relation_groups = [g for g in groups(index, term, index.relations(iri))
                           if g["key"] not in ("presents_with", "red_flags", "kinds")]
        others = set().union(*(f for other, f in found.items() if other != iri)) if len(iris) > 1 else set()
        columns.append({
            **card(index, iri),
            "findings": [_finding(index, f) for f in _sorted(index, found[iri])],
            "distinguishing": [{**_finding(index, f), "related": _related(index, f, iri, found)}
                               for f in _sorted(index, found[iri] - others)],
            "groups": relation_groups,
            "source": _source(index, iri),
        })
    every = set().union(*found.values()) if found else set()
    matrix = [{**_finding(index, f), "present": [f in found[iri] for iri in iris]} for f in _sorted(index, every)]
    matrix.sort(key=lambda row: -sum(row["present"]))
    return {
        "ok": True,
        "title": "Compare conditions",
        "matrix": matrix,
        "compared": [asdict(index.ref(i)) for i in iris],
        "shared": [_finding(index, f) for f in _sorted(index, shared)],
        "columns": columns,
        "conditions": conditions(index),
    }


def _related(index: TermIndex, finding: str, condition: str, found: dict[str, set[str]]) -> list[dict]:
    """Where another compared condition has a broader or narrower kind of this finding (a distinguishing
    finding may still overlap: pain radiating into the hips is a kind of low back pain)."""
    related = []
    for other, findings in found.items():
        if other == condition:
            continue
        for candidate in _sorted(index, findings):
            if candidate == finding:
                continue
            if index.is_a(finding, candidate):
                related.append({**_finding(index, candidate), "relation": "broader", "condition": asdict(index.ref(other))})
            elif index.is_a(candidate, finding):
                related.append({**_finding(index, candidate), "relation": "narrower", "condition": asdict(index.ref(other))})
    return related


def _finding(index: TermIndex, iri: str) -> dict:
    return {**asdict(index.ref(iri)), "page": page_url(iri), "red_flag": index.is_a(iri, RED_FLAG)}


def node_kind(index: TermIndex, iri: str) -> str:
    for upper, kind in NODE_KINDS:
        if index.is_a(iri, upper):
            return kind
    term = index.terms.get(iri)
    if term is not None and URGENCY_LEVEL in term.types:
        return "urgency"
    return "other"


def graph(index: TermIndex, iri: str) -> dict:
    """The relationship graph around a term, as Cytoscape elements: the term, its parents and children,
    and the terms its own restrictions link it to in both directions, with edges labelled by property."""
    nodes: dict[str, dict] = {}
    edges: dict[tuple[str, str, str], dict] = {}

    def node(target: str) -> bool:
        if target not in index.terms:
            return False
        if target not in nodes:
            if len(nodes) >= GRAPH_LIMIT:
                return False
            nodes[target] = {"data": {
                "id": target, "label": index.label(target), "kind": node_kind(index, target),
                "page": page_url(target), "center": target == iri,
            }}
        return True

    def edge(source: str, target: str, label: str, kind: str) -> None:
        if node(source) and node(target):
            key = (source, target, label)
            edges.setdefault(key, {"data": {
                "id": f"e{len(edges)}", "source": source, "target": target, "label": label, "kind": kind}})

    node(iri)
    for parent in _sorted(index, index.parents.get(iri, ())):
        edge(iri, parent, "kind of", "hierarchy")
    for p, target, _v in index.out.get(iri, []):
        edge(iri, target, index.label(p), "relation")
    for p, source, _v in index.into.get(iri, []):
        edge(source, iri, index.label(p), "relation")
    for child in _sorted(index, index.children.get(iri, ())):
        edge(child, iri, "kind of", "hierarchy")
    return {
        "ok": True,
        "term": {**asdict(index.ref(iri)), "page": page_url(iri)},
        "nodes": list(nodes.values()),
        "edges": list(edges.values()),
        "truncated": len(nodes) >= GRAPH_LIMIT,
    }


def triage_form(index: TermIndex, picked: list[str], denied: list[str] = ()) -> dict:
    """The findings the triage form offers as checkboxes: the red flags (with their kinds), then the rest.
    ``picked`` are the form's ``finding`` values (IRIs from the checkboxes, or words typed without
    JavaScript); values that name no finding are kept as ``extra`` so the case survives a round trip.
    ``denied`` are the ``absent`` values: findings the person says they do not have."""
    chosen, extra = set(), []
    for value in picked:
        term = index.resolve(value)
        if term is not None and index.is_a(term.iri, BASE + "Finding"):
            chosen.add(term.iri)
        elif value.strip() and value not in extra:
            extra.append(value)

    def option(iri: str) -> dict:
        return {"iri": iri, "label": index.label(iri), "checked": iri in chosen,
                "synonyms": index.terms[iri].synonyms[:4]}

    flags = _sorted(index, index.children.get(RED_FLAG, ()))
    flagged = set(index.descendants(RED_FLAG))
    red = [{**option(i), "kinds": [option(k) for k in _sorted(index, index.descendants(i))]} for i in flags]
    other = [option(i) for i in _sorted(index, index.descendants(BASE + "Finding"))
             if i not in flagged and i != RED_FLAG]
    absent = []
    for value in denied:
        term = index.resolve(value)
        item = {"value": term.iri, "label": term.label} if term is not None else {"value": value, "label": value}
        if value.strip() and item not in absent:
            absent.append(item)
    return {"red_flags": red, "other": other, "extra": extra, "absent": absent}


def cautions(result: dict) -> list[dict]:
    """The cautions of a triage answer's recommendations, each once, with the care actions it applies to."""
    found: dict[str, dict] = {}
    for recommendation in result.get("recommendations", []):
        for caution in recommendation.get("cautions", []):
            entry = found.setdefault(caution["iri"], {**caution, "applies_to": []})
            entry["applies_to"].append({"iri": recommendation["iri"], "label": recommendation["label"]})
    return list(found.values())


def sources(index: TermIndex, rows: list[dict]) -> dict:
    """Every source document with its citation and what rests on it (``queries/app/sources.rq`` rows)."""
    documents: dict[str, dict] = {}
    for row in rows:
        iri = row["source"]
        doc = documents.setdefault(iri, {
            "iri": iri, "page": page_url(iri), "title": row.get("title") or index.label(iri),
            "publisher": row.get("publisher"), "year": row.get("issued"), "url": row.get("page"),
            "kind": row.get("kind") or ("the primary source" if iri.endswith("/SourceArticle") else None),
            "about": row.get("definition"), "primary": iri.endswith("/SourceArticle"), "terms": [], "statements": [],
        })
        fact = row.get("fact")
        if not fact:
            continue
        if row.get("property"):
            entry = {"term": card(index, fact) if fact in index.terms else {"iri": fact, "label": index.label(fact)},
                     "property": row["property"], "value": row.get("value")}
            if entry not in doc["statements"]:
                doc["statements"].append(entry)
        elif fact in index.terms and all(t["iri"] != fact for t in doc["terms"]):
            doc["terms"].append(card(index, fact))
    items = sorted(documents.values(), key=lambda d: (not d["primary"], d["title"].lower()))
    for doc in items:
        doc["terms"].sort(key=lambda t: t["label"].lower())
        doc["counts"] = {"terms": len(doc["terms"]), "statements": len(doc["statements"])}
    return {"ok": True, "title": "Sources", "count": len(items), "sources": items}
