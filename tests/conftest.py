"""Shared fixtures: the app in process, its test client, the CLI runner, and real servers.

``live_server`` is a ``hipback serve`` (gunicorn) process on a free 127.0.0.1 port,
started once per session; ``live_server_factory(settings)`` starts (and caches) one per
distinct set of settings, e.g. ``live_server_factory({"UPDATE_TOKEN": "secret"})``.
Every server is polled until /healthz answers and stopped at the end of the session.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from hipback import config, create_app

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def app():
    """One app per test module: the tests that take it only read (a test that changes an app makes its own)."""
    app = create_app({"TESTING": True})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner():
    return CliRunner()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """One ``hipback serve`` subprocess; ``url`` is its base URL without a trailing slash."""

    def __init__(self, settings: dict | None = None, workers: int = 1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        for key, value in (settings or {}).items():
            env[key if key.startswith("HIPBACK_") else "HIPBACK_" + key] = str(value)
        self.log = tempfile.NamedTemporaryFile(prefix="hipback-serve-", suffix=".log", delete=False)
        command = [
            sys.executable, "-m", "hipback.cli", "serve",
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers),
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")

    def wait_until_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        delay = 0.02
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hipback serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)
        self.stop()
        raise RuntimeError(f"hipback serve did not answer /healthz within {timeout}s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's master stops its workers on SIGTERM
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def live_server_factory():
    """Start (or reuse) a live server for a given mapping of settings; returns its base URL."""
    servers: dict[tuple, LiveServer] = {}

    def start(settings: dict | None = None, workers: int = 1) -> str:
        key = (tuple(sorted((settings or {}).items())), workers)
        if key not in servers:
            server = LiveServer(settings, workers)
            server.wait_until_ready()
            servers[key] = server
        return servers[key].url

    yield start
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def live_server(live_server_factory) -> str:
    """Base URL of a gunicorn ``hipback serve`` with the default settings."""
    return live_server_factory()


@pytest.fixture(scope="session")
def store():
    """The embedded store of the release, loaded once (tests only read it)."""
    from hipback.store import EmbeddedStore

    return EmbeddedStore()


@pytest.fixture(scope="session")
def index(store):
    """The term index of the release, built once (tests only read it; a test that changes one copies it)."""
    from hipback.terms import TermIndex

    return TermIndex.load(store)


@pytest.fixture(scope="session")
def source_graph():
    """The hand-edited ontology source, parsed once."""
    import rdflib

    return rdflib.Graph().parse(config.SOURCE_TTL, format="turtle")


@pytest.fixture(scope="module")
def oxigraph():
    """A real ``oxigraph serve`` on 127.0.0.1 loaded with the release; modules may override it."""
    from hipback.sparql.commands import load_remote
    from sparql_servers import OxigraphServer

    server = OxigraphServer()
    load_remote(server.store_url)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def virtuoso():
    """Debian's Virtuoso 7 on 127.0.0.1, loaded with the release through SPARQL Update (`make virtuoso` installs
    it; skipped with the reason where it is not installed)."""
    from hipback.sparql.commands import load_remote
    from sparql_servers import VirtuosoServer, virtuoso_binary

    if virtuoso_binary() is None:
        pytest.skip("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource-7-bin; `make test` "
                    "installs it when run as root)")
    server = VirtuosoServer()
    load_remote(server.update_url, method="update")
    yield server
    server.stop()


@pytest.fixture
def listener():
    """A port on 127.0.0.1 that tells whether anything connected to it (nothing may, for SERVICE or LOAD)."""
    from sparql_servers import Listener

    listener = Listener()
    yield listener
    listener.close()
