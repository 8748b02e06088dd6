"""Bounded query execution: a small pool of worker processes that can be killed.

pyoxigraph cannot interrupt a running query, so each /sparql query runs in a worker
process. The request thread sends the job and waits at most QUERY_TIMEOUT seconds; past
that the worker is killed, a fresh one is started in the background, and the client gets
503. Other requests meanwhile use the other workers, or wait for one to come free (within
their own timeout). Workers load an N-Quads snapshot of the
parent's store, so what /sparql sees is exactly what the rest of the service sees.
Workers are plain subprocesses (``python -m hipback.sparql.worker``): nothing of the
parent's threads, locks or ``__main__`` is carried into them.
"""
from __future__ import annotations

import atexit
import hashlib
import logging
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from ..errors import ApiError
from . import guard
from .execute import Job, Outcome

log = logging.getLogger(__name__)
_PROJECT = str(Path(__file__).resolve().parents[2])


class _Worker:
    """One worker: ``python -m hipback.sparql.worker`` with a socket pair for its pipe.

    A plain subprocess rather than multiprocessing's spawn, which would re-import the
    parent's ``__main__`` (a script, gunicorn, pytest) in every worker.
    """

    def __init__(self, snapshot: tuple[int, str], sealed: bool = True, memory_mb: int = 0):
        parent_sock, child_sock = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PROJECT, env.get("PYTHONPATH", "")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hipback.sparql.worker", str(child_sock.fileno()), str(snapshot[0]), snapshot[1],
             "1" if sealed else "0", str(int(memory_mb))],
            pass_fds=[child_sock.fileno()],
            env=env,
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        child_sock.close()
        self._sock = parent_sock
        self.conn = Connection(os.dup(parent_sock.fileno()))
        parent_sock.close()
        self.generation = None

    def wait_ready(self, timeout: float | None = None) -> bool:
        try:
            if not self.conn.poll(timeout):
                return False
            message = self.conn.recv()
        except (EOFError, OSError):
            return False
        self.generation = message[1]
        return True

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        finally:
            self.conn.close()


_PREFIX = "hipback-sparql-"


def _sweep_stale_snapshots() -> None:
    """Remove the snapshot directories of processes that ended without closing their pool."""
    for path in Path(tempfile.gettempdir()).glob(_PREFIX + "*"):
        try:
            pid = int((path / "pid").read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except (OSError, ValueError):
            continue


#: a query whose shape answered within this many seconds last time may use the light lane
LIGHT_SECONDS = 0.25
#: shapes remembered per pool (the oldest forgotten first)
SHAPES = 10_000
_SHAPE_TOKENS = re.compile(r"""<[^<>"{}|^`\\\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"""
                           r"|\b[A-Za-z][\w.-]*:[\w.-]+|#[^\n]*|\s+")


def shape(text: str) -> str:
    """The query with its constants taken out: IRIs, literals, numbers and prefixed names become
    placeholders, comments and runs of space go. Lookups that differ only in the term they name have
    one shape, and so one record of how fast they run. Texts up to ``CACHED_SHAPE`` characters have
    their shape remembered (a client sends the same query again and again)."""
    return _cached_shape(text) if len(text) <= CACHED_SHAPE else _shape(text)


#: the longest query text whose shape is remembered (at most 1,024 of them: a few MB at most)
CACHED_SHAPE = 4096


@lru_cache(maxsize=1024)
def _cached_shape(text: str) -> str:
    return _shape(text)


def _shape(text: str) -> str:
    def placeholder(match: re.Match) -> str:
        token = match.group(0)
        if token[0] == "#":
            return " "
        if token[0].isspace():
            return " "
        return "<>" if token[0] in "<\"'" or ":" in token else "0"

    normal = _SHAPE_TOKENS.sub(placeholder, text).strip()
    return hashlib.sha1(normal.encode("utf-8", "surrogatepass")).hexdigest()


class Pool:
    """QUERY_WORKERS processes over a snapshot of an embedded pyoxigraph store, and a light lane.

    ``sealed``: the workers cannot open sockets (worker.py), so SERVICE and LOAD cannot reach
    the network; a pool whose queries may call allowed SERVICE endpoints is not sealed.
    ``memory_mb``: each worker's address-space cap (0: none).

    Admission is by time, not by count: a request waits for a free worker up to its ``wait``
    (QUEUE_WAIT, never past its timeout) and is answered 503 with Retry-After only past it. At
    most ``max_waiting`` requests wait at once (each holds a web thread and a few KB); one more is
    answered 503 at once.

    ``light`` more workers form a lane kept for queries whose shape (``shape``) answered within
    LIGHT_SECONDS last time it ran: runaway queries of shapes never seen fast cannot take them, so a
    lookup still answers while every general worker is held by a query running to its timeout. A
    fast-shaped query takes a light worker when one is free, else a general one; any other query
    waits for a general worker.
    """

    def __init__(self, snapshot: bytes, workers: int = 2, start_timeout: float = 600.0,
                 sealed: bool = True, memory_mb: int = 0, light: int = 0, max_waiting: int = 256):
        self.size = max(1, int(workers))
        self.light = max(0, int(light))
        self.max_waiting = max(1, int(max_waiting))
        self.start_timeout = start_timeout
        self.sealed = sealed
        self.memory_mb = memory_mb
        self._waiting = 0
        _sweep_stale_snapshots()
        self._dir = tempfile.mkdtemp(prefix=_PREFIX)
        with open(os.path.join(self._dir, "pid"), "w") as handle:
            handle.write(str(os.getpid()))
        self._lock = threading.Lock()
        self._free = threading.Condition(self._lock)
        self._generation = 0
        self._snapshot = self._write_snapshot(snapshot)
        # Workers die with the thread that started them (PR_SET_PDEATHSIG counts threads), so
        # one long-lived thread starts them all, never a request thread that is about to end.
        self._spawner = ThreadPoolExecutor(1, thread_name_prefix="sparql-spawner")
        self._idle: dict[str, list[_Worker]] = {"general": [], "light": []}
        self._all: set[_Worker] = set()
        self._fast: OrderedDict[str, bool] = OrderedDict()
        self.killed = 0
        self.closed = False
        atexit.register(self.close)
        lanes = ["general"] * self.size + ["light"] * self.light
        started = [(self._spawn(), lane) for lane in lanes]
        for w, lane in started:
            if not w.wait_ready(start_timeout):
                raise RuntimeError("a query worker did not start")
            self._give(w, lane)

    # snapshots -------------------------------------------------------------------------
    def _write_snapshot(self, snapshot: bytes) -> tuple[int, str]:
        self._generation += 1
        path = os.path.join(self._dir, f"snapshot-{self._generation}.nq")
        with open(path, "wb") as handle:
            handle.write(snapshot)
        return (self._generation, path)

    def refresh(self, snapshot: bytes) -> None:
        """Take a new snapshot (after an update); workers reload it before their next job."""
        with self._lock:
            old = self._snapshot[1]
            self._snapshot = self._write_snapshot(snapshot)
            self._fast.clear()  # new content: what ran fast may not any more
        # a worker still loading the old file has it open already; unlinking is safe on POSIX
        try:
            os.unlink(old)
        except OSError:
            pass

    # workers ---------------------------------------------------------------------------
    def _spawn(self) -> _Worker:
        w = self._spawner.submit(_Worker, self._snapshot, self.sealed, self.memory_mb).result()
        with self._lock:
            self._all.add(w)
        return w

    def _give(self, w: _Worker, lane: str) -> None:
        with self._free:
            self._idle[lane].append(w)
            self._free.notify_all()  # a waiter for either lane may take it

    def idle(self, lane: str = "general") -> int:
        with self._lock:
            return len(self._idle[lane])

    def _replace(self, dead: _Worker, lane: str) -> None:
        """Kill ``dead`` and start a replacement for its lane in the background."""
        with self._lock:
            self._all.discard(dead)
        dead.kill()
        self.killed += 1

        def start():
            if self.closed:
                return
            try:
                w = self._spawn()
            except (RuntimeError, OSError):  # the pool closed meanwhile
                return
            if w.wait_ready(self.start_timeout) and not self.closed:
                self._give(w, lane)
            else:
                with self._lock:
                    self._all.discard(w)
                w.kill()

        threading.Thread(target=start, name="sparql-worker-start", daemon=True).start()

    def _take(self, light: bool, deadline: float) -> tuple[_Worker, str] | None:
        """A free worker (a light one first for a fast shape), waiting until ``deadline``; None past it."""
        with self._free:
            if self._waiting >= self.max_waiting:
                raise ApiError(503, f"{self._waiting} requests are already waiting for a query worker (setting "
                                    "QUERY_MAX_WAITING); try again shortly.", headers={"Retry-After": "1"})
            self._waiting += 1
            try:
                while True:
                    if light and self._idle["light"]:
                        return self._idle["light"].pop(0), "light"
                    if self._idle["general"]:
                        return self._idle["general"].pop(0), "general"
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return None
                    self._free.wait(remaining)
            finally:
                self._waiting -= 1

    def _record(self, key: str | None, seconds: float) -> None:
        if key is None:
            return
        with self._lock:
            if seconds <= LIGHT_SECONDS:
                self._fast[key] = True
                self._fast.move_to_end(key)
                while len(self._fast) > SHAPES:
                    self._fast.popitem(last=False)
            else:
                self._fast.pop(key, None)

    def is_fast(self, key: str | None) -> bool:
        with self._lock:
            return key is not None and key in self._fast

    def run(self, job: Job, timeout: float, wait: float | None = None) -> Outcome:
        """Run ``job`` within ``timeout`` seconds, after waiting at most ``wait`` (default: the timeout) for
        a worker; 503 with Retry-After past the wait, 503 when the job itself runs over."""
        started = time.monotonic()
        wait = timeout if wait is None else min(wait, timeout)
        key = shape(job.query) if isinstance(job, Job) and self.light else None
        taken = self._take(self.is_fast(key), started + wait)
        if taken is None:
            raise ApiError(
                503,
                f"Every query worker stayed busy for {wait:g} s (setting QUEUE_WAIT); try again shortly.",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        w, lane = taken
        deadline = started + timeout
        if deadline - time.monotonic() <= 0.001:  # no time left to run: the worker goes back unharmed
            self._give(w, lane)
            raise ApiError(503, f"The wait for a query worker took the whole {timeout:g} s (setting QUERY_TIMEOUT); "
                                "try again shortly.", headers={"Retry-After": "1"})
        generation, path = self._snapshot
        ran = time.monotonic()
        try:
            w.conn.send((generation, path, job))
            if w.conn.poll(max(deadline - time.monotonic(), 0)):
                outcome = w.conn.recv()
                self._give(w, lane)
                self._record(key, time.monotonic() - ran)
                return outcome
        except (EOFError, OSError, BrokenPipeError):
            self._replace(w, lane)
            self._record(key, float("inf"))
            hint = " (a query that needs more memory than QUERY_MEMORY stops its worker)" if self.memory_mb else ""
            raise ApiError(503, f"The query worker stopped unexpectedly{hint}; try again.") from None
        self._replace(w, lane)
        self._record(key, float("inf"))
        raise ApiError(
            503,
            f"The query ran longer than {timeout:g} s (setting QUERY_TIMEOUT) and was stopped. "
            "Narrow it, or add a LIMIT.",
        )

    def close(self) -> None:
        self.closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
        self._spawner.shutdown(wait=False)
        shutil.rmtree(self._dir, ignore_errors=True)


def snapshot_of(store: ox.Store) -> tuple[str, bytes]:
    """The store as N-Quads, and a digest that names its content.

    Two loads of the same files give different blank node labels, so the quads are first
    canonicalized (blank nodes relabelled from the graph's structure) and sorted: stores
    with the same content get the same digest and can share a pool.
    """
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    lines = sorted((ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b"").splitlines())
    data = b"\n".join(lines) + (b"\n" if lines else b"")
    return hashlib.sha256(data).hexdigest(), data


@dataclass(frozen=True)
class Options:
    """How a pool is made (settings QUERY_WORKERS, SERVICE_ALLOWLIST, QUERY_MEMORY, QUERY_LIGHT_WORKERS,
    QUERY_MAX_WAITING); apps share a pool only when their content and options agree."""

    workers: int = 2
    sealed: bool = True
    memory_mb: int = 0
    light: int = 0
    max_waiting: int = 256

    def pool(self, data: bytes) -> Pool:
        return Pool(data, self.workers, sealed=self.sealed, memory_mb=self.memory_mb, light=self.light,
                    max_waiting=self.max_waiting)


def default_workers() -> int:
    """QUERY_WORKERS = 0: one query worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class _Shared:
    """Pools shared by every app of the process whose store holds the same quads.

    A test session or an embedding program may create many apps over one release; they
    share one pool instead of starting QUERY_WORKERS processes each. A pool is closed when
    its last app lets go of it (an update moves an app to a pool of its new content).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.pools: dict[tuple, Pool] = {}
        self.users: dict[tuple, int] = {}

    def acquire(self, digest: str, data: bytes, options: Options) -> tuple[tuple, Pool]:
        key = (digest, options)
        with self.lock:
            pool = self.pools.get(key)
            if pool is None or pool.closed:
                pool = self.pools[key] = options.pool(data)
                self.users[key] = 0
            self.users[key] += 1
            return key, pool

    def release(self, key: tuple) -> None:
        with self.lock:
            self.users[key] = self.users.get(key, 1) - 1
            if self.users[key] > 0:
                return
            pool = self.pools.pop(key, None)
            self.users.pop(key, None)
        if pool is not None:
            pool.close()

    def refresh_private(self, key: tuple, digest: str, data: bytes) -> tuple | None:
        """Give the pool of ``key`` new content in place when one app alone uses it; its new key, or None."""
        new = (digest, *key[1:])
        with self.lock:
            if self.users.get(key) != 1 or new in self.pools:
                return None
            pool = self.pools.pop(key)
            del self.users[key]
            self.pools[new], self.users[new] = pool, 1
        pool.refresh(data)
        return new


SHARED = _Shared()


class Embedded:
    """/sparql on the embedded store: queries and updates run in a (shared) pool.

    A runner's interface, shared with ``remote.Remote``: ``check_query`` (what the web worker must
    know of a query before it runs), ``run``, ``update`` and ``close``.

    An update runs in a worker on a copy of the snapshot, bounded like a query; the worker
    answers the new content, which replaces the app's store (``holder.store``) at once.
    """

    #: the guard parses each query and update in the worker, under its timeout and memory cap
    guards_in_worker = True

    def __init__(self, holder, options: Options, wait: float | None = None):
        self.holder = holder  # the app's EmbeddedStore; its ``store`` is replaced by an update
        self.options = options
        self.wait = wait
        digest = getattr(holder, "digest", None)
        if digest is not None:  # loaded from files: their digest names the content, and no relabelling is needed
            data = ox.serialize(holder.store, format=ox.RdfFormat.N_QUADS) or b""
        else:
            digest, data = snapshot_of(holder.store)
        self.key, self.pool = SHARED.acquire(digest, data, options)
        del data  # the pool wrote it to its snapshot file
        self._update_lock = threading.Lock()

    @property
    def store(self) -> ox.Store:
        return self.holder.store

    def check_query(self, text: str, base: str | None, allowlist) -> guard.Facts:
        """Nothing to read here: the guard parses in the query worker, under the query's timeout and
        memory cap, and the worker reads FROM itself."""
        return guard.Facts(form=None, parsed=False)

    def run(self, job: Job, timeout: float) -> Outcome:
        return self.pool.run(job, timeout, self.wait)

    def update(self, text: str, base: str | None, using: list[str], using_named: list[str], timeout: float,
               allowlist: tuple[str, ...] = (), protected: tuple[str, ...] = (), check=None) -> None:
        """Apply an update in a worker, bounded like a query; then load its answer, in time linear in its size.

        The guard runs in the worker (``UpdateJob``), under the same bounds. ``check(store, applied)``,
        when given, sees the new content (an ``EmbeddedStore``) before it replaces the app's, with
        ``applied`` False; an ApiError it raises refuses the update, and nothing of it is kept.

        The new content is not canonicalized here (``snapshot_of``): its digest is that of the bytes the
        worker wrote, so an updated store shares no pool with another app, and no blank-node puzzle an
        update writes can stall the web worker. A refused or failed update leaves the store as it was.
        """
        from .execute import UpdateJob

        if using or using_named:
            raise ApiError(
                400,
                "using-graph-uri and using-named-graph-uri are not supported by the embedded store; "
                "write USING / USING NAMED in the update instead.",
            )
        with self._update_lock:
            outcome = self.pool.run(UpdateJob(text, base, tuple(allowlist), protected=tuple(protected)), timeout,
                                    self.wait)
            if not outcome.ok:
                raise ApiError(outcome.status, outcome.message)
            data = outcome.body
            store = ox.Store()
            store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            if check is not None:
                from ..store import EmbeddedStore

                check(EmbeddedStore.of(store), False)
            self.holder.store = store
            self.holder.digest = None  # the files no longer name the content
            digest = "written-" + hashlib.sha256(data).hexdigest()
            moved = SHARED.refresh_private(self.key, digest, data)
            if moved is not None:
                self.key = moved
                return
            old = self.key
            self.key, self.pool = SHARED.acquire(digest, data, self.options)
            SHARED.release(old)

    def close(self) -> None:
        SHARED.release(self.key)


_LOCK = threading.Lock()


def for_app(app):
    """The app's /sparql runner (a worker pool, or a forwarder to the remote store), made on first use."""
    app = getattr(app, "_get_current_object", lambda: app)()  # current_app is a proxy
    runner = app.extensions.get("hipback.sparql")
    if runner is not None:
        return runner
    with _LOCK:
        runner = app.extensions.get("hipback.sparql")
        if runner is None:
            store = app.extensions["hipback.store"]
            if getattr(store, "kind", "") == "remote":
                from .remote import Remote

                runner = Remote(store.url, str(app.config.get("STORE_UPDATE_URL") or ""), store)
            else:
                from .guard import allowlist

                # workers that may call no SERVICE endpoint are sealed off the network
                sealed = not allowlist(app.config.get("SERVICE_ALLOWLIST", ""))
                c = app.config
                options = Options(workers=int(c.get("QUERY_WORKERS", 0)) or default_workers(), sealed=sealed,
                                  memory_mb=int(c.get("QUERY_MEMORY", 0)), light=int(c.get("QUERY_LIGHT_WORKERS", 1)),
                                  max_waiting=int(c.get("QUERY_MAX_WAITING", 256)))
                runner = Embedded(store, options, float(c.get("QUEUE_WAIT", 3.0)))
                weakref.finalize(app, runner.close)
            app.extensions["hipback.sparql"] = runner
    return runner
