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
    """Ask the answer's questions one at a time in the terminal until nothing is left to ask."""
    from .. import config
    from ..store import open_store
    from . import Knowledge
    from .interview import StopInterview, converse

    prompt = prompt or (lambda text: click.prompt(text, default="", show_default=False, err=True))
    say = say or (lambda text: click.echo(text, err=True))
    knowledge = Knowledge.load(store or open_store(config.from_env()))

    def ask(question):
        try:
            reply = prompt(f"{question.text} [y/n, Enter if not sure]").strip().lower()
        except (click.Abort, EOFError):
            raise StopInterview from None
        return True if reply in ("y", "yes") else False if reply in ("n", "no") else None

    result, _ = converse(case, knowledge, ask, one_at_a_time=True, kinds=("red_flag", "level", "candidate"))
    say(f"Level: {result.urgency.label}" + (" (provisional)" if result.provisional else ""))
    return result.to_dict()


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
