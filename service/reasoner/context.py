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

from .lexicon import Token, stems

#: Words for people other than the writer (stemmed as the tokens are).
OTHERS = stems("""brother sister mum mom mam mummy mommy mother dad daddy father husband wife partner son daughter
friend nan nana nanna gran granny grandma grandmother grandad granddad grandpa grandfather uncle aunt auntie cousin
colleague boss neighbour neighbor roommate flatmate housemate boyfriend girlfriend bf gf hubby missus fiance fiancee
kid kids child children baby family people someone somebody everyone anyone he she they his her him them their
hes shes theirs dave""".split()) - {"baby"}
FIRST = stems("i me my mine im".split())
#: People in general ("I hate to bother anyone"): someone else's only in the mention's own clause.
GENERIC = stems("someone somebody everyone anyone people".split())  # not "myself": "himself", "themselves" read as it
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
    similes = [m.span() for m in _SIMILE.finditer(text)]
    result = []
    for start in starts:
        found = "self"
        for k in range(start - 1, -1, -1):
            if any(a <= tokens[k].start < b for a, b in similes):
                continue
            if tokens[k].text in GENERIC and clauses[k] != clauses[start]:
                continue
            person = _person(tokens, k)
            if person:
                found = person
                break
        result.append(found)
    return result


def sentence_of(text: str, position: int, stops: str = r"[.!?\n]") -> tuple[int, int]:
    """(begin, end) of the sentence around ``position``: from the stop before it to the stop after it."""
    begin = max([0] + [m.end() for m in re.finditer(stops, text[:position])])
    end = next((m.start() for m in re.finditer(stops, text[position:])), len(text) - position) + position
    return begin, end


def clause_text(text: str, tokens: list[Token], clauses: list[int], index: int) -> str:
    members = [t for k, t in enumerate(tokens) if clauses[k] == clauses[index]]
    return text[members[0].start:members[-1].end]


#: A clause that speaks of the one before it: "..., but that's been going on since my second baby".
_ANAPHOR = re.compile(r"^\W*(?:\w+\s+){0,2}?(?:that|it|this|which|they)(?:'s|\s+is|\s+has|\s+was|\s+have|'ve)?\s+(?:\w+\s+)?"
                      r"(?:been|going\s+on|nothing|not|old|always|normal|usual)\b", re.I)


def historical(text: str, tokens: list[Token], clauses: list[int], index: int) -> bool:
    """The clause of token ``index`` (or a clause after it in its sentence that speaks of it: "that's been
    going on for years") places what it says in the past, and not as new or current."""
    words = clause_text(text, tokens, clauses, index)
    if _CURRENT.search(words):
        return False
    if _HISTORICAL.search(words):
        return True
    _, end = sentence_of(text, tokens[index].start)
    later = sorted({clauses[k] for k, t in enumerate(tokens) if clauses[k] > clauses[index] and t.start < end})
    for clause in later:
        first = next(k for k, t in enumerate(tokens) if clauses[k] == clause)
        following = clause_text(text, tokens, clauses, first)
        if _ANAPHOR.search(following) and _HISTORICAL.search(following):
            return True
    return False


def supposed(text: str, tokens: list[Token], index: int) -> bool:
    """The sentence of token ``index`` supposes or fears what it says."""
    begin, end = sentence_of(text, tokens[index].start)
    sentence = text[begin:end]
    match = _SUPPOSED.search(sentence)
    if not match:
        return False
    if match.group(0).lower().startswith("if"):
        return bool(_CONSEQUENCE.search(sentence[match.end():]))
    return True
