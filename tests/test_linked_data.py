"""Term IRIs dereference (303 + content negotiation) on a real server, and rdflib reads every one."""
from __future__ import annotations

import json

import pytest
import rdflib
import requests
from rdflib.namespace import OWL, RDFS, SKOS

from hipback import config

HB = rdflib.Namespace(config.BASE)
TERM = "LumbarHerniatedDisc"

#: Accept header -> the document suffix the 303 must point to
NEGOTIATION = [
    ("text/html", "html"),
    ("application/xhtml+xml", "html"),
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdf"),
    ("application/n-triples", "nt"),
    ("application/json", "json"),
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "rdf"),
    ("application/ld+json;q=0.2, application/n-triples;q=0.8, text/html;q=0.1", "nt"),
    ("text/*", "html"),
    ("*/*", "html"),
    ("image/png, text/turtle;q=0.1", "ttl"),
    # what a browser sends
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    # what rdflib sends
    ("application/rdf+xml, text/rdf+xml, text/xml;q=0.1, application/xml;q=0.1, text/plain;q=0.1", "rdf"),
]

#: document suffix -> (Content-Type, rdflib format or None)
DOCUMENTS = {
    "html": ("text/html", None),
    "json": ("application/json", None),
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
    "nt": ("application/n-triples", "nt"),
}


def get(url: str, accept: str | None = None, headers: dict | None = None) -> requests.Response:
    headers = {**({"Accept": accept} if accept else {}), **(headers or {})}
    return requests.get(url, headers=headers, allow_redirects=False, timeout=10)


@pytest.mark.slow
@pytest.mark.parametrize(("accept", "suffix"), NEGOTIATION)
def test_term_iri_answers_303_by_accept(live_server, accept, suffix):
    response = get(f"{live_server}/term/{TERM}", accept)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/term/{TERM}.{suffix}")
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.slow
def test_no_accept_gets_the_page(live_server):
    response = requests.get(f"{live_server}/term/{TERM}", allow_redirects=False, timeout=10,
                            headers={"Accept": None})
    assert response.status_code == 303 and response.headers["Location"].endswith(".html")


@pytest.mark.slow
@pytest.mark.parametrize("accept", ["image/png", "application/pdf", "text/turtle;q=0", "audio/*"])
def test_unacceptable_type_is_406_in_the_error_shape(live_server, accept):
    response = get(f"{live_server}/term/{TERM}", accept)
    assert response.status_code == 406
    body = response.json()
    assert body["ok"] is False and body["status"] == 406 and "text/turtle" in body["message"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["NoSuchTerm", "NoSuchTerm.ttl", "", "graph/asserted"])
def test_unknown_term_is_404(live_server, name):
    response = get(f"{live_server}/term/{name}", "text/turtle")
    assert response.status_code == 404
    assert response.json()["ok"] is False


@pytest.mark.slow
def test_case_variant_redirects_to_the_canonical_name(live_server):
    response = get(f"{live_server}/term/lumbarherniateddisc.ttl")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/term/{TERM}.ttl")


@pytest.mark.slow
@pytest.mark.parametrize("suffix", sorted(DOCUMENTS))
def test_documents_have_type_etag_and_cache_headers(live_server, suffix):
    url = f"{live_server}/term/{TERM}.{suffix}"
    response = get(url)
    content_type, rdf_format = DOCUMENTS[suffix]
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == content_type
    assert response.headers["ETag"]
    assert "max-age" in response.headers["Cache-Control"]
    assert "Accept" in response.headers["Vary"]
    assert 'rel="alternate"' in response.headers["Link"]
    again = get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    if rdf_format:
        graph = rdflib.Graph().parse(data=response.content, format=rdf_format)
        assert (HB[TERM], RDFS.label, rdflib.Literal("lumbar herniated disc", lang="en")) in graph


@pytest.mark.slow
def test_etags_differ_between_formats_and_terms(live_server):
    tags = {get(f"{live_server}/term/{name}.{suffix}").headers["ETag"]
            for name in (TERM, "LowBackPain") for suffix in ("ttl", "nt", "html")}
    assert len(tags) == 6


@pytest.mark.slow
def test_description_holds_own_statements_and_labels_of_linked_terms(live_server, index):
    graph = rdflib.Graph().parse(data=get(f"{live_server}/term/{TERM}.ttl").content, format="turtle")
    term = HB[TERM]
    restrictions = list(graph.objects(term, RDFS.subClassOf))
    targets = {graph.value(r, OWL.someValuesFrom) for r in restrictions if isinstance(r, rdflib.BNode)}
    assert HB.LowBackPain in targets  # a restriction of the term, with its blank node
    assert graph.value(HB.LowBackPain, RDFS.label) is not None  # the label of a linked term
    assert graph.value(HB.presentsWith, RDFS.label) is not None  # ... and of the property
    codes = set(graph.objects(term, SKOS.closeMatch)) | set(graph.objects(term, SKOS.exactMatch))
    assert codes and all(graph.value(code, SKOS.notation) for code in codes)
    # inferred superclasses are part of the description
    expected = {rdflib.URIRef(p) for p in index.ancestors(str(term))}
    assert expected <= set(graph.objects(term, RDFS.subClassOf))
    # nothing about other terms beyond their labels and notations
    for s, p, _o in graph:
        if isinstance(s, rdflib.URIRef) and s != term:
            assert p in (RDFS.label, SKOS.notation), (s, p)


@pytest.mark.slow
def test_json_document_is_the_api_answer(live_server):
    page = get(f"{live_server}/term/{TERM}.json").json()
    api = get(f"{live_server}/api/terms/{TERM}").json()
    assert page == api
    assert page["iri"] == str(HB[TERM])


@pytest.mark.slow
def test_rdflib_dereferences_every_term(live_server, index):
    """A real linked-data client: rdflib follows the 303 with its own Accept header, for every term."""
    terms = [t for t in index.terms.values() if t.iri.startswith(config.BASE)]
    assert len(terms) > 150
    failures = []
    for term in terms:
        graph = rdflib.Graph()
        try:
            graph.parse(f"{live_server}/term/{term.local_name}")
        except Exception as exc:  # noqa: BLE001 - collect every failure, then report
            failures.append(f"{term.local_name}: {exc}")
            continue
        if (rdflib.URIRef(term.iri), RDFS.label, None) not in graph:
            failures.append(f"{term.local_name}: no label in {len(graph)} triples")
    assert not failures, failures[:10]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["turtle", "json-ld", "xml", "nt"])
def test_rdflib_reads_every_format_by_accept(live_server, fmt):
    accept = {"turtle": "text/turtle", "json-ld": "application/ld+json", "xml": "application/rdf+xml",
              "nt": "application/n-triples"}[fmt]
    response = requests.get(f"{live_server}/term/LowBackPain", headers={"Accept": accept}, timeout=10)
    assert response.history and response.history[0].status_code == 303
    graph = rdflib.Graph().parse(data=response.content, format=fmt)
    assert (HB.LowBackPain, RDFS.label, None) in graph


# -- the ontology IRI, the version IRI and the downloads ------------------------------------------

ONTOLOGY_TYPES = [("application/rdf+xml", "owl", "xml"), ("text/turtle", "ttl", "turtle"),
                  ("application/ld+json", "jsonld", "json-ld"), ("application/n-triples", "nt", "nt")]


@pytest.mark.slow
@pytest.mark.parametrize(("accept", "suffix", "fmt"), ONTOLOGY_TYPES)
def test_ontology_and_version_iri_resolve_in_every_format(live_server, index, accept, suffix, fmt):
    version_path = index.version[len(config.BASE) - 1:]  # /releases/<date>/hipback.owl
    for path in ("/hipback.owl", version_path):
        response = get(live_server + path, accept)
        if path == version_path and suffix == "owl":
            # the version IRI names the release's RDF/XML file itself: it answers the file
            assert response.status_code == 200 and "Accept" in response.headers["Vary"]
        else:
            assert response.status_code == 303, path
            assert response.headers["Location"].endswith(f"hipback.{suffix}")
        graph = rdflib.Graph().parse(data=requests.get(live_server + path, headers={"Accept": accept},
                                                       timeout=10).content, format=fmt)
        assert (rdflib.URIRef(config.ONTOLOGY_IRI), OWL.versionIRI, rdflib.URIRef(index.version)) in graph


@pytest.mark.slow
def test_unknown_release_is_404_and_browser_gets_the_download_page(live_server):
    assert get(f"{live_server}/releases/1999-01-01/hipback.owl", "text/turtle").status_code == 404
    page = requests.get(f"{live_server}/hipback.owl", headers={"Accept": "text/html"}, timeout=10)
    assert page.status_code == 200 and "hipback-reasoned.ttl" in page.text


@pytest.mark.slow
def test_downloads_list_every_release_file_with_its_checksum(live_server):
    import hashlib

    listing = get(f"{live_server}/api/downloads").json()
    files = {item["file"]: item for item in listing["items"]}
    expected = {p.name for p in config.RELEASE_DIR.iterdir() if p.name.startswith("hipback")}
    assert expected <= set(files)
    for item in files.values():
        body = get(live_server + item["url"])
        assert body.status_code == 200
        assert body.headers["Content-Type"].split(";")[0] == item["media_type"]
        assert hashlib.sha256(body.content).hexdigest() == item["sha256"]
    assert get(f"{live_server}/downloads/nothing.ttl").status_code == 404
    assert json.loads(get(f"{live_server}/downloads", "application/json").content)["items"]


@pytest.mark.slow
def test_every_term_has_a_page_and_json(live_server, index):
    session = requests.Session()
    for term in index.terms.values():
        for suffix in ("html", "json"):
            response = session.get(f"{live_server}/term/{term.local_name}.{suffix}", timeout=10)
            assert response.status_code == 200, (term.local_name, suffix, response.text[:200])
        assert term.label in response.json()["label"]
