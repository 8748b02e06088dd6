"""Run one query on a pyoxigraph store and serialize the answer, within the result-size cap.

A plain function of plain data, so that a worker process, the CLI and the tests share it.
The caller has already negotiated the formats (``negotiation.Choice``) and checked the query
(``guard``); this module only runs it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import vocab
from . import negotiation, results

GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}

#: the prefixes a graph answer binds
PREFIXES = {p: vocab.PREFIXES[p] for p in ("hb", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms")}


@dataclass
class Job:
    """One query to run, with its dataset and the formats its answer may take."""

    query: str
    base: str | None = None
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    #: the default graph is the union of the named graphs (when neither the query nor the
    #: request names a dataset)
    union: bool = True
    results_format: str | None = "json"
    graph_format: str | None = "turtle"
    max_results: int = 10000
    accept: str | None = None
    #: the ``format`` parameters of the request (they win over ``accept``)
    formats: tuple[str, ...] = ()
    #: the most bytes the answer may hold (0: no cap)
    max_bytes: int = 0
    #: check the query with the guard here, before running it (in the worker, under its bounds)
    guard: bool = False
    allowlist: tuple[str, ...] = ()


@dataclass
class UpdateJob:
    """One update to apply to a copy of the store; the answer is the store's new content (N-Quads)."""

    update: str
    base: str | None = None
    allowlist: tuple[str, ...] = ()
    #: the request named using-graph-uri / using-named-graph-uri
    protocol_dataset: bool = False
    #: graphs the update must leave as they are (the release graphs, unless UPDATE_RELEASE_GRAPHS)
    protected: tuple[str, ...] = ()


@dataclass
class Outcome:
    """What to answer: a body with its Content-Type, or an error status with a message."""

    status: int
    content_type: str = ""
    body: bytes = b""
    message: str = ""
    rows: int = 0
    kind: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200


def prepare() -> None:
    """Import now what a job may need later (a sealed worker cannot open a module file)."""
    from rdflib.plugins.sparql import parser  # noqa: F401

    from . import guard  # noqa: F401


#: a query's tokens, as far as telling a dataset clause needs: comments, strings (long ones first), IRIs,
#: language tags, variables and names (keywords, prefixed names with their escapes, numbers) each one token;
#: braces; any other character
_TOKEN = re.compile(r"""
    \#[^\n]*
  | \"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\" | '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
  | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'
  | (?<![\w)\]])<[^<>"{}|^`\x00-\x20]*>
  | @[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?
  | [?$][\w\u00b7\u00c0-\U000effff]*
  | (?:[\w\u00b7\u00c0-\U000effff.:%-]|\\[_~.\-!$&'()*+,;=/?\#@%])+
  | .
""", re.X | re.S)
#: ``FROM`` written against a prefixed name (``FROM:g``, the empty prefix) reads as one name; ``from:`` alone
#: is a prefix being declared
_FROM_NAME = re.compile(r"FROM:.", re.I | re.S)


#: the longest text whose dataset the grammar reads (its parser takes about 20 ms a kilobyte: 0.5 s for a
#: 23 KB query of VALUES, against 1.3 ms for the tokenizer, bench/results/sparql-path.md); a longer one is
#: read by the tokenizer alone
GRAMMAR_CHARS = 4_000


def has_dataset_clause(text: str, base: str | None = None) -> bool:
    """Whether the query names its own dataset: a ``FROM`` or ``FROM NAMED`` clause.

    A text without the word cannot have one. Otherwise, up to GRAMMAR_CHARS, SPARQL's grammar decides (the
    guard's parser, ``guard.inspect_query``, cached per text); a longer text, or one the grammar cannot read
    (newer syntax, deep nesting), is read by ``_tokens_say_from``."""
    if "from" not in text.lower():
        return False
    if len(text) > GRAMMAR_CHARS or "\\u" in text or "\\U" in text:
        # the guard's parser expands \u escapes anywhere, comments included; the engine does not
        return _tokens_say_from(text)
    from ..errors import ApiError
    from . import guard

    try:
        return guard.inspect_query(text, base, force=True).has_dataset
    except ApiError:
        return _tokens_say_from(text)


def _tokens_say_from(text: str) -> bool:
    """A dataset clause comes only outside every brace (a subquery has none). Comments, strings, IRIs,
    language tags, variables (``?from``) and prefixed names (``ex:from``, ``ex:a\\#b``) are read as whole
    tokens, so a "from" inside them is not one. The engine spells no keyword from ``\\u`` escapes (it
    refuses ``\\u0046ROM``), so neither does this. A ``<`` right after a name, a number or a closing bracket
    is a comparison (``COUNT(*)<5)#>`` is not an IRI), so an IRI is read only where one may begin."""
    tokens = _TOKEN.findall(text)
    # ``from:x`` is FROM and the empty prefix's ``:x``, unless the query declares a prefix ``from:``
    words = [t for t in tokens if not t.isspace()]
    declared = any(a.upper() == "PREFIX" and b.lower() == "from:" for a, b in zip(words, words[1:]))
    depth = 0
    for token in tokens:
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and (token.upper() == "FROM" or (not declared and _FROM_NAME.match(token))):
            return True
    return False


def _dataset_arguments(job: Job) -> dict:
    """The dataset of the query: the protocol's, when the request names one; else the query's own FROM and
    FROM NAMED, when it has them; else the union of the store's named graphs as the default graph."""
    if job.default_graphs is None and job.named_graphs is None:
        if job.union and not has_dataset_clause(job.query, job.base):
            return {"use_default_graph_as_union": True}
        return {}  # the engine reads the query's FROM itself (the union flag would override it)
    return {
        "default_graph": [ox.NamedNode(g) for g in job.default_graphs or []],
        "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or []],
    }


def syntax_message(error: Exception) -> str:
    """A short message from the engine's parse error: where, and the first few expected tokens."""
    text = " ".join(str(error).split())
    where = re.match(r"error at (\d+):(\d+): (.*)", text)
    if where:
        line, column, text = where.groups()
        prefix = f"Syntax error in the query at line {line}, column {column}: "
    else:
        prefix = "Syntax error in the query: "
    if len(text) > 160:
        text = text[:160].rsplit(",", 1)[0] + ", ..."
    return prefix + text


#: IRIs and strings are matched so that a '#' inside them is not taken for a comment
_COMMENT = re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n\r]*""")


def strip_comments(text: str) -> str:
    """The text with its comments blanked out (IRIs and strings kept)."""
    return _COMMENT.sub(lambda m: " " if m.group(0).startswith("#") else m.group(0), text)
_UPDATE_START = re.compile(
    r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*<[^>]*>\s*)*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.I)
_FORM = re.compile(
    r"\s*(?:(?:PREFIX\s+[^\s:]*:|BASE)\s*<[^>]*>\s*)*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)
_SELECT_STAR = re.compile(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*", re.I)


def _update_hint(text: str) -> str:
    """A pointer to /sparql/update when the text that failed to parse as a query starts like an update."""
    found = _UPDATE_START.match(strip_comments(text))
    if not found:
        return ""
    return f" {found.group(1).upper()} is SPARQL Update: send it with POST to /sparql/update."


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read from the text's first keyword after its prologue; None when
    the text does not start like a query (the engine's parse decides)."""
    found = _FORM.match(strip_comments(text))
    return found.group(1).upper() if found else None


def in_query_order(variables: list[str], text: str) -> list[str]:
    """The variables of a ``SELECT *`` in the order they first appear in the text (the engine sorts them)."""
    if not _SELECT_STAR.search(text):
        return variables
    first = {}
    for found in re.finditer(r"[?$]([A-Za-z0-9_\u00b7\u00c0-\uffff]+)", text):
        first.setdefault(found.group(1), found.start())
    return sorted(variables, key=lambda v: first.get(v, len(text)))


def too_many(max_results: int, what: str) -> Outcome:
    return Outcome(
        503,
        message=f"The answer has more than {max_results} {what}, the most this endpoint returns "
        "(setting MAX_RESULTS); narrow the query or add a LIMIT.",
    )


def too_big(max_bytes: int) -> Outcome:
    return Outcome(
        503,
        message=f"The answer is over {max_bytes} bytes, the most this endpoint returns "
        "(setting MAX_ANSWER_BYTES); narrow the query or add a LIMIT.",
    )


def _no_results_format(job: Job) -> Outcome:
    return Outcome(406, message=negotiation.not_acceptable_message(job.accept, "results", list(job.formats)), kind="results")


def solutions_outcome(solutions, job: Job) -> Outcome:
    """The solutions as rows in query order, written as they are read; 503 past MAX_RESULTS rows or
    MAX_ANSWER_BYTES bytes (the bytes written, counted row by row)."""
    if job.results_format is None:
        return _no_results_format(job)
    names = [v.value for v in solutions.variables]
    variables = in_query_order(names, job.query)
    order = None if variables == names else [names.index(v) for v in variables]
    writer = results.WRITERS[job.results_format](variables)
    try:
        parts = [writer.head().encode()]
        size = len(parts[0])
        count = 0
        for solution in solutions:
            if count >= job.max_results:
                return too_many(job.max_results, "rows")
            values = tuple(solution)
            piece = writer.row(values if order is None else tuple(values[i] for i in order)).encode()
            size += len(piece)
            if job.max_bytes and size > job.max_bytes:
                return too_big(job.max_bytes)
            parts.append(piece)
            count += 1
        parts.append(writer.tail().encode())
    except results.NotRepresentable as error:
        return not_representable(error)
    body = b"".join(parts)
    if _over(body, job):
        return too_big(job.max_bytes)
    return Outcome(200, negotiation.CONTENT_TYPES[job.results_format], body, rows=count, kind="results")


def not_representable(error: "results.NotRepresentable") -> Outcome:
    return Outcome(406, kind="results", message=(
        f"The answer holds the character {error} that SPARQL XML results (XML 1.0) cannot carry; "
        "ask for application/sparql-results+json, text/csv or text/tab-separated-values."))


def _over(body: bytes, job: Job) -> bool:
    return bool(job.max_bytes) and len(body) > job.max_bytes


def boolean_outcome(value: bool, job: Job) -> Outcome:
    """An ASK answer in the job's results format."""
    if job.results_format is None:
        return _no_results_format(job)
    body = results.WRITERS[job.results_format].boolean(value).encode()
    if _over(body, job):
        return too_big(job.max_bytes)
    return Outcome(200, negotiation.CONTENT_TYPES[job.results_format], body, rows=1, kind="results")


def serialize_graph(triples: list, job: Job) -> Outcome:
    if job.graph_format is None:
        return Outcome(406, message=negotiation.not_acceptable_message(job.accept, "graph", list(job.formats)), kind="graph")
    body = ox.serialize(triples, format=GRAPH_FORMATS[job.graph_format], prefixes=PREFIXES) or b""
    if _over(body, job):
        return too_big(job.max_bytes)
    return Outcome(200, negotiation.CONTENT_TYPES[job.graph_format], body, rows=len(triples), kind="graph")


def _guard(job: Job, sealed: bool) -> Outcome | None:
    """The guard's refusal of the job, or None when it may run.

    In a sealed worker with no allowed endpoint nothing can reach the network anyway, so a
    query the guard's grammar cannot read (deep nesting, newer syntax) goes to the engine,
    which runs it or reports its own syntax error.
    """
    from ..errors import ApiError
    from . import guard

    try:
        facts = guard.inspect_query(job.query, job.base)
    except ApiError as error:
        if sealed and not job.allowlist:
            return None
        return Outcome(error.status, message=error.message)
    try:
        guard.check_services(facts, frozenset(job.allowlist))
    except ApiError as error:
        return Outcome(error.status, message=error.message)
    return None


def run(store: ox.Store, job: Job, sealed: bool = False) -> Outcome:
    """Run ``job`` on ``store``; never raises for a bad query.

    The store holds the named graphs; without a dataset, a query's default graph is their union, as
    Oxigraph's ``--union-default-graph`` makes it (``_dataset_arguments``). ``sealed``: this process
    cannot open a socket.
    """
    try:
        if job.guard:
            refused = _guard(job, sealed)
            if refused is not None:
                return refused
        result = store.query(job.query, base_iri=job.base, **_dataset_arguments(job))
        if isinstance(result, ox.QueryBoolean):
            return boolean_outcome(bool(result), job)
        if isinstance(result, ox.QuerySolutions):
            return solutions_outcome(result, job)
        size = 0
        triples = []
        for triple in result:
            if len(triples) >= job.max_results:
                return too_many(job.max_results, "triples")
            size += len(str(triple))
            if job.max_bytes and size > job.max_bytes:
                return too_big(job.max_bytes)
            triples.append(triple)
        return serialize_graph(triples, job)
    except SyntaxError as error:
        return Outcome(400, message=syntax_message(error) + _update_hint(job.query))
    except (ValueError, OSError, RuntimeError) as error:
        text = " ".join(str(error).split())[:300]
        if sealed and "Too many open files" in text:
            text = "SERVICE and LOAD cannot reach the network from this endpoint"
        return Outcome(400, message=f"The query could not be evaluated: {text}")


def _fingerprint(store: ox.Store, graphs: tuple[str, ...]) -> list[tuple[int, int]]:
    """Per graph, its size and an order-free hash of its quads: equal before and after an update that left it."""
    prints = []
    for graph in graphs:
        size, total = 0, 0
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            total = (total + hash((str(quad.subject), str(quad.predicate), str(quad.object)))) & 0xFFFFFFFFFFFFFFFF
            size += 1
        prints.append((size, total))
    return prints


def run_update(store: ox.Store, job: UpdateJob) -> Outcome:
    """Check ``job`` with the guard, apply it to ``store`` and answer the new content as N-Quads.

    The embedded store's default graph is empty (queries read the union of the named graphs,
    which the engine cannot give an update), so an update whose WHERE would read it is refused
    rather than matching nothing. The guard refuses an update that names a protected graph;
    should the engine still change one (a reading the guard's parser does not share), the update
    is refused after the fact: this copy is dropped and the service's store is left as it was.
    The answer is the store as the engine writes it, not canonicalized: relabelling blank nodes
    can take time exponential in their links, and nothing after an update may run unbounded.
    """
    from ..errors import ApiError
    from . import guard

    protected = frozenset(job.protected)
    if len(job.update) > guard.CACHE_CHARS and not job.protocol_dataset and not guard.could_call_out(job.update):
        # a long update that cannot call out (bulk INSERT DATA): the guard's grammar would take seconds
        # to read it, for no refusal the fingerprint below does not make exactly
        facts = guard.Facts(form="UPDATE", parsed=False)
    else:
        try:
            facts = guard.check_update(job.update, job.base, frozenset(job.allowlist), job.protocol_dataset,
                                       protected=protected)
        except ApiError as error:
            return Outcome(error.status, message=error.message)
    if facts.reads_default_graph:
        return Outcome(400, message=(
            "On this store an update cannot read the default graph (queries see the union of the named "
            "graphs; an update's WHERE would see an empty graph and match nothing). Name the graphs: "
            "WITH <graph>, USING <graph>, or GRAPH <graph> { ... } in the WHERE clause "
            "(the graphs are https://w3id.org/hipback/graph/asserted and .../inferred)."))
    before = _fingerprint(store, job.protected)
    try:
        store.update(job.update, base_iri=job.base)
    except SyntaxError as error:
        return Outcome(400, message=syntax_message(error).replace("query", "update"))
    except (ValueError, OSError, RuntimeError) as error:
        return Outcome(400, message=f"The update failed: {' '.join(str(error).split())[:300]}")
    if _fingerprint(store, job.protected) != before:
        return Outcome(403, message=(
            "The update changed a graph this deployment keeps read-only (the ontology's asserted and inferred "
            "graphs; setting UPDATE_RELEASE_GRAPHS), so it was not applied. Write to a graph of your own."))
    return Outcome(200, "application/n-quads", ox.serialize(store, format=ox.RdfFormat.N_QUADS) or b"")
