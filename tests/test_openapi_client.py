"""A client generated from /openapi.json parses the API's answers into typed models.

openapi-python-client generates the client once per module, from the description the app serves, into
a temporary folder; the tests import it and call a real server (``live_server``) through it. A response
described without a schema, or with an array without item type, would come back unparsed (None, a
plain dict) or make the generator warn.
"""
from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from hipback import create_app

pytestmark = pytest.mark.slow
PACKAGE = "hipback_client"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
#: the generator's only acceptable complaints: media types it has no parser for (SPARQL, RDF/XML, */*)
UNSUPPORTED_MEDIA_TYPE = re.compile(r"Unsupported content[ _]type")
JSON_TYPE = re.compile(r"^application/(.+\+)?json$")


@pytest.fixture(scope="module")
def spec() -> dict:
    return create_app({"TESTING": True}).test_client().get("/openapi.json").get_json()


@pytest.fixture(scope="module")
def generated(spec, tmp_path_factory):
    """(the generated package, the generator's output)."""
    if not GENERATOR.exists():
        pytest.fail(f"{GENERATOR} is missing: pip install -e '.[test]' installs openapi-python-client")
    folder = tmp_path_factory.mktemp("openapi-client")
    document = folder / "openapi.json"
    document.write_text(json.dumps(spec), encoding="utf-8")
    settings = folder / "config.json"
    # no post hooks: the generated code is imported, not formatted
    settings.write_text(json.dumps({"package_name_override": PACKAGE, "project_name_override": "hipback-client",
                                    "post_hooks": []}), encoding="utf-8")
    result = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(document), "--output-path", str(folder / PACKAGE),
         "--config", str(settings), "--meta", "none"],
        capture_output=True, text=True, timeout=300, cwd=folder,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE), output
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def package(generated):
    return generated[0]


@pytest.fixture(scope="module")
def client(package, live_server):
    with package.Client(base_url=live_server, raise_on_unexpected_status=True, timeout=60) as client:
        yield client


def api(package, tag: str, operation: str):
    return importlib.import_module(f"{package.__name__}.api.{tag}.{operation}")


def model(package, name: str):
    return getattr(importlib.import_module(f"{package.__name__}.models"), name)


def test_the_generator_understands_every_schema(generated):
    """Every warning is a media type without a parser in the generator, never a schema it cannot read."""
    _, output = generated
    warnings = re.split(r"\n(?=WARNING )", output)[1:]
    unreadable = [w for w in warnings if not UNSUPPORTED_MEDIA_TYPE.search(w)]
    assert not unreadable, "\n\n".join(unreadable)


def test_every_json_answer_is_a_model(spec, package):
    """The 200 answer of every operation that answers JSON first is parsed into a generated model class."""
    checked = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            content = op["responses"].get("200", {}).get("content", {})
            if not content or not JSON_TYPE.match(next(iter(content))):
                continue
            module = api(package, op["tags"][0].replace(" ", "_"), op["operationId"])
            returned = typing.get_args(typing.get_type_hints(module.sync)["return"])
            models = [t for t in returned if hasattr(t, "from_dict") and t.__name__ != "Error"]
            assert models, f"{method.upper()} {path}: sync() returns {returned}, no model"
            checked.append(op["operationId"])
    assert {"triage", "annotate", "search", "get_term", "findings", "list_sources", "healthz"} <= set(checked)


def test_triage_of_a_red_flag(package, client):
    findings = api(package, "reasoner", "findings").sync(client=client)
    assert isinstance(findings, model(package, "FindingList"))
    assert all(isinstance(f, model(package, "Finding")) for f in findings.findings)
    flag = next(f for f in findings.findings if f.iri.endswith("/SaddleNumbness"))
    assert flag.red_flag is True and isinstance(flag.label, str) and isinstance(flag.synonyms, list)

    case = model(package, "TriageCase")(findings=[flag.iri])
    answer = api(package, "reasoner", "triage").sync(client=client, body=case)
    assert isinstance(answer, model(package, "TriageAnswer"))
    assert isinstance(answer.urgency, model(package, "Urgency"))
    assert answer.urgency.level == model(package, "UrgencyLevel").EMERGENCY == "emergency"
    assert isinstance(answer.urgency.rank, int)
    reason = answer.urgency.reasons[0]
    assert isinstance(reason, model(package, "Reason")) and isinstance(reason.source, model(package, "Source"))
    assert all(isinstance(f, model(package, "Fact")) for f in reason.facts)
    assert answer.candidates and all(isinstance(c, model(package, "Candidate")) for c in answer.candidates)
    assert "cauda equina syndrome" in [c.label for c in answer.candidates]
    assert all(isinstance(c.score, float) for c in answer.candidates)
    support = answer.candidates[0].supporting_findings[0]
    assert isinstance(support, model(package, "SupportingFinding"))
    assert isinstance(support.reported_as[0], model(package, "ReportedFinding"))
    found = answer.findings[0]
    assert isinstance(found, model(package, "CaseFinding"))
    assert (found.iri, found.status, found.red_flag) == (flag.iri, "present", True)
    assert all(isinstance(r, model(package, "Recommendation")) for r in answer.recommendations)
    assert isinstance(answer.complete, bool) and isinstance(answer.disclaimer, str)


def test_triage_of_a_text(package, client):
    case = model(package, "TriageCase")(text="Low back pain for 3 weeks, shooting down my leg. No fever.")
    answer = api(package, "reasoner", "triage").sync(client=client, body=case)
    assert isinstance(answer, model(package, "TriageAnswer"))
    assert answer.urgency.level == "routine"
    assert isinstance(answer.facts, model(package, "CaseFacts"))
    assert answer.facts.duration_days == 21
    origin = answer.facts.origins.duration_days
    assert isinstance(origin, model(package, "Origin")) and origin.matched == "3 weeks" and len(origin.span) == 2
    statuses = {f.label: f.status for f in answer.findings}
    assert statuses["low back pain"] == "present" and statuses["fever"] == "absent"
    assert all(isinstance(q, model(package, "Question")) for q in answer.questions)
    assert all(isinstance(q.finding, model(package, "TermRef")) for q in answer.questions)
    assert "lumbar herniated disc" in [c.label for c in answer.candidates]
    assert all(isinstance(u, model(package, "Unrecognized")) for u in answer.unrecognized)


def test_a_case_the_reasoner_refuses_is_an_error(package, client):
    answer = api(package, "reasoner", "triage").sync(client=client, body=model(package, "TriageCase")(severity=11))
    assert isinstance(answer, model(package, "Error"))
    assert (answer.status, answer.field) == (400, "severity")


def test_annotate(package, client):
    body = model(package, "AnnotateRequest")(text="I cannot feel my bum and my back hurts")
    answer = api(package, "reasoner", "annotate").sync(client=client, body=body)
    assert isinstance(answer, model(package, "AnnotateAnswer"))
    labels = {f.label for f in answer.findings}
    assert "saddle numbness" in labels
    numb = next(f for f in answer.findings if f.label == "saddle numbness")
    assert numb.red_flag is True and numb.origin[0].matched == "cannot feel my bum"


def test_search(package, client):
    page = api(package, "search", "search").sync(client=client, q="slipped disc")
    assert isinstance(page, model(package, "SearchPage"))
    assert page.query == "slipped disc" and page.total >= 1
    assert all(isinstance(hit, model(package, "SearchHit")) for hit in page.items)
    top = page.items[0]
    assert top.label == "lumbar herniated disc"
    assert isinstance(top.score, float) and isinstance(top.matched, model(package, "Matched"))
    assert isinstance(top.source, model(package, "Source"))
    assert all(isinstance(code, model(package, "Code")) for code in top.codes)


def test_one_term(package, client):
    term = api(package, "terms", "get_term").sync(client=client, identifier="hb:LumbarHerniatedDisc")
    assert isinstance(term, model(package, "TermDetail"))
    assert (term.label, term.curie) == ("lumbar herniated disc", "hb:LumbarHerniatedDisc")
    assert isinstance(term.definition, str) and "disc" in term.definition
    assert term.parents and all(isinstance(p, model(package, "ParentRef")) for p in term.parents)
    assert all(isinstance(p.inferred, bool) for p in term.parents)
    assert isinstance(term.relations, model(package, "Relations"))
    assert all(isinstance(r, model(package, "Relation")) for r in term.relations.outgoing)
    assert isinstance(term.links, model(package, "TermLinks")) and term.links.json == "/term/LumbarHerniatedDisc.json"
    mapped = {c.curie for c in term.codes}
    assert any(code.startswith("ICD10CM:M51") for code in mapped)


def test_health_and_sources(package, client):
    health = api(package, "service", "healthz").sync(client=client)
    assert isinstance(health, model(package, "Health")) and health.ok is True and health.triples > 0
    sources = api(package, "terms", "list_sources").sync(client=client)
    assert isinstance(sources, model(package, "SourceList")) and sources.count == len(sources.sources)
    article = next(s for s in sources.sources if s.primary)
    assert isinstance(article, model(package, "SourceEntry")) and article.counts.terms == len(article.terms)
    assert all(isinstance(t, model(package, "TermCard")) for t in article.terms)
