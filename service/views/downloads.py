"""The ontology's files: the downloads (HTML or JSON), each release file, the ontology IRI and its version IRIs.

- ``GET /hipback.owl`` and ``/releases/<date>/hipback.owl``: 303 to the release file in the format asked;
- ``/downloads/<file>`` and ``/releases/<date>/<file>``: the files, with their SHA-256 as ETag;
- ``/downloads`` (HTML or JSON by Accept) and ``/api/downloads``: every file with its format, size and checksum.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, redirect, render_template, request, send_file, url_for

from .. import DISCLAIMER, config, linkeddata, vocab
from ..errors import ApiError
from ..sparql import negotiation
from .support import answer, not_acceptable, term_index

bp = Blueprint("downloads", __name__)

CACHE_CONTROL = "public, max-age=3600"

#: release file suffix -> media type (a text type is sent with charset=utf-8)
FILE_TYPES = {
    "owl": vocab.RDFXML,
    "ttl": vocab.TURTLE,
    "jsonld": vocab.JSONLD,
    "nt": vocab.NTRIPLES,
    "tsv": vocab.TSV,
}

#: release file stem -> (variant, what it holds)
VARIANTS = {
    "hipback": ("asserted", "asserted: the ontology as edited, with the OBO synonyms and definitions"),
    "hipback-reasoned": ("reasoned", "reasoned: asserted plus every inference of HermiT"),
    "hipback-inferred": ("inferred", "inferred: the inferred triples only"),
    "hipback.context": ("prefixes", "the prefix map of the release files (a JSON-LD context)"),
    "hipback-mappings.sssom": ("mappings", "every cross-reference to ICD-10-CM, HPO and MeSH as SSSOM"),
}


def release_files() -> list[Path]:
    return sorted(p for p in config.RELEASE_DIR.glob("hipback*.*") if p.suffix[1:] in FILE_TYPES)


@lru_cache(maxsize=64)
def _sha256(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def downloads() -> list[dict]:
    """Every release file with its format, size, checksum and URLs."""
    index = term_index()
    date = _release_date(index)
    items = []
    for path in release_files():
        stem, suffix = path.stem, path.suffix[1:]
        items.append({
            "file": path.name,
            "variant": VARIANTS[stem][0] if stem in VARIANTS else stem,
            "description": VARIANTS[stem][1] if stem in VARIANTS else "",
            "media_type": FILE_TYPES[suffix],
            "bytes": path.stat().st_size,
            "sha256": _sha256(str(path), path.stat().st_mtime),
            "url": url_for("downloads.download", filename=path.name),
            "version_url": url_for("downloads.release_file", date=date, filename=path.name) if date else None,
        })
    return items


def _release_date(index) -> str | None:
    version = index.version or ""
    parts = version.rstrip("/").split("/")
    return parts[-2] if len(parts) >= 2 and version.startswith(config.BASE + "releases/") else None


def _file_response(path: Path) -> Response:
    mimetype = FILE_TYPES[path.suffix[1:]]
    # the ETag is the file's SHA-256, so the same release answers the same ETag on every server and clone
    response = send_file(path, mimetype=mimetype, conditional=True, max_age=3600,
                         etag=_sha256(str(path), path.stat().st_mtime))
    response.headers["Link"] = f'<{config.ONTOLOGY_IRI}>; rel="describes"'
    return response


def _ontology_redirect(prefix_endpoint: str, **values) -> Response:
    chosen = negotiation.choose(request.headers.get("Accept"), linkeddata.ONTOLOGY_TYPES)
    if chosen is None:
        raise not_acceptable(linkeddata.ONTOLOGY_TYPES)
    if chosen == "html":
        target = url_for("downloads.page")
    elif prefix_endpoint == "downloads.release_file" and chosen == "owl":
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
    return _ontology_redirect("downloads.download")


def _held(date: str) -> None:
    """404 unless ``date`` names the release this service holds."""
    held = _release_date(term_index())
    if date != held:
        raise ApiError(404, f"This service holds the release {held}, not {date!r}.")


@bp.route("/releases/<date>/hipback.owl", methods=["GET", "HEAD"])
def version(date: str):
    _held(date)
    return _ontology_redirect("downloads.release_file", date=date)


@bp.route("/releases/<date>/<filename>", methods=["GET", "HEAD"])
def release_file(date: str, filename: str):
    _held(date)
    return download(filename)


@bp.route("/downloads/<filename>", methods=["GET", "HEAD"])
def download(filename: str):
    for path in release_files():
        if path.name == filename:
            return _file_response(path)
    raise ApiError(404, f"There is no download {filename!r}; /api/downloads lists them.")


@bp.route("/downloads", methods=["GET", "HEAD"])
def page():
    chosen = negotiation.choose(request.headers.get("Accept"), {vocab.HTML: "html", vocab.JSON: "json"})
    if chosen is None:
        raise ApiError(406, "/downloads is available as text/html and application/json.")
    if chosen == "json":
        return api()
    response = Response(render_template("downloads.html", items=downloads(), ontology=config.ONTOLOGY_IRI,
                                        version=term_index().version, disclaimer=DISCLAIMER),
                        content_type="text/html; charset=utf-8")
    response.headers.add("Vary", "Accept")
    return response


@bp.get("/api/downloads")
def api():
    return answer({"ontology": config.ONTOLOGY_IRI, "version": term_index().version, "items": downloads()})
