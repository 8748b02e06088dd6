"""The reader's time against the length of its text: linear, not quadratic.

    python bench/text_scaling.py        # writes bench/results/text-scaling.{md,json}

Hostile texts (one word repeated, a negation repeated, lists, many sentences, someone else's findings, a
message of the writer's own) from 1,000 characters to the reader's cap (``MAX_TEXT``), each read through
``triage`` (the text reader, the rules and the interview) in process, the best of three runs. The figure
that matters is the ratio of each length's time to the 1,000-character time of the same text in the same
run: linear work grows about as the length (10x at the cap), quadratic work as its square (100x). The size
of the answer is reported too: it grows with the text, and the text is capped, so the answer is bounded.

Then over HTTP, as a client meets it: each text at the cap sent to ``POST /api/annotate`` and ``POST
/api/triage`` of a default ``hipback serve`` (two gunicorn workers of eight threads) on 127.0.0.1, first
alone (the best of three), then four at once (the slowest of the four, the worst of three rounds), beside
a short patient message sent the same ways as the same run's baseline. The aims are those of the hostile-input
review: a text at the cap within 1 s alone, and within 2 s each with four at once.
"""
from __future__ import annotations

import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
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
    from hipback.reasoner import Knowledge, triage
    from hipback.reasoner.model import MAX_TEXT
    from hipback.store import EmbeddedStore

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


ROUTES = ("/api/annotate", "/api/triage")
BASELINE = "My lower back has hurt for 3 days after lifting a box, about a 5/10, no fever or numbness."


def _post(url: str, text: str) -> float:
    body = json.dumps({"text": text}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
        assert response.status == 200
    return time.perf_counter() - started


def measure_http(max_text: int) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    from triage_bench import start_server

    process, base = start_server(workers=2)
    texts = {"a short patient message (baseline)": BASELINE}
    texts.update({name: (unit * (max_text // len(unit) + 1))[:max_text] for name, unit in TEXTS.items()})
    rows = {}
    try:
        with ThreadPoolExecutor(4) as pool:
            for name, text in texts.items():
                row = {}
                for route in ROUTES:
                    url = base + route
                    alone = min(_post(url, text) for _ in range(3))
                    together = max(max(pool.map(lambda _: _post(url, text), range(4))) for _ in range(3))
                    row[route] = {"alone": round(alone, 3), "four_at_once": round(together, 3)}
                rows[name] = row
    finally:
        process.terminate()
        process.wait(30)
    return rows


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
    http = result.get("http")
    if http:
        base = http["a short patient message (baseline)"]
        lines += ["## Over HTTP, alone and four at once", "",
                  f"Each text at the cap ({result['max_text']:,} characters) sent to a default `hipback serve` on 127.0.0.1 "
                  "(two gunicorn workers of eight threads, on this machine's two cores): seconds alone (best of three) and "
                  "the slowest of four sent at once (worst of three rounds); in brackets, the multiple of the short "
                  "message's time sent the same way in the same run. Aims: 1 s alone, 2 s each with four at once.", "",
                  "| text | " + " | ".join(f"`{r}` alone | `{r}` four at once" for r in ROUTES) + " |",
                  "|---|" + "---|" * (2 * len(ROUTES))]
        worst_alone = worst_four = 0.0
        for name, row in http.items():
            cells = []
            for route in ROUTES:
                alone, four = row[route]["alone"], row[route]["four_at_once"]
                cells += [f"{alone:.3f} s ({alone / base[route]['alone']:.0f}x)",
                          f"{four:.3f} s ({four / base[route]['four_at_once']:.0f}x)"]
                if "baseline" not in name:
                    worst_alone, worst_four = max(worst_alone, alone), max(worst_four, four)
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += ["", f"Slowest text at the cap: {worst_alone:.3f} s alone (aim 1 s), {worst_four:.3f} s with four at once "
                  "(aim 2 s).", ""]
    return "\n".join(lines)


def main() -> int:
    result = measure()
    if "--no-http" not in sys.argv:
        result["http"] = measure_http(result["max_text"])
    out = ROOT / "bench" / "results"
    (out / "text-scaling.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    (out / "text-scaling.md").write_text(report(result))
    print(report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
