"""The same contract as the worker pool, against any SPARQL 1.1 server given by URL.

A query is forwarded with its protocol dataset; the answer is read within the timeout,
parsed, counted against MAX_RESULTS and written again in the negotiated format, so a
client sees the same formats, limits and errors on either store. Relative IRIs resolve
against the same base: a ``BASE`` line is put before the text (a later ``BASE`` in the
query still wins).
"""
from __future__ import annotations

import re
import time

import pyoxigraph as ox
import requests

from ..errors import ApiError
from ..store import GRAPH_ACCEPT
from . import guard
from .execute import (Job, Outcome, query_form, serialize_graph, boolean_outcome, solutions_outcome, syntax_message,
                      too_many)

#: XML results first: Virtuoso's SPARQL JSON writes a language tag as "lang", which is not SPARQL JSON
ACCEPT = "application/sparql-results+xml, application/sparql-results+json;q=0.9, application/n-triples;q=0.8, text/turtle;q=0.7"
MAX_ANSWER_BYTES = 256 * 1024 * 1024
#: the one column Virtuoso 7 writes for an ASK answered in SPARQL JSON
ASK_COLUMN = "__ASK_RETVAL"


def _read(response: requests.Response, deadline: float, timeout: float, limit: int = MAX_ANSWER_BYTES) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(65536):
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise _overrun(timeout)
        if size > limit:
            raise ApiError(503, f"The store's answer is over {limit} bytes, too large to pass on (setting "
                                "MAX_ANSWER_BYTES); narrow the query or add a LIMIT.")
    return b"".join(chunks)


def _overrun(timeout: float) -> ApiError:
    return ApiError(
        503,
        f"The query ran longer than {timeout:g} s (setting QUERY_TIMEOUT) and was stopped. Narrow it, or add a LIMIT.",
    )


def _store_error(response: requests.Response, shifted: bool = False) -> ApiError:
    text = " ".join(response.text.split())
    if 400 <= response.status_code < 500:
        # Oxigraph's parse errors ("error at L:C: ..."): the same message as the embedded
        # store gives, with the line counted in the client's text (without our BASE line)
        where = re.match(r"error at (\d+):(\d+): ", text)
        if where:
            line = int(where.group(1)) - (1 if shifted else 0)
            return ApiError(400, syntax_message(SyntaxError(f"error at {line}:{where.group(2)}: {text[where.end():]}")))
        virtuoso = re.search(r"SP0\d\d: SPARQL compiler, line \d+: (syntax error.*?)(?: SPARQL query:|$)", text)
        if virtuoso:  # Virtuoso's words, without the line it counts in the text it was sent
            return ApiError(400, f"Syntax error in the query: {virtuoso.group(1)[:200]}")
        return ApiError(400, f"The store refused the query: {text[:300]}")
    return ApiError(502, f"The store answered {response.status_code}: {text}")


def with_base(text: str, base: str | None) -> str:
    return f"BASE <{base}>\n{text}" if base else text


class Remote:
    """Forwards /sparql queries and updates to a SPARQL server (the runner interface of runner.Embedded)."""

    #: no worker of ours runs here: the guard parses in the web worker (check_query, update)
    guards_in_worker = False

    def __init__(self, query_url: str, update_url: str = "", store=None):
        self.query_url = query_url
        self.update_url = update_url
        self.store = store  # the app's RemoteStore, which the service's own queries read
        self.session = requests.Session()

    def _params(self, job: Job) -> list[tuple[str, str]]:
        params = [("default-graph-uri", g) for g in job.default_graphs or []]
        params += [("named-graph-uri", g) for g in job.named_graphs or []]
        return params

    def run(self, job: Job, timeout: float) -> Outcome:
        deadline = time.monotonic() + timeout
        try:
            # the URL-encoded form, which every SPARQL 1.1 server takes (Virtuoso 7 never answers a direct POST)
            response = self.session.post(
                self.query_url,
                data=[("query", with_base(job.query, job.base))] + self._params(job),
                headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                         "Accept": GRAPH_ACCEPT if query_form(job.query) in ("CONSTRUCT", "DESCRIBE") else ACCEPT},
                timeout=(min(timeout, 5.0), timeout),
                stream=True,
            )
            with response:
                if response.status_code != 200:
                    raise _store_error(response, shifted=bool(job.base))
                body = _read(response, deadline, timeout, job.max_bytes or MAX_ANSWER_BYTES)
                media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        except requests.Timeout:
            raise _overrun(timeout) from None
        except requests.RequestException as error:
            raise ApiError(502, f"The store at {self.query_url} could not be reached: {type(error).__name__}") from None
        return self._outcome(body, media, job)

    def _outcome(self, body: bytes, media: str, job: Job) -> Outcome:
        try:
            return self._read_outcome(body, media, job)
        except (SyntaxError, ValueError) as error:  # the store wrote something its media type does not allow
            raise ApiError(502, f"The store's answer ({media}) could not be read: {' '.join(str(error).split())[:200]}") from None

    def _read_outcome(self, body: bytes, media: str, job: Job) -> Outcome:
        results_format = ox.QueryResultsFormat.from_media_type(media)
        if results_format is not None:
            parsed = ox.parse_query_results(body, format=results_format)
            if isinstance(parsed, ox.QueryBoolean):
                return boolean_outcome(bool(parsed), job)
            if [v.value for v in parsed.variables] == [ASK_COLUMN]:
                # Virtuoso answers ASK in JSON as one row of __ASK_RETVAL (1 or 0), not as a boolean
                rows = [solution[ASK_COLUMN] for solution in parsed]
                return boolean_outcome(bool(rows) and rows[0] is not None and rows[0].value not in ("0", "false"), job)
            return solutions_outcome(parsed, job)
        rdf_format = ox.RdfFormat.from_media_type(media)
        if rdf_format is None:
            raise ApiError(502, f"The store answered in an unexpected media type: {media!r}")
        triples = []
        for triple in ox.parse(body, format=rdf_format):
            if len(triples) >= job.max_results:
                return too_many(job.max_results, "triples")
            triples.append(triple)
        return serialize_graph(triples, job)

    def check_query(self, text: str, base: str | None, allowlist) -> guard.Facts:
        """The guard, here in the web worker: a remote store has no worker of ours to parse in."""
        facts = guard.check_query(text, base, allowlist, max_chars=guard.WEB_PARSE_CHARS)
        if not facts.parsed and "from" in text.lower() and len(text) <= guard.WEB_PARSE_CHARS:
            # a store whose default graph is the union ignores FROM: pass it on as the dataset.
            # A text the guard's grammar cannot read goes as it is (it cannot call out).
            try:
                facts = guard.inspect_query(text, base, force=True)
            except ApiError:
                pass
        return facts

    def update(self, text: str, base: str | None, using: list[str], using_named: list[str], timeout: float,
               allowlist: tuple[str, ...] = (), protected: tuple[str, ...] = (), check=None) -> None:
        """Check the update with the guard, send it, then ``check(store, True)`` when given: the update is
        applied by then (a remote store cannot be rolled back from here)."""
        guard.check_update(text, base, set(allowlist), bool(using or using_named), max_chars=guard.WEB_PARSE_CHARS,
                           protected=frozenset(protected))
        self._send_update(text, base, using, using_named, timeout)
        if check is not None:
            check(self.store, True)

    def _send_update(self, text: str, base: str | None, using: list[str], using_named: list[str],
                     timeout: float) -> None:
        if not self.update_url:
            raise ApiError(501, "This deployment's store has no update URL (setting STORE_UPDATE_URL).")
        params = [("using-graph-uri", g) for g in using] + [("using-named-graph-uri", g) for g in using_named]
        try:
            response = self.session.post(
                self.update_url,
                params=params,
                data=with_base(text, base).encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"},
                timeout=(min(timeout, 5.0), timeout),
            )
        except requests.Timeout:
            raise _overrun(timeout) from None
        except requests.RequestException as error:
            raise ApiError(502, f"The store at {self.update_url} could not be reached: {type(error).__name__}") from None
        if response.status_code >= 300:
            raise _store_error(response, shifted=bool(base))

    def close(self) -> None:
        self.session.close()
