"""Term IRIs that dereference (303), the ontology and version IRIs, and the downloads.

- ``GET /term/X``: 303 See Other to ``/term/X.<suffix>`` by ``Accept`` (q-values), 406 when
  nothing fits, 404 for an unknown term; ``Vary: Accept``.
- ``GET /term/X.html|.json|.ttl|.jsonld|.rdf|.nt``: the page, its JSON, or the term's
  description; ``ETag`` from the ontology version and content, ``Cache-Control``.
- ``GET /hipback.owl`` and ``/releases/<date>/hipback.owl``: 303 to the release file in the
  format asked; ``/downloads/<file>`` and ``/releases/<date>/<file>`` serve the files.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, render_template, request, send_file, url_for

from .. import DISCLAIMER, config, get_store, linkeddata
from ..errors import ApiError
from ..sparql import negotiation
from .support import add_caching, answer, search_index, term_index

bp = Blueprint("terms", __name__)
bp.after_app_request(add_caching)

CACHE_CONTROL = "public, max-age=3600"
DOCUMENT_SUFFIXES = ("html", "json") + linkeddata.RDF_SUFFIXES

#: release file suffix -> Content-Type
FILE_TYPES = {
    "owl": "application/rdf+xml",
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
#: release file stem -> (variant, what it holds)
VARIANTS = {
    "hipback": ("asserted", "asserted: the ontology as edited, with the OBO synonyms and definitions"),
    "hipback-reasoned": ("reasoned", "reasoned: asserted plus every inference of HermiT"),
    "hipback-inferred": ("inferred", "inferred: the inferred triples only"),
    "hipback.context": ("prefixes", "the prefix map of the release files (a JSON-LD context)"),
    "hipback-mappings.sssom": ("mappings", "every cross-reference to ICD-10-CM, HPO and MeSH as SSSOM"),
}


@bp.record_once
def _build_index(state) -> None:
    """The term and search indexes are compiled once, when the app is created."""
    search_index(state.app)


def _not_acceptable(table: dict) -> ApiError:
    offered = ", ".join(sorted(set(table)))
    return ApiError(406, f"Cannot answer Accept: {request.headers.get('Accept')!r}; available: {offered}.")


def _conditional(response: Response, path: str) -> Response:
    index = term_index()
    response.set_etag(linkeddata.etag(index.version, index.digest, path))
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers.add("Vary", "Accept")
    return response.make_conditional(request)


def _alternates(name: str) -> dict[str, str]:
    return {suffix: url_for("terms.term", name=f"{name}.{suffix}") for suffix in DOCUMENT_SUFFIXES}


def _link_header(name: str, iri: str) -> str:
    links = [f'<{url}>; rel="alternate"; type="{linkeddata.CONTENT_TYPES[s].split(";")[0]}"'
             for s, url in _alternates(name).items()]
    return ", ".join(links + [f'<{iri}>; rel="describes"'])


@bp.route("/term/<path:name>", methods=["GET", "HEAD"])
def term(name: str):
    stem, dot, suffix = name.rpartition(".")
    if not (dot and suffix in DOCUMENT_SUFFIXES):
        stem, suffix = name, None
    index = term_index()
    found = index.resolve(stem)
    if found is None or not found.iri.startswith(config.BASE) or found.local_name != stem:
        if found is not None and found.iri.startswith(config.BASE):
            # a case or CURIE variant of a real name: point at the canonical URL
            target = found.local_name + (f".{suffix}" if suffix else "")
            return redirect(url_for("terms.term", name=target), 301)
        raise ApiError(404, f"There is no term {stem!r} in {config.BASE}; /api/search finds terms.")
    if suffix is None:
        chosen = negotiation.choose(request.headers.get("Accept"), linkeddata.TERM_TYPES)
        if chosen is None:
            raise _not_acceptable(linkeddata.TERM_TYPES)
        response = redirect(url_for("terms.term", name=f"{stem}.{chosen}"), 303)
        response.headers["Vary"] = "Accept"
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.headers["Link"] = _link_header(stem, found.iri)
        return response
    if suffix == "json":
        response = answer(term_json(found))
    elif suffix == "html":
        response = Response(render_template("term.html", **term_context(found)),
                            content_type=linkeddata.CONTENT_TYPES["html"])
    else:
        response = Response(_description(found.iri, suffix), content_type=linkeddata.CONTENT_TYPES[suffix])
    response.headers["Link"] = _link_header(stem, found.iri)
    return _conditional(response, request.path)


def _description(iri: str, suffix: str) -> bytes:
    cache = current_app.extensions.setdefault("hipback.descriptions", {})
    key = (iri, suffix)
    if key not in cache:
        graph = linkeddata.description(get_store(), iri)
        cache[key] = linkeddata.serialise(graph, suffix)
    return cache[key]


def term_json(found) -> dict:
    """The JSON of a term's page, also the answer of /api/terms/<id>."""
    index = term_index()
    data = index.detail(found)
    data["links"] = {
        "self": url_for("terms.term", name=found.local_name),
        **_alternates(found.local_name),
        "mappings": url_for("api.term_mappings", identifier=found.local_name),
        "api": url_for("api.term", identifier=found.local_name),
    }
    data["ontology_version"] = index.version
    return data


def term_context(found) -> dict:
    """Everything the term page template gets (the pages restyle it; the names stay)."""
    index = term_index()
    return {
        "term": index.detail(found),
        "alternates": _alternates(found.local_name),
        "ontology_version": index.version,
        "disclaimer": DISCLAIMER,
        "term_url": lambda iri: url_for("terms.term", name=iri[len(config.BASE):] + ".html")
        if iri.startswith(config.BASE) else iri,
    }


# -- the ontology, its versions and its files ---------------------------------------------------

def release_files() -> list[Path]:
    return sorted(p for p in config.RELEASE_DIR.glob("hipback*.*") if p.suffix[1:] in FILE_TYPES)


@lru_cache(maxsize=64)
def _sha256(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def downloads() -> list[dict]:
    """Every release file with its format, size, checksum and URLs."""
    index = term_index()
    items = []
    for path in release_files():
        stem, suffix = path.stem, path.suffix[1:]
        items.append({
            "file": path.name,
            "variant": VARIANTS[stem][0] if stem in VARIANTS else stem,
            "description": VARIANTS[stem][1] if stem in VARIANTS else "",
            "media_type": FILE_TYPES[suffix].split(";")[0],
            "bytes": path.stat().st_size,
            "sha256": _sha256(str(path), path.stat().st_mtime),
            "url": url_for("terms.download", filename=path.name),
            "version_url": url_for("terms.release_file", date=_release_date(index), filename=path.name)
            if _release_date(index) else None,
        })
    return items


def _release_date(index) -> str | None:
    version = index.version or ""
    parts = version.rstrip("/").split("/")
    return parts[-2] if len(parts) >= 2 and version.startswith(config.BASE + "releases/") else None


def _file_response(path: Path) -> Response:
    mimetype = FILE_TYPES[path.suffix[1:]].split(";")[0]
    # the ETag is the file's SHA-256, so the same release answers the same ETag on every server and clone
    response = send_file(path, mimetype=mimetype, conditional=True, max_age=3600,
                         etag=_sha256(str(path), path.stat().st_mtime))
    response.headers["Link"] = f'<{config.ONTOLOGY_IRI}>; rel="describes"'
    return response


def _ontology_redirect(prefix_endpoint: str, **values) -> Response:
    chosen = negotiation.choose(request.headers.get("Accept"), linkeddata.ONTOLOGY_TYPES)
    if chosen is None:
        raise _not_acceptable(linkeddata.ONTOLOGY_TYPES)
    if chosen == "html":
        target = url_for("terms.downloads_page")
    elif prefix_endpoint == "terms.release_file" and chosen == "owl":
        # the version IRI is itself the URL of that release's RDF/XML file: answer it here
        response = _file_response(config.RELEASE_DIR / "hipback.owl")
        response.headers["Vary"] = "Accept"
        return response
    else:
        target = url_for(prefix_endpoint, filename=f"hipback.{chosen}", **values)
    response = redirect(target, 303)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.route("/hipback.owl", methods=["GET", "HEAD"])
def ontology():
    return _ontology_redirect("terms.download")


@bp.route("/releases/<date>/hipback.owl", methods=["GET", "HEAD"])
def version(date: str):
    if date != _release_date(term_index()):
        raise ApiError(404, f"This service holds the release {_release_date(term_index())}, not {date!r}.")
    return _ontology_redirect("terms.release_file", date=date)


@bp.route("/releases/<date>/<filename>", methods=["GET", "HEAD"])
def release_file(date: str, filename: str):
    if date != _release_date(term_index()):
        raise ApiError(404, f"This service holds the release {_release_date(term_index())}, not {date!r}.")
    return download(filename)


@bp.route("/downloads/<filename>", methods=["GET", "HEAD"])
def download(filename: str):
    for path in release_files():
        if path.name == filename:
            return _file_response(path)
    raise ApiError(404, f"There is no download {filename!r}; /api/downloads lists them.")


@bp.route("/downloads", methods=["GET", "HEAD"])
def downloads_page():
    chosen = negotiation.choose(request.headers.get("Accept"), {"text/html": "html", "application/json": "json"})
    if chosen is None:
        raise ApiError(406, "/downloads is available as text/html and application/json.")
    index = term_index()
    if chosen == "json":
        return answer({"ontology": config.ONTOLOGY_IRI, "version": index.version, "items": downloads()})
    response = Response(render_template("downloads.html", items=downloads(), ontology=config.ONTOLOGY_IRI,
                                        version=index.version, disclaimer=DISCLAIMER),
                        content_type="text/html; charset=utf-8")
    response.headers.add("Vary", "Accept")
    return response
