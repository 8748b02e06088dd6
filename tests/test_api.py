"""The REST API through a real server: lists, terms, search, autocomplete, mappings, JSON-LD, errors, CORS."""
from __future__ import annotations

import pytest
import rdflib
import requests
from rdflib.namespace import RDFS

from hipback import config

pytestmark = pytest.mark.slow
HB = rdflib.Namespace(config.BASE)
LISTS = {"conditions": "Condition", "treatments": "CareAction", "red-flags": "RedFlag"}


def get(url: str, **params) -> requests.Response:
    return requests.get(url, params=params, timeout=10)


def collect(url: str, limit: int) -> tuple[list[dict], int]:
    """Every item of a paginated list, following the ``next`` links."""
    items, total, page = [], None, get(url, limit=limit).json()
    while True:
        total = page["total"]
        items += page["items"]
        if not page["next"]:
            return items, total
        page = get(url.split("/api/")[0] + page["next"]).json()


def test_api_index_links_everything_that_exists(live_server):
    body = get(live_server + "/api").json()
    urls = {e["name"]: e["url"] for e in body["endpoints"]}
    for name in ("conditions", "findings", "treatments", "causes", "red-flags", "search", "mappings",
                 "downloads", "openapi", "docs", "fhir-codesystem"):
        assert name in urls
    for name, url in urls.items():
        if "{" in url or url.endswith("=") or name in ("triage", "annotate"):
            continue
        assert requests.get(live_server + url, timeout=10).status_code == 200, url


@pytest.mark.parametrize("category", sorted(LISTS))
def test_lists_page_through_every_member(live_server, index, category):
    items, total = collect(f"{live_server}/api/{category}", limit=4)
    expected = {t.iri for t in index.members(category)}
    assert total == len(items) == len(expected)
    assert {i["iri"] for i in items} == expected
    upper = config.BASE + LISTS[category]
    for item in items:
        assert index.is_a(item["iri"], upper)
        assert set(item) >= {"iri", "curie", "label", "definition", "synonyms", "codes", "source"}
        assert item["curie"] == "hb:" + item["iri"][len(config.BASE):]
        assert item["source"]["section"] and item["source"]["excerpts"]
    assert all(i["red_flag"] for i in items) == (category == "red-flags")


def test_causes_are_what_can_cause(live_server):
    items, _ = collect(f"{live_server}/api/causes", limit=50)
    labels = {i["label"] for i in items}
    assert "lumbar herniated disc" in labels and "spinal stenosis" in labels
    assert "low back pain" not in labels


def test_pagination_links_and_bounds(live_server):
    first = get(f"{live_server}/api/conditions", limit=3)
    body = first.json()
    assert body["count"] == 3 and body["offset"] == 0 and body["previous"] is None
    assert 'rel="next"' in first.headers["Link"]
    last = get(f"{live_server}/api/conditions", limit=3, offset=body["total"] - 1).json()
    assert last["count"] == 1 and last["next"] is None and last["previous"]
    assert get(f"{live_server}/api/conditions", offset=10_000).json()["items"] == []


def test_term_has_hierarchy_and_relations_both_ways(live_server):
    body = get(f"{live_server}/api/terms/hb:LumbarHerniatedDisc").json()
    assert body["label"] == "lumbar herniated disc"
    assert {p["label"] for p in body["parents"]} >= {"condition causing hip or back pain"}
    assert {a["iri"] for a in body["ancestors"]} >= {config.BASE + "Condition"}
    outgoing = {(r["property"]["label"], r["term"]["label"]) for r in body["relations"]["outgoing"]}
    assert ("presents with", "low back pain") in outgoing
    assert ("can cause", "lumbar nerve impingement") in outgoing
    groups = {g["key"]: [i["label"] for i in g["items"]] for g in body["groups"]}
    assert "low back pain" in groups["presents_with"]
    assert "lumbar nerve impingement" in groups["can_cause"]
    # the other side: the nerve impingement is caused by the disc, and low back pain is seen in it
    nerve = get(f"{live_server}/api/terms/LumbarNerveImpingement").json()
    incoming = {(r["property"]["label"], r["term"]["label"]) for r in nerve["relations"]["incoming"]}
    assert ("can cause", "lumbar herniated disc") in incoming
    assert "lumbar herniated disc" in {i["label"] for g in nerve["groups"] if g["key"] == "caused_by"
                                        for i in g["items"]}
    pain = get(f"{live_server}/api/terms/LowBackPain").json()
    assert "lumbar herniated disc" in {i["label"] for g in pain["groups"] if g["key"] == "seen_in"
                                        for i in g["items"]}


def test_children_and_descendants_mirror_parents_and_ancestors(live_server, index):
    body = get(f"{live_server}/api/terms/Finding").json()
    descendants = {d["iri"] for d in body["descendants"]}
    assert descendants == set(index.descendants(config.BASE + "Finding"))
    for child in body["children"]:
        child_body = get(f"{live_server}/api/terms/{child['curie']}").json()
        assert config.BASE + "Finding" in {p["iri"] for p in child_body["parents"]}


def test_red_flag_condition_groups(live_server):
    body = get(f"{live_server}/api/terms/CaudaEquinaSyndrome").json()
    keys = {g["key"] for g in body["groups"]}
    assert "red_flags" in keys, keys


@pytest.mark.parametrize(("query", "expected"), [
    ("herniated disk", "LumbarHerniatedDisc"),
    ("sciatica", "PainRadiatingToHipAndLeg"),
    ("M51.26", "LumbarHerniatedDisc"),
    ("HP:0003419", "LowBackPain"),
    ("Herniated Disk", "LumbarHerniatedDisc"),
    ("disc herniated lumbar", "LumbarHerniatedDisc"),
    ("hernaited disc", "LumbarHerniatedDisc"),
    ("sciatca", "PainRadiatingToHipAndLeg"),
    ("back pain low", "LowBackPain"),
    ("icd10cm:m51.26", "LumbarHerniatedDisc"),
    ("HP_0003419", "LowBackPain"),
    ("hb:LowBackPain", "LowBackPain"),
])
def test_search_finds_the_right_term_first(live_server, query, expected):
    body = get(f"{live_server}/api/search", q=query).json()
    assert body["items"], query
    assert body["items"][0]["iri"] == config.BASE + expected, [i["label"] for i in body["items"][:3]]


def test_search_every_label_and_synonym_finds_its_term(live_server, index):
    """Each label finds its own term first; each synonym finds a term that has it."""
    misses = []
    for term in index.terms.values():
        if term.kind != "class":
            continue
        top = get(f"{live_server}/api/search", q=term.label, limit=1).json()["items"]
        if not top or top[0]["iri"] != term.iri:
            misses.append(term.label)
    assert not misses, misses


def test_autocomplete_prefixes(live_server):
    body = get(f"{live_server}/api/autocomplete", q="herni").json()
    assert body["items"][0]["iri"] == config.BASE + "LumbarHerniatedDisc"
    assert get(f"{live_server}/api/autocomplete", q="sci").json()["items"][0]["label"]
    assert get(f"{live_server}/api/autocomplete", q="M51.2").json()["items"][0]["iri"].endswith("LumbarHerniatedDisc")
    assert len(get(f"{live_server}/api/autocomplete", q="p", limit=5).json()["items"]) == 5


def test_mappings_both_ways_for_every_code(live_server, index):
    """Every code of every term maps back to that term, and each term lists its codes."""
    pairs = [(t, c) for t in index.terms.values() for c in t.codes]
    assert len(pairs) > 20
    for term, code in pairs:
        back = get(f"{live_server}/api/mappings", code=code.curie).json()
        assert term.iri in {i["iri"] for i in back["items"]}, code.curie
        assert back["code"]["label"] == code.label
    for term in {t.iri: t for t, _c in pairs}.values():
        listed = get(f"{live_server}/api/terms/{term.local_name}/mappings").json()
        assert {i["curie"] for i in listed["items"]} == {c.curie for c in term.codes}


@pytest.mark.parametrize(("params", "expected"), [
    ({"code": "ICD10CM:M51.26"}, "LumbarHerniatedDisc"),
    ({"code": "M51.26", "system": "ICD10CM"}, "LumbarHerniatedDisc"),
    ({"code": "M5126", "system": "icd-10-cm"}, "LumbarHerniatedDisc"),
    ({"code": "M51.26", "system": "http://hl7.org/fhir/sid/icd-10-cm"}, "LumbarHerniatedDisc"),
    ({"code": "HP:0003419"}, "LowBackPain"),
    ({"code": "0003419", "system": "hpo"}, "LowBackPain"),
])
def test_mapping_spellings(live_server, params, expected):
    body = get(f"{live_server}/api/mappings", **params).json()
    assert body["items"][0]["iri"] == config.BASE + expected


def test_unmapped_well_formed_code_is_an_empty_list(live_server):
    body = get(f"{live_server}/api/mappings", code="ICD10CM:A00.0").json()
    assert body["ok"] is True and body["total"] == 0 and body["items"] == [] and body["match"] == "none"


@pytest.mark.parametrize("code, match, via, expected", [
    ("ICD10CM:M54.41", "broader", "ICD10CM:M54.4", {"LumbarNerveImpingement"}),  # M54.40 is mapped
    ("ICD10CM:M16.11", "broader", "ICD10CM:M16", {"Arthritis"}),               # M16.9
    ("ICD10CM:M51.36", "broader", "ICD10CM:M51", {"LumbarHerniatedDisc"}),
    ("ICD10CM:M54.3", "narrower", None, {"LumbarNerveImpingement"}),           # M54.30, under it
    ("ICD10CM:M51.26", "exact", None, {"LumbarHerniatedDisc"}),
])
def test_a_code_without_its_own_mapping_falls_back_along_icd10cms_hierarchy(live_server, code, match, via, expected):
    body = get(f"{live_server}/api/mappings", code=code).json()
    assert body["match"] == match and all(item["match"] == match for item in body["items"])
    assert (body["broader_code"] or {}).get("curie") == via
    assert expected <= {item["iri"].rsplit("/", 1)[1] for item in body["items"]}
    assert body["code"]["label"]  # the code's own label, from the code system
    if match != "exact":
        assert all(item["matched_code"] != code for item in body["items"])


def test_json_ld_on_request(live_server):
    response = requests.get(f"{live_server}/api/conditions", headers={"Accept": "application/ld+json"}, timeout=10)
    assert response.headers["Content-Type"].startswith("application/ld+json")
    graph = rdflib.Graph().parse(data=response.content, format="json-ld")
    assert (HB.LumbarHerniatedDisc, RDFS.label, rdflib.Literal("lumbar herniated disc")) in graph
    term = requests.get(f"{live_server}/api/terms/LowBackPain", headers={"Accept": "application/ld+json"},
                        timeout=10)
    graph = rdflib.Graph().parse(data=term.content, format="json-ld")
    assert (HB.LowBackPain, RDFS.subClassOf, HB.Pain) in graph


#: (path, params, status, field): client mistakes, each answered in the one error shape (FHIR's are
#: OperationOutcome resources: tests/test_fhir.py)
ERRORS = [
    ("/api/search", {}, 400, "q"),
    ("/api/search", {"q": "   "}, 400, "q"),
    ("/api/search", {"q": "x", "limit": "0"}, 400, "limit"),
    ("/api/search", {"q": "x", "limit": "many"}, 400, "limit"),
    ("/api/conditions", {"offset": "-1"}, 400, "offset"),
    ("/api/conditions", {"limit": "1001"}, 400, "limit"),
    ("/api/terms", {"kind": "planet"}, 400, "kind"),
    ("/api/autocomplete", {}, 400, "q"),
    ("/api/mappings", {}, 400, "code"),
    ("/api/mappings", {"code": "not a code"}, 400, "code"),
    ("/api/mappings", {"code": "M51.26", "system": "snomed"}, 400, "system"),
    ("/api/terms/NoSuchTerm", {}, 404, None),
    ("/api/terms/NoSuchTerm/mappings", {}, 404, None),
    ("/api/nothing-here", {}, 404, None),
    ("/term/NoSuchTerm", {}, 404, None),
    ("/downloads/secret.txt", {}, 404, None),
]


@pytest.mark.parametrize(("path", "params", "status", "field"), ERRORS)
def test_one_error_shape_everywhere(live_server, path, params, status, field):
    response = get(live_server + path, **params)
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["ok"] is False and body["status"] == status and body["error"] and body["message"]
    assert body.get("field") == field
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_406_for_the_api(live_server):
    response = requests.get(f"{live_server}/api/conditions", headers={"Accept": "text/csv"}, timeout=10)
    assert response.status_code == 406 and response.json()["status"] == 406


@pytest.mark.parametrize("path", ["/api", "/api/conditions", "/term/LowBackPain.ttl",
                                  "/fhir/CodeSystem/hipback", "/openapi.json", "/downloads/hipback.nt"])
def test_cors(live_server, path):
    response = requests.get(live_server + path, headers={"Origin": "https://app.example"}, timeout=10)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(live_server + path, headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "GET"}, timeout=10)
    assert preflight.status_code in (200, 204)
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_docs_page_lists_every_operation(live_server):
    spec = get(f"{live_server}/openapi.json").json()
    page = get(f"{live_server}/api/docs").text
    for path, item in spec["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in page


def test_json_answers_carry_a_content_etag_and_answer_304(live_server):
    import hashlib

    for path in ("/api/terms/LowBackPain", "/api/search?q=sciatica", "/api/mappings?code=ICD10CM:M54.41",
                 "/fhir/CodeSystem/hipback", "/api/conditions"):
        first = requests.get(live_server + path, timeout=30)
        etag = first.headers["ETag"]
        assert first.status_code == 200 and first.headers["Cache-Control"] == "public, max-age=300", path
        again = requests.get(live_server + path, headers={"If-None-Match": etag}, timeout=30)
        assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag, path
        other = requests.get(live_server + path, headers={"If-None-Match": '"stale"'}, timeout=30)
        assert other.status_code == 200 and other.content == first.content
    # an answer that is not a success is never cached
    assert "ETag" not in requests.get(live_server + "/api/mappings", params={"code": "?"}, timeout=30).headers
    # downloads: the ETag is the file's SHA-256, the same on every server and clone
    download = requests.get(live_server + "/downloads/hipback.ttl", timeout=30)
    digest = hashlib.sha256((config.RELEASE_DIR / "hipback.ttl").read_bytes()).hexdigest()
    assert download.headers["ETag"].strip('"') == digest


def test_one_source_shape_in_terms_pages_and_triage(live_server):
    """The term API, the red-flag page's data and the reasoner's reasons carry the same source keys."""
    keys = {"document", "section", "excerpts", "interpretation", "external"}
    term = get(f"{live_server}/api/terms/SaddleNumbness").json()["source"]
    assert keys <= set(term) and term["document"]["primary"] is True and term["document"]["curie"]
    answer = requests.post(f"{live_server}/api/triage", json={"findings": ["saddle numbness"]}, timeout=30).json()
    reason = answer["urgency"]["reasons"][0]["source"]
    assert {"excerpts", "interpretation", "external", "document"} <= set(reason)
    assert set(reason["document"]) <= set(term["document"]) and reason["document"]["label"] == term["document"]["label"]
    for old in ("excerpt", "external_source"):
        assert old not in reason and old not in term
    assert "title" not in reason["document"]
