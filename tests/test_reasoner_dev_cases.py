"""Every dev case gives its expected level and candidates: through the library, the CLI and HTTP,
from the structured fields and from the text alone."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from hipback import config
from hipback.cli import main
from hipback.reasoner import Knowledge, triage
from hipback.store import EmbeddedStore

DEV_CASES = Path(config.ROOT).parent / "shared" / "reference" / "triage-dev-cases.json"
CASES = json.loads(DEV_CASES.read_text(encoding="utf-8"))["cases"]
STRUCTURED = ("findings", "absent_findings", "duration_days", "severity", "age", "improving_with_home_care")
LEVELS = ["self_care", "routine", "urgent", "emergency"]


def request_for(case: dict, mode: str) -> dict:
    if mode == "text":
        return {"text": case["text"]}
    return {k: case[k] for k in STRUCTURED if k in case}


def check(case: dict, answer: dict) -> None:
    level = answer["urgency"]["level"]
    assert level == case["expected_urgency"], (
        f"{case['id']}: {level} (expected {case['expected_urgency']}); "
        f"{'UNDER-TRIAGE' if LEVELS.index(level) < LEVELS.index(case['expected_urgency']) else 'over-triage'}; "
        f"findings {[(f['label'], f['status']) for f in answer['findings']]}"
    )
    top3 = [c["label"] for c in answer["candidates"][:3]]
    for expected in case["expected_candidates"]:
        assert expected in top3, f"{case['id']}: {expected} not in the top 3 {top3}"
    assert answer["urgency"]["reasons"], "every level comes with the rules that gave it"
    assert not [u for u in answer["unrecognized"] if u["field"] != "text"], "every listed term is understood"


@pytest.fixture(scope="module")
def knowledge():
    return Knowledge.load(EmbeddedStore())


PARAMS = [pytest.param(case, mode, id=f"{case['id']}-{mode}") for case in CASES for mode in ("fields", "text")]


@pytest.mark.parametrize("case,mode", PARAMS)
def test_library(knowledge, case, mode):
    check(case, triage(request_for(case, mode), knowledge).to_dict())


@pytest.mark.parametrize("case,mode", PARAMS)
def test_cli(runner, case, mode):
    result = runner.invoke(main, ["triage", "--stdin"], input=json.dumps(request_for(case, mode)))
    assert result.exit_code == 0, result.output
    check(case, json.loads(result.output))


@pytest.mark.slow
@pytest.mark.parametrize("case,mode", PARAMS)
def test_http(live_server, case, mode):
    response = requests.post(live_server + "/api/triage", json=request_for(case, mode), timeout=30)
    assert response.status_code == 200, response.text
    check(case, response.json())


def test_cli_flags(runner):
    result = runner.invoke(main, ["triage", "--finding", "low back pain", "--finding", "severe leg weakness",
                                  "--duration-days", "1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["urgency"]["level"] == "emergency"
    result = runner.invoke(main, ["triage", "--text", "my back hurts", "--age", "12"])
    assert json.loads(result.output)["urgency"]["level"] == "routine"


def test_cli_rejects_bad_input_naming_the_field(runner):
    result = runner.invoke(main, ["triage", "--stdin"], input=json.dumps({"severity": 12}))
    assert result.exit_code == 2
    assert '"field": "severity"' in result.output
