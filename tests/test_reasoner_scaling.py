"""The text reader's time grows linearly with its text (issue: free text cost the square of its length).

Timings here are ratios within one run, never bare numbers: the time of a text at the reader's cap
against the same text at a tenth of it. Linear work gives about 10x; the quadratic composition and
negation steps this guards against gave about 100x (13 s at 10,000 characters of "sore sore ...").
"""
from __future__ import annotations

import time

import pytest

from hipback.reasoner import Knowledge, triage
from hipback.reasoner.model import MAX_TEXT
from hipback.store import EmbeddedStore

KNOWLEDGE = Knowledge.load(EmbeddedStore())
#: far below the ~100x of quadratic work, well above the ~10x of linear work and the noise of a shared machine
MAX_RATIO = 35


def best_of(text: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        triage({"text": text}, KNOWLEDGE)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("unit", [
    "sore ",                      # one finding repeated in one clause: the composition step
    "no sore ",                   # a negation repeated: the negation scopes
    "pain, ",                     # a comma list: the clause pieces
    "my brother fever ",          # someone else's findings: the experiencer pass
    "numb bum ",                  # a red-flag phrase: the context rules per mention
    "had pain, it's gone. ",      # findings taken back
    "can't pee ",                 # a text cue
])
def test_time_grows_linearly_with_the_text(unit):
    small = (unit * (MAX_TEXT // 10 // len(unit) + 1))[:MAX_TEXT // 10]
    large = (unit * (MAX_TEXT // len(unit) + 1))[:MAX_TEXT]
    best_of(small, 1)  # warm the caches
    ratio = best_of(large) / best_of(small)
    assert ratio < MAX_RATIO, f"{unit!r}: {ratio:.1f}x the time for 10x the text"


def test_a_text_at_the_cap_gets_an_answer_bounded_by_the_text(client):
    text = ("sore " * (MAX_TEXT // 5))[:MAX_TEXT]
    response = client.post("/api/annotate", json={"text": text})
    assert response.status_code == 200
    assert len(response.data) < 20 * MAX_TEXT  # about 12 bytes per character of text
