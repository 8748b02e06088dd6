"""``hipback load`` and ``hipback query``: plain functions, and the click commands over them.

- ``load_remote(url, ...)`` puts the release N-Triples into a remote store's named graphs,
  by the SPARQL 1.1 Graph Store Protocol (``PUT url?graph=G``, the default) or by SPARQL
  Update (``INSERT DATA`` in chunks, after ``DROP SILENT GRAPH``).
- ``run_query(text, endpoint=None, ...)`` runs a query on the embedded store built from the
  release files, or on a remote endpoint, with the same checks and writers as /sparql.
"""
from __future__ import annotations

import sys
import re
from pathlib import Path

import click
import requests

from .. import config, vocab
from . import guard, negotiation
from .execute import Job, Outcome

CHUNK_LINES = 5000
#: and of at most this many bytes (Virtuoso's SPARQL compiler runs out of memory on a text of about 0.7 MB)
CHUNK_BYTES = 250_000
#: lines per INSERT template of blank-node triples (Virtuoso compiles a template to SQL, 10,000 lines at most)
BLANK_LINES = 200
_BLANK = re.compile(r"(?:^|\s)(_:[A-Za-z0-9_.-]+)")


def _blank_groups(lines: list[str]) -> list[list[str]]:
    """The lines with blank nodes, grouped so that every triple of one blank node (and of the blank nodes
    linked to it: an OWL restriction and its list) is in one group."""
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    labelled = []
    for line in lines:
        labels = _BLANK.findall(line)
        for other in labels[1:]:
            parent[root(other)] = root(labels[0])
        labelled.append((line, labels[0]))
    groups: dict[str, list[str]] = {}
    for line, label in labelled:
        groups.setdefault(root(label), []).append(line)
    return list(groups.values())


def _lines(content):
    """The lines of a graph's N-Triples (store.graph_contents), read as they go. A binary file's lines end at LF
    only (a literal may hold U+2028 or U+0085 as they are, where ``str.splitlines`` would break); each line
    given ends with one, the last too."""
    from ..store import open_content

    with open_content(content) as handle:
        for line in handle:
            yield line.decode("utf-8") if line.endswith(b"\n") else line.decode("utf-8") + "\n"


def _chunks(lines, size: int):
    """The triples of N-Triples ``lines`` in chunks of about ``size`` lines (and CHUNK_BYTES); (lines, True) for
    those with blank nodes.

    Blank node labels are scoped to one update request, so the triples of one blank node (an OWL restriction,
    a list) must be sent together or they would become several nodes: those go in chunks of whole groups
    (``_blank_groups``) of at most BLANK_LINES lines where the groups allow.
    """
    chunk, blank, size_bytes = [], [], 0
    for line in lines:
        if line.strip() and not line.startswith("#"):
            if _BLANK.search(line):
                blank.append(line)
                continue
            chunk.append(line)
            size_bytes += len(line.encode("utf-8"))
            if len(chunk) >= size or size_bytes >= CHUNK_BYTES:
                yield chunk, False
                chunk, size_bytes = [], 0
    if chunk:
        yield chunk, False
    chunk = []
    for group in _blank_groups(blank):
        if chunk and len(chunk) + len(group) > BLANK_LINES:
            yield chunk, True
            chunk = []
        chunk += group
    if chunk:
        yield chunk, True


def load_remote(url: str, files: list[tuple[Path, str]] | None = None, method: str = "gsp",
                token: str = "", timeout: float = 120.0) -> dict[str, int]:
    """Load each (N-Triples file, graph IRI) into the store at ``url``, as the embedded store holds them (a
    triple an earlier file holds is left out of a later one: ``store.graph_contents``); returns graph -> triples
    sent.

    ``method="gsp"``: ``url`` is a Graph Store Protocol endpoint (Oxigraph: ``/store``); each
    graph is replaced with PUT. ``method="update"``: ``url`` is a SPARQL Update endpoint.
    """
    from ..store import graph_contents, open_content, release_files

    files = files or release_files()
    for path, _graph in files:
        if not Path(path).exists():
            raise click.ClickException(f"{path} does not exist; run `hipback build` first")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    sent: dict[str, int] = {}
    with requests.Session() as session:
        for graph, content in graph_contents(files):
            if method == "gsp":
                with open_content(content) as body:
                    response = session.put(url, params={"graph": graph}, data=body, timeout=timeout,
                                           headers={**headers, "Content-Type": vocab.NTRIPLES})
                _check(response, url)
                sent[graph] = sum(1 for line in _lines(content) if line.strip() and not line.startswith("#"))
            elif method == "update":
                update_headers = {**headers, "Content-Type": "application/sparql-update; charset=utf-8"}
                _check(session.post(url, data=f"DROP SILENT GRAPH <{graph}>".encode(), headers=update_headers,
                                    timeout=timeout), url)
                count = 0
                for chunk, blank in _chunks(_lines(content), CHUNK_LINES):
                    triples = f"GRAPH <{graph}> {{\n{''.join(chunk)}}}"
                    # a template's blank nodes are one new node per label in the request; some stores (Virtuoso)
                    # take no blank node in INSERT DATA
                    body = f"INSERT {{ {triples} }} WHERE {{}}" if blank else f"INSERT DATA {{ {triples} }}"
                    _check(session.post(url, data=body.encode("utf-8"), headers=update_headers, timeout=timeout), url)
                    count += len(chunk)
                sent[graph] = count
            else:
                raise ValueError(f"unknown load method {method!r}")
    return sent


def _check(response: requests.Response, url: str) -> None:
    if response.status_code >= 300:
        raise click.ClickException(f"{url} answered {response.status_code}: {response.text[:300]}")


def run_query(text: str, endpoint: str | None = None, fmt: str | None = None,
              settings: dict | None = None, files=None) -> Outcome:
    """Run ``text`` locally (embedded store) or on ``endpoint``; the Outcome holds the serialized answer."""
    settings = config.from_env(settings)
    base = str(settings.get("SPARQL_BASE") or config.BASE)
    text = guard.normalize(text)
    facts = guard.check_query(text, base, guard.allowlist(settings.get("SERVICE_ALLOWLIST")))
    named = negotiation.from_format([fmt]) if fmt else ("tsv", "turtle")
    dataset = {}
    if facts.has_dataset:
        dataset = {"default_graphs": list(facts.from_graphs), "named_graphs": list(facts.from_named)}
    job = Job(query=text, base=base, results_format=named[0], graph_format=named[1],
              max_results=int(settings.get("MAX_RESULTS", 10000)),
              max_bytes=int(settings.get("MAX_ANSWER_BYTES", 0)), **dataset)
    if endpoint:
        from .remote import Remote

        return Remote(endpoint).run(job, float(settings.get("QUERY_TIMEOUT", 5.0)))
    from ..store import EmbeddedStore
    from .execute import run

    return run(EmbeddedStore(files).store, job)


@click.command("load")
@click.option("--endpoint", default=None,
              help="Graph Store Protocol URL (e.g. Oxigraph's /store), or an update URL with --method update. "
                   "Default: the STORE_UPDATE_URL setting, with --method update.")
@click.option("--method", type=click.Choice(["gsp", "update"]), default=None,
              help="gsp (PUT each graph; the default with --endpoint) or update (INSERT DATA in chunks).")
@click.option("--token", default="", help="Bearer token for the store, if it needs one.")
def load_command(endpoint: str | None, method: str | None, token: str) -> None:
    """Load the release (asserted and inferred graphs) into a remote SPARQL store."""
    if endpoint is None:
        endpoint = str(config.from_env().get("STORE_UPDATE_URL") or "")
        if not endpoint:
            raise click.ClickException("give --endpoint URL, or set HIPBACK_STORE_UPDATE_URL")
        method = method or "update"
    sent = load_remote(endpoint, method=method or "gsp", token=token)
    for graph, count in sent.items():
        click.echo(f"{graph}: {count} triples")


@click.command("query")
@click.argument("query")
@click.option("--endpoint", default=None, help="A SPARQL endpoint URL; without it, the embedded store of the release.")
@click.option("--format", "fmt", default=None,
              help="json, xml, csv, tsv (SELECT/ASK; default tsv) or turtle, nt, rdfxml, jsonld (CONSTRUCT/DESCRIBE; default turtle).")
def query_command(query: str, endpoint: str | None, fmt: str | None) -> None:
    """Run QUERY (SPARQL text, a .rq file, or - for standard input) and print the answer."""
    from ..errors import ApiError

    if query == "-":
        text = sys.stdin.read()
    elif Path(query).is_file():
        text = Path(query).read_text(encoding="utf-8")
    else:
        text = query
    try:
        outcome = run_query(text, endpoint, fmt)
    except negotiation.NotAcceptable as error:
        raise click.ClickException(str(error)) from None
    except ApiError as error:
        raise click.ClickException(error.message) from None
    if not outcome.ok:
        raise click.ClickException(outcome.message)
    sys.stdout.buffer.write(outcome.body)
    sys.stdout.buffer.flush()
