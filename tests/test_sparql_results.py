"""The SPARQL results writers (service/sparql/results.py), read back by parsers that are not ours.

JSON, XML and TSV go through pyoxigraph's results parser and the standard library's JSON and
XML readers; CSV through the csv module. Terms come from hypothesis: any text (quotes, commas,
line ends, tabs, backslashes, non-ASCII), languages, datatypes, blank nodes, triple terms and
unbound values. The caps are checked on the bytes actually written.
"""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from hypothesis import given, settings, strategies as st

from hipback.sparql import results
from hipback.sparql.execute import Job, run

XSD = "http://www.w3.org/2001/XMLSchema#"
#: text XML 1.0 can carry (the XML writer refuses the rest: test_hardening.py)
xml_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"
                                 + "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r")), max_size=12)
iri = st.from_regex(r"\Ahttp://example\.org/[a-z0-9é_/-]{0,10}(#[a-z]{0,3})?\Z")
named = iri.map(ox.NamedNode)
blank = st.from_regex(r"\A[a-z][a-z0-9]{0,6}\Z").map(ox.BlankNode)
literal = st.one_of(
    xml_text.map(ox.Literal),
    st.tuples(xml_text, st.sampled_from(["en", "en-gb", "fr"])).map(lambda v: ox.Literal(v[0], language=v[1])),
    st.tuples(xml_text, st.sampled_from([XSD + "integer", XSD + "date", "http://example.org/type"]))
      .map(lambda v: ox.Literal(v[0], datatype=ox.NamedNode(v[1]))),
)
plain_term = st.one_of(named, blank, literal)
term = st.one_of(plain_term, st.tuples(named, named, plain_term).map(lambda t: ox.Triple(*t)))


@st.composite
def answers(draw, terms=term):
    variables = draw(st.lists(st.from_regex(r"\A[a-z][a-z0-9_]{0,5}\Z"), min_size=1, max_size=4, unique=True))
    rows = draw(st.lists(st.tuples(*[st.one_of(st.none(), terms) for _ in variables]), max_size=5))
    return variables, rows


def write(fmt: str, variables: list[str], rows) -> bytes:
    """A whole answer as the service writes one (execute.solutions_outcome, execute.boolean_outcome)."""
    writer = results.WRITERS[fmt]
    if isinstance(rows, bool):
        return writer.boolean(rows).encode()
    out = writer(variables)
    return (out.head() + "".join(out.row(row) for row in rows) + out.tail()).encode()


def parsed(body: bytes, fmt: ox.QueryResultsFormat):
    answer = ox.parse_query_results(body, format=fmt)
    return [v.value for v in answer.variables], [tuple(solution[v] for v in answer.variables) for solution in answer]


@settings(max_examples=300, deadline=None)
@given(answers())
def test_json_xml_and_tsv_read_back_as_the_same_terms(answer):
    variables, rows = answer
    for name, fmt in (("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
                      ("tsv", ox.QueryResultsFormat.TSV)):
        assert parsed(write(name, variables, rows), fmt) == (variables, rows), name


@settings(max_examples=200, deadline=None)
@given(answers())
def test_json_is_what_the_standard_library_reads_and_xml_is_well_formed(answer):
    variables, rows = answer
    document = json.loads(write("json", variables, rows))
    assert document["head"]["vars"] == variables and len(document["results"]["bindings"]) == len(rows)
    for binding, row in zip(document["results"]["bindings"], rows):
        assert set(binding) == {v for v, t in zip(variables, row) if t is not None}
    root = ET.fromstring(write("xml", variables, rows))
    assert len(root.findall("{http://www.w3.org/2005/sparql-results#}results/*")) == len(rows)


@settings(max_examples=300, deadline=None)
@given(answers(terms=plain_term))
def test_csv_reads_back_as_the_values(answer):
    variables, rows = answer
    read = list(csv.reader(io.StringIO(write("csv", variables, rows).decode(), newline="")))
    assert read[0] == variables
    expected = [["" if t is None else ("_:" + t.value if isinstance(t, ox.BlankNode) else t.value) for t in row]
                for row in rows]
    assert read[1:] == expected


@pytest.mark.parametrize("fmt, name", [(ox.QueryResultsFormat.JSON, "json"), (ox.QueryResultsFormat.XML, "xml"),
                                       (ox.QueryResultsFormat.TSV, "tsv")])
def test_a_literal_keeps_its_base_direction(fmt, name):
    store = ox.Store()
    term = next(iter(store.query('SELECT ?l WHERE { BIND(STRLANGDIR("abc", "ar", "rtl") AS ?l) }')))["l"]
    assert str(term.direction) == "rtl"
    assert parsed(write(name, ["l"], [(term,)]), fmt) == (["l"], [(term,)])


@pytest.mark.parametrize("value", [True, False])
def test_ask_answers_in_every_format(value):
    assert ox.parse_query_results(write("json", [], value), format=ox.QueryResultsFormat.JSON).__bool__() is value
    assert ox.parse_query_results(write("xml", [], value), format=ox.QueryResultsFormat.XML).__bool__() is value
    # the CSV and TSV formats define no boolean: one column, _askResult, holds it
    assert write("tsv", [], value).decode().splitlines() == ["?_askResult", str(value).lower()]
    assert list(csv.reader(io.StringIO(write("csv", [], value).decode()))) == [["_askResult"], [str(value).lower()]]


@pytest.fixture(scope="module")
def numbers():
    store = ox.Store()
    for i in range(50):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/n{i:02d}"), ox.NamedNode("http://example.org/v"),
                          ox.Literal("é" * 10 + str(i))))
    return store


QUERY = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_the_byte_cap_counts_the_bytes_written(numbers, fmt):
    whole = run(numbers, Job(QUERY, results_format=fmt))
    assert whole.ok and whole.rows == 50
    size = len(whole.body)  # bytes, not characters: every row holds two-byte letters
    assert run(numbers, Job(QUERY, results_format=fmt, max_bytes=size)).body == whole.body
    over = run(numbers, Job(QUERY, results_format=fmt, max_bytes=size - 1))
    assert over.status == 503 and "MAX_ANSWER_BYTES" in over.message


def test_the_row_cap_stops_at_the_row_past_it(numbers):
    assert run(numbers, Job(QUERY, max_results=50)).rows == 50
    over = run(numbers, Job(QUERY, max_results=49))
    assert over.status == 503 and "MAX_RESULTS" in over.message


def test_select_star_keeps_the_order_the_variables_appear_in(numbers):
    answer = run(numbers, Job("SELECT * WHERE { ?s ?p ?o } LIMIT 1"))
    assert json.loads(answer.body)["head"]["vars"] == ["s", "p", "o"]
