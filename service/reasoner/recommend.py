"""The article's care actions for a triage level and its candidate conditions, with their cautions.

- Every level: the care actions the ontology gives the level (``hb:recommendsCareAction``): for self
  care the article's home care and over-the-counter pain relief ("What Is the Fastest Way to Heal
  Lower Back and Hip Pain?"); above it, evaluation by a doctor, told with the level's ``hb:advice``
  (and, for an emergency, the advice the ontology gives on each red flag present).
- Self care and routine: the care actions the ontology ties to the top three candidates that score at
  least half the best one
  (``hb:managedBy`` on the condition or an ancestor, ``hb:isCareFor`` on the action).
  Urgent and emergency cases get no home remedies: they need a doctor first. A case outside the
  article's scope (a fallback rule fired: a child, no hip or back complaint) gets none either.
- Above self care, evaluation by a doctor cites the level's own sentence ("...requires prompt medical
  attention" for urgent), not the action's.
Each action carries its cautions (``hb:hasCaution``, inherited) and its source.
"""
from __future__ import annotations

from .knowledge import HB
from .model import Caution, Recommendation, TermRef, Withheld
from .sources import source_of

CANDIDATES_FOR_CARE = 3
PREGNANCY = HB + "Pregnancy"
#: Care for a candidate only when its score is at least this share of the best candidate's.
CLOSE_TO_BEST = 0.5


def _caution(knowledge, iri) -> Caution:
    term = knowledge.term(iri)
    return Caution(iri=iri, label=term.label, definition=term.note("definition"), source=source_of(term, knowledge))


def _item(knowledge, iri, why, advice=None, source=None) -> Recommendation:
    term = knowledge.term(iri)
    cautions = [_caution(knowledge, c) for c in sorted(knowledge.cautions.get(iri, ()), key=knowledge.label)]
    return Recommendation(iri=iri, label=term.label, why=why, advice=advice or term.note("definition"),
                          timing=term.note("timing"), cautions=cautions, source=source or source_of(term, knowledge))


def advice_of(knowledge, iri):
    """The advice told on a term, or on its nearest ancestor that has one."""
    term = knowledge.term(iri)
    if term.note("advice"):
        return term.note("advice")
    for ancestor in sorted(knowledge.ancestors.get(iri, ()), key=lambda a: -len(knowledge.ancestors.get(a, ()))):
        if knowledge.term(ancestor).note("advice"):
            return knowledge.term(ancestor).note("advice")
    return None


def recommend(knowledge, level, present: list[str], candidates, duration_days=None,
              out_of_scope: bool = False) -> list[Recommendation]:
    items: dict[str, Recommendation] = {}
    top = max(lv.rank for lv in knowledge.levels.values())
    self_care = min(lv.rank for lv in knowledge.levels.values())
    level_term = knowledge.term(level.iri)
    advice = None
    if level.rank > self_care:
        notes = [level_term.note("advice")]
        if level.rank == top:
            notes += [advice_of(knowledge, f) for f in present if f in knowledge.red_flags]
        advice = " ".join(dict.fromkeys(a for a in notes if a)) or None
    for iri in level_term.notes.get("recommends", []):
        if iri not in knowledge.terms:
            continue
        if level.rank > self_care:
            # cited from the level's own sentence ("...requires prompt medical attention"), not the action's
            items[iri] = _item(knowledge, iri, f"The case is at the level '{level.label}'.", advice,
                               source_of(level_term, knowledge))
            continue
        why = f"The article's care for hip and lower back pain at the level '{level.label}'."
        max_days = knowledge.term(iri).note("max_days")
        if max_days is not None and duration_days is not None and duration_days > int(max_days):
            why += f" The article advises it only in the first {max_days} days after an injury; this case has lasted {duration_days}."
        items[iri] = _item(knowledge, iri, why)
    if out_of_scope:
        return list(items.values())  # a child, or no hip or back complaint: the article's care is not theirs
    if level.rank < top and not any(f in knowledge.red_flags for f in present) and level.rank <= self_care + 1:
        best = candidates[0].score if candidates else 0
        for candidate in [c for c in candidates[:CANDIDATES_FOR_CARE] if c.score >= CLOSE_TO_BEST * best]:
            for action in sorted(knowledge.care.get(candidate.iri, ()), key=knowledge.label):
                if action not in items:
                    items[action] = _item(knowledge, action, f"The article ties it to {candidate.label}, a candidate for this case.")
    return list(items.values())


def withhold(knowledge, recommendations: list[Recommendation], present: list[str], pregnancy_weeks: int | None = None):
    """The recommendations a caution does not rule out for this case, and those it does, with why.

    A caution rules an action out when the case has a finding the caution ``hb:appliesWhen`` (or a narrower
    one): ibuprofen for a person who is pregnant, heat on a hot, swollen joint. Where several cautions hold,
    the answer names the most specific one (pregnancy's own caution before the general "ask a pharmacist")."""
    kept, withheld = [], []
    for item in recommendations:
        hits = []
        for caution in sorted(knowledge.cautions.get(item.iri, ()), key=knowledge.label):
            for f in knowledge.applies_when.get(caution, ()):
                finding = next((p for p in sorted(present) if knowledge.is_a(p, f)), None)
                if finding is not None:
                    hits.append((-len(knowledge.ancestors.get(f, ())), knowledge.label(caution), caution, finding))
        if not hits:
            kept.append(item)
            continue
        *_, caution, finding = min(hits)
        term = knowledge.term(caution)
        because = knowledge.label(finding)
        if pregnancy_weeks is not None and knowledge.is_a(finding, PREGNANCY):
            because += f" ({pregnancy_weeks} weeks)"
        withheld.append(Withheld(
            iri=item.iri, label=item.label, caution=TermRef(caution, term.label),
            finding=TermRef(finding, knowledge.label(finding)),
            why=f"Left out because of {because}: {term.note('definition') or term.label}",
            source=source_of(term, knowledge)))
    return kept, withheld
