"""The body of a query worker process: load a snapshot of the store, then run jobs from a pipe.

Started as ``python -m service.sparql.worker FD GENERATION PATH`` (runner.py), so the
process holds no copy of the parent's threads or locks; FD is its end of a socket pair. A snapshot is an N-Quads file
written by the parent; each job names the snapshot it expects, and a worker whose copy is
older reloads first (after an update).
"""
from __future__ import annotations


def _load(path: str):
    import pyoxigraph as ox

    store = ox.Store()
    with open(path, "rb") as handle:
        store.bulk_load(handle, format=ox.RdfFormat.N_QUADS)
    return store


def _die_with_parent() -> None:
    """On Linux, ask the kernel to kill this process when its parent goes (PR_SET_PDEATHSIG)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def main(conn, snapshot: tuple[int, str]) -> None:
    """Serve jobs until the pipe closes. Messages in: (generation, path, Job); out: Outcome."""
    from .execute import Outcome, run

    _die_with_parent()
    generation, path = snapshot
    try:
        store = _load(path)
    except OSError:  # the pool closed (and removed its snapshot) while this worker started
        return
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
            if job_generation != generation:
                store = _load(job_path)
                generation = job_generation
            outcome = run(store, job)
        except Exception as error:  # a worker answers every job, whatever happens
            outcome = Outcome(500, message=f"The query failed in the engine: {type(error).__name__}")
        try:
            conn.send(outcome)
        except OSError:  # the parent gave up on this job and closed the pipe
            return


if __name__ == "__main__":
    import sys
    from multiprocessing.connection import Connection

    main(Connection(int(sys.argv[1])), (int(sys.argv[2]), sys.argv[3]))
