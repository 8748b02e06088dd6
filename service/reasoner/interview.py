"""The interview: the questions a case still needs before its level can be trusted.

Stateless: a client answers a question by adding its finding's IRI to ``findings`` (yes) or to
``absent_findings`` (no) and posting the case again. Every question comes from the ontology:

1. ``red_flag``: every most general red flag (a descendant of ``hb:RedFlag`` with no red flag
   between them) that the case has neither reported nor denied, in ``hb:questionPriority`` order;
   a red flag added to the ontology is asked with no code change;
2. ``level``: every other finding named positively in a rule's definition (``hasFinding some F``)
   that would raise the case's level if it were present, unless a value the case already has
   decides the same part of the rule (a pain score answers "would you call it severe?");
3. ``caution``: the most general finding a caution of the recommended care holds for ("are you
   pregnant, on blood thinners...?" before ibuprofen), which never changes the level;
4. ``candidate``: the one characteristic finding that best separates the best candidate
   conditions (weighted as the ranking weighs it).

A question is answered when a present finding is it or narrower (reported), or when it or a broader
finding is denied; a denied narrower finding ("no numbness in the buttocks") leaves its broader red
flag open, as OWL's open world does. ``complete`` is true when no unanswered question could raise
the level; an answer below ``urgent`` that is not complete is provisional.
"""
from __future__ import annotations

import math

from . import expressions as ex
from .knowledge import HAS_FINDING, RED_FLAG, Knowledge
from .model import Question, RedFlagCheck, TermRef
from .recommend import advice_of
from .rules import CaseState, fire, level_of

#: The level below which an answer on an incomplete case is provisional (its rank is the bound).
URGENT = "urgent"


def question_text(knowledge: Knowledge, iri: str) -> str:
    """The finding's ``hb:question``, or a question made from its label."""
    return knowledge.term(iri).note("question") or f"Does this apply to you: {knowledge.label(iri)}?"


def red_flag_questions(knowledge: Knowledge) -> list[str]:
    """The most general red flags, in the order the interview asks them."""
    flags = [f for f in knowledge.red_flags - {RED_FLAG}
             if not (knowledge.ancestors.get(f, frozenset()) & knowledge.red_flags) - {RED_FLAG}]

    def order(iri):
        priority = knowledge.term(iri).note("priority")
        return (0, int(priority), "") if priority is not None else (1, 0, knowledge.label(iri))

    return sorted(flags, key=order)


def rule_findings(knowledge: Knowledge) -> list[tuple[str, frozenset[str]]]:
    """(F, P) for every finding F a rule names positively; P, the data properties beside it in a union."""
    found: dict[str, set[str]] = {}

    def walk(expression, beside: frozenset[str]) -> None:
        if isinstance(expression, ex.Some) and expression.property == HAS_FINDING:
            if isinstance(expression.filler, ex.Named):
                found.setdefault(expression.filler.iri, set()).update(beside)
            elif isinstance(expression.filler, ex.Or):
                for item in expression.filler.items:
                    if isinstance(item, ex.Named):
                        found.setdefault(item.iri, set()).update(beside)
        elif isinstance(expression, ex.And):
            for item in expression.items:
                walk(item, beside)
        elif isinstance(expression, ex.Or):
            values = frozenset(i.property for i in expression.items if isinstance(i, (ex.DataSome, ex.HasValue)))
            for item in expression.items:
                walk(item, beside | values)

    for iri in sorted(knowledge.rules):
        for definition in knowledge.rules[iri].definitions:
            walk(definition, frozenset())
    return sorted((f, frozenset(p)) for f, p in found.items())


def _reported(knowledge: Knowledge, state: CaseState, iri: str) -> bool:
    return any(knowledge.is_a(p, iri) for p in state.present)


def _denied(knowledge: Knowledge, state: CaseState, iri: str) -> bool:
    return any(knowledge.is_a(iri, a) for a in state.absent)


def level_if_present(knowledge: Knowledge, state: CaseState, iri: str):
    return level_of(fire(knowledge, CaseState(state.present + [iri], state.absent, dict(state.values))))


def ask(knowledge: Knowledge, state: CaseState, level, candidates, actions=()) -> tuple[list[Question], bool]:
    """The questions for a case at ``level`` with ranked ``candidates`` and recommended ``actions``, and
    whether it is complete."""
    questions: list[Question] = []
    asked: set[str] = set()

    def open_(iri: str) -> bool:
        return (iri not in asked and not _reported(knowledge, state, iri) and not _denied(knowledge, state, iri)
                and not any(knowledge.is_a(iri, a) for a in asked))

    def add(iri: str, kind: str, reached) -> None:
        term = knowledge.term(iri)
        questions.append(Question(finding=TermRef(iri, term.label), text=question_text(knowledge, iri), kind=kind,
                                  if_yes=reached.code,
                                  advice=advice_of(knowledge, iri) if kind == "red_flag" else None))
        asked.add(iri)

    top = max(knowledge.levels.values(), key=lambda lv: lv.rank)  # every red flag alone reaches it (checked at start)
    for iri in knowledge.red_flag_questions:
        if open_(iri) and top.rank > level.rank:
            add(iri, "red_flag", top)
    raising = []
    for iri, values in knowledge.rule_findings:
        if iri in knowledge.red_flags or not open_(iri) or any(p in state.values for p in values):
            continue
        reached = level_if_present(knowledge, state, iri)
        if reached.rank > level.rank:
            raising.append((-reached.rank, len(knowledge.ancestors.get(iri, ())), knowledge.label(iri), iri, reached))
    # the question that would raise the level most first; among equals the most general, which answers the rest
    for *_, iri, reached in sorted(raising):
        if open_(iri):
            add(iri, "level", reached)
    complete = not questions
    # cautions of the care the answer gives: the most general finding each holds for, not yet answered
    caution_findings = {f for a in actions for c in knowledge.cautions.get(a, ()) for f in knowledge.applies_when.get(c, ())}
    for iri in sorted(caution_findings, key=knowledge.label):
        if not any(o != iri and knowledge.is_a(iri, o) for o in caution_findings) and open_(iri):
            add(iri, "caution", level)
    best = _separating(knowledge, state, candidates, open_)
    if best is not None:
        add(best, "candidate", level_if_present(knowledge, state, best))
    return questions, complete


def _separating(knowledge: Knowledge, state: CaseState, candidates, open_) -> str | None:
    """The characteristic finding that best tells the best candidates apart (or confirms the only one)."""
    if not candidates:
        return None
    top = [c for c in candidates[:3] if c.score >= candidates[0].score / 2]
    n = len(knowledge.conditions)
    scores: dict[str, float] = {}
    for finding in sorted(set().union(*(knowledge.characteristic[c.iri] for c in top))):
        if not open_(finding):
            continue
        having = [c for c in top if finding in knowledge.characteristic[c.iri]]
        if len(top) > 1 and len(having) == len(top):
            continue  # every candidate presents with it: a yes or a no changes nothing between them
        weight = math.log(1 + n / max(1, sum(finding in f for f in knowledge.characteristic.values())))
        scores[finding] = weight * (2 if having and having[0] is top[0] else 1)
    if not scores:
        return None
    return max(sorted(scores), key=lambda f: scores[f])


def red_flag_checks(knowledge: Knowledge, questions: list[Question]) -> list[RedFlagCheck]:
    """The red flags still unasked, in plain words, with what to do if one is present."""
    return [RedFlagCheck(finding=q.finding, text=q.text, advice=q.advice) for q in questions if q.kind == "red_flag"]


def converse(case: dict, knowledge: Knowledge, answer, *, one_at_a_time: bool = False,
             kinds: tuple[str, ...] = ("red_flag", "level"), max_rounds: int = 12):
    """Put the answer's questions to ``answer(question) -> True | False | None`` until nothing is left to ask.

    A yes adds the question's finding to ``findings``, a no to ``absent_findings``; None (not sure) leaves
    it open and it is not asked again. ``one_at_a_time`` triages again after every answer (a terminal, a
    chat); otherwise every open question of a round is answered together (the checklist form). Returns
    the last answer and the number of questions answered yes or no.
    """
    from . import triage

    case = {**case, "findings": list(case.get("findings", [])), "absent_findings": list(case.get("absent_findings", []))}
    skipped: set[str] = set()
    asked = 0
    result = triage(case, knowledge)
    for _ in range(max_rounds):
        waiting = [q for q in result.questions if q.kind in kinds and q.finding.iri not in skipped]
        if not waiting or (result.complete and "candidate" not in kinds):
            break
        stopped = False
        for question in waiting[:1] if one_at_a_time else waiting:
            try:
                reply = answer(question)
            except StopInterview:
                stopped = True
                break
            if reply is None:
                skipped.add(question.finding.iri)
                continue
            asked += 1
            case["findings" if reply else "absent_findings"].append(question.finding.iri)
        result = triage({k: v for k, v in case.items() if v not in (None, [])}, knowledge)
        if stopped:
            break
    return result, asked


class StopInterview(Exception):
    """Raised by an ``answer`` function that has no more answers (a closed terminal): ``converse`` returns
    the answer as it stands, with what was answered so far."""
