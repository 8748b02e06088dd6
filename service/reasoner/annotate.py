"""Free text -> the findings it reports or denies, with spans, and the case's values.

1. Tokens are matched against the ontology's lexicon (``lexicon.py``); the longest match wins.
2. The text is cut into clauses at sentence punctuation, at "but"-like words, and at "and" or a
   comma that starts a new statement ("..., and my legs ..."). Within a clause a kind word
   ("ache", "stiff", "swollen", "numb"...) and a place word ("hip", "back", "inner thighs"...)
   compose the finding the ontology defines as ``kind and (hasLocation some place)``.
   Places listed before a finding defined at a place share its kind ("lower back and hip pain");
   qualifier words make the ontology's qualified finding, found by its label ("suddenly ... swollen"
   -> "sudden hip swelling", "chronic" -> "persistent pain").
3. NegEx-style negation (``_negate``): a trigger ("no", "not", "denies", "without", "never", "negative
   for", "free of"...) denies the findings after it in its clause, until more than three other words
   follow the trigger or the last denied finding, a spaced dash, or a comma that does not continue a
   list closed by "or" / "nor". Absence phrases (``hb:absenceLabel``: "legs strong", "no fever") deny
   their finding and open the same scope. Answers deny the question before them ("Fever: no").
4. Duration, age, severity, response to home care and a measured temperature (>= 38 C is a fever)
   are read by ``facts.py``. Conditions the patient names are returned apart, for ranking only.
Clauses that yield nothing are returned as unrecognized.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field

from . import context
from . import facts as fact_reader
from .knowledge import HB
from .lexicon import Entry, Token, cue_matches, normalise, stems, tokenize
from .model import Annotation, CaseFacts, CaseFinding, Origin, Unrecognized

FEVER = HB + "Fever"
PAIN = HB + "Pain"
COMPLAINT = HB + "BackOrHipComplaint"
_TRIGGERS = {normalise(t) for t in ("no", "not", "never", "without", "denies", "deny", "denied", "denying", "nor",
                                      "none", "neither", "negative for", "free of", "absence of", "ruled out")}
_TRIGGER_STARTS = {t[0] for t in _TRIGGERS}
#: Phrases that start like a negation and are not one ("not sure if I have a fever" keeps the fever).
_PSEUDO = {normalise(t) for t in ("not sure", "not certain", "do not know", "don't know", "no idea", "not only",
                                    "not just", "not necessarily", "not realise", "not realize", "not notice",
                                    "not even realise", "not even realize", "not even notice", "not even know",
                                    "not aware", "not a clue", "no clue", "never noticed", "without realising",
                                    "without realizing", "without noticing", "without knowing", "not know",
                                    "not stop", "cannot stop", "no sign of stopping", "not keep", "not like", "not bad",
                                    "not too bad", "not that bad",
                                    "nothing like", "not the same as", "no warning", "without warning",
                                    "without any warning")}
#: "never ... before": a first time, not a denial ("never had anything like this before").
_FIRST_TIME = re.compile(r"\b(?:before|in\s+my\s+life|like\s+(?:this|that|it)|until\s+(?:now|today|this)|not\s+once)\b", re.I)
_BREAK_WORDS = stems("but however although though except whereas yet apart".split())
_NEW_STATEMENT = stems("my i it now since also then this there she he we and".split())
_LIST_WORDS = stems("""or and nor any a an the of in my have has had do does did is are was feel felt experience
get got notice noticed sign signs symptom symptoms with really""".split())
_MAX_NEGATION_GAP = 3
#: Words that end a negation's scope: what follows gives a reason or a time, it is not denied.
_SCOPE_END = stems("because cos since so which while".split())
_STOP = stems("""a an the and or it is i my to of in on at for with so am are was be this that too very but also
just really""".split())


@dataclass
class Mention:
    start: int  # token index
    end: int
    entries: list[Entry]
    kind: str  # finding | absence | place
    clause: int = 0
    negated: bool = False
    composed: list = field(default_factory=list)
    aside: str | None = None  # why the mention is not the patient's, now (context.py)


def _clauses(text: str, tokens: list[Token]) -> list[int]:
    """Clause number of each token."""
    numbers, current = [], 0
    for i, token in enumerate(tokens):
        if i:
            between = text[tokens[i - 1].end:token.start]
            previous = tokens[i - 1].text
            if re.search(r"[.;!?\n:]", between) or token.text in _BREAK_WORDS:
                current += 1
            elif ("," in between or previous == "and") and token.text in _NEW_STATEMENT:
                current += 1
        numbers.append(current)
    return numbers


def _select(knowledge, matches) -> list[Mention]:
    """Non-overlapping mentions, longest first; for each, the most specific meanings."""
    order = {"absence": 0, "finding": 1, "place": 2}
    taken: set[int] = set()
    chosen: list[Mention] = []
    for start, end, length, entries in sorted(matches, key=lambda m: (-m[2], m[1] - m[0], m[0])):
        if any(i in taken for i in range(start, end)):
            continue
        kind = min((e.kind for e in entries), key=order.get)
        picked = list({e.iri: e for e in sorted(entries, key=lambda e: e.phrase) if e.kind == kind}.values())
        iris = {e.iri for e in picked}
        picked = [e for e in picked if not any(o != e.iri and knowledge.is_a(o, e.iri) for o in iris)]
        taken.update(range(start, end))
        chosen.append(Mention(start, end, sorted(picked, key=lambda e: e.iri), kind))
    return sorted(chosen, key=lambda m: m.start)


#: Phrases that take back the negation after them ("I can't say I don't have a fever" keeps the fever).
_DOUBLE = {normalise(t) for t in ("can't say", "cannot say", "wouldn't say", "not that", "can't rule out")}
#: A whole answer that denies the question before it ("Fever: no.", "Numbness or weakness? No").
_ANSWERS = {normalise(t) for t in ("no", "none", "nope", "negative", "not really", "never", "denies", "denied")}
#: A trailing trigger that denies what the sentence listed before it ("..., I have neither").
_BACKWARD = {normalise(t) for t in ("neither", "none", "none of them", "none of these", "none of those",
                                     "neither of them", "neither of these", "neither of those")}
#: Words before a named condition that deny or doubt it ("not a slipped disc", "maybe a pinched nerve").
_DOUBT = stems("no not never without nor neither ruled maybe perhaps possibly sure wonder whether if worried".split())
_HAVE = stems("i have had got do does and but".split())


def _triggers(text: str, tokens: list[Token], covered: set[int]) -> list[tuple[int, int]]:
    """(start, end) of each negation trigger that is not part of a lexicon phrase or a pseudo-negation."""
    found = []
    for i in range(len(tokens)):
        if i in covered or tokens[i].text not in _TRIGGER_STARTS:
            continue
        length = max((len(t) for t in _TRIGGERS if tuple(x.text for x in tokens[i:i + len(t)]) == t
                      and not covered & set(range(i, i + len(t)))), default=0)
        if not length or any(tuple(x.text for x in tokens[i - 1:i - 1 + len(p)]) == p or
                             tuple(x.text for x in tokens[i:i + len(p)]) == p for p in _PSEUDO):
            continue
        if tokens[i].text == "never" and _FIRST_TIME.search(text, tokens[i].end,
                                                           next((t.start for t in tokens[i + 1:] if t.text in _BREAK_WORDS), len(text))):
            continue  # "never had this before": a first time, not a denial
        # "can't say I don't ...": a negated statement of doubt cancels the negation after it
        if any(tuple(x.text for x in tokens[k:k + len(d)]) == d
               for d in _DOUBLE for k in range(max(0, i - 4), i)):
            continue
        found.append((i, i + length))
    return found


def _negate(text: str, tokens: list[Token], clauses: list[int], mentions: list[Mention]) -> None:
    """Deny the findings in the scope of each trigger.

    The scope runs forward in the trigger's clause and stops when more than ``_MAX_NEGATION_GAP``
    words that are neither findings nor list words follow the trigger or the last denied finding,
    at a spaced dash, and at a comma unless the comma continues a list closed later in the clause
    by "or" / "nor" with no other word since the last finding ("no fever, chills or sweats"; "no
    injury, fever and chills" denies the injury only). An absence phrase that starts with a
    trigger ("no fever") opens the same scope after it.
    """
    covered = {i for m in mentions for i in range(m.start, m.end)}
    mention_at = {m.start: m for m in mentions}
    scopes = _triggers(text, tokens, covered)
    scopes += [(m.start, m.end) for m in mentions
               if m.kind == "absence" and tokens[m.start].text in _TRIGGER_STARTS]
    # whether an "or" / "nor" follows each token in its clause (read once, from the end)
    or_after = [False] * (len(tokens) + 1)
    for x in range(len(tokens) - 1, -1, -1):
        or_after[x] = tokens[x].text in ("or", "nor") or (
            x + 1 < len(tokens) and clauses[x + 1] == clauses[x] and or_after[x + 1])
    # a scope's walk depends only on where it is and its gap: a state walked once is not walked again,
    # so many triggers in one clause ("no sore no sore ...") cost time linear in the text
    walked: set[tuple[int, int]] = set()
    for i, j in scopes:
        gap = 0
        while j < len(tokens) and clauses[j] == clauses[i]:
            if (j, gap) in walked:
                break
            walked.add((j, gap))
            between = text[tokens[j - 1].end:tokens[j].start]
            if re.search(r"\s[-\u2013\u2014]+\s", between):
                break
            if "," in between and (gap > 0 or not or_after[j]):
                break
            mention = mention_at.get(j)
            if mention is not None:
                if mention.kind == "finding":
                    mention.negated = True
                    gap = 0
                j = mention.end
                continue
            if tokens[j].text in _SCOPE_END:
                break  # "without shifting about because my back aches": the reason is not denied
            if tokens[j].text not in _LIST_WORDS:
                gap += 1
                if gap > _MAX_NEGATION_GAP:
                    break
            j += 1
    _negate_answers(text, tokens, mentions)
    _negate_resolved(text, tokens, mentions)


#: A finding the patient had and says is over: "I had a fever last week but it's gone now".
_RESOLVED = re.compile(r"(?:\b(?:it|that|which|this|they|these)(?:'s|\s+is|\s+has|\s+have|\s+are|'ve|\s+was)?\s+|(?<=,\s)(?=all\s+gone))"
                       r"(?:(?:now|all|completely|totally|fully|long|since)\s+)*"
                       r"(?:gone|went\s+away|went(?=\s*(?:,|\.|;|!|and\b|$))|gone\s+away|cleared(?:\s+up)?|resolved|passed"
                       r"|settled|stopped|ended|better\s+now|fine\s+now"
                       r"|been\s+(?:totally\s+|completely\s+|perfectly\s+)?(?:normal|fine)\s+since)\b", re.I)


def _negate_resolved(text: str, tokens: list[Token], mentions: list[Mention]) -> None:
    """Findings after "had" in a sentence that then says they have gone are absent now."""
    had_at = [t.start for t in tokens if t.text == "had"]
    findings = sorted((tokens[m.start].start, id(m), m) for m in mentions if m.kind == "finding")
    finding_starts = [f[0] for f in findings]
    for resolved in _RESOLVED.finditer(text):
        begin, _ = context.sentence_of(text, resolved.start(), r"[.;!?\n]")
        first_had = bisect_left(had_at, begin)
        if first_had == len(had_at) or had_at[first_had] >= resolved.start():
            continue
        low = bisect_right(finding_starts, had_at[first_had])
        high = bisect_left(finding_starts, resolved.start())
        for _, _, mention in findings[low:high]:
            mention.negated = True


def _numbered(text: str, tokens: list[Token], cut: str) -> list[int]:
    """The number of each token's piece of text, the pieces cut where the text between two tokens matches ``cut``."""
    numbers, current = [], 0
    for i, token in enumerate(tokens):
        if i and re.search(cut, text[tokens[i - 1].end:token.start]):
            current += 1
        numbers.append(current)
    return numbers


def _segments(text: str, tokens: list[Token]) -> list[int]:
    """Segment number of each token: cut at every punctuation mark."""
    return _numbered(text, tokens, r"[.,;:!?\n()\[\]]|\s[-\u2013\u2014]+\s")


def _negate_answers(text: str, tokens: list[Token], mentions: list[Mention]) -> None:
    """Answers after the findings they deny: "Fever: no.", "Numbness or weakness? No", "..., I have neither"."""
    segments = _segments(text, tokens)
    first: dict[int, int] = {}  # segment -> index of its first token
    words: dict[int, list[str]] = {}
    for k, n in enumerate(segments):
        first.setdefault(n, k)
        words.setdefault(n, []).append(tokens[k].text)

    def before(n):  # the text between segment n and the one before it
        return text[tokens[first[n] - 1].end:tokens[first[n]].start]

    for n in sorted(words)[1:]:
        answer = tuple(words[n])
        targets: list[Mention] = []
        if answer in _ANSWERS and re.search(r"[:?]|\s[-\u2013\u2014]+\s", before(n)):
            targets = [m for m in mentions if m.kind == "finding" and segments[m.start] == n - 1]
        elif any(answer[-len(b):] == b and all(w in _HAVE for w in answer[:-len(b)]) for b in _BACKWARD):
            sentence = n
            while sentence > 0 and not re.search(r"[.;!?\n]", before(sentence)):
                sentence -= 1
            targets = [m for m in mentions if m.kind == "finding" and sentence <= segments[m.start] < n]
        for mention in targets:
            mention.negated = True


_COORDINATION = stems("and or in my the both also plus as well too of".split())


def _coordinated(tokens: list[Token], end: int, start: int) -> bool:
    """Only list words lie between token ``end`` and token ``start`` ("groin and hip", "pain and stiffness")."""
    return end <= start and all(t.text in _COORDINATION for t in tokens[end:start])


def _described(tokens: list[Token], start: int, findings: list[Mention]) -> bool:
    """A finding word comes just before token ``start`` (only "my", "the", "both" between)."""
    k = start
    while k > 0 and tokens[k - 1].text in ("my", "the", "both", "a"):
        k -= 1
    return any(m.end == k for m in findings)


def _compose(knowledge, tokens: list[Token], mentions: list[Mention]) -> None:
    """Kind x place -> the finding the ontology defines as ``kind and (hasLocation some place)``."""
    defined = {c.result: c for c in knowledge.compositions}
    places_by_clause: dict[int, list[Mention]] = {}
    for mention in mentions:
        if mention.kind == "place":
            places_by_clause.setdefault(mention.clause, []).append(mention)

    def results_for(kinds: set[str], places: list[Mention]):
        results = []
        for composition in knowledge.compositions:
            if composition.kind not in kinds:
                continue
            used = []
            for required in composition.places:
                place = next((p for p in places if any(knowledge.is_a(e.iri, required) for e in p.entries)), None)
                if place is None:
                    break
                used.append(place)
            else:
                results.append((composition.result, used))
        iris = {r for r, _ in results}
        return [(r, used) for r, used in results if not any(o != r and knowledge.is_a(o, r) for o in iris)]

    findings = [m for m in mentions if m.kind == "finding"]
    ending: dict[int, list[Mention]] = {}
    starting: dict[int, list[Mention]] = {}
    for finding in findings:
        ending.setdefault(finding.end, []).append(finding)
        starting.setdefault(finding.start, []).append(finding)

    def neighbours(mention: Mention) -> list[Mention]:
        """The findings of its clause with only list words between them and it (``_coordinated``), found by
        position: linear."""
        k = mention.start
        while k > 0 and tokens[k - 1].text in _COORDINATION:
            k -= 1
        before = [o for end in range(k, mention.start + 1) for o in ending.get(end, ())]
        k = mention.end
        while k < len(tokens) and tokens[k].text in _COORDINATION:
            k += 1
        after = [o for start in range(mention.end, k + 1) for o in starting.get(start, ())]
        return [o for o in before + after if o is not mention and o.clause == mention.clause]

    for mention in findings:
        # a finding composes with a place as its kind does ("my back is agony": severe pain is a pain)
        kinds = {k for e in mention.entries for k in knowledge.kinds if knowledge.is_a(e.iri, k)
                 and e.iri not in defined}
        if not kinds:
            continue
        places = list(places_by_clause.get(mention.clause, ()))
        # "hip pain and stiffness": a coordinated finding defined at a place lends it its place
        for other in neighbours(mention):
            implied = [Entry("place", p, "") for e in other.entries if e.iri in defined for p in defined[e.iri].places]
            if implied:
                places.append(Mention(other.start, other.end, implied, "place", other.clause))
        mention.composed = results_for(kinds, places)

    used_places = {id(p) for m in findings for _, places in m.composed for p in places}
    for mention in findings:
        # "pain in my groin and hip": a finding defined at a place, followed by more places;
        # "lower back, hip and groin pain": places listed before it share its kind word too
        kinds = {defined[e.iri].kind for e in mention.entries if e.iri in defined}
        if not kinds:
            continue
        end, chain = mention.end, []
        clause_places = sorted(places_by_clause.get(mention.clause, ()), key=lambda p: p.start)
        for place in clause_places:
            if place.start >= end and _coordinated(tokens, end, place.start):
                chain.append(place)
                end = place.end
        start = mention.start
        joined = any(t.text in ("and", "or") for t in tokens[max(0, start - 2):start])
        for place in reversed(clause_places):
            if not joined or id(place) in used_places or _described(tokens, place.start, findings):
                break  # "numb legs and hip pain": the legs are the numb ones
            if place.end <= start and _coordinated(tokens, place.end, start):
                chain.append(place)
                start = place.start
        own = {e.iri for e in mention.entries}
        for place in chain:
            for result, used in results_for(kinds, [place]):
                if result not in own:
                    mention.composed.append((result, used))

    # A message whose pain word and place are in different sentences ("The pain is like a 3. Left side of my
    # lower back since Sunday"): when nothing else places a complaint, the pain is at the nearest place named.
    complaint = any(knowledge.is_a(iri, COMPLAINT) for m in findings for iri in
                    [e.iri for e in m.entries] + [r for r, _ in m.composed])
    places = [m for m in mentions if m.kind == "place"]
    if complaint or not places:
        return
    for mention in findings:
        if mention.negated or mention.composed or PAIN not in {e.iri for e in mention.entries}:
            continue
        nearest = min(places, key=lambda p: abs(p.start - mention.start))
        mention.composed = results_for({PAIN}, [nearest])


def _clause_findings(mentions: list[Mention]) -> dict[tuple, Counter]:
    """For each (clause, negated): how many finding mentions name each term (read once: linear)."""
    counts: dict[tuple, Counter] = {}
    for other in mentions:
        if other.kind == "finding":
            counts.setdefault((other.clause, other.negated), Counter()).update({e.iri for e in other.entries})
    return counts


def _narrower_nearby(knowledge, mention: Mention, kind: str, counts: dict[tuple, Counter]) -> bool:
    """Another finding of the same clause and status is narrower than this bare kind word."""
    own = {e.iri for e in mention.entries}
    return any(iri != kind and knowledge.is_a(iri, kind) and number - (iri in own) > 0
               for iri, number in counts.get((mention.clause, mention.negated), Counter()).items())


#: Words that qualify a finding in its clause, and the word the ontology's label puts before the
#: qualified finding: "Suddenly my hip is really swollen" -> "sudden hip swelling"; "constant hip pain",
#: "chronic back pain" -> "persistent pain" (the words of hb:PersistentPain's synonyms).
_QUALIFIERS = [
    ("sudden", re.compile(r"\b(?:sudden|suddenly|overnight|all\s+of\s+a\s+sudden|out\s+of\s+(?:nowhere|the\s+blue)"
                          r"|came\s+up|appeared|since\s+(?:this\s+)?(?:morning|afternoon|evening|lunch|lunchtime|breakfast|teatime|dinner|dinnertime)"
                          r"|since\s+last\s+night|this\s+(?:morning|afternoon|evening)|woke\s+up|waking\s+up"
                          r"|went\s+to\s+bed|(?:was|were|looked|felt)\s+(?:completely\s+|totally\s+|perfectly\s+)?(?:fine|normal)"
                          r"|not\s+like\s+that|by\s+(?:teatime|lunchtime|dinnertime|suppertime|the\s+evening|tonight)"
                          r"|within\s+(?:a\s+few\s+)?hours|in\s+a\s+few\s+hours)\b", re.I)),
    ("persistent", re.compile(r"\b(?:chronic|chronically|constant|constantly|persistent|persistently|ongoing|long-lasting"
                              r"|never\s+(?:\w+\s+)?goes\s+away|(?:won't|doesn't|does\s+not|will\s+not)\s+(?:\w+\s+)?go\s+away)\b",
                              re.I)),
]


def _qualified(knowledge, text, tokens, clauses, mentions, found) -> None:
    """A finding F qualified in its clause is the ontology's qualified finding when it has one.

    The narrower finding is found by its label: a descendant-or-self's ancestor A of F (the nearest
    first) with a subclass labelled "<qualifier> " + the label of A (``hb:SuddenHipSwelling`` "sudden
    hip swelling" under ``hb:HipSwelling``; ``hb:PersistentPain`` "persistent pain" under ``hb:Pain``).
    A denied qualifier ("it wasn't sudden") qualifies nothing.
    """
    labels = {knowledge.label(iri).lower(): iri for iri in knowledge.findings}
    qualifiers: dict[tuple, object] = {}
    for mention in mentions:
        if mention.kind != "finding" or mention.negated:
            continue
        clause = context.clause_span(text, tokens, clauses, mention.start)
        begin, end = context.sentence_of(text, tokens[mention.start].start)
        following = context.sentence_of(text, min(len(text) - 1, end + 1))[1] if end < len(text) else end
        for word, pattern in _QUALIFIERS:
            # onset is told around the finding ("Woke up and my hip is puffy. It wasn't like that last night."):
            # its sentence and the next; persistence in its clause
            low, high = (begin, following) if word == "sudden" else clause
            if (word, low, high) not in qualifiers:  # once per window: mentions share their sentence or clause
                qualifiers[word, low, high] = next((
                    m for m in pattern.finditer(text, low, high)
                    if not re.search(r"\b(?:no|not|never|without|n't)\s+(?:\w+\s+)?$",
                                     text[max(0, m.start() - 40):m.start()].replace("n't", " n't"))), None)
            said = qualifiers[word, low, high]
            if said is None:
                continue
            for iri in [r for r, _ in mention.composed] + [e.iri for e in mention.entries]:
                line = sorted({iri} | set(knowledge.ancestors.get(iri, ())), key=lambda a: -len(knowledge.ancestors.get(a, ())))
                target = next((labels[word + " " + knowledge.label(a).lower()] for a in line
                               if word + " " + knowledge.label(a).lower() in labels), None)
                if target is None or target == iri or not knowledge.is_a(target, line[-1]):
                    continue
                start = min(said.start(), tokens[mention.start].start)
                end = max(said.end(), tokens[mention.end - 1].end)
                found.setdefault((target, "present"), []).append(Origin(
                    field="text", span=[start, end], matched=text[start:end],
                    parts=sorted([[tokens[mention.start].start, tokens[mention.end - 1].end], list(said.span())])))
                break


def _named_conditions(knowledge, tokens: list[Token], clauses: list[int], matches) -> list[Mention]:
    """Conditions the patient names ("I have a slipped disc"), longest first; not when negated or doubted
    ("not a slipped disc", "no idea if it's a pinched nerve"). They never take the words from findings."""
    chosen: list[Mention] = []
    taken: set[int] = set()
    for start, end, _, entries in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
        conditions = sorted({e.iri: e for e in entries if e.kind == "condition"}.values(), key=lambda e: e.iri)
        if not conditions or taken & set(range(start, end)):
            continue
        before = [t.text for k, t in enumerate(tokens[max(0, start - 4):start], max(0, start - 4))
                  if clauses[k] == clauses[start]]
        if set(before) & _DOUBT:
            continue
        taken.update(range(start, end))
        chosen.append(Mention(start, end, conditions, "condition", clauses[start]))
    return sorted(chosen, key=lambda m: m.start)


_ABILITY = stems("cannot unable hardly barely struggling struggle".split())
#: A limit that is partial: a comparison ("as far as before") or one position ("on my left side").
_PARTIAL = re.compile(r"\s+(?:as\s+(?:far|long|much|well|fast|quickly|easily|often)\b"
                      r"|on\s+(?:my|the|one|his|her)\s+(?:(?:left|right)\s+)?(?:side|front|stomach|tummy)\b)", re.I)


#: Phrases read only with one of their places in the same sentence: "gives way" is said of a leg, a
#: hip or a knee ("my leg, it keeps giving way" is the red flag), and of chairs and cushions too.
_PLACE_BOUND = {normalise(p): stems(places.split()) for p, places in (
    ("gives way", "leg legs hip hips knee knees"), ("gave way", "leg legs hip hips knee knees"),
    ("keeps giving way", "leg legs hip hips knee knees"))}




def _unplaced(text: str, tokens: list[Token], mention: Mention) -> bool:
    """A place-bound phrase with none of its places in its sentence."""
    places = next((_PLACE_BOUND[k] for e in mention.entries if (k := normalise(e.phrase)) in _PLACE_BOUND), None)
    if places is None or mention.kind != "finding":
        return False
    begin, end = context.sentence_of(text, tokens[mention.start].start, r"[.;!?\n]")
    return not any(t.text in places for t in tokens if begin <= t.start < end)


def _partial_limit(text: str, tokens: list[Token], mention: Mention) -> bool:
    """ "can't walk as far as before", "can't sleep on my left side": an ability limited, not lost."""
    return (mention.kind == "finding" and any(t.text in _ABILITY for t in tokens[mention.start:mention.end])
            and _PARTIAL.match(text, tokens[mention.end - 1].end) is not None)


def annotate(knowledge, text: str) -> Annotation:
    lexicon = knowledge.lexicon
    tokens = tokenize(text)
    clauses = _clauses(text, tokens)
    # a phrase never reads across a sentence or a label ("Fever: no. Numbness: yes" is no "no numbness")
    stops = [bool(re.search(r"[.;!?\n:]", text[tokens[i - 1].end:tokens[i].start])) if i else False
             for i in range(len(tokens))]
    matches = [m for m in lexicon.matches(tokens) if not any(stops[m[0] + 1:m[1]])]
    named = _named_conditions(knowledge, tokens, clauses, matches)
    matches = [(a, b, n, entries) for a, b, n, every in matches
               if (entries := [e for e in every if e.kind != "condition"])]
    mentions = _select(knowledge, matches)
    partial = [m for m in mentions if _partial_limit(text, tokens, m) or _unplaced(text, tokens, m)]
    mentions = [m for m in mentions if m not in partial]
    for mention in mentions:
        mention.clause = clauses[mention.start]
    _negate(text, tokens, clauses, mentions)
    mentions = sorted(mentions + _cues(knowledge, text, tokens, clauses, mentions), key=lambda m: (m.start, m.end))
    _compose(knowledge, tokens, mentions)
    aside, writer_has_findings = _set_aside(knowledge, text, tokens, clauses, mentions)
    mentions = [m for m in mentions if id(m) not in aside]

    def span(start, end):
        return [tokens[start].start, tokens[end - 1].end]

    aside_reasons: list = []

    found: dict[tuple[str, str], list[Origin]] = {}
    defined = {c.result: c.kind for c in knowledge.compositions}
    composed_kinds = {(defined[iri], m.negated) for m in mentions if m.kind == "finding"
                      for iri in [r for r, _ in m.composed] + [e.iri for e in m.entries] if iri in defined}
    clause_findings = _clause_findings(mentions)
    for mention in mentions:
        if mention.kind == "place":
            continue
        status = "absent" if mention.kind == "absence" or mention.negated else "present"
        for iri, places in mention.composed:
            pieces = sorted([(mention.start, mention.end)] + [(p.start, p.end) for p in places])
            start, end = span(*pieces[0])[0], max(span(a, b)[1] for a, b in pieces)
            found.setdefault((iri, status), []).append(
                Origin(field="text", span=[start, end], matched=text[start:end], parts=[span(a, b) for a, b in pieces]))
        s, e = span(mention.start, mention.end)
        for entry in mention.entries:
            if entry.iri in knowledge.kinds and (mention.composed or (entry.iri, mention.negated) in composed_kinds
                                                 or _narrower_nearby(knowledge, mention, entry.iri, clause_findings)):
                continue  # the kind word was composed, or a narrower finding ("still hurts", "pain that radiates") says it
            found.setdefault((entry.iri, status), []).append(Origin(field="text", span=[s, e], matched=text[s:e]))

    _qualified(knowledge, text, tokens, clauses, mentions, found)
    measured = fact_reader.temperature(text)
    reading_at = next((k for k, t in enumerate(tokens) if measured is not None and t.end > measured.span[0]), None)
    if reading_at is not None:
        # a reading is someone else's, in a message where the writer reports findings of their own; or past
        if writer_has_findings and context.experiencers(text, tokens, clauses, [reading_at]) == ["other"]:
            aside_reasons.append((measured.span, "a temperature of someone else's: not counted"))
            measured = None
        elif context.historical(text, tokens, clauses, reading_at):
            aside_reasons.append((measured.span, "a temperature placed in the past: not counted (asked again)"))
            measured = None
    if measured is not None and measured.value >= fact_reader.FEVER_CELSIUS and FEVER in knowledge.findings:
        # a measured temperature of 38 C / 100.4 F or more is a fever (hb:interpretation on hb:Fever)
        found.setdefault((FEVER, "present"), []).append(
            Origin(field="text", span=list(measured.span), matched=measured.text))
    findings = [
        CaseFinding(iri=iri, label=knowledge.label(iri), status=status, red_flag=iri in knowledge.red_flags,
                    origin=origins)
        for (iri, status), origins in sorted(found.items(), key=lambda item: item[1][0].span[0])
    ]
    values, origins, covered_chars = {}, {}, []
    for name, reader in (("duration_days", fact_reader.duration), ("age", fact_reader.age),
                         ("severity", fact_reader.severity), ("improving_with_home_care", fact_reader.improving),
                         ("pregnancy_weeks", fact_reader.pregnancy_weeks)):
        read = reader(text)
        if read is not None:
            values[name] = read.value
            origins[name] = {"field": "text", "span": list(read.span), "matched": read.text}
            covered_chars.append(read.span)
    for mention in mentions + partial + named + list(aside.values()):
        covered_chars.append(tuple(span(mention.start, mention.end)))
    if measured is not None:
        covered_chars.append(measured.span)
    unrecognized = _leftovers(text, tokens, clauses, covered_chars)
    for mention in aside.values():
        s, e = span(mention.start, mention.end)
        unrecognized.append(Unrecognized(field="text", input=text[s:e], span=[s, e], reason=mention.aside))
    for (s, e), reason in aside_reasons:
        unrecognized.append(Unrecognized(field="text", input=text[s:e], span=[s, e], reason=reason))
    unrecognized.sort(key=lambda u: u.span or [0, 0])
    conditions: dict[str, list[Origin]] = {}
    for mention in named:
        s, e = span(mention.start, mention.end)
        for entry in mention.entries:
            conditions.setdefault(entry.iri, []).append(Origin(field="text", span=[s, e], matched=text[s:e]))
    return Annotation(findings=findings, facts=CaseFacts(**values, origins=origins), unrecognized=unrecognized,
                      conditions=[CaseFinding(iri=iri, label=knowledge.label(iri), status="present", red_flag=False,
                                              origin=origins) for iri, origins in conditions.items()])


def _cues(knowledge, text, tokens, clauses, mentions) -> list[Mention]:
    """Findings said in words of their kinds (``hb:textCue``) that no phrase of the clause already says.

    A cue only ever reports a finding: one with a negation just before it or just before one of its words
    ("no problems with my bladder", "bladder fine, not leaking") is dropped, neither present nor absent, so
    the interview asks it; a cue's own negative words are part of it ("the water not coming out"). Only
    the ontology's phrases and absence phrases deny a finding."""
    starts = {i for i, _ in _triggers(text, tokens, set())}
    found = []
    sentences = _sentences(text, tokens)
    for start, end, cue, parts in cue_matches(knowledge.lexicon.cues, tokens, sentences):
        clause = clauses[start]
        said = [m for m in mentions if m.kind in ("finding", "absence") and m.clause == clause
                and any(knowledge.is_a(e.iri, cue.iri) for e in m.entries)]
        if said or any(f.clause == clause and f.entries[0].iri == cue.iri for f in found):
            continue
        own = {i for a, b in parts for i in range(a, b)}
        first = min(k for k, c in enumerate(clauses) if c == clause)
        before = set(range(max(first, start - 3), start)) | {a - 1 for a, _ in parts} | {a - 2 for a, _ in parts}
        if any(i in starts and i not in own for i in before):
            continue
        found.append(Mention(start, end, [Entry("finding", cue.iri, cue.text)], "finding", clause))
    return found


def _sentences(text: str, tokens: list[Token]) -> list[int]:
    """Sentence number of each token."""
    return _numbered(text, tokens, r"[.;!?\n]")


def _iris(mention: Mention) -> set[str]:
    return {e.iri for e in mention.entries} | {r for r, _ in mention.composed}


def _set_aside(knowledge, text, tokens, clauses, mentions) -> tuple[dict[int, Mention], bool]:
    """Mentions that are not the patient's, now (``context.py``): someone else's findings; red flags in the
    past, long-standing or supposed. They are neither present nor absent: the interview asks them again.
    Also whether the writer reports findings of their own (else the message is about someone else)."""
    findings = [m for m in mentions if m.kind in ("finding", "absence")]
    people = context.experiencers(text, tokens, clauses, [m.start for m in findings])
    writer_has_findings = any(p == "self" and m.kind == "finding" and not m.negated for m, p in zip(findings, people))
    aside: dict[int, Mention] = {}
    for mention, person in zip(findings, people):
        flags = _iris(mention) & knowledge.red_flags
        risks = _iris(mention) & knowledge.flags  # red flags and the guidelines' risk factors
        if person == "other" and writer_has_findings:
            mention.aside = "about someone else, not the patient: not counted"
        elif flags and mention.kind == "finding" and not mention.negated and context.historical(text, tokens, clauses, mention.start):
            mention.aside = "a red flag placed in the past or called long-standing: not counted as new (asked again)"
        elif risks and mention.kind == "finding" and not mention.negated and context.supposed(text, tokens, mention.start):
            mention.aside = "a red flag or risk factor supposed or feared, not reported: not counted (asked again)"
        else:
            continue
        aside[id(mention)] = mention
    return aside, writer_has_findings


def _leftovers(text, tokens, clauses, covered) -> list[Unrecognized]:
    """Clauses (cut further at commas) in which nothing was understood."""
    pieces: list[list[Token]] = []
    for i, token in enumerate(tokens):
        if i == 0 or clauses[i] != clauses[i - 1] or "," in text[tokens[i - 1].end:token.start]:
            pieces.append([])
        pieces[-1].append(token)
    # a piece is understood when some covered span overlaps it: spans sorted by start, with the furthest end
    # reached so far, answer that by bisection (linear in the text however many spans there are)
    spans = sorted(covered)
    starts = [a for a, _ in spans]
    furthest, reach = [], -1
    for _, e in spans:
        reach = max(reach, e)
        furthest.append(reach)
    result = []
    for piece in pieces:
        start, end = piece[0].start, piece[-1].end
        before = bisect_left(starts, end)  # spans starting before the piece ends
        if before and furthest[before - 1] > start:
            continue
        if all(t.text in _STOP for t in piece):
            continue
        result.append(Unrecognized(field="text", input=text[start:end], span=[start, end],
                                   reason="no finding, duration, age, severity or response to home care recognised"))
    return result
