"""What a query or update may do, decided from its parse tree (never by a pattern on the text).

- ``SERVICE`` is refused unless its endpoint IRI is on the allow-list (a variable endpoint
  never is): the engine would otherwise call out to any URL.
- ``LOAD`` is refused: the engine would fetch the file or URL it names.
- ``FROM`` / ``FROM NAMED`` are allowed: they select graphs already in the store and the
  engine never fetches them. The guard reports their IRIs; the endpoint passes them on as
  the request's dataset (as ``default-graph-uri`` / ``named-graph-uri`` would), because a
  store whose default graph is the union of its graphs would otherwise ignore them.

rdflib's SPARQL grammar (``parseQuery`` / ``parseUpdate``) gives the tree; prefixed names
and relative IRIs are resolved here against the prologue and the base. Parsing costs some
milliseconds, so results are cached by text, and a query whose text holds neither
``service`` nor ``from`` in any letter case, nor a codepoint escape (``\\u``, which could
spell a keyword), cannot contain those clauses and is not parsed here at all: the engine
parses it and reports its syntax errors.
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
    parsed: bool = True


def _needs_parse(text: str) -> bool:
    lowered = text.lower()
    return "service" in lowered or "from" in lowered or "\\u" in lowered


def _walk(node):
    """Every CompValue in an rdflib parse tree, depth first."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(dict.values(item))
        elif isinstance(item, (ParseResults, list, tuple)):
            stack.extend(item)


class _Resolver:
    """Prefixed names and relative IRIs of one prologue, resolved to absolute IRIs."""

    def __init__(self, base: str | None):
        self.base = base or ""
        self.prefixes: dict[str, str] = {}

    def read(self, prologue) -> None:
        for decl in _walk(prologue):
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


@lru_cache(maxsize=1024)
def inspect_query(text: str, base: str | None = None) -> Facts:
    """The facts of a query; raises ApiError(400) when it does not parse."""
    if not _needs_parse(text):
        return Facts(form=None, parsed=False)
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


@lru_cache(maxsize=256)
def inspect_update(text: str, base: str | None = None) -> Facts:
    """The facts of an update request; raises ApiError(400) when it does not parse."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        tree = parseUpdate(text)
    except ParseException as error:
        raise _syntax_error(error) from None
    except Exception as error:
        raise _syntax_error(error) from None
    resolver = _Resolver(base)
    for prologue in dict.get(tree, "prologue") or []:
        resolver.read(prologue)
    services, loads, using = [], [], False
    for node in _walk(dict.get(tree, "request") or []):
        if node.name == "ServiceGraphPattern":
            services.append(resolver.iri(node["term"]))
        elif node.name == "Load":
            loads.append(resolver.iri(node["iri"]))
        elif node.name == "Modify" and (dict.get(node, "using") or dict.get(node, "withClause") is not None):
            using = True
    return Facts(form="UPDATE", services=tuple(services), loads=tuple(loads), has_using=using)


def allowlist(setting: str | list | tuple | None) -> frozenset[str]:
    """The SERVICE_ALLOWLIST setting (IRIs separated by spaces or commas) as a set."""
    if not setting:
        return frozenset()
    if isinstance(setting, str):
        setting = setting.replace(",", " ").split()
    return frozenset(str(s) for s in setting)


def _check_services(facts: Facts, allowed: frozenset[str]) -> None:
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


def check_query(text: str, base: str | None, allowed: frozenset[str]) -> Facts:
    """The facts of a query that may run; ApiError(400) for a syntax error or a refused SERVICE."""
    facts = inspect_query(text, base)
    _check_services(facts, allowed)
    return facts


def check_update(text: str, base: str | None, allowed: frozenset[str], protocol_dataset: bool) -> Facts:
    """The facts of an update that may run; ApiError(400) for LOAD, a refused SERVICE, or a dataset conflict."""
    facts = inspect_update(text, base)
    if facts.loads:
        raise ApiError(
            400,
            f"LOAD <{facts.loads[0]}> is refused: this endpoint never fetches a file or network "
            "resource. Send the data in INSERT DATA, or load it with `hipback load`.",
        )
    _check_services(facts, allowed)
    if protocol_dataset and facts.has_using:
        raise ApiError(
            400,
            "using-graph-uri / using-named-graph-uri cannot be combined with an update that has "
            "USING, USING NAMED or WITH (SPARQL 1.1 Protocol, section 2.2.3).",
        )
    return facts
