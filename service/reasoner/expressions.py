"""OWL class expressions, parsed from the ontology's RDF and evaluated without a reasoner.

The parser reads the structures the ontology uses (intersections, unions, complements,
someValuesFrom / hasValue restrictions on object and datatype properties, datatype restrictions
with XSD facets) and refuses anything else with ``UnsupportedExpression``: a rule the fast path
cannot evaluate exactly must stop the service at start, never be skipped.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..vocab import OWL, RDF, XSD
RDF_NIL = RDF + "nil"


class UnsupportedExpression(ValueError):
    """A class expression the fast path cannot evaluate."""


@dataclass(frozen=True)
class Named:
    iri: str


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class OneOf:
    individuals: tuple


@dataclass(frozen=True)
class Unsupported:
    """A structure the parser does not read; fatal only where a rule needs it."""

    node: str
    reason: str


@dataclass(frozen=True)
class Some:
    """ObjectSomeValuesFrom(property, filler)."""

    property: str
    filler: object


@dataclass(frozen=True)
class HasValue:
    """ObjectHasValue / DataHasValue; ``value`` is an IRI string or a Python literal."""

    property: str
    value: object


@dataclass(frozen=True)
class DataRange:
    datatype: str
    facets: tuple  # ((facet local name, value), ...)

    def contains(self, value) -> bool:
        if value is None or isinstance(value, bool) != (self.datatype == XSD + "boolean"):
            return False
        for facet, bound in self.facets:
            if facet == "minInclusive" and not value >= bound:
                return False
            if facet == "maxInclusive" and not value <= bound:
                return False
            if facet == "minExclusive" and not value > bound:
                return False
            if facet == "maxExclusive" and not value < bound:
                return False
        return True

    def describe(self) -> str:
        symbols = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}
        parts = [f"{symbols[f]} {v}" for f, v in self.facets]
        return " and ".join(parts) if parts else "any value"


@dataclass(frozen=True)
class DataSome:
    """DataSomeValuesFrom(property, range)."""

    property: str
    range: DataRange


_FACETS = {"minInclusive", "maxInclusive", "minExclusive", "maxExclusive"}


def literal_value(text: str, datatype: str | None):
    """A Python value for an RDF literal (integers, decimals, booleans; strings otherwise)."""
    if datatype in (XSD + "boolean",):
        return text.strip().lower() in ("true", "1")
    if datatype and datatype.startswith(XSD) and datatype[len(XSD):] in (
        "integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger", "byte",
        "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    ):
        return int(text)
    if datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
        try:
            return Decimal(text)
        except InvalidOperation:
            return text
    return text


class Graph:
    """The blank-node structures from ``reasoner-axioms.rq``: node -> [(predicate, object, kind, datatype)]."""

    def __init__(self, rows):
        self.out: dict[str, list[tuple]] = {}
        for row in rows:
            subject = ("_:" if row["sKind"] == "bnode" else "") + row["s"]
            obj = ("_:" if row["oKind"] == "bnode" else "") + row["o"]
            self.out.setdefault(subject, []).append((row["p"], obj, row["oKind"], row.get("datatype")))

    def objects(self, node: str, predicate: str) -> list[tuple]:
        return [(o, k, d) for p, o, k, d in self.out.get(node, ()) if p == predicate]

    def one(self, node: str, predicate: str):
        found = self.objects(node, predicate)
        return found[0] if found else None

    def items(self, node: str) -> list[tuple]:
        """The members of an RDF list."""
        result, seen = [], set()
        while node != RDF_NIL and node not in seen:
            seen.add(node)
            first = self.one(node, RDF + "first")
            if first is None:
                break
            result.append(first)
            rest = self.one(node, RDF + "rest")
            node = rest[0] if rest else RDF_NIL
        return result


def parse(graph: Graph, node: str, datatype_properties: set[str]):
    """The expression at ``node`` (an IRI or ``_:`` blank node id)."""
    if not node.startswith("_:"):
        return Named(node)
    for key, kind in ((OWL + "intersectionOf", And), (OWL + "unionOf", Or)):
        members = graph.one(node, key)
        if members:
            return kind(tuple(parse(graph, m, datatype_properties) for m, _, _ in graph.items(members[0])))
    one_of = graph.one(node, OWL + "oneOf")
    if one_of:
        return OneOf(tuple(m for m, _, _ in graph.items(one_of[0])))
    complement = graph.one(node, OWL + "complementOf")
    if complement:
        return Not(parse(graph, complement[0], datatype_properties))
    prop = graph.one(node, OWL + "onProperty")
    if prop:
        prop = prop[0]
        some = graph.one(node, OWL + "someValuesFrom")
        if some:
            if prop in datatype_properties:
                return DataSome(prop, parse_range(graph, some[0]))
            return Some(prop, parse(graph, some[0], datatype_properties))
        value = graph.one(node, OWL + "hasValue")
        if value:
            obj, kind, datatype = value
            return HasValue(prop, obj if kind == "iri" else literal_value(obj, datatype))
    return Unsupported(node, f"unsupported class expression: {graph.out.get(node)}")


def parse_range(graph: Graph, node: str) -> DataRange:
    if not node.startswith("_:"):
        return DataRange(node, ())
    datatype = graph.one(node, OWL + "onDatatype")
    restrictions = graph.one(node, OWL + "withRestrictions")
    if not datatype:
        raise UnsupportedExpression(f"unsupported data range at {node}: {graph.out.get(node)}")
    facets = []
    for member, _, _ in graph.items(restrictions[0]) if restrictions else []:
        for predicate, obj, kind, dtype in graph.out.get(member, ()):
            name = predicate[len(XSD):] if predicate.startswith(XSD) else predicate
            if name not in _FACETS:
                raise UnsupportedExpression(f"unsupported facet {predicate}")
            facets.append((name, literal_value(obj, dtype)))
    return DataRange(datatype[0], tuple(facets))


def conjuncts(expression) -> list:
    """The top-level parts of an intersection (the expression itself otherwise)."""
    if isinstance(expression, And):
        result = []
        for item in expression.items:
            result.extend(conjuncts(item))
        return result
    return [expression]


def describe(expression, label) -> str:
    """A short human reading of an expression; ``label(iri)`` names terms."""
    if isinstance(expression, Named):
        return label(expression.iri)
    if isinstance(expression, And):
        return " and ".join(describe(i, label) for i in expression.items)
    if isinstance(expression, Or):
        return "(" + " or ".join(describe(i, label) for i in expression.items) + ")"
    if isinstance(expression, Not):
        return "not " + describe(expression.item, label)
    if isinstance(expression, Some):
        return f"{label(expression.property)} some {describe(expression.filler, label)}"
    if isinstance(expression, HasValue):
        value = label(expression.value) if isinstance(expression.value, str) else str(expression.value).lower()
        return f"{label(expression.property)} = {value}"
    if isinstance(expression, DataSome):
        return f"{label(expression.property)} {expression.range.describe()}"
    return repr(expression)


def unsupported_parts(expression) -> list:
    """The ``Unsupported`` nodes inside an expression (also refuses OneOf, which rules cannot use)."""
    if isinstance(expression, (Unsupported, OneOf)):
        return [expression if isinstance(expression, Unsupported) else Unsupported("oneOf", "oneOf in a rule")]
    if isinstance(expression, (And, Or)):
        return [bad for item in expression.items for bad in unsupported_parts(item)]
    if isinstance(expression, Not):
        return unsupported_parts(expression.item)
    if isinstance(expression, Some):
        return unsupported_parts(expression.filler)
    return []
