"""A term's relations grouped the way a clinician reads them.

One table: each group names the property and direction of the restrictions it collects
(``out``: this term -> other, ``in``: other -> this term), so a property and its inverse
(``canCause`` / ``canBeCausedBy``, ``managedBy`` / ``isCareFor``) land in the same group
whichever side the ontology states them on. Relations no group claims are kept, grouped
by their property's label, so nothing the ontology says is hidden.
"""
from __future__ import annotations

from dataclasses import asdict

from .config import BASE

RED_FLAG = BASE + "RedFlag"

#: key, title, the (property local name, direction) pairs it collects, and an optional filter
GROUPS: list[tuple[str, str, list[tuple[str, str]], str | None]] = [
    ("kind_of", "Kind of", [], "parents"),
    ("kinds", "Kinds", [], "children"),
    ("presents_with", "Presents with", [("presentsWith", "out")], "not_red_flag"),
    ("red_flags", "Red flags", [("presentsWith", "out")], "red_flag"),
    ("seen_in", "Seen in", [("presentsWith", "in")], None),
    ("caused_by", "Caused by", [("canBeCausedBy", "out"), ("canCause", "in")], None),
    ("can_cause", "Can cause", [("canCause", "out"), ("canBeCausedBy", "in")], None),
    ("treated_by", "Treated by", [("managedBy", "out"), ("isCareFor", "in")], None),
    ("treats", "Treats", [("isCareFor", "out"), ("managedBy", "in")], None),
    ("relieves", "Relieves", [("relieves", "out")], None),
    ("relieved_by", "Relieved by", [("relieves", "in")], None),
    ("purpose", "Purpose", [("hasPurpose", "out")], None),
    ("purpose_of", "Purpose of", [("hasPurpose", "in")], None),
    ("cautions", "Cautions", [("hasCaution", "out")], None),
    ("caution_for", "Caution for", [("hasCaution", "in")], None),
    ("followed_by", "Followed by", [("followedBy", "out")], None),
    ("comes_after", "Comes after", [("followedBy", "in")], None),
    ("parts", "Parts", [("hasPart", "out")], None),
    ("part_of", "Part of", [("hasPart", "in")], None),
    ("location", "Location", [("hasLocation", "out")], None),
    ("radiates_from", "Radiates from", [("radiatesFrom", "out")], None),
    ("radiates_to", "Radiates to", [("radiatesTo", "out")], None),
    ("location_of", "Location of", [("hasLocation", "in"), ("radiatesFrom", "in"), ("radiatesTo", "in")], None),
    ("affects", "Affects", [("affects", "out")], None),
    ("affected_by", "Affected by", [("affects", "in")], None),
    ("mechanism", "Mechanism", [("hasMechanism", "out")], None),
    ("mechanism_of", "Mechanism of", [("hasMechanism", "in")], None),
    ("findings", "Findings", [("hasFinding", "out"), ("hasAbsentFinding", "out")], None),
    ("triage_rules", "Triage rules", [("hasFinding", "in"), ("hasAbsentFinding", "in")], None),
    ("urgency", "Urgency", [("hasUrgency", "out")], None),
    ("assigned_by", "Assigned by", [("hasUrgency", "in")], None),
]


def groups(index, term, relations) -> list[dict]:
    """The non-empty groups of ``term``, in table order: ``{"key", "title", "items": [ref, ...]}``."""
    claimed: set[int] = set()
    result = []
    for key, title, pairs, special in GROUPS:
        if special == "parents":
            items = [asdict(index.ref(i)) for i in _by_label(index, index.parents.get(term.iri, ()))]
        elif special == "children":
            items = [asdict(index.ref(i)) for i in _by_label(index, index.children.get(term.iri, ()))]
        else:
            items, seen = [], set()
            for position, relation in enumerate(relations):
                if (_local(relation.property.iri), relation.direction) not in pairs:
                    continue
                red = index.is_a(relation.term.iri, RED_FLAG)
                if (special == "red_flag" and not red) or (special == "not_red_flag" and red):
                    continue
                claimed.add(position)
                if relation.term.iri in seen:
                    continue
                seen.add(relation.term.iri)
                item = asdict(relation.term)
                if relation.inherited_from:
                    item["inherited_from"] = asdict(relation.inherited_from)
                items.append(item)
        if items:
            result.append({"key": key, "title": title, "items": items})
    others: dict[str, dict] = {}
    for position, relation in enumerate(relations):
        if position in claimed:
            continue
        title = relation.property.label if relation.direction == "out" else f"{relation.property.label} (from)"
        key = _local(relation.property.iri) + ("" if relation.direction == "out" else "_in")
        group = others.setdefault(key, {"key": key, "title": title[:1].upper() + title[1:], "items": []})
        group["items"].append(asdict(relation.term))
    return result + list(others.values())


def _local(iri: str) -> str:
    return iri[len(BASE):] if iri.startswith(BASE) else iri


def _by_label(index, iris) -> list[str]:
    return sorted(iris, key=lambda i: index.label(i).lower())
