"""The ``hipback`` command. Each command is a thin wrapper over a plain function."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import config


@click.group()
def main() -> None:
    """HipBack: the hip and lower back pain ontology, its build and its web service."""


@main.command()
@click.option("--source", type=click.Path(path_type=Path, dir_okay=False), default=config.SOURCE_TTL,
              show_default=True, help="The hand-edited Turtle source.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=config.RELEASE_DIR,
              show_default=True, help="Where the release artifacts go.")
@click.option("--check", is_flag=True,
              help="Rebuild in a temporary directory and fail if the artifacts in --out differ (stale).")
@click.option("--skip-qc", is_flag=True,
              help="Write artifacts even when QC checks have rows (drafts only; never for a release).")
def build(source: Path, out: Path, check: bool, skip_qc: bool) -> None:
    """Reason with HermiT, run the QC checks and write the release artifacts."""
    from .build import BuildError, build as run_build, stale_files

    try:
        if check:
            stale = stale_files(source, out)
            if stale:
                raise click.ClickException(
                    f"release artifacts in {out} are stale: {', '.join(stale)}; run `hipback build`"
                )
            click.echo(f"release artifacts in {out} are up to date")
            return
        report = run_build(source, out, run_qc=not skip_qc)
    except BuildError as exc:
        raise click.ClickException(str(exc)) from exc
    if report.skipped_qc:
        click.echo("WARNING: QC checks were skipped; these artifacts are not a release.", err=True)
    timing = ", ".join(f"{k} {v:.2f}s" for k, v in report.seconds.items())
    click.echo(
        f"built {report.version_iri}: {report.asserted_triples} asserted + {report.inferred_triples} "
        f"inferred triples, {len(report.files)} files in {out} ({timing})"
    )


#: The server banner: the service, with no product or version for a scanner to match.
BANNER = "HipBack"


def harden_gunicorn() -> None:
    """gunicorn's own answers (the banner on every answer; the 400/414/431 it writes for a request it cannot
    parse, before the app sees it) say no product or version, and carry the app's error shape and security
    headers. gunicorn has no setting for either, so its module attributes are set before it forks."""
    import json

    from gunicorn import util
    from gunicorn.http import wsgi

    from .errors import error_body
    from .security import HEADERS

    wsgi.SERVER = BANNER

    def write_error(sock, status_int, reason, mesg):
        body = json.dumps(error_body(int(status_int), mesg or reason)).encode()
        head = "".join([f"HTTP/1.1 {status_int} {reason}\r\n", f"Server: {BANNER}\r\n", "Connection: close\r\n",
                        "Content-Type: application/json\r\n", f"Content-Length: {len(body)}\r\n",
                        "Access-Control-Allow-Origin: *\r\n"]
                       + [f"{key}: {value}\r\n" for key, value in HEADERS.items()] + ["\r\n"])
        util.write_nonblock(sock, head.encode("latin-1") + body)

    util.write_error = write_error


def serve_app(host: str, port: int, workers: int, debug: bool = False, timeout: int = 30, factory=None) -> None:
    """Serve the app: gunicorn with ``workers`` processes, or Flask's own server with ``debug``. ``factory``
    (default ``create_app``) makes the app in each worker; bench/serve_files.py gives one over other files."""
    from . import create_app

    factory = factory or create_app
    if debug:
        factory().run(host=host, port=port, debug=True)
        return

    from gunicorn.app.base import BaseApplication

    harden_gunicorn()

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            # threads: a /sparql query waits on its query worker for up to QUERY_TIMEOUT; other
            # requests must be served meanwhile, so each gunicorn worker handles several at once.
            self.cfg.set("threads", 8)
            self.cfg.set("timeout", timeout)
            self.cfg.set("accesslog", "-")
            self.cfg.set("proc_name", "hipback")

        def load(self):
            return factory()

    Server().run()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1))
@click.option("--timeout", default=30, show_default=True, type=click.IntRange(min=1),
              help="Seconds before gunicorn restarts a silent worker.")
@click.option("--debug", is_flag=True, help="Flask's development server with the debugger and reloader.")
def serve(host: str, port: int, workers: int, timeout: int, debug: bool) -> None:
    """Serve the API and pages (gunicorn; Flask's server only with --debug)."""
    settings = config.from_env()
    embedded = settings.get("STORE") == "embedded"
    if embedded and settings.get("UPDATE_TOKEN") and workers > 1 and not debug:
        # Each gunicorn worker holds its own copy of the embedded store: an update would reach only one.
        raise click.ClickException(
            "SPARQL Update on the embedded store needs --workers 1 (each worker holds its own copy of the store); "
            "with several workers, put the data in a remote store (STORE=<query URL>)"
        )
    if host not in ("0.0.0.0", "::", "") and not settings.get("PUBLIC_URL"):
        # the address served on is one a client may name (ALLOWED_HOSTS keeps the others out)
        from .security import host_names

        allowed = host_names(settings.get("ALLOWED_HOSTS", ""))
        if "*" not in allowed and host.lower().strip("[]") not in allowed:
            os.environ["HIPBACK_ALLOWED_HOSTS"] = " ".join(sorted(allowed | {host.lower().strip("[]")}))
    missing = [str(path) for path, _ in _release_files() if not path.exists()] if embedded else []
    if missing:
        raise click.ClickException(f"release artifacts missing ({', '.join(missing)}); run `hipback build` first")
    serve_app(host, port, workers, debug=debug, timeout=timeout)


def _release_files():
    from .store import release_files

    return release_files()


from .sparql.commands import load_command, query_command  # noqa: E402

main.add_command(load_command)
main.add_command(query_command)

from .reasoner.cli import triage_command  # noqa: E402

main.add_command(triage_command)



@main.command("trace")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=config.ROOT / "docs" / "traceability.md",
              show_default=True, help="Where to write the sentence-by-sentence traceability document.")
def trace_command(out: Path) -> None:
    """Write docs/traceability.md: every sentence of the article and the terms that rest on it."""
    from . import trace

    sentences = trace.write(out)
    untraced = [s for s in sentences if not s.terms]
    click.echo(f"{len(sentences)} sentences, {len(untraced)} not traced, written to {out}")
    if untraced:
        raise SystemExit(1)


if __name__ == "__main__":
    sys.exit(main())
