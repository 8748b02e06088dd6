"""Content negotiation: one media-type table per kind of answer, and an ``Accept`` parser.

A SELECT or ASK query answers a *results* document; a CONSTRUCT or DESCRIBE query answers
a *graph*. Each table maps a media type to a format key; the first entry is the default
(also what ``*/*`` gets). A ``format`` parameter, when given, overrides ``Accept``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .. import vocab

#: media type -> format key, in the server's order of preference
RESULTS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    vocab.CSV: "csv",
    vocab.TSV: "tsv",
    vocab.JSON: "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
GRAPH = {
    vocab.TURTLE: "turtle",
    vocab.NTRIPLES: "ntriples",
    vocab.RDFXML: "rdfxml",
    vocab.JSONLD: "jsonld",
    "application/x-turtle": "turtle",
    "text/n3": "turtle",
    "application/xml": "rdfxml",
    "text/xml": "rdfxml",
    vocab.JSON: "jsonld",
    "text/plain": "ntriples",
}
#: what GET /sparql without a query can answer: the description as RDF, or the console page
DESCRIPTION = {**GRAPH, vocab.HTML: "html", "application/xhtml+xml": "html"}

#: format key -> the Content-Type of the answer
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": vocab.NTRIPLES,
    "rdfxml": vocab.RDFXML,
    "jsonld": vocab.JSONLD,
    "html": "text/html; charset=utf-8",
}

#: ``format`` parameter value -> (results key, graph key); media types of the tables work too
FORMAT_NAMES = {
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdfxml"),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "turtle": (None, "turtle"),
    "ttl": (None, "turtle"),
    "n3": (None, "turtle"),
    "nt": (None, "ntriples"),
    "ntriples": (None, "ntriples"),
    "n-triples": (None, "ntriples"),
    "rdf": (None, "rdfxml"),
    "rdfxml": (None, "rdfxml"),
    "rdf+xml": (None, "rdfxml"),
    "jsonld": (None, "jsonld"),
    "json-ld": (None, "jsonld"),
}


class NotAcceptable(Exception):
    """Nothing in the table satisfies the request; the message says what can be made."""


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header, with their q-values (malformed parts are skipped)."""
    ranges = []
    for order, part in enumerate((header or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        kind, _, sub = media.partition("/")
        if not kind or not sub or (kind == "*" and sub != "*"):
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                # nan and inf are malformed (the range is not wanted); other numbers are clamped
                q = min(max(q, 0.0), 1.0) if math.isfinite(q) else 0.0
        ranges.append(MediaRange(kind, sub, q, order))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> tuple[float, int, int]:
    """(q, specificity, -order) of the most specific range that matches ``media_type``."""
    best = None
    for r in ranges:
        if r.matches(media_type):
            key = (r.specificity, -r.order)
            if best is None or key > best[0]:
                best = (key, r.q)
    if best is None:
        return (0.0, 0, 0)
    return (best[1], best[0][0], best[0][1])


def choose(accept: str | None, table: dict[str, str]) -> str | None:
    """The format key the client prefers among ``table``; the table's first entry when any will do."""
    ranges = parse_accept(accept)
    if not ranges:
        return next(iter(table.values()))
    best_key, best_score = None, None
    for position, (media_type, key) in enumerate(table.items()):
        q, specificity, order = quality(ranges, media_type)
        if q <= 0:
            continue
        score = (q, specificity, order, -position)
        if best_score is None or score > best_score:
            best_key, best_score = key, score
    return best_key


def from_format(values: list[str]) -> tuple[str | None, str | None] | None:
    """(results key, graph key) named by ``format`` parameters; the first one understood wins.

    Clients such as SPARQLWrapper repeat the parameter (``format=tsv&format=text/tab-separated-values``).
    Returns None when no value was given; raises NotAcceptable when none is understood.
    """
    values = [v for v in values if v.strip()]  # an empty format= names nothing
    if not values:
        return None
    for value in values:
        name = value.strip().lower()
        if name in FORMAT_NAMES:
            return FORMAT_NAMES[name]
        media = name.split(";")[0].strip()
        if media in RESULTS or media in GRAPH:
            return RESULTS.get(media), GRAPH.get(media)
    raise NotAcceptable(
        f"format={values[0]!r} is not a format this endpoint makes; use one of "
        + ", ".join(sorted(FORMAT_NAMES))
        + " or a media type"
    )


@dataclass(frozen=True)
class Choice:
    """The format for each kind of answer; None where the client accepts none."""

    results: str | None
    graph: str | None

    def for_kind(self, kind: str) -> str | None:
        return self.results if kind == "results" else self.graph


#: Accept headers up to this long have their choice remembered (clients send a few distinct ones, again and again)
CACHED_ACCEPT = 512


def _from_accept(accept: str | None) -> Choice:
    return Choice(choose(accept, RESULTS), choose(accept, GRAPH))


_cached_from_accept = lru_cache(maxsize=256)(_from_accept)


def negotiate(accept: str | None, formats: list[str]) -> Choice:
    """The formats a query's answer may take, from the ``format`` parameter or else ``Accept``.

    Raises NotAcceptable when no kind of answer can be made at all.
    """
    named = from_format(formats)
    if named is not None:
        choice = Choice(*named)
    elif accept is None or len(accept) <= CACHED_ACCEPT:
        choice = _cached_from_accept(accept)
    else:
        choice = _from_accept(accept)
    if choice.results is None and choice.graph is None:
        raise NotAcceptable(not_acceptable_message(accept, "results", formats))
    return choice


def not_acceptable_message(accept: str | None, kind: str, formats: list[str] | None = None) -> str:
    """Why nothing can be made; names the ``format`` parameter when one was given (it wins over Accept)."""
    table = RESULTS if kind == "results" else GRAPH
    what = "SELECT and ASK results" if kind == "results" else "CONSTRUCT and DESCRIBE graphs"
    offered = sorted(set(table))
    asked = [f for f in formats or [] if f.strip()]
    if asked:
        names = sorted(name for name, keys in FORMAT_NAMES.items() if keys[0 if kind == "results" else 1])
        return f"Cannot answer format={asked[0]!r}: {what} are available as format=" + ", ".join(names) + \
            " (or " + ", ".join(offered) + ")."
    return f"Cannot answer Accept: {accept!r}: {what} are available as " + ", ".join(offered) + "."
