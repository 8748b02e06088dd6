"""The one text normaliser: how free text and names are folded before they are compared.

``fold`` keeps every character's place (one character in, one out), so the reader's spans stay
those of the text it was given: lower case, accents taken off (``é`` to ``e``), typographic
apostrophes made straight. A character that would fold into more or fewer than one (``İ``,
``ß``, ``ﬁ``) is kept as it is, and so is a combining accent of a decomposed text (NFD), which
the reader's tokenizer then leaves out of the word it is in. ``words`` folds a name or a query for search (where no span is
kept, so ``ﬁ`` may become ``fi``) and keeps only letters and digits; ``spaces`` collapses white space (the article's sentences and excerpts).
The SPARQL guard's line-end rule (service/sparql/guard.py: normalize) is about a protocol's
text, not language, and stays there.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'"}
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return _APOSTROPHES[char]
    lower = char.lower()
    if len(lower) != 1:
        return char
    if lower.isascii():
        return lower
    base = "".join(c for c in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(c))
    return base if len(base) == 1 else lower


def fold(text: str) -> str:
    """``text`` folded for matching, character by character: the same length, so spans carry over."""
    return "".join(fold_char(c) for c in text)


def words(text: str) -> str:
    """Letters and digits of the text, accents off and in lower case, one space between words ("Lumbar
    Herniated-Disc!" to "lumbar herniated disc"). No span is kept here, so a character may fold into
    several ("ﬁ" to "fi")."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NOT_WORD.sub(" ", text).strip()


def spaces(text: str) -> str:
    """White space collapsed to single spaces."""
    return " ".join(text.split())
