"""The Accept parser and the choice of format, table-driven (service/sparql/negotiation.py)."""
from __future__ import annotations

import pytest

from hipback.sparql import negotiation as n


@pytest.mark.parametrize("header, expected", [
    ("text/csv", [("text", "csv", 1.0)]),
    ("text/csv;q=0.5, */*;q=0.1", [("text", "csv", 0.5), ("*", "*", 0.1)]),
    ("application/json ; q=0 , text/*", [("application", "json", 0.0), ("text", "*", 1.0)]),
    ("TEXT/Turtle;charset=utf-8;q=0.7", [("text", "turtle", 0.7)]),
    ("text/csv;q=abc", [("text", "csv", 0.0)]),
    ("text/csv;q=7", [("text", "csv", 1.0)]),
    ("garbage, */json, text/", []),
    ("", []),
    (None, []),
])
def test_parse_accept(header, expected):
    assert [(r.type, r.subtype, r.q) for r in n.parse_accept(header)] == expected


@pytest.mark.parametrize("accept, table, expected", [
    (None, n.RESULTS, "json"),
    ("*/*", n.RESULTS, "json"),
    ("*/*", n.GRAPH, "turtle"),
    ("text/*", n.RESULTS, "csv"),
    ("text/*;q=0.5, text/tab-separated-values", n.RESULTS, "tsv"),
    ("application/sparql-results+xml;q=0.9, application/sparql-results+json;q=0.8", n.RESULTS, "xml"),
    ("application/json", n.RESULTS, "json"),
    ("application/json", n.GRAPH, "jsonld"),
    ("application/xml", n.GRAPH, "rdfxml"),
    # the most specific range decides: text/csv is refused even though text/* is welcome
    ("text/*, text/csv;q=0", n.RESULTS, "tsv"),
    ("image/png", n.RESULTS, None),
    ("text/csv", n.GRAPH, None),
    ("text/html, */*;q=0.1", n.DESCRIPTION, "html"),
    ("*/*", n.DESCRIPTION, "turtle"),
])
def test_choose(accept, table, expected):
    assert n.choose(accept, table) == expected


@pytest.mark.parametrize("values, expected", [
    ([], None),
    (["json"], ("json", "jsonld")),
    (["CSV"], ("csv", None)),
    (["tsv", "text/tab-separated-values"], ("tsv", None)),
    (["json-ld", "application/ld+json,application/x-json+ld"], (None, "jsonld")),
    (["application/rdf+xml"], (None, "rdfxml")),
    (["yaml", "xml"], ("xml", "rdfxml")),
])
def test_format_parameter(values, expected):
    assert n.from_format(values) == expected


def test_unknown_format_is_not_acceptable():
    with pytest.raises(n.NotAcceptable, match="yaml"):
        n.from_format(["yaml"])


def test_negotiate_refuses_when_no_kind_fits():
    with pytest.raises(n.NotAcceptable):
        n.negotiate("image/png", [])
    assert n.negotiate("text/csv", []) == n.Choice("csv", None)
    assert n.negotiate("image/png", ["turtle"]) == n.Choice(None, "turtle")


def test_every_format_has_a_content_type():
    for key in set(n.RESULTS.values()) | set(n.GRAPH.values()) | set(n.DESCRIPTION.values()):
        assert key in n.CONTENT_TYPES
