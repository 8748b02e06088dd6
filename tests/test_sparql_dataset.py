"""A query's dataset on the embedded store (service/sparql/execute.py).

The query workers hold the named graphs only; a query without a dataset reads their union through the
engine's union flag, which would override a ``FROM``, so ``has_dataset_clause`` tells whether the query
names its own: SPARQL's grammar decides (the guard's parser), and a text it cannot read goes to a
tokenizer (``_tokens_say_from``). Both are checked against rdflib's parser on every query of the project
and on generated ones that hide "from" in comments, strings, IRIs, language tags, variables and prefixed
names; and the answers through /sparql are checked end to end.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from hipback.sparql import guard
from hipback.sparql.execute import _tokens_say_from, has_dataset_clause

ROOT = Path(__file__).resolve().parent.parent
QUERY_FILES = sorted(p for p in ROOT.glob("**/*.rq") if ".venv" not in p.parts and "build" not in p.parts)


def rdflib_says(text: str) -> bool:
    return guard.inspect_query(text, "https://w3id.org/hipback/", force=True).has_dataset


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.name for p in QUERY_FILES])
def test_every_query_of_the_project(path):
    text = path.read_text(encoding="utf-8")
    try:
        expected = rdflib_says(text)
    except Exception:  # an update, or a query rdflib cannot read: nothing to compare
        pytest.skip("not a query rdflib reads")
    assert has_dataset_clause(text) is expected
    assert _tokens_say_from(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("SELECT * WHERE { ?s ?p ?o }", False),
    ("SELECT * FROM <urn:g> WHERE { ?s ?p ?o }", True),
    ("select * from<urn:g>where{?s ?p ?o}", True),
    ("SELECT * FROM NAMED <urn:g> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
    ("ASK FROM <urn:g> { ?s ?p ?o }", True),
    ("CONSTRUCT { ?s <urn:from> ?o } FROM <urn:g> WHERE { ?s ?p ?o }", True),
    ("DESCRIBE <urn:x> FROM <urn:g>", True),
    ("# taken from the gallery\nSELECT * WHERE { ?s ?p ?o }", False),
    ("SELECT * WHERE { ?s ?p 'pain from lifting' }", False),
    ('SELECT * WHERE { ?s ?p """a "quoted" from\nacross lines""" }', False),
    ("SELECT * WHERE { ?s ?p '''it's ''from'' here''' }", False),
    ("SELECT * WHERE { ?s <http://example.org/from/x> ?o }", False),
    ("SELECT * WHERE { ?s <http://example.org/\\u0041/FROM> ?o }", False),
    ("PREFIX from: <urn:f#> SELECT ?from WHERE { ?from from:x $FROM }", False),
    ("SELECT (?a < ?b AS ?c) FROM <urn:g> WHERE { ?s ?p ?o }", True),
    ("SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }", False),
    ("SELECT * WHERE { ?s ?p ?o } # FROM <urn:g>", False),
    ("PREFIX : <urn:g#> SELECT * FROM:g WHERE { ?s ?p ?o }", True),
    ("PREFIX ex: <urn:e#> SELECT (SAMPLE(ex:a\\#b) AS ?t) FROM <urn:g> WHERE { ?s ?p ?o }", True),
    ("PREFIX ex: <urn:e#> CONSTRUCT { ?s ex:p\\#q ?o }\nFROM <urn:g>\nWHERE { ?s ?p ?o }", True),
    ("PREFIX ex: <urn:e#> SELECT (SAMPLE(ex:it\\'s) AS ?t) FROM <urn:g> WHERE { ?s ?p ?o FILTER(?o != 'z') }", True),
    ("SELECT (SAMPLE(\"x\"@from) AS ?l) WHERE { ?s ?p ?o }", False),
    ("PREFIX ex: <urn:e#> DESCRIBE ex:a\\~from", False),
    ("PREFIX ex: <urn:e#> DESCRIBE ex:a·from", False),
])
def test_examples(text, expected):
    assert has_dataset_clause(text) is expected
    assert _tokens_say_from(text) is expected


PAD = "# " + "x" * 4100 + "\n"  # over GRAMMAR_CHARS: the tokenizer alone reads these


@pytest.mark.parametrize("text, expected", [
    (PAD + "PREFIX from: <urn:f#> SELECT (COUNT(*) AS ?n) (from:x AS ?k) WHERE { ?s ?p ?o }", False),
    ("PREFIX from: <urn:f#> SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } HAVING (COUNT(*) > 0 || \"x\"@en--rtl = from:x)",
     False),  # SPARQL 1.2 the grammar cannot read
    (PAD + "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p HAVING(COUNT(*)<5)#> } taken from a graph\nLIMIT 1",
     False),
    (PAD + "PREFIX : <urn:g#> SELECT (COUNT(*) AS ?n) ((1<2)AS?b)FROM:asserted#>\nWHERE { ?s ?p ?o }", True),
    (PAD + "SELECT * FROM<urn:g>WHERE{?s ?p ?o}", True),
    (PAD + "SELECT * WHERE { ?s<http://x/#p>?o } # from", False),
    # the guard's parser would expand the escape inside the comment; the engine does not
    ("SELECT (COUNT(*) AS ?n) # \\u000A from <urn:g>\nWHERE { ?s ?p ?o }", False),
])
def test_what_the_tokenizer_reads_alone(text, expected):
    assert has_dataset_clause(text) is expected


def test_what_only_the_grammar_tells():
    """A comparison written ``1<2)#>`` is an IRI to a reading without the grammar; the grammar decides."""
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } HAVING(COUNT(*)>0&&1<2)#> from here on"
    assert has_dataset_clause(text) is False


words = st.sampled_from(["from", "FROM", "From", "} FROM {", "}", "{ from", "named", "x"])
escaped = st.sampled_from(["\\#", "\\'", "\\~", "\\&", "·", "\\("])
hidden = st.one_of(
    words.map(lambda w: f"# comment {w} <urn:a> '\n"),
    words.map(lambda w: f'"a {w} \\" b"'),
    words.map(lambda w: f"'a {w} \\' b'"),
    words.map(lambda w: f'"""a "{w}"\n "" b"""'),
    words.map(lambda w: f"'''it's {w} '' b'''"),
    st.sampled_from(["from", "FROM", "x"]).map(lambda w: f"<http://example.org/{w}/#{w}>"),
    st.sampled_from(["from", "FROM", "x"]).map(lambda w: f"?{w}"),
    st.sampled_from(["from", "FROM", "x"]).map(lambda w: f"${w}"),
    st.sampled_from(["from", "FROM", "x"]).map(lambda w: f"ex:{w}"),
    st.tuples(escaped, st.sampled_from(["from", "FROM", "x"])).map(lambda t: f"ex:a{t[0]}{t[1]}"),
    st.sampled_from(["from", "FROM", "en"]).map(lambda w: f'"x"@{w}'),
)
strings = st.one_of(
    words.map(lambda w: f'"a {w} \\" b"'),
    words.map(lambda w: f"'a {w} \\' b'"),
    words.map(lambda w: f'"""a "{w}"\n "" b"""'),
    words.map(lambda w: f"'''it's {w} '' b'''"),
)


@st.composite
def queries(draw):
    objects = draw(st.lists(hidden, min_size=1, max_size=4))
    pattern = " . ".join(f"?s{i} ex:p {o if not o.startswith('#') else '?o' + str(i) + ' ' + o}"
                         for i, o in enumerate(objects))
    clauses = draw(st.lists(st.sampled_from(["FROM <urn:g1>", "FROM NAMED <urn:g2>", "from <urn:g3>"]), max_size=2))
    comment = draw(st.sampled_from(["", "# from here\n", "#FROM <urn:x>\n", "# a { brace\n", "# } FROM {\n"]))
    form = draw(st.sampled_from(["SELECT *", "SELECT ?s0", "ASK", "CONSTRUCT { ?s0 ex:q ?o }", "SELECT (STR(§) AS ?z)"]))
    form = form.replace("§", draw(strings))
    sub = draw(st.booleans())
    inner = f"{{ SELECT * WHERE {{ {pattern} }} }}" if sub else f"{{ {pattern} }}"
    where = "" if form == "ASK" else "WHERE "
    return f"PREFIX ex: <http://example.org/>\n{comment}{form} {' '.join(clauses)} {where}{inner}"


@settings(max_examples=400, deadline=None)
@given(queries())
def test_generated_queries_agree_with_the_parser(text):
    assert _tokens_say_from(text) is rdflib_says(text), text


# -- end to end, through /sparql and the query workers ----------------------------------------------------

ASSERTED = "https://w3id.org/hipback/graph/asserted"
INFERRED = "https://w3id.org/hipback/graph/inferred"


def count(client, text: str, **params) -> int:
    response = client.get("/sparql", query_string={"query": text, **params},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.json
    return int(response.json["results"]["bindings"][0]["n"]["value"])


def test_the_default_graph_is_the_union_and_from_chooses_another(client, store):
    per_graph = {g: count(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")
                 for g in (ASSERTED, INFERRED)}
    union = count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    # each triple of the release is in one graph (the header both files carry is in the asserted graph only),
    # so the union of the graphs, read through the engine's union flag, holds each once
    assert union == per_graph[ASSERTED] + per_graph[INFERRED]
    assert union == count(client, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    assert count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?o a <http://www.w3.org/2002/07/owl#Ontology> }") == 1
    assert count(client, "PREFIX : <https://w3id.org/hipback/graph/>\n"
                         "SELECT (COUNT(*) AS ?n) FROM:inferred WHERE { ?s ?p ?o }") == per_graph[INFERRED]
    assert count(client, "SELECT (COUNT(*) AS ?n) (SAMPLE(\"x\"@from) AS ?l) WHERE { ?s ?p ?o }") == union
    assert count(client, "# counts from the inferred graph\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }") == union
    assert count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != 'from') }") <= union
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM <{INFERRED}> WHERE {{ ?s ?p ?o }}") == per_graph[INFERRED]
    assert count(client, f"select (count(*) as ?n) from <{ASSERTED}> from <{INFERRED}> where {{ ?s ?p ?o }}") == union
    # FROM NAMED alone: the default graph is empty, the named graph is there
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{INFERRED}> WHERE {{ ?s ?p ?o }}") == 0
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{INFERRED}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") \
        == per_graph[INFERRED]
    # the protocol's dataset wins over the query's FROM
    assert count(client, f"SELECT (COUNT(*) AS ?n) FROM <{ASSERTED}> WHERE {{ ?s ?p ?o }}",
                 **{"default-graph-uri": INFERRED}) == per_graph[INFERRED]


def test_a_long_query_is_read_by_the_tokenizer_and_answers_the_same(client):
    from hipback.sparql.execute import GRAMMAR_CHARS

    padding = "# rows from a survey " + "x" * GRAMMAR_CHARS + "\n"
    union = count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    long_comment = padding + "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?o != 'from') }"
    assert len(long_comment) > GRAMMAR_CHARS and not has_dataset_clause(long_comment)
    assert count(client, long_comment) == union
    long_from = padding + f"SELECT (COUNT(*) AS ?n) FROM <{INFERRED}> WHERE {{ ?s ?p ?o }}"
    assert len(long_from) > GRAMMAR_CHARS and has_dataset_clause(long_from)
    assert count(client, long_from) == count(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}")


def test_each_triple_of_the_release_is_in_one_graph(tmp_path):
    from hipback.store import graph_contents

    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    a, b, c = "<urn:s> <urn:p> <urn:a> .\n", "<urn:s> <urn:p> \"b\" .\n", "<urn:s> <urn:p> \"c\"@en .\n"
    blank = "_:x <urn:p> <urn:a> .\n"
    first.write_text(a + b + blank, encoding="utf-8")
    second.write_text(c + a + blank, encoding="utf-8")
    contents = graph_contents([(first, "urn:g1"), (second, "urn:g2")])
    assert contents[0] == ("urn:g1", first)  # the first file as it is
    # a triple the first holds is left out of the second; a blank node's is kept (not the same node)
    assert contents[1] == ("urn:g2", (c + blank).encode())
    third = tmp_path / "c.nt"
    third.write_text(c, encoding="utf-8")
    assert graph_contents([(first, "urn:g1"), (third, "urn:g3")])[1] == ("urn:g3", third)  # nothing shared


def test_a_literal_with_a_unicode_line_separator_stays_one_line(tmp_path):
    from hipback.sparql.commands import _lines
    from hipback.store import graph_contents

    header = "<urn:o> <urn:v> \"1\" .\n"
    odd = "<urn:s> <urn:p> \"line one\u2028# line two\u0085three\" .\n"
    first, second = tmp_path / "a.nt", tmp_path / "b.nt"
    first.write_text(header, encoding="utf-8")
    second.write_text(header + odd, encoding="utf-8")
    (graph, content), = graph_contents([(first, "urn:g1"), (second, "urn:g2")])[1:]
    assert list(_lines(content)) == [odd] and list(_lines(second)) == [header, odd]
