"""Whose finding, and when: the context of a mention, in the manner of ConText (Harkema et al., 2009).

Three properties beside negation decide whether a finding the text names is the patient's, now:

- **experiencer**: "my brother had a fever", "mum had cancer". A mention whose nearest person word
  before it in its clause is someone else ("my brother", "he", "his") is theirs, when the message is
  the writer's own (some finding the writer reports is their own: "I", "my back"). A message written for someone
  else ("my husband can't feel his bum") has no finding of the writer's, so its findings are that
  person's, the patient's. "Someone else's" in a simile ("like sitting on someone else's bottom")
  names no person.
- **historical**: "I had a slipped disc years ago", "the leaking is nothing new, since my second
  baby". A red flag in a clause that places it in the past or calls it long-standing is not read as
  present, unless the clause also says it is new or current ("new", "today", "suddenly", "worse").
- **hypothetical**: "if I get numb down there I should go to A&E", "worried I might lose control of
  my bladder". A red flag in a sentence that supposes or fears it is not read as present.

A mention set aside here is neither present nor absent: the rules see it as unknown, so the interview
asks the red flag again, as a new symptom ("Since the pain began, ..."). That is the safe reading: a
missed red flag is caught by the question, a wrongly reported one would not be. Only red flags are set
aside for time and supposition; the experiencer sets aside every finding.
"""
from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from functools import lru_cache

from .lexicon import Token, stems

#: Words for people other than the writer (stemmed as the tokens are).
OTHERS = stems("""brother sister mum mom mam mummy mommy mother dad daddy father husband wife partner son daughter
friend nan nana nanna gran granny grandma grandmother grandad granddad grandpa grandfather uncle aunt auntie cousin
colleague boss neighbour neighbor roommate flatmate housemate boyfriend girlfriend bf gf hubby missus fiance fiancee
kid kids child children baby family people someone somebody everyone anyone he she they his her him them their
hes shes theirs dave""".split()) - {"baby"}
FIRST = stems("i me my mine im".split())  # not "myself": "himself", "themselves" read as it
#: People in general ("I hate to bother anyone"): someone else's only in the mention's own clause.
GENERIC = stems("someone somebody everyone anyone people".split())
_AGE_WORDS = stems("""one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
seventeen eighteen nineteen twenty""".split())
#: Words after "my" that are not a person ("my whole back", "my left leg").
_SIMILE = re.compile(r"\b(?:someone|somebody|anyone)\s+else'?s?\b", re.I)

_HISTORICAL = re.compile(
    r"\b(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|few|several|couple\s+of|many)\s+(?:years?|months?|weeks?)\s+ago\b"
    r"|(?<!since\s)\blast\s+(?:week|month)\b"
    r"|(?<!since\s)\blast\s+year\b|\bin\s+(?:19|20)\d\d\b|\bback\s+in\b|\bused\s+to\b|\bhistory\s+of\b"
    r"|\bnothing\s+new\b|\b(?:not|isn'?t|wasn'?t|never)\s+(?:anything\s+)?new\b|\bfor\s+(?:many\s+|some\s+|\d+\s+)?years\b"
    r"|\b(?:always|forever)\s+(?:had|been|have)\b|\bsince\s+(?:having\b|(?:19|20)\d\d\b|(?:my|our|her|his|the)\s+(?:\w+\s+)?"
    r"(?:baby|babies|pregnancy|pregnancies|child|children|birth|son|daughter|kids|delivery|op|operation|surgery)\b)"
    r"|\blong[\s-]?standing\b|\bon\s+and\s+off\b|\byears\s+now\b|\bunchanged\b|\bhas(?:n'?t|\s+not)\s+changed\b"
    r"|\b(?:usually|normally|typically|generally|tends?\s+to)\s+(?:gets?|has|have|runs?)\b|\bno\s+different\b|\bsame\s+as\s+(?:always|ever|before)\b|\bprevious(?:ly)?\b|\bwhen\s+I\s+was\s+(?:young|little|a\s+(?:child|kid|teenager)|pregnant)\b",
    re.I)
_CURRENT = re.compile(
    r"\b(?:(?<!nothing\s)(?<!not\s)(?<!isn't\s)(?<!never\s)(?<!anything\s)new|newly|today|tonight|this\s+(?:morning|afternoon|evening|week)|since\s+(?:yesterday|last\s+night|this)"
    r"|since\s+last\s+week|suddenly|sudden|started|starting|began|begun|recently|lately|anymore|any\s+more|first\s+time|worse|worsening"
    r"|now\s+(?:i|it|he|she|my|his|her|the)|never\s+(?:had|been|happened))\b", re.I)
_SUPPOSED = re.compile(
    r"\bif\s+(?:i|you|he|she|they|it|we)\s+(?:ever\s+)?(?:get|got|gets|develop|developed|develops|start|started|starts"
    r"|notice|noticed|lose|lost|experience|experienced|become|became|go|went|had)\b"
    r"|\bin\s+case\s+(?:i|it|you|he|she)\b|\bwhat\s+if\b|\b(?:watch|look)\s+(?:out\s+)?for\b"
    r"|\b(?:worried|afraid|scared|terrified|frightened|fear|fearing|paranoid|concerned)\b[^.!?]*\b(?:might|will|could|would|may|going\s+to|gonna)\b"
    r"|\b(?:might|could|may|going\s+to|gonna)\s+(?:\w+\s+)?(?:get|lose|develop|end\s+up|become|start)\b"
    r"|\bwarned\b|\btold\s+(?:me|us|him|her)\s+(?:to|that)\b|\bread\s+(?:about|that|online|up\s+on)\b"
    r"|\b(?:count|counts)\s+as\b|\b(?:is|was)\s+(?:that|this|it)\s+(?:a|an|the)?\s*\w+\s*\?", re.I)
_CONSEQUENCE = re.compile(r"\b(?:would|will|should|must|need|needs|go|call|ring|seek|get|phone)\b|'d\b|'ll\b|a&e|\ber\b"
                          r"|emergency|999|911|111|hospital|doctor|gp\b", re.I)


def _person(tokens: list[Token], k: int) -> str | None:
    """'self', 'other' or None for token k."""
    word = tokens[k].text
    if word in OTHERS:
        return "other"
    if word in FIRST:
        following = tokens[k + 1].text if k + 1 < len(tokens) else ""
        nxt = tokens[k + 2].text if k + 2 < len(tokens) else ""
        ahead = [t.text for t in tokens[k + 1:k + 5]]
        if word == "my" and (following in OTHERS or (following.isdigit() and nxt in OTHERS)
                             or "old" in ahead[:4] and any(w.isdigit() or w in _AGE_WORDS for w in ahead[:2])):
            return "other"  # "my brother", "my 13 yr old", "my fifteen-year-old"
        return "self"
    return None


def experiencers(text: str, tokens: list[Token], clauses: list[int], starts: list[int]) -> list[str]:
    """For each mention start, 'self' or 'other': the nearest person word before it (in its clause, else
    the last one before it in the text: "My wife is 63. ... Is this just a bad back?" is hers)."""
    nearest = _index(text, tokens, clauses).nearest_people()
    result = []
    for start in starts:
        person, general = nearest[start]
        if general is not None and clauses[general[0]] != clauses[start]:
            general = None
        candidates = [c for c in (person, general) if c is not None]
        result.append(max(candidates)[1] if candidates else "self")
    return result


class _Index:
    """What the context rules read once per text (so that each is linear in the text, however many
    mentions ask): clause bounds, the nearest person before each token, each clause's tense."""

    def __init__(self, text: str, tokens: list[Token], clauses: list[int]):
        self.text, self.tokens, self.clauses = text, tokens, clauses
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        for k, clause in enumerate(clauses):
            self.first.setdefault(clause, k)
            self.last[clause] = k
        self._nearest: list[tuple] | None = None
        self._historical: dict[int, bool] = {}
        self._later_history: dict[int, int | None] | None = None

    def clause_span(self, clause: int) -> tuple[int, int]:
        return self.tokens[self.first[clause]].start, self.tokens[self.last[clause]].end

    def clause_text(self, clause: int) -> str:
        start, end = self.clause_span(clause)
        return self.text[start:end]

    def historical(self, clause: int, index: int) -> bool:
        """``historical`` for the clause of token ``index``, read once per clause."""
        if clause not in self._historical:
            words = self.clause_text(clause)
            if _CURRENT.search(words):
                result = False
            elif _HISTORICAL.search(words):
                result = True
            else:
                _, end = sentence_of(self.text, self.tokens[index].start)
                later = self.later_history()[clause]
                result = later is not None and self.tokens[self.first[later]].start < end
            self._historical[clause] = result
        return self._historical[clause]

    def nearest_people(self) -> list[tuple]:
        """Before each token (and after the last): the nearest person word, and the nearest general one
        ("anyone"), which counts only in its own clause."""
        if self._nearest is None:
            similes = [m.span() for m in _SIMILE.finditer(self.text)]
            nearest: list[tuple] = []
            person, general = None, None
            for k, token in enumerate(self.tokens):
                nearest.append((person, general))
                if any(a <= token.start < b for a, b in similes):
                    continue
                found = _person(self.tokens, k)
                if found and token.text in GENERIC:
                    general = (k, found)
                elif found:
                    person = (k, found)
            nearest.append((person, general))
            self._nearest = nearest
        return self._nearest

    def later_history(self) -> dict[int, int | None]:
        """For each clause, the next clause after it that speaks of the one before it in the past
        ("..., but that's been going on for years"), or None."""
        if self._later_history is None:
            following: int | None = None
            result: dict[int, int | None] = {}
            for clause in sorted(self.first, reverse=True):
                result[clause] = following
                words = self.clause_text(clause)
                if _ANAPHOR.search(words) and _HISTORICAL.search(words):
                    following = clause
            self._later_history = result
        return self._later_history


_LOCAL = threading.local()


def _index(text: str, tokens: list[Token], clauses: list[int]) -> _Index:
    """The index of this text, built once and kept while the same token and clause lists are asked about
    (per thread; the lists are held, so their identity cannot be reused)."""
    index = getattr(_LOCAL, "index", None)
    if index is None or index.tokens is not tokens or index.clauses is not clauses or index.text is not text:
        index = _Index(text, tokens, clauses)
        _LOCAL.index = index
    return index


@lru_cache(maxsize=64)
def _stops(text: str, stops: str) -> tuple[list[int], list[int]]:
    """The starts and ends of every stop in ``text`` (found once per text and pattern)."""
    found = [m.span() for m in re.finditer(stops, text)]
    return [a for a, _ in found], [b for _, b in found]


def sentence_of(text: str, position: int, stops: str = r"[.!?\n]") -> tuple[int, int]:
    """(begin, end) of the sentence around ``position``: from the stop before it to the stop after it."""
    starts, ends = _stops(text, stops)
    before = bisect_right(ends, position)
    begin = ends[before - 1] if before else 0
    after = bisect_left(starts, position)
    end = starts[after] if after < len(starts) else len(text)
    return begin, end


def clause_span(text: str, tokens: list[Token], clauses: list[int], index: int) -> tuple[int, int]:
    """(start, end) in the text of the clause of token ``index``."""
    return _index(text, tokens, clauses).clause_span(clauses[index])


def clause_text(text: str, tokens: list[Token], clauses: list[int], index: int) -> str:
    return _index(text, tokens, clauses).clause_text(clauses[index])


#: A clause that speaks of the one before it: "..., but that's been going on since my second baby".
_ANAPHOR = re.compile(r"^\W*(?:\w+\s+){0,2}?(?:that|it|this|which|they)(?:'s|\s+is|\s+has|\s+was|\s+have|'ve)?\s+(?:\w+\s+)?"
                      r"(?:been|going\s+on|nothing|not|old|always|normal|usual)\b", re.I)


def historical(text: str, tokens: list[Token], clauses: list[int], index: int) -> bool:
    """The clause of token ``index`` (or a clause after it in its sentence that speaks of it: "that's been
    going on for years") places what it says in the past, and not as new or current."""
    return _index(text, tokens, clauses).historical(clauses[index], index)


def supposed(text: str, tokens: list[Token], index: int) -> bool:
    """The sentence of token ``index`` supposes or fears what it says."""
    begin, end = sentence_of(text, tokens[index].start)
    return _supposes(text[begin:end])


@lru_cache(maxsize=256)
def _supposes(sentence: str) -> bool:
    match = _SUPPOSED.search(sentence)
    if not match:
        return False
    if match.group(0).lower().startswith("if"):
        return bool(_CONSEQUENCE.search(sentence[match.end():]))
    return True
