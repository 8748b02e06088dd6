"""HermiT is the reference: the fast path must classify every case as HermiT does.

One graph holds the released ontology (asserted triples only) and several hundred patient cases
as OWL individuals: every dev case (from its fields and from its text alone), every blind case of
``tests/data/triage-language`` (from its words alone and after a truthful interview), hand-picked tricky
cases, and cases generated with hypothesis (random findings present and denied, durations,
severities, ages, improving flags). Each present finding is a fresh individual of its finding
class linked by hb:hasFinding; each denied finding is the type ``not (hasFinding some F)``; data
values are typed xsd:integer / xsd:boolean. One HermiT run classifies them all; for every case the
rule classes HermiT infers (or the closed-world fallback when there is none) must be exactly the
rules the fast path fires, and so give the same level.
"""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipback import config
from hipback.owl import logical_axioms, reason
from hipback.reasoner import Case, Knowledge, case_state
from hipback.reasoner.hermit import case_iri, encode, rules_of
from hipback.reasoner.knowledge import HB
from hipback.reasoner.rules import CaseState, fire, level_of
from hipback.store import EmbeddedStore

pytestmark = pytest.mark.slow  # HermiT runs a JVM

DEV_CASES = Path(config.ROOT).parent / "shared" / "reference" / "triage-dev-cases.json"
GENERATED = 400
#: HermiT's time grows faster than the number of individuals (here 100 cases take ~7 s, 400 take ~63 s), so
#: the cases are classified in chunks of 100, two JVMs at a time
CHUNK = 100


@pytest.fixture(scope="module")
def knowledge():
    return Knowledge.load(EmbeddedStore())


def consistent(knowledge, present, absent):
    """Drop denied findings that a present finding would contradict (F present, an ancestor denied)."""
    return [a for a in absent if not any(knowledge.is_a(p, a) for p in present)]


def case_strategy(knowledge):
    findings = sorted(knowledge.findings)
    durations = st.one_of(st.none(), st.sampled_from([0, 1, 6, 7, 20, 21, 22, 90, 1500]), st.integers(0, 400))
    return st.builds(
        lambda present, absent, duration, severity, age, improving: CaseState.build(
            present, consistent(knowledge, present, absent), duration, severity, age, improving),
        st.lists(st.sampled_from(findings), max_size=5, unique=True),
        st.lists(st.sampled_from(findings), max_size=4, unique=True),
        durations,
        st.one_of(st.none(), st.integers(0, 10)),
        st.one_of(st.none(), st.sampled_from([0, 5, 17, 18, 19, 44, 45, 90]), st.integers(0, 110)),
        st.one_of(st.none(), st.booleans()),
    )


def tricky_cases(knowledge):
    benign = sorted(knowledge.findings - knowledge.red_flags)
    flags = sorted(knowledge.red_flags)
    low_back = HB + "LowBackPain"
    cases = [
        CaseState.build([], []),  # no complaint at all
        CaseState.build([], [], severity=3),
        CaseState.build([HB + "Stiffness"], [], duration_days=2),  # no place: not a hip or back complaint
        CaseState.build([low_back], flags, duration_days=2, severity=4, age=44),  # every red flag denied
        CaseState.build([low_back], [], age=9),  # a child
        CaseState.build([low_back], [], age=17, duration_days=30),
        CaseState.build([low_back], [], age=18),
        CaseState.build([low_back], [], duration_days=7, improving=False),
        CaseState.build([low_back], [], duration_days=6, improving=False),
        CaseState.build([low_back], [], duration_days=30, improving=True),
        CaseState.build([low_back], [], severity=7),
        CaseState.build([low_back], [], severity=6),
    ]
    for flag in flags:
        # a red flag with everything benign around it, and the same flag denied
        cases.append(CaseState.build([flag] + benign[:6], [], duration_days=1, severity=2, age=30, improving=True))
        cases.append(CaseState.build([low_back], [flag], duration_days=1))
        cases.append(CaseState.build([flag], [], age=8))
    return cases


def dev_cases(knowledge):
    cases = []
    for item in json.loads(DEV_CASES.read_text(encoding="utf-8"))["cases"]:
        fields = {k: item[k] for k in ("findings", "absent_findings", "duration_days", "severity", "age",
                                       "improving_with_home_care") if k in item}
        cases.append(case_state(Case.from_dict(fields), knowledge)[0])
        cases.append(case_state(Case.from_dict({"text": item["text"]}), knowledge)[0])
    return cases


BLIND = [Path(__file__).parent / "data" / "triage-language", Path(__file__).parent / "data" / "triage-guidelines"]


def blind_cases(knowledge):
    """Every blind case as the rules see it from its words alone, and after a truthful interview."""
    from hipback.reasoner.interview import converse

    cases = []
    for path in sorted(p for folder in BLIND for p in folder.glob("set-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            truth = [HB + f for f in item.get("findings", []) + item.get("hidden_findings", [])]
            cases.append(case_state(Case.from_dict({"text": item["text"]}), knowledge)[0])
            answered = {"text": item["text"], "findings": [], "absent_findings": []}

            def answer(question, truth=truth, answered=answered):
                yes = any(knowledge.is_a(t, question.finding.iri) for t in truth)
                answered["findings" if yes else "absent_findings"].append(question.finding.iri)
                return yes

            converse({"text": item["text"]}, knowledge, answer)
            cases.append(case_state(Case.from_dict({k: v for k, v in answered.items() if v}), knowledge)[0])
    return cases


def generated_cases(knowledge, count=GENERATED):
    collected: list[CaseState] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case_strategy(knowledge))
    def collect(case):
        collected.append(case)

    collect()
    return collected


def test_fast_path_agrees_with_hermit_on_every_case(knowledge):
    cases = dev_cases(knowledge) + tricky_cases(knowledge) + generated_cases(knowledge) + blind_cases(knowledge)
    assert len(cases) >= 1000
    # one individual per distinct case: many blind cases reduce to the same findings and values
    distinct = {}
    for case in cases:
        key = (tuple(sorted(case.present)), tuple(sorted(case.absent)), tuple(sorted(case.values.items())))
        distinct.setdefault(key, case)
    cases = list(distinct.values())
    # annotations (labels, lay synonyms, sources) mean nothing to HermiT: it reads only the logical axioms
    tbox = logical_axioms(rdflib.Graph().parse(config.RELEASE_DIR / "hipback.nt", format="nt"))
    parts = [cases[chunk:chunk + CHUNK] for chunk in range(0, len(cases), CHUNK)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda part: reason(tbox, encode(part)), parts))
    types = []
    for part, reasoned in zip(parts, results):
        assert reasoned.consistent, reasoned.message
        assert not reasoned.unsatisfiable
        types += [reasoned.types.get(case_iri(n), frozenset()) for n in range(len(part))]

    disagreements = []
    levels_seen = set()
    for n, case in enumerate(cases):
        expected = rules_of(knowledge, types[n])
        firings = fire(knowledge, case)
        fast = {f.rule.iri for f in firings}
        hermit_level = max(knowledge.rules[r].level.rank for r in expected)
        levels_seen.add(hermit_level)
        if fast != expected or level_of(firings).rank != hermit_level:
            disagreements.append((n, case, sorted(expected), sorted(fast)))
    assert not disagreements, "\n".join(map(str, disagreements[:10]))
    assert levels_seen == {level.rank for level in knowledge.levels.values()}  # every level was exercised


def test_encoding_round_trips_a_denied_red_flag(knowledge):
    """A denied red flag is typed not(hasFinding some F): HermiT must not call the case an emergency."""
    case = CaseState.build([HB + "LowBackPain"], [HB + "Fever"], duration_days=2)
    reasoned = reason(rdflib.Graph().parse(config.RELEASE_DIR / "hipback.nt", format="nt"), encode([case]))
    rules = rules_of(knowledge, reasoned.types[case_iri(0)])
    assert rules == {HB + "HipOrBackPainCase"}
