"""``hipback triage``: one case from JSON on stdin, or from flags, answered as JSON on stdout."""
from __future__ import annotations

import json
import sys

import click


def run_triage(case: dict, store=None) -> dict:
    """The triage answer for ``case`` against ``store`` (the configured store by default)."""
    from .. import config
    from ..store import open_store
    from . import Knowledge, triage

    knowledge = Knowledge.load(store or open_store(config.from_env()))
    return triage(case, knowledge).to_dict()


def interview(case: dict, store=None, prompt=None, say=None) -> dict:
    """Ask the answer's questions, one by one, until it is complete or every question left was skipped."""
    from .. import config
    from ..store import open_store
    from . import Knowledge, triage

    prompt = prompt or (lambda text: click.prompt(text, default="", show_default=False, err=True))
    say = say or (lambda text: click.echo(text, err=True))
    knowledge = Knowledge.load(store or open_store(config.from_env()))
    case = dict(case)
    skipped: set[str] = set()
    while True:
        answer = triage(case, knowledge).to_dict()
        waiting = [q for q in answer.get("questions", []) if q["finding"]["iri"] not in skipped]
        if not waiting:
            return answer
        question = waiting[0]  # one at a time: each answer can change what is worth asking next
        if question["kind"] != "candidate":
            say(f"Now: {answer['urgency']['label']}" + (" (provisional)" if answer.get("provisional") else ""))
        try:
            reply = prompt(f"{question['text']} [y/n, Enter if not sure]").strip().lower()
        except (click.Abort, EOFError):
            return answer  # no more answers: the answer as it stands, provisional if it is
        iri = question["finding"]["iri"]
        if reply in ("y", "yes"):
            case["findings"] = [*case.get("findings", []), iri]
        elif reply in ("n", "no"):
            case["absent_findings"] = [*case.get("absent_findings", []), iri]
        else:
            skipped.add(iri)


@click.command("triage")
@click.option("--text", help="Free text as a patient would write it.")
@click.option("--finding", "findings", multiple=True, help="A finding present (IRI, CURIE, label or synonym); repeatable.")
@click.option("--absent", "absent_findings", multiple=True, help="A finding the patient denies; repeatable.")
@click.option("--duration-days", type=int)
@click.option("--severity", type=int, help="Pain score 0-10.")
@click.option("--age", type=int)
@click.option("--improving/--not-improving", "improving", default=None, help="Whether home care is helping.")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the case as a JSON object from stdin (also when no flag is given and stdin is not a terminal).")
@click.option("--ask", is_flag=True, help="Ask the interview's questions in the terminal (y / n / Enter for not sure) until the answer is complete, then print it.")
def triage_command(text, findings, absent_findings, duration_days, severity, age, improving, from_stdin, ask):
    """Triage one case: urgency, candidate conditions, findings and the article's advice, as JSON."""
    from . import CaseError

    flags = {
        "text": text, "findings": list(findings) or None, "absent_findings": list(absent_findings) or None,
        "duration_days": duration_days, "severity": severity, "age": age, "improving_with_home_care": improving,
    }
    case = {k: v for k, v in flags.items() if v is not None}
    if from_stdin or (not case and not sys.stdin.isatty()):
        raw = sys.stdin.read()
        try:
            data = json.loads(raw) if raw.strip() else {}
        except ValueError as exc:
            raise click.ClickException(f"stdin is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise click.ClickException("stdin must hold a JSON object")
        case = {**data, **case}
    try:
        answer = interview(case) if ask else run_triage(case)
    except CaseError as exc:
        click.echo(json.dumps({"ok": False, "field": exc.field, "message": exc.message}), err=True)
        raise SystemExit(2) from None
    click.echo(json.dumps({"ok": True, **answer}, ensure_ascii=False, indent=2))
