"""The triage reasoner: a plain library (no Flask) that answers with dataclasses.

    knowledge = Knowledge.load(store)          # once, at start
    result = triage({"text": "..."}, knowledge)  # -> TriageResult; result.to_dict() for JSON
    annotation = annotate("no fever ...", knowledge)

See docs/reasoner.md for the contract, the rules, the ranking formula and the annotator.
"""
from __future__ import annotations

import re

from .annotate import annotate as _annotate
from .interview import URGENT, ask, red_flag_checks
from .knowledge import HB, RED_FLAG, Knowledge, KnowledgeError
from .model import (Annotation, Case, CaseError, CaseFacts, CaseFinding, Origin, Question, Reason, TriageResult,
                    Unrecognized, Urgency)
from .rank import rank
from .recommend import PREGNANCY, recommend, withhold
from .rules import CaseState, fire, level_of
from .sources import source_of

__all__ = ["Knowledge", "KnowledgeError", "Case", "CaseError", "TriageResult", "Annotation", "triage", "annotate",
           "resolve_term", "case_state"]


def _disclaimer() -> str:
    from hipback import DISCLAIMER

    return DISCLAIMER


def annotate(text: str, knowledge: Knowledge) -> Annotation:
    if not isinstance(text, str):
        raise CaseError("text", "must be a string")
    return _annotate(knowledge, text)


def resolve_term(term: str, knowledge: Knowledge) -> set[str]:
    """The finding(s) a list item names: an IRI, a CURIE (hb:X), a local name, a label or a synonym."""
    value = term.strip()
    candidates = {value}
    if value.lower().startswith("hb:"):
        candidates.add(HB + value[3:])
    elif "://" not in value and value.replace("_", "").isalnum():
        candidates.add(HB + value)
    direct = {c for c in candidates if c in knowledge.findings}
    if direct:
        return direct
    return knowledge.lexicon.lookup(value, "finding")


def _from_lists(case: Case, knowledge: Knowledge, found: dict, unrecognized: list, named: dict) -> None:
    for field_name, status in (("findings", "present"), ("absent_findings", "absent")):
        for term in getattr(case, field_name):
            iris = resolve_term(term, knowledge)
            if iris:
                for iri in sorted(iris):
                    found.setdefault((iri, status), []).append(Origin(field=field_name, term=term))
                continue
            # Not a label or synonym: read the term as a short text ("pain in my hip").
            reading = _annotate(knowledge, term)
            if status == "present" and reading.conditions and not reading.findings and not reading.unrecognized:
                for condition in reading.conditions:  # "slipped disc": a condition named, evidence for it only
                    named.setdefault(condition.iri, []).append(Origin(field=field_name, term=term))
                continue
            if not reading.findings:
                unrecognized.append(Unrecognized(field=field_name, input=term,
                                                 reason="not a finding the ontology knows (IRI, label or synonym)"))
                continue
            left = _unread_words(reading, term)
            if left:
                # never silently broader: say what was read, and prefer a red flag whose words are there
                flag = _red_flag_for(knowledge, reading, left)
                read = ", ".join(sorted({f.label for f in reading.findings}))
                unrecognized.append(Unrecognized(
                    field=field_name, input=term,
                    reason=f"only part of this term was understood ('{' '.join(left)}' was not): read as {read}"
                           + (f"; its words name the red flag '{knowledge.label(flag)}', read as that" if flag else "")))
                if flag:
                    found.setdefault((flag, status), []).append(Origin(field=field_name, term=term))
            for finding in reading.findings:
                read_status = "absent" if status == "absent" else finding.status
                for origin in finding.origin:
                    found.setdefault((finding.iri, read_status), []).append(
                        Origin(field=field_name, term=term, span=origin.span, matched=origin.matched))


_FUNCTION = {"a", "an", "the", "my", "in", "of", "on", "at", "to", "and", "or", "with", "both", "some", "i", "have",
             "has", "is", "am", "are", "feel", "feeling", "very", "really", "bit", "little"}


def _unread_words(reading, term: str) -> list[str]:
    """The words of a list term that no part of its reading covers (function words aside)."""
    covered = [o.span for f in reading.findings for o in f.origin if o.span] + \
              [p for f in reading.findings for o in f.origin for p in (o.parts or [])]
    words = []
    for match in re.finditer(r"[A-Za-z']+", term):
        if match.group().lower() in _FUNCTION:
            continue
        if not any(a <= match.start() < b for a, b in covered):
            words.append(match.group())
    return words


def _red_flag_for(knowledge: Knowledge, reading, words: list[str]) -> str | None:
    """A red flag one of whose phrases holds an unread word, and under which a finding read from the term
    falls in kind ("saddle tingling": 'saddle' is in "saddle numbness", a kind of the red flag that tingling is)."""
    from .lexicon import normalise

    unread = {t for w in words for t in normalise(w)}
    read = [f.iri for f in reading.findings]
    best = None
    for key, entries in knowledge.lexicon.by_phrase.items():
        if not unread & set(key):
            continue
        for entry in entries:
            flag = entry.iri
            if entry.kind != "finding" or flag not in knowledge.red_flags:
                continue
            top = next((q for q in knowledge.red_flag_questions if knowledge.is_a(flag, q)), flag)
            below = {top} | knowledge.descendants.get(top, set())
            if any(knowledge.is_a(d, r) for d in below for r in read):
                best = min(best or top, top)
    return best


def _check_contradictions(found: dict, knowledge: Knowledge, unrecognized: list) -> None:
    """A finding present and denied is an error in the lists; in the text, the present reading wins."""
    present = [(iri, origins) for (iri, status), origins in found.items() if status == "present"]
    absent = [(iri, origins) for (iri, status), origins in found.items() if status == "absent"]
    for p_iri, p_origins in present:
        for a_iri, a_origins in absent:
            if not knowledge.is_a(p_iri, a_iri) or (a_iri, "absent") not in found:
                continue
            if all(o.field == "text" for o in a_origins):
                del found[(a_iri, "absent")]  # the safe reading of a text that says both
                unrecognized.append(Unrecognized(
                    field="text", input=", ".join(o.matched or "" for o in a_origins),
                    span=a_origins[0].span,
                    reason=f"the text also reports {knowledge.label(p_iri)}; read as present"))
                continue
            listed = [o.field for o in a_origins + p_origins if o.field != "text"]
            field_name = "absent_findings" if "absent_findings" in listed else (listed[0] if listed else "text")
            raise CaseError(field_name, f"'{knowledge.label(p_iri)}' is given as present and "
                                        f"'{knowledge.label(a_iri)}' as absent; a finding cannot be both")


def case_state(case: Case, knowledge: Knowledge):
    """The case as the rules read it, with the findings, values and what was not understood."""
    return _case_state(case, knowledge)[:4]


def _case_state(case: Case, knowledge: Knowledge):
    """As ``case_state``, and the conditions the patient names (for ranking only, never for urgency)."""
    found: dict = {}
    named: dict = {}
    unrecognized: list[Unrecognized] = []
    _from_lists(case, knowledge, found, unrecognized, named)
    values = {"duration_days": case.duration_days, "severity": case.severity, "age": case.age,
              "improving_with_home_care": case.improving_with_home_care, "pregnancy_weeks": case.pregnancy_weeks}
    origins = {k: {"field": k} for k, v in values.items() if v is not None}
    if case.text:
        annotation = _annotate(knowledge, case.text)
        for finding in annotation.findings:
            if (finding.iri, "present" if finding.status == "absent" else "absent") in found and any(
                    o.field != "text" for o in found[(finding.iri, "present" if finding.status == "absent" else "absent")]):
                continue  # the structured list wins over a reading of the text
            found.setdefault((finding.iri, finding.status), []).extend(finding.origin)
        for name in values:
            read = getattr(annotation.facts, name)
            if values[name] is None and read is not None:
                values[name] = read
                origins[name] = annotation.facts.origins[name]
        unrecognized.extend(annotation.unrecognized)
        for condition in annotation.conditions:
            named.setdefault(condition.iri, []).extend(condition.origin)
    if values["pregnancy_weeks"] is not None and PREGNANCY in knowledge.findings:
        # weeks of pregnancy say the person is pregnant (a caution on anti-inflammatory painkillers)
        found.setdefault((PREGNANCY, "present"), []).append(Origin(**origins["pregnancy_weeks"]))
    _check_contradictions(found, knowledge, unrecognized)
    findings = [
        CaseFinding(iri=iri, label=knowledge.label(iri), status=status, red_flag=iri in knowledge.red_flags, origin=origin,
                    disagreement=knowledge.term(iri).note("disagreement") if status == "present" else None)
        for (iri, status), origin in found.items()
    ]
    findings.sort(key=lambda f: (f.status != "present", not f.red_flag, f.label))
    state = CaseState.build(
        [f.iri for f in findings if f.status == "present"], [f.iri for f in findings if f.status == "absent"],
        values["duration_days"], values["severity"], values["age"], values["improving_with_home_care"],
    )
    return state, findings, CaseFacts(**values, origins=origins), unrecognized, named


def triage(case_dict, knowledge: Knowledge) -> TriageResult:
    """Urgency, candidates, the case as understood and the article's advice for one case."""
    case = case_dict if isinstance(case_dict, Case) else Case.from_dict(case_dict)
    state, findings, facts, unrecognized, named = _case_state(case, knowledge)
    firings = fire(knowledge, state)
    level = level_of(firings)
    reasons = [
        Reason(rule=f.rule.iri, label=f.rule.label, level=f.rule.level.code, facts=f.facts,
               definition=knowledge.term(f.rule.iri).note("definition"), source=source_of(knowledge.term(f.rule.iri), knowledge))
        for f in firings
    ]
    level_term = knowledge.term(level.iri)
    urgency = Urgency(level=level.code, label=level.label, iri=level.iri, rank=level.rank,
                      advice=level_term.note("advice"), reasons=reasons)
    candidates = rank(knowledge, state.present, state.absent, facts.duration_days, facts.age, named=named)
    out_of_scope = any(f.rule.fallback for f in firings)
    recommendations = recommend(knowledge, level, state.present, candidates, facts.duration_days, out_of_scope)
    recommendations, withheld = withhold(knowledge, recommendations, state.present, facts.pregnancy_weeks)
    questions, complete = ask(knowledge, state, level, candidates, [r.iri for r in recommendations])
    urgent = next((lv.rank for lv in knowledge.levels.values() if lv.code == URGENT), None)
    provisional = not complete and urgent is not None and level.rank < urgent
    checks = red_flag_checks(knowledge, questions) if provisional else []
    safety_net = None
    if checks:
        advice = knowledge.term(RED_FLAG).note("advice") or "Get immediate medical attention."
        safety_net = ("This answer is provisional: the red flags below have not been asked. If you have any of them, "
                      "do not wait. " + advice)
    elif provisional:
        safety_net = ("This answer is provisional: the questions below could still raise its level. "
                      + (urgency.advice or ""))
    return TriageResult(urgency=urgency, candidates=candidates, findings=findings, facts=facts,
                        unrecognized=unrecognized, recommendations=recommendations,
                        disclaimer=_disclaimer(), ontology_version=knowledge.version,
                        questions=questions, complete=complete, provisional=provisional,
                        red_flags_to_check=checks, safety_net=safety_net, withheld=withheld)
