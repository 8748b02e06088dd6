"""Candidate conditions, ranked from the ontology's condition -> finding links.

For a leaf condition c with characteristic findings F(c) (``presentsWith`` restrictions, inherited):

- a present finding x supports F in F(c) when x is F or a descendant of F (reasoned hierarchy);
- a denied finding d denies F when F is d or a descendant of d;
- weight(F) = ln(1 + N / n(F)), N = number of candidate conditions, n(F) = how many of them
  present with F (IDF: a finding only one condition has weighs more than one all share);
- matched(c) = sum of weight(F) over supported F, minus half the weight of denied F;
- coverage(c) = matched(c) / sum of weight(F) over F(c);
- score(c) = matched(c) * (1 + 0.5 * coverage(c)) * (1 + priors(c)), with priors (0.1 each, for
  ties only): hb:describedAsCommon; hb:course "temporary" with a known duration under 21 days or
  "chronic" with 21 days or more (the ontology's "a few weeks"); age at or over hb:ageRelatedFrom.
Conditions with no supported finding are not candidates. Ties break on label.
"""
from __future__ import annotations

import math

from .model import Candidate, TermRef
from .sources import source_of

PRIOR = 0.1
COVERAGE_WEIGHT = 0.5
DENIED_WEIGHT = 0.5
CHRONIC_FROM_DAYS = 21


def weights(knowledge) -> dict[str, float]:
    cached = getattr(knowledge, "_idf", None)
    if cached is None:
        counts: dict[str, int] = {}
        for condition in knowledge.conditions:
            for finding in knowledge.characteristic[condition]:
                counts[finding] = counts.get(finding, 0) + 1
        total = len(knowledge.conditions)
        cached = {f: math.log(1 + total / n) for f, n in counts.items()}
        knowledge._idf = cached
    return cached


def _priors(knowledge, condition, duration_days, age) -> tuple[float, list[str]]:
    term = knowledge.term(condition)
    bonus, why = 0.0, []
    if str(term.note("common", "")).lower() == "true":
        bonus += PRIOR
        why.append("described as common")
    course = term.note("course")
    if duration_days is not None and course == "temporary" and duration_days < CHRONIC_FROM_DAYS:
        bonus += PRIOR
        why.append("temporary course, short duration")
    if duration_days is not None and course == "chronic" and duration_days >= CHRONIC_FROM_DAYS:
        bonus += PRIOR
        why.append("chronic course, long duration")
    age_from = term.note("age_from")
    if age is not None and age_from is not None and age >= int(age_from):
        bonus += PRIOR
        why.append(f"age-related from {age_from}")
    return bonus, why


def rank(knowledge, present: list[str], absent: list[str], duration_days=None, age=None, limit: int = 5,
         named: dict | None = None) -> list[Candidate]:
    w = weights(knowledge)
    # a condition the patient names counts as one more finding only that condition has: ln(1 + N)
    named_weight = math.log(1 + len(knowledge.conditions))
    candidates = []
    for condition in knowledge.conditions:
        characteristic = knowledge.characteristic[condition]
        supporting, denied, missing = [], [], []
        matched = 0.0
        for finding in sorted(characteristic, key=knowledge.label):
            support = [x for x in present if knowledge.is_a(x, finding)]
            if support:
                matched += w[finding]
                supporting.append({
                    "iri": finding, "label": knowledge.label(finding), "weight": round(w[finding], 3),
                    "reported_as": [{"iri": x, "label": knowledge.label(x)} for x in support],
                })
            elif any(knowledge.is_a(finding, d) for d in absent):
                matched -= DENIED_WEIGHT * w[finding]
                denied.append(TermRef(finding, knowledge.label(finding)))
            else:
                missing.append(TermRef(finding, knowledge.label(finding)))
        coverage = matched / sum(w[f] for f in characteristic)
        for iri, origins in sorted((named or {}).items()):
            if knowledge.is_a(condition, iri):
                matched += named_weight
                supporting.append({
                    "iri": iri, "label": f"{knowledge.label(iri)} (named in the case)", "weight": round(named_weight, 3),
                    "reported_as": [{"iri": iri, "label": knowledge.label(iri),
                                     "matched": [o.matched or o.term for o in origins]}],
                    "named_in_case": True,
                })
        if not supporting or matched <= 0:
            continue
        bonus, _ = _priors(knowledge, condition, duration_days, age)
        score = matched * (1 + COVERAGE_WEIGHT * coverage) * (1 + bonus)
        term = knowledge.term(condition)
        candidates.append(Candidate(
            iri=condition, label=term.label, score=round(score, 3), supporting_findings=supporting,
            characteristic_findings_not_reported=missing, characteristic_findings_denied=denied,
            definition=term.note("definition"), source=source_of(term, knowledge),
        ))
    candidates.sort(key=lambda c: (-c.score, c.label))
    return candidates[:limit]
