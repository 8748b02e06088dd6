"""The annotator's lexicon, compiled from the ontology: labels, lay synonyms, absence phrases, places.

Text and phrases are normalised the same way (lowercase, apostrophes unified, "can't" / "cannot" /
"can not" -> "cannot", other "n't" -> "not", also when typed without the apostrophe ("dont", "havent"), simple plurals and third-person -s stripped), then
phrases are matched token by token with at most two filler words ("really", "a", "my"...) between
two phrase tokens, so "can't really feel anything when I wipe" matches the synonym "can't feel
anything when I wipe". Only the ontology says what a phrase means: adding a ``skos:altLabel`` or an
``hb:absenceLabel`` to the ontology teaches the annotator.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from ..text import fold

#: a word: letters and digits, with any combining accents a decomposed text (NFD) keeps inside it
_WORD = re.compile(r"[a-z0-9][a-z0-9\u0300-\u036f]*(?:'[a-z\u0300-\u036f]+)?")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_KEEP = {"is", "was", "has", "does", "this", "his", "its", "us", "yes", "as", "always", "less", "across",
         "perhaps", "thus", "plus", "bus", "gas", "was", "lens", "news", "diabetes", "analysis", "pelvis",
         "sciatica", "physio", "ces", "fai", "sij"}
#: Spelling variants read as one word ("radiating into the hip" = "radiating to my hip").
_ALIASES = {"into": "to", "onto": "to", "towards": "to", "toward": "to", "tummy": "belly",
            # one word for each family of lay words, so that every phrase of the lexicon reads them all
            "wee": "pee", "wees": "pee", "weeing": "pee", "weed": "pee", "urine": "pee", "urinate": "pee",
            "urinating": "pee", "piss": "pee", "pissing": "pee", "poop": "poo", "pooping": "poo", "pooped": "poo",
            "stool": "poo", "stools": "poo", "unable": "cannot", "couldnt": "cannot", "peed": "pee", "urinated": "pee",
            "waterworks": "bladder", "me": "my", "himself": "myself", "herself": "myself", "themselves": "myself",
            "yourself": "myself", "ma": "my", "cannae": "cannot", "canna": "cannot",
            "couldnae": "cannot", "doon": "down", "noo": "now", "isnae": "is not", "dinnae": "do not", "wisnae": "was not", "cnt": "cannot", "cant": "cannot", "achey": "achy", "acheing": "aching", "hurst": "hurts", "soar": "sore", "knickers": "trousers", "pants": "trousers", "jeans": "trousers",
            "joggers": "trousers", "pyjamas": "trousers", "pajamas": "trousers", "underwear": "trousers",
            "undies": "trousers", "boxers": "trousers", "leggings": "trousers", "shorts": "trousers",
            "nappy": "trousers", "pad": "trousers", "pads": "trousers",
            # text speak
            "outta": "out of", "offa": "off of", "gonna": "going to", "wanna": "want to", "gotta": "got to",
            "r": "are", "n": "and", "u": "you", "ur": "your", "rly": "really", "realy": "really", "wiv": "with",
            "wen": "when", "cos": "because", "coz": "because", "bc": "because", "b4": "before", "2day": "today",
            "2nite": "tonight", "tonite": "tonight", "ppl": "people", "yr": "year", "yrs": "years",
            "bk": "back", "bak": "back", "id": "i", "ive": "i", "lwr": "lower", "rite": "right", "evrywhere": "everywhere"}
#: Two or three words read as one ("not able", "no chance", "could not": an inability, like "cannot").
_MERGE_WORDS = {("not", "able"): "cannot", ("no", "chance"): "cannot", ("zero", "chance"): "cannot",
           ("not", "a", "chance"): "cannot", ("no", "way"): "cannot", ("could", "not"): "cannot",
           ("not", "managed"): "cannot", ("never", "managed"): "cannot", ("number", "2"): "poo",
           ("number", "two"): "poo", ("bowel", "movement"): "poo", ("bowel", "motion"): "poo"}
#: Contractions typed without their apostrophe, split as "don't" is ("dont" -> do not).
_NO_APOSTROPHE = {w + "nt": [w, "not"] for w in """do does did have has had is are was were could would should
must need""".split()} | {"wont": ["will", "not"], "aint": ["is", "not"]}
_SUBJECT_IS = {"it", "that", "there", "he", "she", "what", "who", "here", "everything", "nothing"}
#: Words the text may hold between two tokens of a phrase ("can't *really* feel").
_FILLER_WORDS = """really just quite a an the my your his her their our any some all bit little so now still
also kind sort pretty totally completely fully literally even right left actually properly much
feel feels felt feeling are is am be been being get gets getting got gone become became have has had
seem seems seemed keep keeps kept often sometimes constantly always started starting very suddenly both""".split()
#: Words a phrase may drop ("weakness in *the* legs" reads "weakness in my legs").
_OPTIONAL_WORDS = "a an the my your his her their our some any is are was were am be been".split()
MAX_GAP = 2


@dataclass(frozen=True)
class Token:
    text: str  # normalised
    start: int
    end: int


def stem(word: str) -> str:
    """A crude, consistent stem: plural / third-person -s, then -ing / -ed, then a final -e.

    Applied alike to the lexicon's phrases and to the text, so "radiating" meets "radiates",
    "slouched" meets "slouching" and "aching" meets "aches".
    """
    if word in _KEEP or len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) >= 6:
        word = word[:-3]
    elif word.endswith("ed") and len(word) >= 5:
        word = word[:-2]
    else:
        return word[:-1] if word.endswith("e") and len(word) > 3 else word
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "ls":
        word = word[:-1]  # "wetting" -> "wet", "stopped" -> "stop"
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


FILLER = frozenset(stem(w) for w in _FILLER_WORDS)
_MERGES = {tuple(stem(w) for w in words): one for words, one in _MERGE_WORDS.items()}
OPTIONAL = frozenset(stem(w) for w in _OPTIONAL_WORDS)


def stems(words) -> frozenset:
    return frozenset(stem(w) for w in words)


def tokenize(text: str) -> list[Token]:
    """Normalised tokens with their character spans in ``text``."""
    # folded character by character (text.fold) so that spans stay those of the original text
    lowered = fold(text)
    tokens: list[Token] = []
    for match in _WORD.finditer(lowered):
        word, start, end = _COMBINING.sub("", match.group()), match.start(), match.end()
        parts: list[str]
        if word in ("can't", "cannot", "cant"):
            parts = ["cannot"]
        elif word in _NO_APOSTROPHE:  # "dont", "havent": typed without the apostrophe
            parts = _NO_APOSTROPHE[word]
        elif word == "won't":
            parts = ["will", "not"]
        elif word.endswith("n't"):
            parts = [word[:-3], "not"]
        elif word.endswith("'m"):
            parts = [word[:-2], "am"]
        elif word.endswith("'re"):
            parts = [word[:-3], "are"]
        elif word.endswith("'ve"):
            parts = [word[:-3], "have"]
        elif word.endswith("'ll"):
            parts = [word[:-3], "will"]
        elif word.endswith("'d"):
            parts = [word[:-2]]  # "I'd" is "I had" or "I would": the subject alone
        elif word.endswith("'s"):
            parts = [word[:-2], "is"] if word[:-2] in _SUBJECT_IS else [word[:-2]]
        else:
            parts = _ALIASES.get(word, word).replace("'", "").split()
        if parts == ["not"] and tokens and tokens[-1].text == "can":
            previous = tokens.pop()
            tokens.append(Token("cannot", previous.start, end))
            continue
        for part in parts:
            if part:
                tokens.append(Token(stem(part), start, end))
                _merge(tokens)
    return tokens


def _merge(tokens: list[Token]) -> None:
    """Read the last two or three tokens as one word where ``_MERGES`` says so ("not able" -> "cannot")."""
    for size in (3, 2):
        if len(tokens) >= size and tuple(t.text for t in tokens[-size:]) in _MERGES:
            first = tokens[-size]
            merged = Token(_MERGES[tuple(t.text for t in tokens[-size:])], first.start, tokens[-1].end)
            del tokens[-size:]
            tokens.append(merged)
            return


@lru_cache(maxsize=8192)
def normalise(phrase: str) -> tuple[str, ...]:
    return tuple(t.text for t in tokenize(phrase))


_FUNCTION_WORDS = frozenset("a an the my your his her their our to in of from on at or and with for by".split())


def content(tokens: tuple[str, ...]) -> frozenset:
    """The content words of a normalised phrase, for matching list terms in any word order."""
    return frozenset(t for t in tokens if t not in _FUNCTION_WORDS)


@dataclass(frozen=True)
class Entry:
    """What a phrase means: ``finding`` (present), ``absence`` (absent finding), ``place``, or ``condition``
    (a condition the patient names: "slipped disc"; evidence for that candidate, never a finding)."""

    kind: str
    iri: str
    phrase: str


#: Typing slips are forgiven in red-flag phrases only, and only in long words: a word of the text of at
#: least ``MIN_FUZZY`` letters that no phrase uses, one edit (insert, delete, substitute, swap) from a word
#: of at least ``MIN_FUZZY`` letters with the same first letter, inside a red-flag phrase of two or more
#: words whose other words match exactly ("cant controll my bladder", "its swolen suddenly"). One-word
#: phrases are never read fuzzily: "fewer" is one edit from "fever", "chilly" from "chills".
MIN_FUZZY = 5
#: Other words allowed between two words of a red-flag phrase, and the words never skipped.
LOOSE_GAP = 3
#: The three ways ``Lexicon._walk`` matches a phrase.
EXACT, LOOSE, FUZZY = "exact", "loose", "fuzzy"
LOOSE_BLOCKERS = frozenset(stem(w) for w in """no not never without nor none neither but however although though
except whereas yet if""".split())


def one_edit(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by exactly one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


def _any_between(ordered: list[int], low: int, high: int) -> bool:
    """Some index of ``ordered`` (sorted) is in (low, high]."""
    i = bisect_right(ordered, low)
    return i < len(ordered) and ordered[i] <= high


def _fuzzy_word(text_word: str, phrase_word: str, vocabulary) -> bool:
    return (len(text_word) >= MIN_FUZZY and len(phrase_word) >= MIN_FUZZY and text_word[0] == phrase_word[0]
            and text_word.isalpha() and text_word not in vocabulary and one_edit(text_word, phrase_word))


class Lexicon:
    def __init__(self):
        self.trie: dict = {}
        self.fuzzy_trie: dict = {}  # red-flag phrases of two or more words
        self._first_words: dict[str, list[str]] = {}  # first words of those phrases, by their first letter
        self.vocabulary: set[str] = set()
        self.by_phrase: dict[tuple[str, ...], set[Entry]] = {}
        self.by_content: dict[frozenset, set[Entry]] = {}
        self.cues: list[Cue] = []

    def add(self, phrase: str, entry: Entry, fuzzy: bool = False) -> None:
        key = normalise(phrase)
        if not key:
            return
        self.vocabulary.update(key)
        if fuzzy and len(key) >= 2:
            if key[0] not in self.fuzzy_trie and len(key[0]) >= MIN_FUZZY:
                self._first_words.setdefault(key[0][0], []).append(key[0])
            node = self.fuzzy_trie
            for token in key:
                node = node.setdefault(token, {})
            node.setdefault(None, set()).add(entry)
        self.by_phrase.setdefault(key, set()).add(entry)
        if content(key):
            self.by_content.setdefault(content(key), set()).add(entry)
        node = self.trie
        for token in key:
            node = node.setdefault(token, {})
        node.setdefault(None, set()).add(entry)

    def lookup(self, phrase: str, kind: str = "finding") -> set[str]:
        """The terms a whole phrase names: exactly, or else by the same content words in any order."""
        exact = {e.iri for e in self.by_phrase.get(normalise(phrase), ()) if e.kind == kind}
        if exact:
            return exact
        key = content(normalise(phrase))
        return {e.iri for e in self.by_content.get(key, ()) if e.kind == kind} if key else set()

    def matches(self, tokens: list[Token]):
        """Every (start, end, length, entries) where a phrase matches tokens[start:end]."""
        found = []
        for start in range(len(tokens)):
            node = self.trie.get(tokens[start].text)
            if node is not None:
                self._walk(tokens, node, start, start + 1, 1, found)
        for start in range(len(tokens)):  # red-flag phrases with other words between theirs
            node = self.fuzzy_trie.get(tokens[start].text)
            if node is not None:
                self._walk(tokens, node, start, start + 1, 1, found, LOOSE)
        forgivable = {i for i, t in enumerate(tokens)
                      if len(t.text) >= MIN_FUZZY and t.text.isalpha() and t.text not in self.vocabulary}
        if not forgivable:
            return found  # no word to forgive: the exact matches are all there is
        ordered = sorted(forgivable)
        for start in range(len(tokens)):
            word = tokens[start].text
            if word in self.fuzzy_trie and _any_between(ordered, start, start + 12):
                self._walk(tokens, self.fuzzy_trie[word], start, start + 1, 1, found, FUZZY, False, forgivable)
            if start in forgivable:
                for key in self._first_words.get(word[0], ()):
                    if abs(len(key) - len(word)) <= 1 and one_edit(word, key):
                        self._walk(tokens, self.fuzzy_trie[key], start, start + 1, 1, found, FUZZY, True, forgivable)
        return found

    def _walk(self, tokens, node, start, position, length, found, mode=EXACT, marked=False, forgivable=frozenset()):
        """Match phrases of the trie below ``node`` against ``tokens`` from ``position``, one of three ways:

        - ``EXACT``: up to ``MAX_GAP`` filler words between two words of a phrase ("can't *really* feel");
        - ``LOOSE`` (red-flag phrases): up to ``LOOSE_GAP`` other words between two of its words ("couldn't keep my
          teeth *from* chattering"), never across a negation, "but" or "if"; only a match that skipped a word
          counts (the exact walk has the others);
        - ``FUZZY`` (red-flag phrases): as exact, forgiving one slip of typing (see ``MIN_FUZZY``) in a word of
          ``forgivable`` (the indexes of text words no phrase uses); only a match with a slip counts.
        ``marked`` says whether this path has skipped a word (loose) or forgiven one (fuzzy).
        """
        if None in node and (marked or mode == EXACT):
            found.append((start, position, length, node[None]))
        for key, child in node.items():
            if key in OPTIONAL:  # "weakness in the legs" also reads "weakness in my legs"
                self._walk(tokens, child, start, position, length, found, mode, marked, forgivable)
        for skip in range((LOOSE_GAP if mode == LOOSE else MAX_GAP) + 1):
            index = position + skip
            if index >= len(tokens):
                return
            word = tokens[index].text
            child = node.get(word)
            if child is not None:
                self._walk(tokens, child, start, index + 1, length + 1, found, mode,
                           marked or (mode == LOOSE and skip > 0), forgivable)
            if mode == FUZZY and not marked and index in forgivable:
                for key, child in node.items():
                    if key is not None and key != word and _fuzzy_word(word, key, self.vocabulary):
                        self._walk(tokens, child, start, index + 1, length + 1, found, mode, True, forgivable)
            if (word in LOOSE_BLOCKERS) if mode == LOOSE else (word not in FILLER):
                return

@dataclass(frozen=True)
class Cue:
    """A finding said in words of its own kinds rather than a fixed phrase (``hb:textCue``): a word or
    phrase of every group in one clause, within ``CUE_WINDOW`` tokens, and none of the ``vetoes``.

    Written in the ontology as ``"pee | bladder + cannot | trickle | leak - pack | packs"``: groups
    separated by "+", alternatives by "|", and after "-" the words that rule the cue out.
    """

    iri: str
    text: str
    groups: tuple[tuple[tuple[str, ...], ...], ...]
    vetoes: tuple[tuple[str, ...], ...] = ()


CUE_WINDOW = 12


def parse_cue(iri: str, text: str) -> Cue | None:
    body, _, veto = text.partition(" - ")
    groups = tuple(tuple(alt for alt in (normalise(a) for a in group.split("|")) if alt)
                   for group in body.split("+"))
    vetoes = tuple(alt for alt in (normalise(a) for a in veto.split("|")) if alt) if veto else ()
    if len(groups) < 2 or not all(groups):
        return None
    return Cue(iri, text, groups, vetoes)


def _occurrences(words: list[str], phrase: tuple[str, ...], where: dict[str, list[int]]) -> list[tuple[int, int]]:
    """Where ``phrase`` occurs in ``words`` (``where``: each word's positions), with up to ``MAX_GAP`` filler
    words between two of its words."""
    found = []
    for i in where.get(phrase[0], ()):
        position, ok = i + 1, True
        for part in phrase[1:]:
            skip = 0
            while position < len(words) and words[position] != part and words[position] in FILLER and skip < MAX_GAP:
                position, skip = position + 1, skip + 1
            if position >= len(words) or words[position] != part:
                ok = False
                break
            position += 1
        if ok:
            found.append((i, position))
    return found


def cue_matches(cues: list[Cue], tokens: list[Token], clauses: list[int]):
    """(start, end, cue, parts) for every cue said in a clause: ``parts`` are the token spans of its words."""
    found = []
    words = [t.text for t in tokens]
    present = set(words)
    by_clause: dict[int, list[int]] = {}
    for k, clause in enumerate(clauses):
        by_clause.setdefault(clause, []).append(k)
    indexes: dict[int, dict[str, list[int]]] = {}
    for cue in cues:
        if not all(any(alt[0] in present for alt in group) for group in cue.groups):
            continue  # a group none of whose words is in the text at all
        for members in by_clause.values():
            lo, hi = members[0], members[-1] + 1
            segment = words[lo:hi]
            where = indexes.get(lo)
            if where is None:
                where = indexes[lo] = {}
                for k, word in enumerate(segment):
                    where.setdefault(word, []).append(k)
            if any(_occurrences(segment, v, where) for v in cue.vetoes):
                continue
            hits = []
            for group in cue.groups:
                spans = sorted((a + lo, b + lo) for alt in group for a, b in _occurrences(segment, alt, where))
                if not spans:
                    break
                hits.append(spans)
            else:
                # the nearest choice of one occurrence per group, if it fits in the window
                anchor = hits[0]
                for first in anchor:
                    parts = [first] + [min(h, key=lambda s: abs(s[0] - first[0])) for h in hits[1:]]
                    start, end = min(p[0] for p in parts), max(p[1] for p in parts)
                    if end - start <= CUE_WINDOW and len({p for p in parts}) == len(parts):
                        found.append((start, end, cue, sorted(parts)))
                        break
    return found


#: Words that name a category of findings rather than one: "red flag", "warning sign", "symptom".
_CATEGORY = re.compile(r"\b(?:symptoms?|signs?|findings?|flags?)\b")


def grouping(term) -> bool:
    """A finding class every label of which is a category word (``hb:Finding``, ``hb:RedFlag``).

    Such a class groups findings; the patient who writes "warning signs" or "red flag" reports
    none of them ("I read that numbness is a warning sign"), so it stays out of the lexicon.
    """
    return all(_CATEGORY.search(phrase.lower()) for phrase in [term.label, *term.alt_labels])


def build(knowledge) -> Lexicon:
    lexicon = Lexicon()
    for iri in sorted(knowledge.findings):
        term = knowledge.term(iri)
        if grouping(term):
            continue
        for phrase in [term.label, *term.alt_labels]:
            lexicon.add(phrase, Entry("finding", iri, phrase), fuzzy=iri in knowledge.red_flags)
        for phrase in term.absence_labels:
            lexicon.add(phrase, Entry("absence", iri, phrase))
    for iri in sorted(knowledge.named_conditions):
        term = knowledge.term(iri)
        for phrase in [term.label, *term.alt_labels]:
            lexicon.add(phrase, Entry("condition", iri, phrase))
    for iri in sorted(knowledge.locations):
        term = knowledge.term(iri)
        for phrase in [term.label, *term.alt_labels]:
            lexicon.add(phrase, Entry("place", iri, phrase))
    lexicon.cues = [cue for iri in sorted(knowledge.findings) for text in sorted(knowledge.term(iri).notes.get("cue", ()))
                    if (cue := parse_cue(iri, text)) is not None]
    return lexicon
