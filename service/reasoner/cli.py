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


@click.command("triage")
@click.option("--text", help="Free text as a patient would write it.")
@click.option("--finding", "findings", multiple=True, help="A finding present (IRI, CURIE, label or synonym); repeatable.")
@click.option("--absent", "absent_findings", multiple=True, help="A finding the patient denies; repeatable.")
@click.option("--duration-days", type=int)
@click.option("--severity", type=int, help="Pain score 0-10.")
@click.option("--age", type=int)
@click.option("--improving/--not-improving", "improving", default=None, help="Whether home care is helping.")
@click.option("--stdin", "from_stdin", is_flag=True, help="Read the case as a JSON object from stdin (also when no flag is given and stdin is not a terminal).")
def triage_command(text, findings, absent_findings, duration_days, severity, age, improving, from_stdin):
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
        answer = run_triage(case)
    except CaseError as exc:
        click.echo(json.dumps({"ok": False, "field": exc.field, "message": exc.message}), err=True)
        raise SystemExit(2) from None
    click.echo(json.dumps({"ok": True, **answer}, ensure_ascii=False, indent=2))
