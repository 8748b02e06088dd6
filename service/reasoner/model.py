"""The reasoner's contract: a patient case in, a triage result out, both plain dataclasses.

``Case.from_dict`` validates what a client sends and raises ``CaseError`` (a ``ValueError``) that
names the field at fault; ``TriageResult.to_dict`` gives the JSON the API and the CLI answer with.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..terms import Source, SourceDocument  # noqa: F401  (the one source shape of every answer)
from ..terms import drop_nulls as _clean


class CaseError(ValueError):
    """The case is malformed; ``field`` names the input field at fault."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


#: Accepted keys, each with its allowed range (None where not numeric).
FIELDS = ("findings", "absent_findings", "text", "duration_days", "severity", "age", "improving_with_home_care",
          "pregnancy_weeks")
RANGES = {"duration_days": (0, 36_500), "severity": (0, 10), "age": (0, 130), "pregnancy_weeks": (0, 45)}
MAX_TEXT = 10_000
MAX_TERMS = 100
#: The longest finding term accepted, in characters (the longest label or synonym is far shorter).
MAX_TERM_LENGTH = 200


def _integer(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CaseError(name, f"must be an integer, not {type(value).__name__}")
    if isinstance(value, float):
        if not value.is_integer():
            raise CaseError(name, "must be a whole number")
        value = int(value)
    low, high = RANGES[name]
    if not low <= value <= high:
        shown = str(value) if len(str(value)) <= 12 else f"{str(value)[:6]}...({len(str(value))} digits)"
        raise CaseError(name, f"must be between {low} and {high}, got {shown}")
    return value


def _terms(name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise CaseError(name, f"must be a list of strings, not {type(value).__name__}")
    if len(value) > MAX_TERMS:
        raise CaseError(name, f"must hold at most {MAX_TERMS} terms")
    terms = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise CaseError(name, f"item {i} must be a string, not {type(item).__name__}")
        if not item.strip():
            raise CaseError(name, f"item {i} is empty")
        if len(item) > MAX_TERM_LENGTH:
            raise CaseError(name, f"item {i} is longer than {MAX_TERM_LENGTH} characters")
        terms.append(item.strip())
    return tuple(terms)


@dataclass(frozen=True)
class Case:
    """What a client says about one person's complaint; every field is optional."""

    findings: tuple[str, ...] = ()
    absent_findings: tuple[str, ...] = ()
    text: str | None = None
    duration_days: int | None = None
    severity: int | None = None
    age: int | None = None
    improving_with_home_care: bool | None = None
    #: weeks of pregnancy; implies the finding hb:Pregnancy (a caution on anti-inflammatory painkillers)
    pregnancy_weeks: int | None = None

    @classmethod
    def from_dict(cls, data: Any) -> "Case":
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise CaseError("body", "must be a JSON object")
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise CaseError(unknown[0], f"unknown field; accepted fields are {', '.join(FIELDS)}")
        text = data.get("text")
        if text is not None:
            if not isinstance(text, str):
                raise CaseError("text", f"must be a string, not {type(text).__name__}")
            if len(text) > MAX_TEXT:
                raise CaseError("text", f"must be at most {MAX_TEXT} characters")
        improving = data.get("improving_with_home_care")
        if improving is not None and not isinstance(improving, bool):
            raise CaseError("improving_with_home_care", "must be true or false")
        return cls(
            findings=_terms("findings", data.get("findings")),
            absent_findings=_terms("absent_findings", data.get("absent_findings")),
            text=text,
            duration_days=_integer("duration_days", data.get("duration_days")),
            severity=_integer("severity", data.get("severity")),
            age=_integer("age", data.get("age")),
            improving_with_home_care=improving,
            pregnancy_weeks=_integer("pregnancy_weeks", data.get("pregnancy_weeks")),
        )


@dataclass(frozen=True)
class Origin:
    """Where a finding came from: a list field, or a span of the text."""

    field: str
    term: str | None = None
    span: list[int] | None = None
    matched: str | None = None
    #: For a finding composed of a kind word and a place word: the span of each.
    parts: list[list[int]] | None = None


@dataclass(frozen=True)
class CaseFinding:
    iri: str
    label: str
    status: str  # "present" | "absent"
    red_flag: bool
    origin: list[Origin]
    #: where the sources read this finding differently (hb:sourceDisagreement), and which reading the rules follow
    disagreement: str | None = None


@dataclass(frozen=True)
class Unrecognized:
    field: str
    input: str
    reason: str
    span: list[int] | None = None


@dataclass(frozen=True)
class Fact:
    """One thing about the case that made a rule fire."""

    kind: str  # "finding" | "value" | "rule" | "fallback"
    description: str
    iri: str | None = None
    label: str | None = None
    property: str | None = None
    value: Any = None


@dataclass(frozen=True)
class Reason:
    rule: str
    label: str
    level: str
    facts: list[Fact]
    definition: str | None
    source: Source


@dataclass(frozen=True)
class Urgency:
    level: str
    label: str
    iri: str
    rank: int
    advice: str | None
    reasons: list[Reason]


@dataclass(frozen=True)
class TermRef:
    iri: str
    label: str


@dataclass(frozen=True)
class Candidate:
    iri: str
    label: str
    score: float
    supporting_findings: list[dict]
    characteristic_findings_not_reported: list[TermRef]
    characteristic_findings_denied: list[TermRef]
    definition: str | None
    source: Source


@dataclass(frozen=True)
class Caution:
    iri: str
    label: str
    definition: str | None
    source: Source


@dataclass(frozen=True)
class Recommendation:
    iri: str
    label: str
    why: str
    advice: str | None
    timing: str | None
    cautions: list[Caution]
    source: Source


@dataclass(frozen=True)
class Question:
    """One question of the interview: answer yes by adding ``finding.iri`` to ``findings``, no by adding
    it to ``absent_findings``, and post the case again."""

    finding: TermRef
    text: str
    kind: str  # "red_flag" | "level" | "candidate"
    if_yes: str  # the level the case would reach if the answer were yes
    advice: str | None = None  # for a red flag: what to do if it is present


@dataclass(frozen=True)
class RedFlagCheck:
    """A red flag the case has not answered, in plain words, with what to do if it is present."""

    finding: TermRef
    text: str
    advice: str | None


@dataclass(frozen=True)
class Withheld:
    """A care action left out of the answer because one of its cautions holds for this case."""

    iri: str
    label: str
    caution: TermRef
    finding: TermRef
    why: str
    source: Source


@dataclass(frozen=True)
class CaseFacts:
    duration_days: int | None = None
    severity: int | None = None
    age: int | None = None
    improving_with_home_care: bool | None = None
    pregnancy_weeks: int | None = None
    origins: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TriageResult:
    urgency: Urgency
    candidates: list[Candidate]
    findings: list[CaseFinding]
    facts: CaseFacts
    unrecognized: list[Unrecognized]
    recommendations: list[Recommendation]
    disclaimer: str
    ontology_version: str | None
    #: the interview: questions still open, most important first (docs/reasoner.md, "The interview")
    questions: list[Question] = field(default_factory=list)
    #: no unanswered question could raise the level
    complete: bool = True
    #: below urgent and not complete: the level holds only if none of ``red_flags_to_check`` is present
    provisional: bool = False
    red_flags_to_check: list[RedFlagCheck] = field(default_factory=list)
    safety_net: str | None = None
    #: care actions left out because a caution holds (ibuprofen in pregnancy, heat on a hot swollen joint)
    withheld: list[Withheld] = field(default_factory=list)

    def to_dict(self) -> dict:
        return _clean(asdict(self))


@dataclass(frozen=True)
class Annotation:
    """What the annotator read in a text."""

    findings: list[CaseFinding]
    facts: CaseFacts
    unrecognized: list[Unrecognized]
    #: conditions the patient names ("I have a slipped disc"): evidence for that candidate only
    conditions: list[CaseFinding] = field(default_factory=list)

    def to_dict(self) -> dict:
        return _clean(asdict(self))
