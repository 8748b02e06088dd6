"""Bounded query execution: a small pool of worker processes that can be killed.

pyoxigraph cannot interrupt a running query, so each /sparql query runs in a worker
process. The request thread sends the job and waits at most QUERY_TIMEOUT seconds; past
that the worker is killed, a fresh one is started in the background, and the client gets
503. Other requests meanwhile use the other workers, or wait for one to come free (within
their own timeout). Workers load an N-Quads snapshot of the
parent's store, so what /sparql sees is exactly what the rest of the service sees.
Workers are plain subprocesses (``python -m service.sparql.worker``): nothing of the
parent's threads, locks or ``__main__`` is carried into them.
"""
from __future__ import annotations

import atexit
import hashlib
import logging
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from ..errors import ApiError
from .execute import Job, Outcome

log = logging.getLogger(__name__)
_PROJECT = str(Path(__file__).resolve().parents[2])


class _Worker:
    """One worker: ``python -m service.sparql.worker`` with a socket pair for its pipe.

    A plain subprocess rather than multiprocessing's spawn, which would re-import the
    parent's ``__main__`` (a script, gunicorn, pytest) in every worker.
    """

    def __init__(self, snapshot: tuple[int, str], sealed: bool = True, memory_mb: int = 0):
        parent_sock, child_sock = socket.socketpair()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [_PROJECT, env.get("PYTHONPATH", "")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.sparql.worker", str(child_sock.fileno()), str(snapshot[0]), snapshot[1],
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


class Pool:
    """QUERY_WORKERS processes over a snapshot of an embedded pyoxigraph store.

    ``sealed``: the workers cannot open sockets (worker.py), so SERVICE and LOAD cannot reach
    the network; a pool whose queries may call allowed SERVICE endpoints is not sealed.
    ``memory_mb``: each worker's address-space cap (0: none). At most ``size`` requests wait
    for a worker at once; one more is answered 503 at once, so waiting requests do not hold
    every web thread.
    """

    def __init__(self, snapshot: bytes, workers: int = 2, start_timeout: float = 600.0,
                 sealed: bool = True, memory_mb: int = 0):
        self.size = max(1, int(workers))
        self.start_timeout = start_timeout
        self.sealed = sealed
        self.memory_mb = memory_mb
        self._waiting = 0
        _sweep_stale_snapshots()
        self._dir = tempfile.mkdtemp(prefix=_PREFIX)
        with open(os.path.join(self._dir, "pid"), "w") as handle:
            handle.write(str(os.getpid()))
        self._lock = threading.Lock()
        self._generation = 0
        self._snapshot = self._write_snapshot(snapshot)
        # Workers die with the thread that started them (PR_SET_PDEATHSIG counts threads), so
        # one long-lived thread starts them all, never a request thread that is about to end.
        self._spawner = ThreadPoolExecutor(1, thread_name_prefix="sparql-spawner")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self.killed = 0
        self.closed = False
        atexit.register(self.close)
        started = [self._spawn() for _ in range(self.size)]
        for w in started:
            if not w.wait_ready(start_timeout):
                raise RuntimeError("a query worker did not start")
            self._idle.put(w)

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

    def _replace(self, dead: _Worker) -> None:
        """Kill ``dead`` and start a replacement in the background."""
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
                self._idle.put(w)
            else:
                with self._lock:
                    self._all.discard(w)
                w.kill()

        threading.Thread(target=start, name="sparql-worker-start", daemon=True).start()

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run ``job``, answering 503 when it (with its wait for a worker) takes over ``timeout``."""
        deadline = time.monotonic() + timeout
        busy = ApiError(
            503,
            f"Every query worker stayed busy for {timeout:g} s (setting QUERY_TIMEOUT); try again shortly.",
            headers={"Retry-After": "1"},
        )
        with self._lock:
            full = self._idle.empty() and self._waiting >= self.size
            if not full:
                self._waiting += 1
        if full:
            raise ApiError(503, "Every query worker is busy and as many requests are waiting; try again shortly.",
                           headers={"Retry-After": "1"})
        try:
            w = self._idle.get(timeout=max(timeout, 0.001))
        except queue.Empty:
            raise busy from None
        finally:
            with self._lock:
                self._waiting -= 1
        if deadline - time.monotonic() <= 0.001:  # no time left to run: the worker goes back unharmed
            self._idle.put(w)
            raise busy
        generation, path = self._snapshot
        try:
            w.conn.send((generation, path, job))
            if w.conn.poll(max(deadline - time.monotonic(), 0)):
                outcome = w.conn.recv()
                self._idle.put(w)
                return outcome
        except (EOFError, OSError, BrokenPipeError):
            self._replace(w)
            hint = " (a query that needs more memory than QUERY_MEMORY stops its worker)" if self.memory_mb else ""
            raise ApiError(503, f"The query worker stopped unexpectedly{hint}; try again.") from None
        self._replace(w)
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

    def acquire(self, digest: str, data: bytes, workers: int, sealed: bool = True,
                memory_mb: int = 0) -> tuple[tuple, Pool]:
        key = (digest, workers, sealed, memory_mb)
        with self.lock:
            pool = self.pools.get(key)
            if pool is None or pool.closed:
                pool = self.pools[key] = Pool(data, workers, sealed=sealed, memory_mb=memory_mb)
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

    An update runs in a worker on a copy of the snapshot, bounded like a query; the worker
    answers the new content, which replaces the app's store (``holder.store``) at once.
    """

    def __init__(self, holder, workers: int, sealed: bool = True, memory_mb: int = 0):
        self.holder = holder  # the app's EmbeddedStore; its ``store`` is replaced by an update
        self.workers = workers
        self.sealed = sealed
        self.memory_mb = memory_mb
        digest, data = snapshot_of(holder.store)
        self.key, self.pool = SHARED.acquire(digest, data, workers, sealed, memory_mb)
        self._update_lock = threading.Lock()

    @property
    def store(self) -> ox.Store:
        return self.holder.store

    def run(self, job: Job, timeout: float) -> Outcome:
        return self.pool.run(job, timeout)

    def update(self, text: str, base: str | None, using: list[str], using_named: list[str], timeout: float,
               allowlist: tuple[str, ...] = (), protected: tuple[str, ...] = (), check=None) -> None:
        """Apply an update in a worker, bounded like a query; then load its answer, in time linear in its size.

        ``check(store)``, when given, sees the new pyoxigraph store before it replaces the app's; an
        ApiError it raises refuses the update, and nothing of it is kept.

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
            outcome = self.pool.run(UpdateJob(text, base, tuple(allowlist), protected=tuple(protected)), timeout)
            if not outcome.ok:
                raise ApiError(outcome.status, outcome.message)
            data = outcome.body
            store = ox.Store()
            store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            if check is not None:
                check(store)
            self.holder.store = store
            digest = "written-" + hashlib.sha256(data).hexdigest()
            moved = SHARED.refresh_private(self.key, digest, data)
            if moved is not None:
                self.key = moved
                return
            old = self.key
            self.key, self.pool = SHARED.acquire(digest, data, self.workers, self.sealed, self.memory_mb)
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

                runner = Remote(store.url, str(app.config.get("STORE_UPDATE_URL") or ""))
            else:
                from .guard import allowlist

                # workers that may call no SERVICE endpoint are sealed off the network
                sealed = not allowlist(app.config.get("SERVICE_ALLOWLIST", ""))
                runner = Embedded(store, int(app.config.get("QUERY_WORKERS", 2)), sealed,
                                  int(app.config.get("QUERY_MEMORY", 0)))
                weakref.finalize(app, runner.close)
            app.extensions["hipback.sparql"] = runner
    return runner
