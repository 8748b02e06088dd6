"""The body of a query worker process: load a snapshot of the store, then run jobs from a pipe.

An update job (``execute.UpdateJob``) is applied to a fresh copy of the snapshot and answered
with the new content, so updates too are bounded by the timeout and the caps below.

Started as ``python -m hipback.sparql.worker FD GENERATION PATH SEALED MEMORY_MB`` (runner.py),
so the process holds no copy of the parent's threads or locks; FD is its end of a socket pair.
A snapshot is an N-Quads file written by the parent; each job names the snapshot it expects,
and a worker whose copy is older reloads first (after an update).

The worker's store holds the named graphs only; a query without a dataset reads their union as its
default graph (the engine's union flag), one with ``FROM`` what ``FROM`` names (``execute.run``).
A store with a copy of the union in its default graph would hold every quad twice: twice the
memory, and joins that walk twice as many entries (a 60-row join of the ontology: 2.85 ms against
1.40 ms, bench/results/sparql-path.md).

Two bounds are set once the store is loaded:

- ``MEMORY_MB`` > 0 caps the address space (``RLIMIT_AS``): a query that needs more fails
  in this process, never in the web worker.
- ``SEALED`` = 1 leaves the process no free file descriptor: every number below the
  descriptor limit is taken (by ``/dev/null``), and the limit (soft and hard; nothing in the
  worker raises it again) is set just above them. Opening a socket needs
  a descriptor, so neither ``SERVICE`` nor ``LOAD`` can reach the network, whatever text the
  guard was shown. One ``/dev/null`` descriptor is the spare: closed for the moment a new
  snapshot is read, then taken again.
"""
from __future__ import annotations

import os

_SPARE: list[int] = []


def _load(path: str):
    import pyoxigraph as ox

    store = ox.Store()
    spare = _SPARE.pop() if _SPARE else None
    if spare is not None:
        os.close(spare)  # the one free descriptor number: the snapshot file takes it
    try:
        with open(path, "rb") as handle:
            store.bulk_load(handle, format=ox.RdfFormat.N_QUADS)
    finally:
        if spare is not None:
            _SPARE.append(os.open(os.devnull, os.O_RDONLY))
    return store


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this process when its parent goes (PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def cap_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` (0: no cap)."""
    import resource

    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def seal() -> None:
    """Take every free descriptor number and set the descriptor limit just above them."""
    import resource

    top = max(int(fd) for fd in os.listdir("/proc/self/fd"))
    fd = -1
    while fd <= top:  # descriptors come lowest first: this fills every gap, then takes top + 1
        fd = os.open(os.devnull, os.O_RDONLY)
    resource.setrlimit(resource.RLIMIT_NOFILE, (fd + 1, fd + 1))
    _SPARE.append(fd)


def main(conn, snapshot: tuple[int, str], sealed: bool = True, memory_mb: int = 0) -> None:
    """Serve jobs until the pipe closes. Messages in: (generation, path, Job); out: Outcome."""
    from . import guard  # noqa: F401  (everything a job needs is imported before sealing)
    from .execute import Outcome, UpdateJob, prepare, run, run_update

    _die_with_parent()
    prepare()
    generation, path = snapshot
    try:
        store = _load(path)
    except OSError:  # the pool closed (and removed its snapshot) while this worker started
        return
    cap_memory(memory_mb)
    if sealed:
        seal()
    try:
        conn.send(("ready", generation))
    except OSError:
        return
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        job_generation, job_path, job = message
        try:
            if isinstance(job, UpdateJob):  # on a plain copy of the snapshot; this worker's store stays
                outcome = run_update(_load(job_path), job)
            else:
                if job_generation != generation:
                    store = None
                    store = _load(job_path)
                    generation = job_generation
                outcome = run(store, job, sealed=sealed)
        except MemoryError:
            outcome = Outcome(503, message="The query needed more memory than a query worker has "
                                           "(setting QUERY_MEMORY); narrow it, or add a LIMIT.")
        except Exception as error:  # a worker answers every job, whatever happens
            outcome = Outcome(500, message=f"The query failed in the engine: {type(error).__name__}")
        try:
            conn.send(outcome)
        except OSError:  # the parent gave up on this job and closed the pipe
            return


if __name__ == "__main__":
    import sys
    from multiprocessing.connection import Connection

    args = sys.argv[1:]
    main(Connection(int(args[0])), (int(args[1]), args[2]),
         sealed=(args[3] == "1") if len(args) > 3 else True,
         memory_mb=int(args[4]) if len(args) > 4 else 0)
