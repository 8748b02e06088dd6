"""Helpers for the SPARQL endpoint tests: an Oxigraph server started on 127.0.0.1, and the
W3C protocol tests' stand-in data (tests/data/kasei/) as a SPARQL Update.

The endpoint itself is served by the ``live_server_factory`` fixture (tests/conftest.py).
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rdflib
import requests

from conftest import free_port

DATA = Path(__file__).resolve().parent / "data"
KASEI = "http://kasei.us/2009/09/sparql/data/"
START_TIMEOUT = 30.0


def oxigraph_binary() -> str:
    here = Path(sys.executable).with_name("oxigraph")
    return str(here) if here.exists() else (shutil.which("oxigraph") or "oxigraph")


class OxigraphServer:
    """``oxigraph serve`` on a free port, with its own directory; stopped by ``stop()``."""

    def __init__(self, timeout_s: int | None = None):
        self.dir = tempfile.mkdtemp(prefix="hipback-oxigraph-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url = self.url + "/query"
        self.update_url = self.url + "/update"
        self.store_url = self.url + "/store"
        self.log = open(Path(self.dir) / "server.log", "wb")
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(Path(self.dir) / "db"),
             "--bind", f"127.0.0.1:{self.port}", "--union-default-graph"]
            + (["--timeout-s", str(timeout_s)] if timeout_s else []),
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        delay = 0.01
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited with {self.process.returncode}")
            try:
                if requests.get(self.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        self.stop()
        raise RuntimeError("oxigraph did not answer in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql}
ServerThreads = 20
CheckpointInterval = 60
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {dir}
MaxClientConnections = 20
ServerThreads = 20

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 30
"""


#: saved queries Debian's Virtuoso 7.2.5 answers differently from the SPARQL 1.1 semantics, with the reason
VIRTUOSO_LIMITS = {
    "conditions-sharing-a-finding": "Virtuoso 7.2.5 answers `rdfs:subClassOf+ hb:Condition ; rdfs:subClassOf* ?a` "
                                    "joined to a blank-node restriction with 1 row where the standard gives 36",
    "findings-by-location": "Virtuoso 7.2.5 answers `rdfs:subClassOf+ hb:Finding` joined to a UNION of blank-node "
                            "restrictions (one through `rdf:rest*/rdf:first`) with no rows where the standard gives 23",
}


#: why saved queries' row counts differ on Virtuoso 7.2.5 (docs/sparql.md, "A remote store")
VIRTUOSO_COUNTS = "its property paths and joins over blank-node restrictions give other row counts than the standard's"


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


class VirtuosoServer:
    """Debian's Virtuoso 7 (``virtuoso-t``) on free loopback ports, with its own database directory; the
    SPARQL user may update (Virtuoso's /sparql takes queries and updates alike). Stopped by ``stop()``."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hipback-virtuoso-")
        self.isql_port, self.port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url = self.update_url = self.url + "/sparql"
        ini = Path(self.dir) / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(dir=self.dir, isql=self.isql_port, http=self.port))
        self.log = open(Path(self.dir) / "server.log", "wb")
        self.process = subprocess.Popen([virtuoso_binary() or "virtuoso-t", "+foreground", "+configfile", str(ini)],
                                        cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait()
        isql = shutil.which("isql-vt") or "isql-vt"
        subprocess.run([isql, f"127.0.0.1:{self.isql_port}", "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
                       check=True, capture_output=True, timeout=60)

    def _wait(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}")
            try:
                if requests.get(self.query_url, params={"query": "ASK { ?s ?p ?o }"}, timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("virtuoso did not answer in time")

    def stop(self) -> None:
        OxigraphServer.stop(self)


def kasei_insert() -> str:
    """INSERT DATA that puts each tests/data/kasei/dataN.rdf into the named graph of its kasei.us IRI."""
    parts = []
    for path in sorted((DATA / "kasei").glob("data*.rdf")):
        graph = rdflib.Graph().parse(path, format="xml")
        triples = graph.serialize(format="nt")
        parts.append(f"GRAPH <{KASEI}{path.name}> {{\n{triples}}}")
    return "INSERT DATA {\n" + "\n".join(parts) + "\n}"


def load_kasei(base_url: str, token: str) -> None:
    response = requests.post(
        base_url + "/sparql/update",
        data=kasei_insert().encode("utf-8"),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


class Listener:
    """A TCP port on 127.0.0.1 that records whether anything connected to it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.setblocking(False)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def was_contacted(self) -> bool:
        try:
            connection, _ = self.sock.accept()
        except BlockingIOError:
            return False
        connection.close()
        return True

    def close(self):
        self.sock.close()
