"""What a query or update may do, decided from its parse tree (service/sparql/guard.py)."""
from __future__ import annotations

import pytest

from hipback.errors import ApiError
from hipback.sparql import guard

ALLOWED = guard.allowlist("https://allowed.example/sparql http://also.example/q")


@pytest.mark.parametrize("query, services", [
    ("SELECT * { SERVICE <http://e.example/s> { ?s ?p ?o } }", ("http://e.example/s",)),
    ("PREFIX e: <http://e.example/> SELECT * { ?s ?p ?o FILTER NOT EXISTS { SERVICE SILENT e:s { ?s ?p ?o } } }", ("http://e.example/s",)),
    ("BASE <http://e.example/> SELECT * { { SELECT ?s { OPTIONAL { SERVICE <s> { ?s ?p ?o } } } } }", ("http://e.example/s",)),
    ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", ("?endpoint",)),
    ("ASK { SERV\\u0049CE <http://e.example/s> { } }", ("http://e.example/s",)),  # a codepoint escape spells SERVICE
    ("SELECT ?service { ?service ?from ?o } # service, from: only names here", ()),
    ("SELECT * { ?s ?p ?o }", ()),
])
def test_services_found_wherever_they_are(query, services):
    assert guard.inspect_query(query, "https://w3id.org/hipback/").services == services


def test_unparsed_fast_path_only_when_no_keyword_can_hide():
    assert guard.inspect_query("SELECT * { ?s ?p ?o }").parsed is False
    assert guard.inspect_query("SELECT * { ?s ?p 'Service' }").parsed is True
    # FROM is read by the engine itself (a query worker's default graph holds the union)
    assert guard.inspect_query("SELECT * { ?s ?p 'From' }").parsed is False
    assert guard.inspect_query("SELECT * { ?s ?p '\\u0041' }").parsed is True


def test_service_refused_unless_allowed():
    with pytest.raises(ApiError) as refused:
        guard.check_query("SELECT * { SERVICE <http://evil.example/> { ?s ?p ?o } }", None, ALLOWED)
    assert refused.value.status == 400 and "http://evil.example/" in refused.value.message
    with pytest.raises(ApiError, match="variable"):
        guard.check_query("SELECT * { SERVICE ?x { ?s ?p ?o } }", None, ALLOWED)
    facts = guard.check_query("SELECT * { SERVICE <https://allowed.example/sparql> { ?s ?p ?o } }", None, ALLOWED)
    assert facts.services == ("https://allowed.example/sparql",)
    with pytest.raises(ApiError):
        guard.check_query("SELECT * { SERVICE <https://allowed.example/sparql> { ?s ?p ?o } }", None, frozenset())


def test_dataset_clauses_are_reported():
    # reported when the text is parsed (it mentions service); the engine reads FROM itself otherwise
    facts = guard.inspect_query("PREFIX g: <http://g.example/> SELECT * FROM g:a FROM <b> FROM NAMED g:c { ?s ?p ?o }"
                                " # no service", "http://base.example/")
    assert facts.has_dataset
    assert facts.from_graphs == ("http://g.example/a", "http://base.example/b")
    assert facts.from_named == ("http://g.example/c",)


def test_syntax_errors_are_400():
    with pytest.raises(ApiError) as error:
        guard.inspect_query("SELECT * FROM { # service")
    assert error.value.status == 400 and "Syntax error" in error.value.message
    with pytest.raises(ApiError, match="prefix 'nope:'"):
        guard.inspect_query("SELECT * { SERVICE nope:x { } }")


@pytest.mark.parametrize("update", [
    "LOAD <http://e.example/data.ttl>",
    "LOAD SILENT <file:///etc/passwd> INTO GRAPH <http://g.example/>",
    "PREFIX e: <http://e.example/> INSERT DATA { e:a e:b e:c } ; LOAD e:data",
])
def test_load_always_refused(update):
    with pytest.raises(ApiError, match="LOAD"):
        guard.check_update(update, None, ALLOWED, protocol_dataset=False)


def test_update_dataset_conflict():
    text = "WITH <http://g.example/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"
    guard.check_update(text, None, ALLOWED, protocol_dataset=False)
    with pytest.raises(ApiError, match="USING"):
        guard.check_update(text, None, ALLOWED, protocol_dataset=True)
    guard.check_update("INSERT DATA { <a> <b> <c> }", "http://b.example/", ALLOWED, protocol_dataset=True)


def test_allowlist_setting():
    assert guard.allowlist("") == frozenset()
    assert guard.allowlist("a, b  c") == {"a", "b", "c"}
