"""Guideline red flags and medicine cautions from patients' own words, measured on blind case sets.

    python bench/triage_guidelines.py               # writes bench/results/triage-guidelines.{json,md}
    python bench/triage_guidelines.py --json FILE   # only the figures, as JSON (used for the "before" run)

The sets (``tests/data/triage-guidelines/set-*.jsonl``) were written from ``writing-brief.md`` by people who
had not seen the service's code: back or hip pain beside the circumstances guidelines screen for (a history
of cancer, weight lost without trying, trauma, a fall in an older person, steroids, a weak immune system,
injected drugs, a recent infection, night pain, first onset over 50 or under 20, a limping child) and the
reasons to leave out ibuprofen or heat. Each case holds the level it calls for and the care that must be
left out (``expected_withheld``: ``ibuprofen``, ``heat``). Readings as in ``bench/triage_language.py``
(words alone; after an interview in which a simulated patient answers every red-flag, level and caution
question truthfully; the truth as structured findings), plus the cautions:

- **unsafe care**: the answer recommends ibuprofen or heat where the case says it must be left out;
- **needless withholding**: the answer leaves out care the case does not rule out.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from triage_language import HB, RANK, _line, interview, structured, summary  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "triage-guidelines"
SETS = {"E": "set-e.jsonl", "F": "set-f.jsonl"}
#: the care the cases name, as the ontology's care actions
ACTIONS = {"ibuprofen": {HB + "OverTheCounterPainMedication", HB + "Ibuprofen"}, "heat": {HB + "HeatTherapy"}}


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / SETS[name]).read_text().splitlines() if line.strip()]


def care(answer: dict) -> tuple[set[str], set[str]]:
    """The named care the answer recommends, and the named care it leaves out."""
    given = {r["iri"] for r in answer.get("recommendations", [])}
    left_out = {w["iri"] for w in answer.get("withheld", [])}
    return ({k for k, iris in ACTIONS.items() if iris & given}, {k for k, iris in ACTIONS.items() if iris & left_out})


def figures(cases: list[dict], knowledge, triage) -> dict:
    rows = []
    for case in cases:
        words = triage({"text": case["text"]}, knowledge).to_dict()
        after, asked = interview(case, knowledge, triage, kinds=("red_flag", "level", "caution"))
        row = {"id": case["id"], "expected": case["expected_level"],
               "expected_after": case.get("expected_level_if_asked") or case["expected_level"],
               "withheld": sorted(case.get("expected_withheld", [])),
               "withheld_after": sorted(case.get("expected_withheld_if_asked", case.get("expected_withheld", []))),
               "words": words["urgency"]["level"], "interview": after["urgency"]["level"],
               "fields": structured(case, knowledge, triage), "asked": asked}
        for reading, answer, expected in (("words", words, row["withheld"]), ("interview", after, row["withheld_after"])):
            given, left_out = care(answer)
            row[f"{reading}_unsafe"] = sorted(given & set(expected))
            row[f"{reading}_needless"] = sorted(left_out - set(expected))
        rows.append(row)

    def reading(level_key: str, expected_key: str) -> dict:
        out = summary(rows, level_key, expected_key)
        urgent_up = [r for r in rows if RANK[r[expected_key]] >= RANK["urgent"]]
        out["urgent_or_above_cases"] = len(urgent_up)
        out["urgent_or_above_found"] = sum(RANK[r[level_key]] >= RANK["urgent"] for r in urgent_up)
        if level_key in ("words", "interview"):
            out["unsafe_care_ids"] = [r["id"] for r in rows if r[f"{level_key}_unsafe"]]
            out["needless_withholding_ids"] = [r["id"] for r in rows if r[f"{level_key}_needless"]]
        return out

    result = {"words": reading("words", "expected"), "interview": reading("interview", "expected_after"),
              "fields": reading("fields", "expected_after")}
    asked = [r["asked"] for r in rows]
    result["interview"].update({"questions_median": statistics.median(asked), "questions_max": max(asked)})
    result["rows"] = rows
    return result


def measure(names=tuple(SETS)) -> dict:
    from hipback.reasoner import Knowledge, triage
    from hipback.store import EmbeddedStore

    knowledge = Knowledge.load(EmbeddedStore())
    return {name: figures(load(name), knowledge, triage) for name in names if (DATA / SETS[name]).exists()}


HISTORY = {
    "E": "frozen before its first read; the reader and the rules were then worked on with it",
    "F": "frozen with E and kept unread until the work on E was done: the held-out figures",
}


def report(now: dict, before: dict | None, first_reads: dict) -> str:
    lines = ["# Guideline red flags and medicine cautions from patients' own words", "",
             "Written by `bench/triage_guidelines.py` (its docstring gives the method). The cases "
             "(`tests/data/triage-guidelines/`) were written blind from the brief beside them. *Before* is the "
             "service at 34076e1, before the rules for falls, osteoporosis, onset age and a limping child and "
             "the reader's changes for them, run on each set by this script. *First read* is the figure the first "
             "time a set was read. *Now* is this commit.", ""]
    for name in now:
        n, b, f = now[name], (before or {}).get(name), first_reads.get(name)
        lines += [f"## Set {name}: {n['words']['cases']} cases, {n['words']['emergency_cases']} emergencies, "
                  f"{n['words']['urgent_or_above_cases']} urgent or above ({HISTORY[name]})", "",
                  "| reading | emergency recall | under-triage | exact level | over-triage | questions (median / max) |",
                  "|---|---|---|---|---|---|"]
        for label, figures_ in (("words alone, before", b and b["words"]), ("after the interview, before", b and b["interview"]),
                                ("words alone, first read", f and f["words"]),
                                ("after the interview, first read", f and f["interview"]),
                                ("words alone, now", n["words"]), ("after the interview, now", n["interview"]),
                                ("structured truth (label check)", n["fields"])):
            if figures_ is not None or "now" in label or "truth" in label:
                lines.append(_line(label, figures_, True))
        lines += ["", "| reading | urgent or above found | unsafe care given | needless withholding |", "|---|---|---|---|"]
        for label, figures_ in (("words alone, before", b and b["words"]), ("after the interview, before", b and b["interview"]),
                                ("words alone, first read", f and f["words"]),
                                ("after the interview, first read", f and f["interview"]),
                                ("words alone, now", n["words"]), ("after the interview, now", n["interview"])):
            if figures_:
                lines.append(f"| {label} | {figures_['urgent_or_above_found']}/{figures_['urgent_or_above_cases']} | "
                             f"{len(figures_['unsafe_care_ids'])} | {len(figures_['needless_withholding_ids'])} |")
        lines += ["", f"Under-triaged from the words now: {', '.join(n['words']['under_triaged_ids']) or 'none'}.", "",
                  f"Under-triaged after the interview now: {', '.join(n['interview']['under_triaged_ids']) or 'none'}.", "",
                  f"Unsafe care from the words now: {', '.join(n['words']['unsafe_care_ids']) or 'none'}; after the "
                  f"interview: {', '.join(n['interview']['unsafe_care_ids']) or 'none'}.", ""]
        disagreements = [r for r in n["rows"] if r["fields"] != r["expected_after"]]
        if disagreements:
            lines += ["Cases whose structured truth the rules place at another level than the writer expected "
                      "(kept as written):", ""]
            lines += [f"- {r['id']}: expected {r['expected_after']}, rules on the truth {r['fields']}" for r in disagreements]
            lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write only the figures to this file")
    parser.add_argument("--only", choices=sorted(SETS), action="append", help="measure only these sets")
    args = parser.parse_args(argv)
    now = measure(args.only or tuple(SETS))
    if args.json:
        args.json.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        return 0
    results = ROOT / "bench" / "results"
    before_path = results / "triage-guidelines-before.json"
    before = json.loads(before_path.read_text()) if before_path.exists() else None
    first_path = results / "triage-guidelines-first-read.json"
    firsts = json.loads(first_path.read_text()) if first_path.exists() else {}
    (results / "triage-guidelines.json").write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
    (results / "triage-guidelines.md").write_text(report(now, before, firsts))
    for name, n in now.items():
        for reading in ("words", "interview"):
            s = n[reading]
            print(name, reading, {k: v for k, v in s.items() if not k.endswith("_ids")},
                  "unsafe", len(s["unsafe_care_ids"]), "needless", len(s["needless_withholding_ids"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
