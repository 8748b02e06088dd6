"""What a query or update may do, decided from its parse tree (never by a pattern on the text).

- ``SERVICE`` is refused unless its endpoint IRI is on the allow-list (a variable endpoint
  never is): the engine would otherwise call out to any URL.
- ``LOAD`` is refused: the engine would fetch the file or URL it names.
- ``FROM`` / ``FROM NAMED`` are allowed: they select graphs already in the store and the
  engine never fetches them. The guard reports their IRIs; the endpoint passes them on as
  the request's dataset (as ``default-graph-uri`` / ``named-graph-uri`` would), because a
  store whose default graph is the union of its graphs would otherwise ignore them.

rdflib's SPARQL grammar (``parseQuery`` / ``parseUpdate``) gives the tree; prefixed names
and relative IRIs are resolved here against the prologue and the base, in the order the
engine reads them (the last declaration of a prefix wins; each update operation sees the
prologues before it). The guard and the engine must read the same text: ``normalize``
turns every carriage return into a line feed first (Oxigraph ends a ``#`` comment at
either, rdflib's grammar at a line feed only), and the caller hands the normalized text
to both. A query whose text holds neither ``service`` in any letter case nor a codepoint
escape (``\\u``, which could spell a keyword) cannot call out and is not parsed here at all:
the engine parses it and reports its syntax errors. Parses are cached for short texts only.

This is the first of two layers: the query workers of the embedded store also run with
no free file descriptor, so they cannot open a socket whatever the text says (runner.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from ..errors import ApiError

_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


@dataclass(frozen=True)
class Facts:
    """What the parse tree says about a request."""

    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE; UPDATE; None when not parsed
    services: tuple[str, ...] = ()  # endpoint IRIs; "?var" for a variable endpoint
    loads: tuple[str, ...] = ()  # IRIs named by LOAD
    has_dataset: bool = False  # FROM / FROM NAMED in a query
    from_graphs: tuple[str, ...] = ()  # the FROM IRIs
    from_named: tuple[str, ...] = ()  # the FROM NAMED IRIs
    has_using: bool = False  # USING / USING NAMED / WITH in an update
    #: an update operation whose WHERE (or DELETE WHERE) reads the default graph
    reads_default_graph: bool = False
    #: the graphs an update may change: IRIs, "?var" for a variable graph, DEFAULT, NAMED or ALL
    writes: tuple[str, ...] = ()
    parsed: bool = True


#: texts up to this many characters have their parse cached
CACHE_CHARS = 20_000
#: the longest text the guard parses in a web worker (a remote store's requests); about a
#: second of parsing. Queries and updates on the embedded store are parsed in a query worker,
#: bounded by QUERY_TIMEOUT instead.
WEB_PARSE_CHARS = 50_000


def _parse_bound(text: str, max_chars: int | None, what: str) -> None:
    if max_chars is not None and len(text) > max_chars:
        raise ApiError(413, f"The {what} is over {max_chars} characters and could call out (it holds the word "
                            f"SERVICE or LOAD, or a \\u escape); this endpoint checks such texts up to "
                            f"{max_chars} characters.")


def normalize(text: str) -> str:
    """The text the guard checks and the engine runs: every CR (alone or before LF) becomes LF.

    Oxigraph ends a comment at CR or LF, rdflib's grammar at LF only, so a CR would let text
    the guard reads as a comment run in the engine. Outside comments, CR is whitespace for
    both, and a raw CR inside a long string literal becomes LF.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def could_call_out(update: str) -> bool:
    """Whether an update's text could hold SERVICE or LOAD (the words, or an escape that could spell them)."""
    lowered = update.lower()
    return "service" in lowered or "load" in lowered or "\\u" in lowered


def needs_parse(text: str) -> bool:
    """Whether the text could hold a SERVICE clause (the word, or an escape that could spell it)."""
    lowered = text.lower()
    return "service" in lowered or "\\u" in lowered


def _walk(node, skip: tuple[str, ...] = ()):
    """Every CompValue in an rdflib parse tree, depth first, in document order.

    Nodes named in ``skip`` are yielded but not entered.
    """
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            if item.name not in skip:
                stack.extend(reversed(list(dict.values(item))))
        elif isinstance(item, (ParseResults, list, tuple)):
            stack.extend(reversed(list(item)))


class _Resolver:
    """Prefixed names and relative IRIs of one prologue, resolved to absolute IRIs."""

    def __init__(self, base: str | None):
        self.base = base or ""
        self.prefixes: dict[str, str] = {}

    def read(self, prologue) -> None:
        for decl in _walk(prologue):  # in document order: a later declaration replaces an earlier one
            if decl.name == "Base":
                self.base = urljoin(self.base, str(decl["iri"]))
            elif decl.name == "PrefixDecl":
                self.prefixes[dict.get(decl, "prefix") or ""] = urljoin(self.base, str(decl["iri"]))

    def iri(self, term) -> str:
        from rdflib.plugins.sparql.parserutils import CompValue
        from rdflib.term import Variable

        if isinstance(term, Variable):
            return "?" + str(term)
        if isinstance(term, CompValue) and term.name == "pname":
            prefix = dict.get(term, "prefix") or ""
            if prefix not in self.prefixes:
                raise ApiError(400, f"Syntax error in the query: the prefix '{prefix}:' is not declared.")
            return self.prefixes[prefix] + (dict.get(term, "localname") or "")
        return urljoin(self.base, str(term))


def _syntax_error(error: Exception) -> ApiError:
    text = " ".join(str(error).split())
    if len(text) > 200:
        text = text[:200] + " ..."
    return ApiError(400, f"Syntax error in the query: {text}")


def inspect_query(text: str, base: str | None = None, force: bool = False) -> Facts:
    """The facts of a query; raises ApiError(400) when it does not parse.

    ``force``: parse even a text that cannot call out (to read its FROM clauses).
    """
    if not force and not needs_parse(text):
        return Facts(form=None, parsed=False)
    if len(text) <= CACHE_CHARS:
        return _inspect_query_cached(text, base)
    return _inspect_query(text, base)


@lru_cache(maxsize=256)
def _inspect_query_cached(text: str, base: str | None) -> Facts:
    return _inspect_query(text, base)


def _inspect_query(text: str, base: str | None) -> Facts:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except ParseException as error:
        raise _syntax_error(error) from None
    except Exception as error:  # the grammar raises a few other types on odd input
        raise _syntax_error(error) from None
    prologue, query = tree[0], tree[1]
    resolver = _Resolver(base)
    resolver.read(prologue)
    services = tuple(resolver.iri(node["term"]) for node in _walk(query) if node.name == "ServiceGraphPattern")
    clauses = list(dict.get(query, "datasetClause") or [])
    return Facts(
        form=_FORMS.get(query.name),
        services=services,
        has_dataset=bool(clauses),
        from_graphs=tuple(resolver.iri(dict.get(c, "default")) for c in clauses if dict.get(c, "default") is not None),
        from_named=tuple(resolver.iri(dict.get(c, "named")) for c in clauses if dict.get(c, "named") is not None),
    )


def inspect_update(text: str, base: str | None = None) -> Facts:
    """The facts of an update request; raises ApiError(400) when it does not parse."""
    if len(text) <= CACHE_CHARS:
        return _inspect_update_cached(text, base)
    return _inspect_update(text, base)


@lru_cache(maxsize=64)
def _inspect_update_cached(text: str, base: str | None) -> Facts:
    return _inspect_update(text, base)


def _reads_default_graph(operation) -> bool:
    """Whether a DELETE WHERE, or a DELETE/INSERT ... WHERE without USING/WITH, matches default-graph triples."""
    if operation.name == "DeleteWhere":
        return bool(dict.get(dict.get(operation, "quads") or {}, "triples"))
    if operation.name != "Modify" or dict.get(operation, "using") or dict.get(operation, "withClause") is not None:
        return False
    return any(node.name == "TriplesBlock" and dict.get(node, "triples")
               for node in _walk(dict.get(operation, "where"), skip=("GraphGraphPattern",)))


def _quad_graphs(quads, default: str, resolver: "_Resolver") -> list[str]:
    """The graphs a block of quads (a template or DATA block) names; ``default`` for its plain triples."""
    if quads is None:
        return []
    graphs = [resolver.iri(node["term"]) for node in _walk(quads) if node.name == "QuadsNotTriples"]
    if dict.get(quads, "triples"):
        graphs.append(default)
    return graphs


def _written(operation, resolver: "_Resolver") -> list[str]:
    """The graphs one update operation may change."""
    name = operation.name
    if name in ("InsertData", "DeleteData", "DeleteWhere"):
        return _quad_graphs(dict.get(operation, "quads"), "DEFAULT", resolver)
    if name == "Modify":
        with_graph = dict.get(operation, "withClause")
        default = resolver.iri(with_graph) if with_graph is not None else "DEFAULT"
        graphs = []
        for part in ("delete", "insert"):
            clause = dict.get(operation, part)
            if clause is not None:
                graphs += _quad_graphs(dict.get(clause, "quads"), default, resolver)
        return graphs
    if name in ("Clear", "Drop"):
        target = dict.get(operation, "graphiri")
        return [target if isinstance(target, str) and target in ("ALL", "NAMED", "DEFAULT") else resolver.iri(target)]
    if name in ("Add", "Copy", "Move"):
        source, target = list(dict.get(operation, "graph"))
        ends = [target] + ([source] if name == "Move" else [])  # MOVE empties its source
        return [end if end == "DEFAULT" else resolver.iri(end) for end in ends]
    if name == "Load":
        target = dict.get(operation, "graphiri")
        return [resolver.iri(target) if target is not None else "DEFAULT"]
    return []  # CREATE changes no triples


def _inspect_update(text: str, base: str | None) -> Facts:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        tree = parseUpdate(text)
    except ParseException as error:
        raise _syntax_error(error) from None
    except Exception as error:
        raise _syntax_error(error) from None
    resolver = _Resolver(base)
    services, loads, using, default, writes = [], [], False, False, []
    prologues = list(dict.get(tree, "prologue") or [])
    for index, operation in enumerate(dict.get(tree, "request") or []):
        # the prologue before each operation, added to those before it (the engine's order)
        if index < len(prologues):
            resolver.read(prologues[index])
        default = default or _reads_default_graph(operation)
        writes += [g for g in _written(operation, resolver) if g not in writes]
        for node in _walk(operation):
            if node.name == "ServiceGraphPattern":
                services.append(resolver.iri(node["term"]))
            elif node.name == "Load":
                loads.append(resolver.iri(node["iri"]))
            elif node.name == "Modify" and (dict.get(node, "using") or dict.get(node, "withClause") is not None):
                using = True
    return Facts(form="UPDATE", services=tuple(services), loads=tuple(loads), has_using=using,
                 reads_default_graph=default, writes=tuple(writes))


def allowlist(setting: str | list | tuple | None) -> frozenset[str]:
    """The SERVICE_ALLOWLIST setting (IRIs separated by spaces or commas) as a set."""
    if not setting:
        return frozenset()
    if isinstance(setting, str):
        setting = setting.replace(",", " ").split()
    return frozenset(str(s) for s in setting)


def check_services(facts: Facts, allowed: frozenset[str]) -> None:
    for service in facts.services:
        if service.startswith("?"):
            raise ApiError(400, f"SERVICE with a variable endpoint ({service}) is not allowed here.")
        if service not in allowed:
            hint = "no SERVICE endpoint is allowed" if not allowed else "allowed: " + ", ".join(sorted(allowed))
            raise ApiError(
                400,
                f"SERVICE <{service}> is not allowed: this endpoint only calls endpoints on its "
                f"SERVICE_ALLOWLIST ({hint}).",
            )


def check_query(text: str, base: str | None, allowed: frozenset[str], max_chars: int | None = None) -> Facts:
    """The facts of a query that may run; ApiError(400) for a syntax error or a refused SERVICE.

    ``max_chars``: refuse (413) to parse a longer text that needs a parse.
    """
    if needs_parse(text):
        _parse_bound(text, max_chars, "query")
    facts = inspect_query(text, base)
    check_services(facts, allowed)
    return facts


def check_writes(facts: Facts, protected: frozenset[str]) -> None:
    """ApiError(403) when an update may change a graph in ``protected`` (ALL, NAMED and a graph named by a
    variable may be any graph)."""
    if not protected:
        return
    for graph in facts.writes:
        if graph in protected:
            what = f"changes the graph <{graph}>, which"
        elif graph in ("ALL", "NAMED"):
            what = f"changes {graph} graphs, among them the release graphs, which"
        elif graph.startswith("?"):
            what = f"writes to a graph named by the variable {graph}, which could be a release graph; those"
        else:
            continue
        raise ApiError(
            403,
            f"The update {what} this deployment keeps read-only (the ontology's asserted and inferred graphs; "
            "setting UPDATE_RELEASE_GRAPHS). Write to a graph of your own, named with GRAPH <...> or WITH <...>.",
        )


def check_update(text: str, base: str | None, allowed: frozenset[str], protocol_dataset: bool,
                 max_chars: int | None = None, protected: frozenset[str] = frozenset()) -> Facts:
    """The facts of an update that may run; ApiError(400) for LOAD, a refused SERVICE, or a dataset conflict,
    403 when it may change a ``protected`` graph."""
    if max_chars is not None and not could_call_out(text) and not protocol_dataset and not protected:
        return Facts(form="UPDATE", parsed=False)  # nothing here to refuse; the store parses it
    if protected:
        if max_chars is not None and len(text) > max_chars:
            raise ApiError(413, f"The update is over {max_chars} characters; this endpoint checks which graphs an "
                                f"update writes for texts up to {max_chars} characters.")
    _parse_bound(text, max_chars, "update")
    facts = inspect_update(text, base)
    if facts.loads:
        raise ApiError(
            400,
            f"LOAD <{facts.loads[0]}> is refused: this endpoint never fetches a file or network "
            "resource. Send the data in INSERT DATA, or load it with `hipback load`.",
        )
    check_services(facts, allowed)
    if protocol_dataset and facts.has_using:
        raise ApiError(
            400,
            "using-graph-uri / using-named-graph-uri cannot be combined with an update that has "
            "USING, USING NAMED or WITH (SPARQL 1.1 Protocol, section 2.2.3).",
        )
    check_writes(facts, protected)
    return facts
