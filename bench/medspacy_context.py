"""Would medspaCy's ConText decide the status of red-flag mentions better than HipBack's own reader?

NEEDS medspaCy, WHICH THE PROJECT DOES NOT INSTALL (it is not in setup.cfg, not even in the ``bench``
extra, and nothing in ``service/`` imports it). Run it from a separate virtual environment that holds
medspaCy (measured with medspaCy 1.3.1, spaCy 3.7.5) plus the reader's own dependencies, and point
PYTHONPATH at the copy of HipBack under test:

    python -m venv /tmp/mvenv
    /tmp/mvenv/bin/pip install medspacy==1.3.1 spacy==3.7.5 "rdflib>=7,<8" "pyoxigraph>=0.5,<0.6" flask click
    PYTHONPATH=/work/main  /tmp/mvenv/bin/python bench/medspacy_context.py --label now
    PYTHONPATH=/tmp/before /tmp/mvenv/bin/python bench/medspacy_context.py --label before

(``--json FILE`` also writes the figures and rows as JSON; ``--repeat N`` sets the timing repeats.)
The case file is always this checkout's ``tests/data/triage-language/set-a.jsonl`` (set B is never read);
the reader is whatever ``service`` PYTHONPATH resolves to (printed in the report).

Method, per case of set A:

1. ``annotate(text)``: the reader's findings. Its red-flag findings (``iri in knowledge.red_flags``), of
   either status, are the mentions measured; every origin span of each is one target.
2. medspaCy: ``medspacy.load`` with its tokenizer, PyRuSH sentences, the target matcher and ConText with
   the DEFAULT ConText rules (nothing added). The target matcher gets no rules: each reader span is made a
   target entity with ``doc.char_span(..., alignment_mode="expand")`` and ``doc.ents`` (overlapping spans go
   into successive passes of ConText, one non-overlapping layer each). When the reader's span is one of the
   ontology's absence phrases and starts with a trigger ("no fever", "no numbness"), the trigger is cut off
   the target so that ConText sees it as a modifier; a finding's own words ("can't empty my bladder") are
   left whole. Decision: ``is_negated`` -> absent; ``is_family``, ``is_historical`` or ``is_hypothetical``
   -> dropped (not the patient's, now); else present (``is_uncertain`` is recorded and read as present).
   An absence phrase with no trigger word ("legs strong", "afebrile", "bladder fine") means absent by its
   words, which ConText cannot know: it stays absent unless ConText drops it. A finding is present by
   medspaCy if any of its spans is, else absent if any span is, else dropped.
   Two ConText readings are reported: as shipped (the span attributes ConText sets), and "overlap
   corrected": the same attributes recomputed from the modifiers that do not overlap the target. In
   medspaCy 1.3.1 ``util.tuple_overlaps(modifier, target)`` only asks whether the target's start or end
   falls inside the modifier, so a modifier lying strictly inside the target (the "n't" of "can't empty my
   bladder") is not recognised as part of the target and negates it, against ConText's own rule that a
   modifier overlapping its target does not modify it.
3. Both readings are triaged as structured findings with ``triage({"findings", "absent_findings", ...})``:
   the reader's non-red-flag findings as it read them, plus the red flags by each reading; both also get
   the values the reader read from the text (duration, severity, age, improving), the same for both. An
   absent finding that a present one falls under is left out, as the reader does for a text saying both.
   The reader's triage of the raw text is shown too, as a check that the structured route matches it.
4. Truth, per red-flag finding found: present if the case's ``findings`` hold it, a narrower or a broader
   finding (``is_a`` either way); absent if ``absent_findings`` do; otherwise "unstated" (the message
   mentions it but not as the patient's present finding: a relative's, a past or a hypothetical one, or a
   red flag the case writer named as another, unrelated finding).
   A decision is right when "present" matches "present" (absent and dropped both count as not present).
   ``hidden_findings`` are ignored.
5. Timing, in the same run: ms per message for the medspaCy pass (tokenizer, sentences, target matcher,
   setting the targets, ConText) and for the reader's ``annotate``; median of ``--repeat`` passes. PyRuSH
   logs each sentence at DEBUG through loguru; its sink is set to WARNING, but PyRuSH still formats those
   messages, which is part of its cost as installed.
"""
from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "triage-language" / "set-a.jsonl"
HB = "https://w3id.org/hipback/"
RANK = {"self_care": 1, "routine": 2, "urgent": 3, "emergency": 4}
#: Trigger words at the start of a reader span: ConText must see them outside the target.
LEADING_TRIGGER = re.compile(r"^(?:(?:no|not|never|without|nor|none|neither|denies|deny|denied|negative\s+for|"
                             r"free\s+of|absence\s+of|with\s+no)\b[\s,]*)+", re.I)


def load_cases(path: Path) -> list[dict]:
    if "set-b" in path.name:
        sys.exit("set B is not to be read by this measurement")
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def build_medspacy():
    import medspacy
    from loguru import logger

    # PyRuSH (medspaCy's sentence splitter) logs every sentence at DEBUG through loguru: keep warnings only,
    # so that neither the report nor the timing is swamped by log output.
    logger.remove()
    logger.add(sys.stderr, level="WARNING")

    nlp = medspacy.load(medspacy_enable=["medspacy_tokenizer", "medspacy_pyrush", "medspacy_target_matcher",
                                         "medspacy_context"])
    return nlp


def layers(spans):
    """Split spans into layers with no overlap inside a layer (doc.ents allows no overlap)."""
    out: list[list] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        for layer in out:
            if all(span.end <= o.start or span.start >= o.end for o in layer):
                layer.append(span)
                break
        else:
            out.append([span])
    return out


def context_pass(nlp, text: str, targets: list[tuple[int, int]], clock: dict | None = None) -> dict:
    """ConText's reading of each (start, end) char target: {(start, end): {...}}."""
    started = time.perf_counter()
    doc = nlp.make_doc(text)
    context = None
    for name, proc in nlp.pipeline:
        if name == "medspacy_context":
            context = proc
            continue
        doc = proc(doc)
    if clock is not None:
        clock["before_context"] = clock.get("before_context", 0.0) + time.perf_counter() - started
    spans = {}
    for start, end in targets:
        span = doc.char_span(start, end, label="RED_FLAG", alignment_mode="expand")
        if span is not None and len(span):
            spans[(start, end)] = span
    out = {}
    for layer in layers(list({(s.start, s.end): s for s in spans.values()}.values())):
        doc.ents = layer
        doc = context(doc)
        for ent in doc.ents:
            modifiers = []
            for m in ent._.modifiers:
                a, b = m.modifier_span
                modifiers.append({"category": m.category, "text": doc[a:b].text,
                                  "inside": a < ent.end and ent.start < b})  # overlaps the target itself
            out[(ent.start, ent.end)] = {
                "negated": bool(ent._.is_negated), "family": bool(ent._.is_family),
                "historical": bool(ent._.is_historical), "hypothetical": bool(ent._.is_hypothetical),
                "uncertain": bool(ent._.is_uncertain), "modifiers": modifiers, "tokens": ent.text,
            }
    return {key: out.get((s.start, s.end)) for key, s in spans.items()}


def targets_of(knowledge, text: str, finding, lexical_absence) -> list[dict]:
    """Each origin span of a red-flag finding as a ConText target."""
    out = []
    for origin in finding.origin:
        if not origin.span:
            continue
        start, end = origin.span
        chunk = text[start:end]
        absence_phrase = lexical_absence(chunk, finding.iri)
        cut = LEADING_TRIGGER.match(chunk) if absence_phrase else None
        cut = cut if cut and cut.end() < len(chunk) else None
        if cut:
            start += cut.end()
        out.append({"span": [start, end], "reader_span": origin.span, "matched": chunk, "reader": finding.status,
                    "trigger_cut": bool(cut), "lexical_absence": bool(absence_phrase and not cut)})
    return out


#: ConText categories -> the attribute each sets (medspacy.context.context.DEFAULT_ATTRIBUTES)
CATEGORY = {"NEGATED_EXISTENCE": "negated", "POSSIBLE_EXISTENCE": "uncertain", "HISTORICAL": "historical",
            "HYPOTHETICAL": "hypothetical", "FAMILY": "family"}


def attributes(attrs: dict, corrected: bool) -> dict:
    """As shipped: ConText's own span attributes. Corrected: the same from the modifiers that lie wholly
    outside the target (medspaCy 1.3.1 ``tuple_overlaps`` misses a modifier that starts inside a target,
    "[can't empty my bladder]", so the "n't" of the finding's own words negates it)."""
    if not corrected:
        return attrs
    out = {name: False for name in CATEGORY.values()}
    for m in attrs["modifiers"]:
        if not m["inside"] and m["category"] in CATEGORY:
            out[CATEGORY[m["category"]]] = True
    return out


def decide(target: dict, attrs: dict | None, corrected: bool) -> str:
    if attrs is None:
        return target["reader"]  # no token could be aligned (never seen in set A)
    a = attributes(attrs, corrected)
    if a["family"] or a["historical"] or a["hypothetical"]:
        return "dropped"
    if target["lexical_absence"] or a["negated"]:
        return "absent"
    return "present"


def category(target: dict, attrs: dict | None, corrected: bool) -> str:
    """Why ConText's decision on one span differs from the reader's, in ConText's terms."""
    if target["decision_corrected" if corrected else "decision"] == "dropped":
        a = attributes(attrs, corrected)
        return "/".join(name for flag, name in (("family", "experiencer"), ("historical", "historical"),
                                                ("hypothetical", "hypothetical")) if a[flag])
    return "negation"


def truth_of(knowledge, case: dict, iri: str) -> str:
    present = [HB + f for f in case.get("findings", [])]
    absent = [HB + f for f in case.get("absent_findings", [])]
    if any(knowledge.is_a(t, iri) or knowledge.is_a(iri, t) for t in present):
        return "present"
    if any(knowledge.is_a(iri, a) or knowledge.is_a(a, iri) for a in absent):
        return "absent"
    return "unstated"


def snippet(text: str, span, width: int = 45) -> str:
    start, end = span
    left, right = max(0, start - width), min(len(text), end + width)
    return (("…" if left else "") + text[left:start] + "[" + text[start:end] + "]" + text[end:right]
            + ("…" if right < len(text) else "")).replace("\n", " ").replace("|", "/")


def combine(decisions: list[str]) -> str:
    return "present" if "present" in decisions else "absent" if "absent" in decisions else "dropped"


def measure(cases: list[dict], repeat: int) -> dict:
    import medspacy
    import spacy
    import hipback
    from hipback.reasoner import Knowledge, annotate, triage
    from hipback.store import EmbeddedStore

    knowledge = Knowledge.load(EmbeddedStore())
    nlp = build_medspacy()

    def lexical_absence(chunk: str, iri: str) -> bool:
        try:
            return iri in knowledge.lexicon.lookup(chunk, "absence")
        except Exception:  # an older lexicon without lookup
            return False

    rows = []
    for case in cases:
        text = case["text"]
        annotation = annotate(text, knowledge)
        facts = {name: getattr(annotation.facts, name) for name in
                 ("duration_days", "severity", "age", "improving_with_home_care")}
        facts = {k: v for k, v in facts.items() if v is not None}
        other_present = [f.iri for f in annotation.findings if not f.red_flag and f.status == "present"]
        other_absent = [f.iri for f in annotation.findings if not f.red_flag and f.status == "absent"]
        flags = [f for f in annotation.findings if f.red_flag]
        targets = {id(f): targets_of(knowledge, text, f, lexical_absence) for f in flags}
        attrs = context_pass(nlp, text, [tuple(t["span"]) for ts in targets.values() for t in ts])

        reader: dict[str, str] = {}
        spans: dict[str, list] = {}
        for f in flags:
            reader[f.iri] = "present" if f.status == "present" or reader.get(f.iri) == "present" else "absent"
            for t in targets[id(f)]:
                a = attrs.get(tuple(t["span"]))
                spans.setdefault(f.iri, []).append({**t, "context": a, "decision": decide(t, a, False),
                                                    "decision_corrected": decide(t, a, True)})
        shipped = {iri: combine([t["decision"] for t in ts]) for iri, ts in spans.items()}
        corrected = {iri: combine([t["decision_corrected"] for t in ts]) for iri, ts in spans.items()}

        def level(red_present, red_absent):
            present = other_present + red_present
            # as for a text that says both, the present reading wins (the lists may not contradict)
            absent = [a for a in other_absent + red_absent if not any(knowledge.is_a(p, a) for p in present)]
            body = {"findings": present, "absent_findings": absent, **facts}
            body = {k: v for k, v in body.items() if v not in (None, [])}
            return triage(body, knowledge).urgency.level

        def level_by(reading):
            return level(sorted(i for i, d in reading.items() if d == "present"),
                         sorted(i for i, d in reading.items() if d == "absent"))

        row = {
            "id": case["id"], "kinds": case.get("kinds", []), "expected": case["expected_level"],
            "text_level": triage({"text": text}, knowledge).urgency.level,
            "reader_level": level_by(reader), "medspacy_level": level_by(shipped),
            "corrected_level": level_by(corrected), "flags": [],
        }
        for iri, ts in spans.items():
            truth = truth_of(knowledge, case, iri)
            flag = {"iri": iri, "name": iri.removeprefix(HB), "truth": truth, "reader": reader[iri],
                    "medspacy": shipped[iri], "corrected": corrected[iri]}
            for key in ("reader", "medspacy", "corrected"):
                flag[key + "_right"] = (flag[key] == "present") == (truth == "present")
            for key, field in (("medspacy", "decision"), ("corrected", "decision_corrected")):
                # the spans where ConText and the reader disagree on presence, and why (in ConText's terms)
                differ = [t for t in ts if (t[field] == "present") != (t["reader"] == "present")]
                flag[key + "_category"] = ("/".join(sorted({category(t, t["context"], key == "corrected")
                                                            for t in differ}))
                                           if (flag[key] == "present") != (flag["reader"] == "present") else "")
            shown = [t for t in ts if t["decision"] != t["reader"] or t["decision_corrected"] != t["reader"]] or ts
            flag.update({
                "snippet": " … ".join(snippet(text, t["reader_span"]) for t in shown[:2]),
                "modifiers": sorted({f"{m['category']}:{m['text']}" + (" (inside)" if m["inside"] else "")
                                     for t in ts for m in (t["context"] or {}).get("modifiers", [])}),
                "uncertain": any((t["context"] or {}).get("uncertain") for t in ts),
                "trigger_cut": any(t["trigger_cut"] for t in ts),
                "lexical_absence": any(t["lexical_absence"] for t in ts),
                "unaligned": any(t["context"] is None for t in ts),
            })
            row["flags"].append(flag)
        rows.append(row)

    # timing, same process, same texts: warm-up pass, then the median of `repeat` passes
    def time_reader():
        start = time.perf_counter()
        for case in cases:
            annotate(case["text"], knowledge)
        return (time.perf_counter() - start) * 1000 / len(cases)

    prepared = []
    for case in cases:
        a = annotate(case["text"], knowledge)
        prepared.append((case["text"], [tuple(t["span"]) for f in a.findings if f.red_flag
                                        for t in targets_of(knowledge, case["text"], f, lexical_absence)]))

    split_ms = []

    def time_medspacy():
        clock: dict = {}
        start = time.perf_counter()
        for text, targets in prepared:
            context_pass(nlp, text, targets, clock)
        split_ms.append(clock["before_context"] * 1000 / len(cases))
        return (time.perf_counter() - start) * 1000 / len(cases)

    time_reader(), time_medspacy()
    split_ms.clear()
    reader_ms = statistics.median(time_reader() for _ in range(repeat))
    medspacy_ms = statistics.median(time_medspacy() for _ in range(repeat))

    def summary(key):
        emergencies = [r for r in rows if r["expected"] == "emergency"]
        found = sum(r[key] == "emergency" for r in emergencies)
        return {"emergency_found": found, "emergency_cases": len(emergencies),
                "emergency_recall": round(found / max(1, len(emergencies)), 4),
                "under_triage": sum(RANK[r[key]] < RANK[r["expected"]] for r in rows),
                "over_triage": sum(RANK[r[key]] > RANK[r["expected"]] for r in rows),
                "exact": sum(r[key] == r["expected"] for r in rows)}

    flags = [f for r in rows for f in r["flags"]]
    tally = {}
    for key in ("medspacy", "corrected"):
        counts: dict = {}
        for f in flags:
            if f[key + "_category"]:
                c = counts.setdefault(f[key + "_category"], {"medspacy_right_reader_wrong": 0,
                                                             "reader_right_medspacy_wrong": 0})
                c["medspacy_right_reader_wrong" if f[key + "_right"] else "reader_right_medspacy_wrong"] += 1
        tally[key] = counts
    return {
        "service": str(Path(hipback.__file__).resolve().parent.parent),
        "versions": {"python": platform.python_version(), "medspacy": medspacy.__version__,
                     "spacy": spacy.__version__, "ontology": knowledge.version},
        "cases": len(rows),
        "pipeline": nlp.pipe_names,
        "levels": {"reader, text triage": summary("text_level"),
                   "reader, structured": summary("reader_level"),
                   "medspaCy ConText as shipped, structured": summary("medspacy_level"),
                   "medspaCy ConText, overlap check corrected, structured": summary("corrected_level")},
        "text_vs_structured_reader_differ": [r["id"] for r in rows if r["text_level"] != r["reader_level"]],
        "mentions": {"red_flag_findings": len(flags),
                     "reader_right": sum(f["reader_right"] for f in flags),
                     "medspacy_right": sum(f["medspacy_right"] for f in flags),
                     "corrected_right": sum(f["corrected_right"] for f in flags),
                     "trigger_cut": sum(f["trigger_cut"] for f in flags),
                     "lexical_absence": sum(f["lexical_absence"] for f in flags),
                     "uncertain_read_present": sum(f["uncertain"] for f in flags),
                     "unaligned": sum(f["unaligned"] for f in flags)},
        "by_category": tally,
        "timing_ms_per_message": {"medspacy": round(medspacy_ms, 3), "reader_annotate": round(reader_ms, 3),
                                  "medspacy_tokenizer_and_sentences": round(statistics.median(split_ms), 3),
                                  "ratio_medspacy_over_reader": round(medspacy_ms / reader_ms, 2),
                                  "repeat": repeat},
        "rows": rows,
    }


def markdown(result: dict, label: str) -> str:
    lines = [f"### {label}: reader from `{result['service']}`", "",
             f"{result['cases']} cases; medspaCy {result['versions']['medspacy']}, spaCy {result['versions']['spacy']}, "
             f"Python {result['versions']['python']}, ontology {result['versions']['ontology']}; "
             f"pipeline medspacy_tokenizer + {', '.join(result['pipeline'])}.", "",
             "| reading | emergency recall | under-triage | exact | over-triage |", "|---|---|---|---|---|"]
    for name, s in result["levels"].items():
        lines.append(f"| {name} | {s['emergency_found']}/{s['emergency_cases']} ({100 * s['emergency_recall']:.1f}%) "
                     f"| {s['under_triage']} | {s['exact']} | {s['over_triage']} |")
    m = result["mentions"]
    t = result["timing_ms_per_message"]
    differ = result["text_vs_structured_reader_differ"]
    lines += ["", f"Red-flag findings the reader found: {m['red_flag_findings']}. Right by the case's truth (present "
                  f"vs not present): reader {m['reader_right']}, medspaCy as shipped {m['medspacy_right']}, "
                  f"overlap corrected {m['corrected_right']}. (Absence phrases whose leading trigger was cut off the "
                  f"target: {m['trigger_cut']}; absence phrases with no trigger word, kept absent: "
                  f"{m['lexical_absence']}; ConText 'uncertain', read as present: {m['uncertain_read_present']}; "
                  f"spans not aligned: {m['unaligned']}.)", "",
              f"Reader's text triage vs its structured triage: {len(differ)} case(s) differ"
              + (f" ({', '.join(differ)})" if differ else "") + ".", "",
              f"Time per message: medspaCy {t['medspacy']} ms, reader's annotate {t['reader_annotate']} ms, "
              f"ratio {t['ratio_medspacy_over_reader']}x (median of {t['repeat']} passes over set A; of medspaCy's "
              f"time, {t['medspacy_tokenizer_and_sentences']} ms is its tokenizer, PyRuSH and the empty target "
              f"matcher).", "",
              "Decisions that differ in presence from the reader's, by ConText category:", "",
              "| ConText variant | category | medspaCy right, reader wrong | reader right, medspaCy wrong |",
              "|---|---|---|---|"]
    for key, name in (("medspacy", "as shipped"), ("corrected", "overlap corrected")):
        for cat, c in sorted(result["by_category"][key].items()):
            lines.append(f"| {name} | {cat} | {c['medspacy_right_reader_wrong']} | {c['reader_right_medspacy_wrong']} |")
    disagree = [(r, f) for r in result["rows"] for f in r["flags"]
                if f["reader"] != f["medspacy"] or f["reader"] != f["corrected"]]
    lines += ["", f"Red-flag decisions that differ ({len(disagree)}; R = reader, M = medspaCy as shipped, "
                  f"C = overlap corrected; levels by structured triage, expected in brackets):", "",
              "| case | kinds | finding | text | R | M | C | ConText modifiers | truth | right | category (M / C) "
              "| level R / M / C [expected] |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r, f in disagree:
        right = "".join(k for k, key in (("R", "reader"), ("M", "medspacy"), ("C", "corrected")) if f[key + "_right"])
        lines.append(f"| {r['id']} | {', '.join(r['kinds'])} | {f['name']} | {f['snippet']} | {f['reader']} | "
                     f"{f['medspacy']} | {f['corrected']} | {'; '.join(f['modifiers']) or 'none'} | {f['truth']} | "
                     f"{right or 'none'} | {f['medspacy_category'] or '-'} / {f['corrected_category'] or '-'} | "
                     f"{r['reader_level']} / {r['medspacy_level']} / {r['corrected_level']} [{r['expected']}] |")
    for key, name in (("medspacy_level", "as shipped"), ("corrected_level", "overlap corrected")):
        changed = [x for x in result["rows"] if x["reader_level"] != x[key]]
        lines += ["", f"Cases whose level differs from the reader's ({name}): {len(changed)}"
                  + (": " + ", ".join(f"{x['id']} ({x['reader_level']} -> {x[key]} [{x['expected']}])"
                                      for x in changed) if changed else "") + "."]
    lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", default="run")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    try:
        import medspacy  # noqa: F401
    except ImportError:
        sys.exit("medspaCy is not installed here; see the top of bench/medspacy_context.py")
    result = measure(load_cases(args.data), args.repeat)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print(markdown(result, args.label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
