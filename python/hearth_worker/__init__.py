"""Hearth's Python worker library: standard library only, RunPod worker protocol compatible.

    import hearth_worker

    def setup():                    # optional: run once per worker before its first job
        global model                #   (or the manifest's setup: handler.py:load)
        model = load_model()

    def handler(job):               # job = {"id": ..., "input": {...}}
        return model(job["input"])  # or yield chunks, or async def

Run it with ``python -m hearth_worker handler.py:handler`` (what the control plane does for ``handler:`` manifests),
or call ``hearth_worker.serve(handler)`` from your own script.
"""

import time

# When this process started running Python code of its own: the end of the "process" phase of a cold start.
STARTED = time.time()

import sys  # noqa: E402 - after the clock reading above, on purpose
import threading  # noqa: E402

from ._version import __version__  # noqa: E402
from .worker import ConfigError, Worker, current_worker, report_unhealthy

__all__ = ["serve", "progress_update", "is_cancelled", "report_unhealthy", "Worker", "ConfigError", "__version__"]


def serve(handler, *, concurrency=None, batch_size=None, _handler_name=None, _boot=None):
    """Run the worker loop for ``handler`` until the control plane stops this worker, then exit the process.

    Configured from the RUNPOD_* variables the control plane sets; ``concurrency`` (default: HEARTH_CONCURRENCY or
    1) is how many jobs run at once, in threads. SIGTERM/SIGINT: no new jobs, in-flight jobs finish and their results
    are posted, exit 0.

    ``batch_size`` (default: HEARTH_BATCH_MAX_SIZE, set from the manifest's ``batch.maxSize``) makes ``handler`` a
    batch handler: it is called with a list of up to that many inputs and must return a list with one output per
    input, in order; a different length fails every job of the batch.

    ``_boot``: when the process started, the handler was imported and setup() returned (epoch seconds), reported with
    the first take so that the control plane can show the phases of this cold start.
    """
    try:
        worker = Worker(handler, concurrency=concurrency, batch_size=batch_size, handler_name=_handler_name,
                        boot=_boot)
    except ConfigError as err:
        sys.stderr.write("hearth_worker: %s\n" % err)
        sys.stderr.flush()
        raise SystemExit(2)
    code = worker.run()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.current_thread()):
        # A thread the handler started would keep the process alive: a worker that has stopped must go.
        import os
        os._exit(code)
    raise SystemExit(code)


def progress_update(job, output):
    """Report progress for a running job: ``/status`` shows ``output`` while the job is IN_PROGRESS.

    Returns True when the control plane accepted it.
    """
    worker = current_worker()
    if worker is None:
        return False
    return worker.progress(job, output)


def is_cancelled(job):
    """True once the control plane asked to stop this job (cancelled or timed out): return early, the result
    will not be used."""
    worker = current_worker()
    if worker is None:
        return False
    return worker.is_cancelled(job["id"] if isinstance(job, dict) else job)
