"""The reader's time against the length of its text: linear, not quadratic.

    python bench/text_scaling.py        # writes bench/results/text-scaling.{md,json}

Hostile texts (one word repeated, a negation repeated, lists, many sentences, someone else's findings, a
message of the writer's own) from 1,000 characters to the reader's cap (``MAX_TEXT``), each read through
``triage`` (the text reader, the rules and the interview) in process, the best of three runs. The figure
that matters is the ratio of each length's time to the 1,000-character time of the same text in the same
run: linear work grows about as the length (10x at the cap), quadratic work as its square (100x). The size
of the answer is reported too: it grows with the text, and the text is capped, so the answer is bounded.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXTS = {
    "one word repeated": "sore ",
    "a negation repeated": "no sore ",
    "a list with commas": "pain, ",
    "a list with or": "no fever, chills or ",
    "someone else's findings": "my brother fever ",
    "red-flag phrase repeated": "numb bum ",
    "many sentences": "My back hurts. ",
    "a past finding taken back": "had pain, it's gone. ",
    "a text cue repeated": "can't pee ",
    "words the reader does not know": "lorem ipsum, ",
    "a patient's message": "My lower back has hurt for 3 days after lifting a box, about a 5/10, no fever or numbness. ",
}
LENGTHS = [1_000, 2_500, 5_000, 10_000]


def best_of(function, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def measure() -> dict:
    from service.reasoner import Knowledge, triage
    from service.reasoner.model import MAX_TEXT
    from service.store import EmbeddedStore

    knowledge = Knowledge.load(EmbeddedStore())
    lengths = [n for n in LENGTHS if n <= MAX_TEXT]
    rows = {}
    for name, unit in TEXTS.items():
        row = {}
        for n in lengths:
            text = (unit * (n // len(unit) + 1))[:n]
            seconds = best_of(lambda: triage({"text": text}, knowledge))
            answer = json.dumps(triage({"text": text}, knowledge).to_dict())
            row[n] = {"seconds": seconds, "answer_bytes": len(answer)}
        base = row[lengths[0]]["seconds"]
        for n in lengths:
            row[n]["ratio"] = round(row[n]["seconds"] / base, 2)
        rows[name] = row
    return {"lengths": lengths, "max_text": MAX_TEXT, "texts": rows}


def report(result: dict) -> str:
    lengths = result["lengths"]
    lines = ["# The reader's time against the length of its text", "",
             "Written by `bench/text_scaling.py` (its docstring gives the method). Each cell is the time at that "
             "length as a multiple of the same text's time at 1,000 characters, in the same run: linear work gives "
             f"about the length ratio ({lengths[-1] // lengths[0]}x at the cap), quadratic work its square "
             f"({(lengths[-1] // lengths[0]) ** 2}x). The last columns give the answer's size at the cap "
             f"({result['max_text']:,} characters, the most a case's text may hold).", "",
             "| text | " + " | ".join(f"{n:,} chars" for n in lengths) + " | answer at the cap | bytes per character |",
             "|---|" + "---|" * (len(lengths) + 2)]
    for name, row in result["texts"].items():
        top = row[lengths[-1]]
        lines.append(f"| {name} | " + " | ".join(f"{row[n]['ratio']}x" for n in lengths)
                     + f" | {top['answer_bytes']:,} bytes | {top['answer_bytes'] / lengths[-1]:.1f} |")
    worst = max(row[lengths[-1]]["ratio"] for row in result["texts"].values())
    lines += ["", f"Worst ratio at the cap: {worst}x (linear: {lengths[-1] // lengths[0]}x). The answer grows with the "
              "text (each finding lists where the text says it; each part not understood is listed), so the cap on the "
              "text bounds it.", ""]
    return "\n".join(lines)


def main() -> int:
    result = measure()
    out = ROOT / "bench" / "results"
    (out / "text-scaling.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    (out / "text-scaling.md").write_text(report(result))
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
