"""The triple store behind the service: embedded pyoxigraph, or any SPARQL 1.1 server by URL.

Both give the same small interface, so the API, the reasoner and the pages do not know
which one they run on:

- ``select(name_or_text, **bindings)`` -> list of rows, each a dict of variable -> str
- ``ask(...)`` -> bool
- ``construct(...)`` -> rdflib.Graph

Queries the service itself runs live in ``queries/app/*.rq`` and are named without the
extension; bindings become a ``VALUES`` block so that one text serves both backends.

They read the release graphs alone (``RELEASE``: the asserted and inferred graphs, as the
dataset's default graph and its named graphs), so what a client writes to a graph of its own
through /sparql/update never enters the term index, the reasoner or a term's page; the
figures of the whole store (graph sizes, VoID) pass ``whole=True``.
"""
from __future__ import annotations

import hashlib
import io
import re
from functools import lru_cache
from pathlib import Path

import rdflib

from . import config, vocab

APP_QUERIES = config.QUERIES_DIR / "app"
_IRI_VALUE = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", re.I)


@lru_cache(maxsize=None)
def query_text(name: str) -> str:
    """The text of ``queries/app/<name>.rq``."""
    return (APP_QUERIES / f"{name}.rq").read_text(encoding="utf-8")


def _term(value) -> str:
    if isinstance(value, rdflib.term.Node):
        return value.n3()
    if isinstance(value, str) and _IRI_VALUE.match(value) and "://" in value:
        return f"<{value}>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return rdflib.Literal(value).n3()
    return rdflib.Literal(str(value)).n3()


def bind(text: str, bindings: dict) -> str:
    """Insert ``VALUES`` for ``bindings`` after the first ``WHERE {``; lists give several rows."""
    if not bindings:
        return text
    names = list(bindings)
    columns = [v if isinstance(v, (list, tuple, set)) else [v] for v in bindings.values()]
    if len(names) == 1:
        rows = " ".join(_term(v) for v in columns[0])
        values = f"VALUES ?{names[0]} {{ {rows} }}"
    else:
        rows = " ".join("(" + " ".join(_term(c) for c in row) + ")" for row in zip(*columns))
        values = "VALUES (" + " ".join("?" + n for n in names) + f") {{ {rows} }}"
    match = re.search(r"WHERE\s*\{", text, re.I)
    if not match:
        raise ValueError("query has no WHERE clause to bind into")
    return text[: match.end()] + "\n  " + values + "\n" + text[match.end():]


def _resolve(name_or_text: str) -> str:
    if re.fullmatch(r"[a-z0-9_-]+", name_or_text):
        return query_text(name_or_text)
    return name_or_text


#: the graphs the service's own queries read: the ontology as released, asserted and inferred
RELEASE = (config.ASSERTED_GRAPH, config.INFERRED_GRAPH)


def release_files() -> list[tuple[Path, str]]:
    """The built N-Triples files and the named graph each is loaded into."""
    return [
        (config.RELEASE_DIR / "hipback.nt", config.ASSERTED_GRAPH),
        (config.RELEASE_DIR / "hipback-inferred.nt", config.INFERRED_GRAPH),
    ]


def open_content(content: Path | bytes):
    """A graph's content (``graph_contents``) as a binary file to read."""
    return open(content, "rb") if isinstance(content, Path) else io.BytesIO(content)


def graph_contents(files: list[tuple[Path, str]] | None = None) -> list[tuple[str, Path | bytes]]:
    """What each graph of the store holds: (graph, the file, or its N-Triples as bytes; ``open_content``
    reads either).

    A triple an earlier file already holds is left out of a later one, so that each triple of the release is in
    one graph and the union of the graphs (a query's default graph) matches it once: the ontology header, which
    both release files carry so that each names its version, is in the asserted graph only. Lines are compared
    as written (the build writes canonical N-Triples); a line with a blank node is always kept, since two files'
    blank nodes are never the same node. Only the later files are held in memory while the earlier are read.
    """
    files = files or release_files()
    contents: list[tuple[str, Path | bytes]] = []
    for index, (path, graph) in enumerate(files):
        if index == 0:
            contents.append((graph, path))
            continue
        with open(path, "rb") as handle:
            lines = handle.read().splitlines(keepends=True)
        shared = {line.rstrip(b"\r\n") for line in lines if b"_:" not in line}
        seen: set[bytes] = set()
        for earlier, _ in files[:index]:
            with open(earlier, "rb") as handle:
                seen.update(line.rstrip(b"\r\n") for line in handle if line.rstrip(b"\r\n") in shared)
        kept = [line for line in lines if line.rstrip(b"\r\n") not in seen]
        contents.append((graph, path if len(kept) == len(lines) else b"".join(kept)))
    return contents


class Store:
    """Shared behaviour; subclasses implement ``_select``, ``_ask`` and ``_construct``.

    Each reads the release graphs (``RELEASE``) unless ``whole=True`` asks for every graph.
    """

    kind = "abstract"

    def select(self, name_or_text: str, *, whole: bool = False, **bindings) -> list[dict[str, str]]:
        return self._select(bind(_resolve(name_or_text), bindings), None if whole else RELEASE)

    def ask(self, name_or_text: str, *, whole: bool = False, **bindings) -> bool:
        return self._ask(bind(_resolve(name_or_text), bindings), None if whole else RELEASE)

    def construct(self, name_or_text: str, *, whole: bool = False, **bindings) -> rdflib.Graph:
        return self._construct(bind(_resolve(name_or_text), bindings), None if whole else RELEASE)

    def triple_count(self) -> int:
        """The triples of every graph the store holds."""
        rows = self.select("triple-count", whole=True)
        return int(rows[0]["n"]) if rows else 0

    def version_iri(self) -> str | None:
        rows = self.select("ontology-version")
        return rows[0]["version"] if rows else None


class EmbeddedStore(Store):
    """pyoxigraph in memory, loaded once from the release files; the default graph is the union."""

    kind = "embedded"

    def __init__(self, files: list[tuple[Path, str]] | None = None):
        import pyoxigraph as ox

        self._ox = ox
        self.store = ox.Store()
        digest = hashlib.sha256()
        files = files or release_files()
        for graph, content in graph_contents(files):
            with open_content(content) as handle:
                self.store.bulk_load(handle, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
        for path, graph in files:
            with open(path, "rb") as handle:
                digest.update(graph.encode() + b"\n" + hashlib.file_digest(handle, "sha256").digest())
        #: names the content loaded (the files and their graphs): stores of one release share a query pool
        self.digest = "files-" + digest.hexdigest()

    @classmethod
    def of(cls, store) -> "EmbeddedStore":
        """An EmbeddedStore over a pyoxigraph store that is already filled."""
        import pyoxigraph as ox

        self = cls.__new__(cls)
        self._ox, self.store, self.digest = ox, store, None
        return self

    def _value(self, term) -> str:
        return term.value

    def _query(self, text: str, graphs):
        if graphs is None:
            return self.store.query(text, use_default_graph_as_union=True)
        names = [self._ox.NamedNode(g) for g in graphs]
        return self.store.query(text, default_graph=names, named_graphs=names)

    def _select(self, text: str, graphs=RELEASE) -> list[dict[str, str]]:
        result = self._query(text, graphs)
        names = [v.value for v in result.variables]
        rows = []
        for solution in result:
            row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = term.value
            rows.append(row)
        return rows

    def _ask(self, text: str, graphs=RELEASE) -> bool:
        return bool(self._query(text, graphs))

    def _construct(self, text: str, graphs=RELEASE) -> rdflib.Graph:
        result = self._query(text, graphs)
        data = result.serialize(format=self._ox.RdfFormat.N_TRIPLES)
        graph = rdflib.Graph()
        graph.parse(data=data.decode("utf-8"), format="nt")
        return graph


#: what the service asks a store for a graph in (a store that can write a graph as SPARQL results, as
#: Virtuoso can, must not be offered those)
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
#: what a store may answer a CONSTRUCT in (Virtuoso writes N-Triples as text/plain), and rdflib's parser for it
GRAPH_MEDIA = {vocab.NTRIPLES: "nt", "text/plain": "nt", vocab.TURTLE: "turtle",
               vocab.RDFXML: "xml", "application/x-turtle": "turtle"}


_BOOLEAN = vocab.XSD + "boolean"


def _canonical(term: dict) -> str:
    """A SPARQL JSON term's value; an xsd:boolean in its canonical form (Virtuoso writes true as "1")."""
    if term.get("datatype") == _BOOLEAN:
        return "true" if term["value"].strip() in ("1", "true") else "false"
    return term["value"]


class StoreError(RuntimeError):
    """The store answered something the service cannot read."""


class RemoteStore(Store):
    """Any SPARQL 1.1 query endpoint, through SPARQLWrapper."""

    kind = "remote"

    def __init__(self, url: str, timeout: float = 30.0):
        self.url = url
        self.timeout = timeout

    def _wrapper(self, text: str, fmt: str, graphs=RELEASE):
        from SPARQLWrapper import SPARQLWrapper

        client = SPARQLWrapper(self.url)
        for graph in graphs or ():
            client.addDefaultGraph(graph)
            client.addNamedGraph(graph)
        client.setQuery(text)
        client.setReturnFormat(fmt)
        client.setMethod("POST")
        client.setTimeout(int(self.timeout))
        return client

    def _select(self, text: str, graphs=RELEASE) -> list[dict[str, str]]:
        from SPARQLWrapper import JSON

        data = self._wrapper(text, JSON, graphs).queryAndConvert()
        return [{k: _canonical(v) for k, v in b.items()} for b in data["results"]["bindings"]]

    def _ask(self, text: str, graphs=RELEASE) -> bool:
        from SPARQLWrapper import JSON

        return bool(self._wrapper(text, JSON, graphs).queryAndConvert()["boolean"])

    def _construct(self, text: str, graphs=RELEASE) -> rdflib.Graph:
        from SPARQLWrapper import N3

        client = self._wrapper(text, N3, graphs)
        client.addCustomHttpHeader("Accept", GRAPH_ACCEPT)
        response = client.query().response
        media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        fmt = GRAPH_MEDIA.get(media)
        if fmt is None:
            raise StoreError(f"the store answered a graph query in {media or 'no media type'}, not RDF")
        graph = rdflib.Graph()
        graph.parse(data=response.read().decode("utf-8"), format=fmt)
        return graph


def open_store(settings: dict) -> Store:
    """The store the settings name: ``embedded`` or a SPARQL endpoint URL."""
    target = str(settings.get("STORE", "embedded"))
    if target == "embedded":
        return EmbeddedStore()
    return RemoteStore(target)
