"""The fast path: the ontology's triage rules evaluated on a case, as HermiT would classify it.

A case is what OWL sees: present findings (each an individual of its finding class, linked by
``hasFinding``), denied findings (``not (hasFinding some F)``), and the data values of the
functional properties ``durationDays``, ``painSeverity``, ``ageYears``, ``improvingWithHomeCare``.
Open world: an unmentioned finding or value is unknown and never makes a rule fire; a denied one
makes ``not (hasFinding some F)`` true, nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import expressions as ex
from .knowledge import CASE_PROPERTIES, HAS_FINDING, PATIENT_CASE, Knowledge, KnowledgeError, Rule
from .model import Fact


@dataclass
class CaseState:
    """A case reduced to what the rules read."""

    present: list[str] = field(default_factory=list)  # finding class IRIs
    absent: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)  # ontology data property IRI -> value

    @classmethod
    def build(cls, present, absent, duration_days=None, severity=None, age=None, improving=None) -> "CaseState":
        fields = {"duration_days": duration_days, "severity": severity, "age": age, "improving_with_home_care": improving}
        values = {prop: fields[name] for prop, name in CASE_PROPERTIES.items() if fields[name] is not None}
        return cls(list(present), list(absent), values)


@dataclass
class Firing:
    rule: Rule
    facts: list[Fact]


class Evaluator:
    def __init__(self, knowledge: Knowledge):
        self.k = knowledge

    def holds(self, expression, case: CaseState, facts: list[Fact], depth: int = 0) -> bool:
        k = self.k
        if depth > 20:
            raise KnowledgeError("rule definitions refer to each other in a cycle")
        if isinstance(expression, ex.Named):
            if expression.iri == PATIENT_CASE or expression.iri in k.ancestors.get(PATIENT_CASE, ()):
                return True
            # another rule, or any other defined class of cases: its definition decides
            definitions = k.defined.get(expression.iri, ())
            return any(self.holds(d, case, facts, depth + 1) for d in definitions
                       if not ex.unsupported_parts(d))
        if isinstance(expression, ex.And):
            found: list[Fact] = []
            if all(self.holds(item, case, found, depth) for item in expression.items):
                facts.extend(found)
                return True
            return False
        if isinstance(expression, ex.Or):
            hit = False
            for item in expression.items:
                found = []
                if self.holds(item, case, found, depth):
                    facts.extend(found)
                    hit = True
            return hit
        if isinstance(expression, ex.Some):
            if expression.property != HAS_FINDING:
                return False
            matched = [f for f in case.present if k.satisfies(f, expression.filler)]
            for finding in matched:
                facts.append(Fact(
                    kind="finding", iri=finding, label=k.label(finding), property=HAS_FINDING,
                    description=f"{k.label(finding)} is present "
                                f"({ex.describe(expression.filler, k.label)})",
                ))
            return bool(matched)
        if isinstance(expression, ex.DataSome):
            value = case.values.get(expression.property)
            if value is not None and expression.range.contains(value):
                facts.append(Fact(
                    kind="value", property=expression.property, value=value,
                    description=f"{k.label(expression.property)} is {value} ({expression.range.describe()})",
                ))
                return True
            return False
        if isinstance(expression, ex.HasValue):
            value = case.values.get(expression.property)
            if value is not None and value == expression.value:
                facts.append(Fact(
                    kind="value", property=expression.property, value=value,
                    description=f"{k.label(expression.property)} is {str(value).lower()}",
                ))
                return True
            return False
        if isinstance(expression, ex.Not):
            return self._denied(expression.item, case, facts)
        raise KnowledgeError(f"cannot evaluate {expression!r}")

    def _denied(self, expression, case: CaseState, facts: list[Fact]) -> bool:
        """``not X`` is entailed: X is a denied finding (or narrower), or a known value outside X."""
        k = self.k
        if isinstance(expression, ex.Some) and expression.property == HAS_FINDING and isinstance(expression.filler, ex.Named):
            for absent in case.absent:
                if k.is_a(expression.filler.iri, absent):
                    facts.append(Fact(kind="finding", iri=absent, label=k.label(absent), property=HAS_FINDING,
                                      description=f"{k.label(absent)} is denied"))
                    return True
            return False
        if isinstance(expression, (ex.DataSome, ex.HasValue)) and expression.property in k.functional:
            value = case.values.get(expression.property)
            if value is None:
                return False
            inside = expression.range.contains(value) if isinstance(expression, ex.DataSome) else value == expression.value
            if not inside:
                facts.append(Fact(kind="value", property=expression.property, value=value,
                                  description=f"{k.label(expression.property)} is {value}"))
                return True
        return False


def fire(knowledge: Knowledge, case: CaseState) -> list[Firing]:
    """Every rule that classifies the case, with the facts that made it fire; the fallback if none."""
    evaluator = Evaluator(knowledge)
    fired: dict[str, Firing] = {}
    for iri in sorted(knowledge.rules):
        rule = knowledge.rules[iri]
        for definition in rule.definitions:
            facts: list[Fact] = []
            if evaluator.holds(definition, case, facts):
                fired[iri] = Firing(rule, facts)
                break
    # A rule whose class is a superclass of a fired rule fires too (hb:ChildCase -> hb:OutOfScopeCase).
    for iri in list(fired):
        for ancestor in sorted(knowledge.ancestors.get(iri, ())):
            if ancestor in knowledge.rules and ancestor not in fired:
                fired[ancestor] = Firing(knowledge.rules[ancestor], [Fact(
                    kind="rule", iri=iri, label=knowledge.label(iri),
                    description=f"every {knowledge.label(iri)} is a {knowledge.label(ancestor)}",
                )])
    if not fired:
        for iri in sorted(knowledge.rules):
            rule = knowledge.rules[iri]
            if rule.fallback:
                fired[iri] = Firing(rule, [Fact(
                    kind="fallback",
                    description="no triage rule classifies this case (no hip or lower back complaint, "
                                "nothing that raises its level), so it goes to a clinician",
                )])
    return sorted(fired.values(), key=lambda f: (-f.rule.level.rank, f.rule.iri))


def level_of(firings: list[Firing]):
    return max((f.rule.level for f in firings), key=lambda level: level.rank) if firings else None


def check_red_flags(knowledge: Knowledge) -> None:
    """Refuse to start unless every red flag alone classifies a case at the highest level."""
    if not knowledge.levels:
        raise KnowledgeError("the ontology has no urgency levels")
    top = max(level.rank for level in knowledge.levels.values())
    for flag in sorted(knowledge.red_flags):
        level = level_of(fire(knowledge, CaseState([flag], [])))
        if level is None or level.rank != top:
            raise KnowledgeError(f"red flag {flag} does not make a case an emergency under the ontology's rules")
