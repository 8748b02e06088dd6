"""The OpenAPI description matches the app, and schemathesis finds no 5xx and no answer that breaks it.

schemathesis runs against /openapi.json served by a real server, bounded: a few examples per
operation (``MAX_EXAMPLES``) and a per-example deadline.
"""
from __future__ import annotations

import re

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from hipback import openapi

#: path prefixes of the machine-facing API: every route under them must be described
DESCRIBED_PREFIXES = ("/api", "/term/", "/fhir/", "/downloads", "/releases/", "/hipback.owl", "/openapi.json")
MAX_EXAMPLES = 25
#: positive_data_acceptance expects 2xx for any input the schema allows; but a schema cannot say that a
#: SPARQL query must parse or that a code must exist in its system, and those answer 400 by design.
EXCLUDED = [schemathesis.checks.positive_data_acceptance]


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def test_every_api_route_is_described(app):
    described = openapi.spec(app)["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        path = openapi_path(rule.rule)
        if not path.startswith(DESCRIBED_PREFIXES):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in described.get(path, {}):
                missing.append(f"{method} {path}")
    assert not missing, f"routes missing from /openapi.json: {missing}"


def test_every_described_operation_is_routed(app):
    routes = openapi.routed(app)
    for path, item in openapi.spec(app)["paths"].items():
        for method in item:
            assert (path, method) in routes, f"{method.upper()} {path} is described but not routed"


def test_description_is_valid_openapi(live_server):
    spec = requests.get(live_server + "/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.")
    loaded = schemathesis.openapi.from_dict(spec)
    operations = [op for op in loaded.get_all_operations()]
    assert len(operations) >= 20
    assert all(result.ok() for result in operations), [r.err() for r in operations if not r.ok()]


@pytest.fixture(scope="session")
def api_schema(live_server):
    loaded = schemathesis.openapi.from_url(live_server + "/openapi.json")
    return loaded


OPERATIONS = [(path, method) for path, item in openapi.OPERATIONS.items() for method in item]


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_api_conforms_to_its_description(api_schema, live_server, path, method, mode):
    """schemathesis: generated requests (valid, then invalid) get no 5xx and only documented answers."""
    if method not in api_schema.raw_schema["paths"].get(path, {}):
        pytest.skip(f"{method.upper()} {path} is not routed by this app")
    operation = api_schema[path][method]
    session = requests.Session()

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        response = case.call(base_url=live_server, session=session, timeout=20)
        if response.status_code == 414:
            return  # gunicorn refused the request line (documented); the app never saw the request
        case.validate_response(response, excluded_checks=EXCLUDED)

    try:
        run()
    except Unsatisfiable:
        pytest.skip("no request of this kind can be generated (nothing in it can be made invalid)")
