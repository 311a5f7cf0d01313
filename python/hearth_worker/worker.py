"""The worker loop: RunPod's serverless worker protocol, spoken the way runpod-python speaks it.

Threads:
  main       takes jobs (long-poll), and with concurrency 1 also runs them inline (no hand-off cost)
  job-N      with concurrency N > 1: run jobs handed over by the main thread
  heartbeat  pings every RUNPOD_PING_INTERVAL ms with the in-flight job ids; watches for the parent dying
  stop       long-polls the job-stop channel and marks jobs cancelled
  results    with concurrency N > 1 and a Hearth control plane: posts the results job threads hand it, all that
             are waiting in one request (HEARTH_WEBHOOK_POST_OUTPUT_BATCH), like a group commit. A job thread
             that finds no post of results in flight posts its own, and runs the next job the answer brings
             itself: a lone job then wakes one thread instead of three (see _batched)

Every thread has its own keep-alive connection(s), so a warm take -> run -> post round trip opens no sockets.
"""

import json
import os
import queue
import signal
import socket
import sys
import threading
import time
import types
from urllib.parse import quote

from . import _http, _node
from ._version import PROTOCOL_VERSION, __version__

# Seconds a take may take: the server long-polls about 30 s.
TAKE_TIMEOUT = 90.0
# Seconds a result, progress or stream POST may take (large outputs need time).
POST_TIMEOUT = 120.0
# Pauses between tries of a result POST that failed on the network or got a 5xx/429: 5 tries over about 10 s.
RESULT_RETRY_DELAYS = (0.5, 1.5, 3.0, 5.0)
# Results at most this large go into batch posts; larger ones are posted on their own.
BATCH_RESULT_MAX = 256 * 1024
# The most results in one batch post.
BATCH_MAX = 64
# Back-off when the server answers 429.
THROTTLE_SECONDS = 5.0
# A take that was in flight when the shutdown came is cut short after this long (time for a job already on its
# way to arrive).
TAKE_ABORT_GRACE = 0.25

_current = None  # the Worker running in this process, for progress_update / is_cancelled


_UNBATCHED = object()  # a result the results thread handed back, to be posted on its own


class _PendingResult:
    """A result waiting for the results thread; ``status`` is set before ``done`` is released.

    ``done`` is a lock held until the result is posted: waiting on a lock costs less than on an Event, which is a
    condition variable with a lock of its own, and a busy worker waits once per job.
    """

    __slots__ = ("jid", "body", "is_stream", "status", "done")

    def __init__(self, jid, body, is_stream):
        self.jid = jid
        self.body = body
        self.is_stream = is_stream
        self.status = None
        self.done = threading.Lock()
        self.done.acquire()


class ConfigError(Exception):
    """The environment does not describe a worker (RUNPOD_* variables missing or malformed)."""


# Imports are most of a worker's start-up time, which every cold start pays: modules that only some workers need
# (uuid, traceback, asyncio: ~4-40 ms each) are imported when first used.
def _random_id():
    import uuid
    return str(uuid.uuid4())


def _traceback():
    import traceback
    return traceback


# What a handler returned, told apart as inspect does, without importing inspect (~7 ms).
def _is_generator(out):
    return isinstance(out, types.GeneratorType)


def _is_async_generator(out):
    return isinstance(out, types.AsyncGeneratorType)


def _is_awaitable(out):
    return isinstance(out, types.CoroutineType) or hasattr(type(out), "__await__")


def _sep(path):
    return "&" if "?" in path else "?"


class Config:
    """The worker's settings, read from the RUNPOD_* / HEARTH_* variables the control plane sets."""

    def __init__(self, env=None, concurrency=None, batch_size=None):
        env = os.environ if env is None else env
        self.worker_id = env.get("RUNPOD_POD_ID") or _random_id()
        self.endpoint_id = env.get("RUNPOD_ENDPOINT_ID", "")
        self.api_key = env.get("RUNPOD_AI_API_KEY", "")
        self.hostname = env.get("RUNPOD_POD_HOSTNAME") or socket.gethostname()
        wid = self.worker_id

        take = env.get("RUNPOD_WEBHOOK_GET_JOB")
        done = env.get("RUNPOD_WEBHOOK_POST_OUTPUT")
        if not take or not done:
            raise ConfigError("RUNPOD_WEBHOOK_GET_JOB and RUNPOD_WEBHOOK_POST_OUTPUT must be set "
                              "(this process is meant to be started by the Hearth control plane)")
        try:
            self.take_target, take_path = _http.split_url(take.replace("$ID", wid))
            self.done_target, self.done_path = _http.split_url(done.replace("$RUNPOD_POD_ID", wid))
            stream = env.get("RUNPOD_WEBHOOK_POST_STREAM")
            self.stream_target, self.stream_path = (
                _http.split_url(stream.replace("$RUNPOD_POD_ID", wid)) if stream else (None, None))
            batch = env.get("HEARTH_WEBHOOK_POST_OUTPUT_BATCH")
            self.done_batch_target, self.done_batch_path = (
                _http.split_url(batch.replace("$RUNPOD_POD_ID", wid)) if batch else (None, None))
            ping = env.get("RUNPOD_WEBHOOK_PING")
            self.ping_target, self.ping_path = (
                _http.split_url(ping.replace("$RUNPOD_POD_ID", wid)) if ping else (None, None))
        except ValueError as err:
            raise ConfigError(str(err)) from None

        sep = _sep(take_path)
        self.take_path = take_path
        self.take_prefix = take_path + sep + "job_in_progress="
        if "/job-take/" in take_path:
            self.batch_prefix = take_path.replace("/job-take/", "/job-take-batch/", 1) + sep + "batch_size="
            self.stop_path = take_path.replace("/job-take/", "/job-stop/", 1)
        else:
            self.batch_prefix = None
            self.stop_path = None
        self.done_suffix = _sep(self.done_path) + "isStream="
        self.stream_suffix = _sep(self.stream_path) + "isStream=false" if self.stream_path else ""
        self.ping_sep = _sep(self.ping_path) if self.ping_path else "?"

        try:
            self.ping_interval = max(0.05, int(env.get("RUNPOD_PING_INTERVAL") or 10000) / 1000.0)
        except ValueError:
            raise ConfigError("RUNPOD_PING_INTERVAL must be milliseconds, got %r"
                              % env.get("RUNPOD_PING_INTERVAL")) from None
        if concurrency is None:
            try:
                concurrency = int(env.get("HEARTH_CONCURRENCY") or 1)
            except ValueError:
                raise ConfigError("HEARTH_CONCURRENCY must be a whole number, got %r"
                                  % env.get("HEARTH_CONCURRENCY")) from None
        self.concurrency = max(1, int(concurrency))
        if batch_size is None:
            try:
                batch_size = int(env.get("HEARTH_BATCH_MAX_SIZE") or 0)
            except ValueError:
                raise ConfigError("HEARTH_BATCH_MAX_SIZE must be a whole number, got %r"
                                  % env.get("HEARTH_BATCH_MAX_SIZE")) from None
        # 0: one job per handler call; N: the handler gets lists of up to N inputs (the manifest's batch.maxSize)
        self.batch_size = max(0, int(batch_size))

    def done_url_path(self, job_id, is_stream=False):
        return self.done_path.replace("$ID", job_id) + self.done_suffix + ("true" if is_stream else "false")

    def stream_url_path(self, job_id):
        return self.stream_path.replace("$ID", job_id) + self.stream_suffix


def boot_param(boot):
    """``hearth_boot=<started>,<imported>,<set up>``: the moments of a cold start, in epoch ms; "" without them."""
    if not boot:
        return ""
    return "hearth_boot=" + ",".join("%d" % round(t * 1000) for t in boot)


def report_unhealthy(check, reason, env=None, timeout=5.0):
    """Tell the control plane this worker cannot start: ``GET <ping>?status=unhealthy&check=..&reason=..``.

    Returns True when the control plane answered 2xx. Never raises.
    """
    env = os.environ if env is None else env
    ping = env.get("RUNPOD_WEBHOOK_PING")
    if not ping:
        return False
    try:
        target, path = _http.split_url(ping.replace("$RUNPOD_POD_ID", env.get("RUNPOD_POD_ID", "")))
        path += (_sep(path) + "status=unhealthy&check=" + quote(str(check), safe="")
                 + "&reason=" + quote(str(reason)[:2000], safe="")
                 + "&runpod_version=" + PROTOCOL_VERSION)
        client = _http.Client({"Authorization": env.get("RUNPOD_AI_API_KEY", ""),
                               "User-Agent": "hearth-worker/" + __version__})
        status, _ = client.request("GET", target, path, timeout=timeout)
        client.close()
        return 200 <= status < 300
    except Exception:  # noqa: BLE001 - best effort, the process is about to exit anyway
        return False


def _one_line(err):
    """``ValueError: boom (handler.py:12)``: an exception in one log line."""
    text = "%s: %s" % (type(err).__name__, str(err).replace("\n", " ")[:500])
    tb = err.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is not None:
        text += " (%s:%d)" % (os.path.basename(last.tb_frame.f_code.co_filename), last.tb_lineno)
    return text


def _user_frames(tb):
    """Drop the worker's own frames from the top of a traceback: users see their handler first."""
    here = os.path.dirname(os.path.abspath(__file__))
    while tb is not None and tb.tb_next is not None and \
            os.path.dirname(os.path.abspath(tb.tb_frame.f_code.co_filename)) == here:
        tb = tb.tb_next
    return tb


class _LeaseLost(Exception):
    """The server refused a stream chunk or progress update: this worker no longer holds the job."""


class Worker:
    """One worker process's loop. ``serve()`` builds one and runs it; tests drive it directly."""

    def __init__(self, handler, *, concurrency=None, env=None, handler_name=None,
                 retry_delays=RESULT_RETRY_DELAYS, install_signals=True, watch_parent=True, batch_size=None,
                 boot=None):
        if not callable(handler):
            raise TypeError("handler must be callable, got %r" % (handler,))
        self.handler = handler
        self.handler_name = handler_name or getattr(handler, "__qualname__", repr(handler))
        self.cfg = Config(env, concurrency, batch_size)
        self.batch_size = self.cfg.batch_size
        self._batches = 0         # batches in flight (batch mode)
        self.worker_id = self.cfg.worker_id
        self.concurrency = self.cfg.concurrency
        self.retry_delays = tuple(retry_delays)
        self._install_signals = install_signals
        self._watch_parent = watch_parent
        self._http = _http.Client({
            "Authorization": self.cfg.api_key,
            "Content-Type": "application/json",
            "User-Agent": "hearth-worker/%s Python/%s" % (__version__, sys.version.split()[0]),
        })
        self._lock = threading.Lock()
        self._slot_freed = threading.Condition(self._lock)
        self._inflight = {}       # job id -> job, from take until its result is posted
        self._cancelled = set()   # ids of in-flight jobs the server asked us to stop
        self._stopping = threading.Event()   # no new jobs
        self._finished = threading.Event()   # drained: background threads end
        self._take_abort = _http.Abort()
        self._stop_abort = _http.Abort()
        self._queue = queue.SimpleQueue()
        # Results waiting for the results thread; None when results are posted one by one.
        self._results = queue.SimpleQueue() if self.concurrency > 1 and self.cfg.done_batch_path else None
        self._posting = 0         # posts of results in flight, by the results thread or a job thread itself
        self._tls = threading.local()
        self._ppid = os.getppid()
        # The control plane names itself: a worker that starts after it died (its parent pid then already changed)
        # still notices.
        try:
            self._control_plane = int((env if env is not None else os.environ).get("HEARTH_CONTROL_PLANE_PID") or 0)
        except ValueError:
            self._control_plane = 0
        # Sent once, with the first take: Hearth's control plane turns it into the phases of this cold start; any
        # other server ignores an unknown query parameter.
        self._boot_param = boot_param(boot)
        self._stop_reason = None
        self._signals = 0
        self._signal_pipe = None

    # ------------------------------------------------------------------ public

    def run(self):
        """Take and run jobs until told to stop; then finish in-flight work. Returns the exit code (0)."""
        global _current
        _current = self
        threads = [threading.Thread(target=self._heartbeat_loop, name="hearth-heartbeat", daemon=True)]
        if self._install_signals and threading.current_thread() is threading.main_thread():
            # The handler only writes to a pipe (it may interrupt code holding our locks); a thread acts on it.
            self._signal_pipe = os.pipe()
            threads.append(threading.Thread(target=self._signal_loop, name="hearth-signals", daemon=True))
            self._saved_handlers = [(sig, signal.signal(sig, self._on_signal))
                                    for sig in (signal.SIGTERM, signal.SIGINT)]
        if self.cfg.stop_path:
            threads.append(threading.Thread(target=self._stop_loop, name="hearth-stop", daemon=True))
        if self.concurrency > 1:
            threads += [threading.Thread(target=self._job_thread, name="hearth-job-%d" % i, daemon=True)
                        for i in range(self.concurrency)]
        if self._results is not None:
            threads.append(threading.Thread(target=self._result_loop, name="hearth-results", daemon=True))
        for t in threads:
            t.start()
        self.log("ready: handler=%s, concurrency=%d%s" % (self.handler_name, self.concurrency,
                                                          ", batches of up to %d" % self.batch_size
                                                          if self.batch_size else ""))
        try:
            self._take_loop()
            # Drain: wait for in-flight jobs (their results are posted by the threads running them).
            with self._lock:
                while self._inflight:
                    self._slot_freed.wait(1.0)
        finally:
            self._finished.set()
            self._stop_abort.abort()
            for _ in range(self.concurrency if self.concurrency > 1 else 0):
                self._queue.put(None)
            if self._results is not None:
                self._results.put(None)
            self._release_thread()
            if self._signal_pipe:
                for sig, previous in self._saved_handlers:
                    signal.signal(sig, previous)
                os.write(self._signal_pipe[1], b"\0")  # ends the signal thread
            if _current is self:
                _current = None
        if self._stop_reason:
            self.log("exiting: %s" % self._stop_reason)
        return 0

    def shutdown(self, reason="shutdown requested", grace=0.0):
        """Stop taking jobs; in-flight jobs finish and their results are posted, then run() returns."""
        if self._stop_reason is None:
            self._stop_reason = reason
        self._stopping.set()
        with self._lock:
            self._slot_freed.notify_all()
        if grace > 0:
            t = threading.Timer(grace, self._take_abort.abort)
            t.daemon = True
            t.start()
        else:
            self._take_abort.abort()

    def is_cancelled(self, job_id):
        return job_id in self._cancelled

    def log(self, msg):
        try:
            sys.stderr.write("hearth_worker %s %s\n" % (self.worker_id, msg))
            sys.stderr.flush()
        except (OSError, ValueError):
            pass

    # ------------------------------------------------------------------ signals and lifecycle

    def _on_signal(self, signum, frame):
        self._signals += 1
        if signum == signal.SIGINT and self._signals > 1:
            os._exit(130)  # a second Ctrl-C: stop waiting for the handler
        try:
            os.write(self._signal_pipe[1], bytes((signum,)))
        except OSError:
            pass

    def _signal_loop(self):
        r, w = self._signal_pipe
        try:
            while True:
                got = os.read(r, 1)
                if not got or got == b"\0":
                    return
                self.shutdown("%s received" % signal.Signals(got[0]).name, grace=TAKE_ABORT_GRACE)
        finally:
            os.close(r)
            os.close(w)

    # ------------------------------------------------------------------ taking jobs

    def _take_loop(self):
        cfg = self.cfg
        failures = 0
        while not self._stopping.is_set():
            with self._lock:
                free = self.concurrency - (self._batches if self.batch_size else len(self._inflight))
                if free <= 0:
                    self._slot_freed.wait(1.0)
                    continue
                busy = "1" if self._inflight else "0"
            if self.batch_size and cfg.batch_prefix:
                path = cfg.batch_prefix + str(self.batch_size) + "&job_in_progress=" + busy
            elif free > 1 and cfg.batch_prefix:
                path = cfg.batch_prefix + str(free) + "&job_in_progress=" + busy
            else:
                path = cfg.take_prefix + busy
            if self._boot_param:
                path += "&" + self._boot_param
            try:
                status, body = self._http.request("GET", cfg.take_target, path, timeout=TAKE_TIMEOUT,
                                                  abort=self._take_abort)
            except _http.Aborted:
                break
            except _http.NETWORK_ERRORS as err:
                if self._stopping.is_set():
                    break
                failures += 1
                if failures == 1 or failures % 30 == 0:
                    self.log("cannot reach the control plane (%s), retrying" % (err,))
                self._stopping.wait(min(2.0, 0.05 * 2 ** min(failures, 6)))
                continue
            failures = 0
            self._boot_param = None
            if status == 200:
                self._accept(body)
            elif status == 204:
                continue
            elif status == 429:
                self._stopping.wait(THROTTLE_SECONDS)
            elif status in (401, 404):
                self.shutdown("job-take answered %d (%s)" % (
                    status, "worker revoked" if status == 401 else "function gone"))
                break
            else:
                self.log("job-take answered %d: %s" % (status, body[:200].decode("utf-8", "replace")))
                self._stopping.wait(1.0)

    def _accept(self, body):
        if not body.strip():
            return
        try:
            got = json.loads(body)
        except ValueError:
            self.log("job-take answered 200 with a body that is not JSON: %r" % (body[:200],))
            return
        self._accept_jobs(got)

    def _accept_jobs(self, got, here=False):
        """Registers taken jobs and runs or hands them over; ``here``: the calling job thread runs the first."""
        jobs = []
        for job in got if isinstance(got, list) else [got]:
            if isinstance(job, dict) and isinstance(job.get("id"), str):
                jobs.append(job)
            else:
                self.log("job-take answered a job without an id: %r" % (str(job)[:200],))
        if self.batch_size:
            self._accept_batch(jobs)
            return
        for job in jobs:
            with self._lock:
                self._inflight[job["id"]] = job
            if self.concurrency == 1:
                self._run_job(job)
            elif here:
                here = False
                mine = getattr(self._tls, "next", None)
                if mine is None:
                    mine = self._tls.next = []
                mine.append(job)
            else:
                self._queue.put(job)

    def _accept_batch(self, batch):
        if not batch:
            return
        with self._lock:
            for job in batch:
                self._inflight[job["id"]] = job
            self._batches += 1
        if self.concurrency == 1:
            self._run_batch(batch)
        else:
            self._queue.put(batch)

    def _job_thread(self):
        try:
            while True:
                job = self._queue.get()
                if job is None:
                    return
                if isinstance(job, list):
                    self._run_batch(job)
                else:
                    self._run_job(job)
                # jobs the answer to this thread's own post of results brought (see _batched)
                mine = getattr(self._tls, "next", None)
                while mine:
                    self._run_job(mine.pop(0))
        finally:
            self._release_thread()

    def _release_thread(self):
        """Close this thread's connections and event loop."""
        self._http.close()
        loop = getattr(self._tls, "loop", None)
        if loop is not None and not loop.is_closed():
            loop.close()

    # ------------------------------------------------------------------ running jobs

    def _run_job(self, job):
        jid = job["id"]
        try:
            result, is_stream = self._execute(job)
            if jid not in self._cancelled:
                self._post_result(job, result, is_stream)
        except BaseException as err:  # noqa: BLE001 - never let one job take the worker down
            if isinstance(err, (KeyboardInterrupt, SystemExit)):
                self.shutdown("handler raised %s" % type(err).__name__)
            else:
                self.log("job %s: internal error: %s" % (jid, _one_line(err)))
        finally:
            with self._lock:
                self._inflight.pop(jid, None)
                self._cancelled.discard(jid)
                # Only when a slot is free: jobs handed back with a batch of results often refill it first, and
                # waking the take loop for nothing costs a thread switch per job.
                if len(self._inflight) < self.concurrency:
                    self._slot_freed.notify_all()

    def _run_batch(self, jobs):
        try:
            results = self._execute_batch(jobs)
            for job, result in zip(jobs, results):
                if job["id"] not in self._cancelled:
                    self._post_result(job, result, False)
        except BaseException as err:  # noqa: BLE001 - never let one batch take the worker down
            if isinstance(err, (KeyboardInterrupt, SystemExit)):
                self.shutdown("handler raised %s" % type(err).__name__)
            else:
                self.log("batch of %d: internal error: %s" % (len(jobs), _one_line(err)))
        finally:
            with self._lock:
                for job in jobs:
                    self._inflight.pop(job["id"], None)
                    self._cancelled.discard(job["id"])
                self._batches -= 1
                self._slot_freed.notify_all()

    def _execute_batch(self, jobs):
        """Call the batch handler with the jobs' inputs; return one result body per job, in order.

        A handler error, or a result that is not one output per input, fails every job of the batch.
        """
        try:
            out = self.handler([job.get("input") for job in jobs])
            if _is_awaitable(out):
                out = self._loop().run_until_complete(out)
            if not isinstance(out, (list, tuple)):
                raise TypeError("a batch handler must return a list with one output per input, got %s"
                                % type(out).__name__)
            if len(out) != len(jobs):
                raise ValueError("the batch handler returned %d outputs for %d inputs; it must return one output "
                                 "per input, in the same order" % (len(out), len(jobs)))
            return [self._shape(o) for o in out]
        except (Exception, SystemExit, KeyboardInterrupt) as err:  # noqa: BLE001
            if isinstance(err, (SystemExit, KeyboardInterrupt)):
                self.shutdown("handler raised %s" % type(err).__name__)
            return [self._error(job, err) for job in jobs]

    def _execute(self, job):
        """Run the handler; return (result body, is_stream)."""
        try:
            out = self.handler(job)
            if _is_generator(out):
                return self._drain(job, out), True
            if _is_async_generator(out):
                return self._drain_async(job, out), True
            if _is_awaitable(out):
                out = self._loop().run_until_complete(out)
            return self._shape(out), False
        except _LeaseLost:
            self._cancelled.add(job["id"])
            return None, False
        except (Exception, SystemExit, KeyboardInterrupt) as err:  # noqa: BLE001
            if isinstance(err, (SystemExit, KeyboardInterrupt)):
                self.shutdown("handler raised %s" % type(err).__name__)
            return self._error(job, err), False

    @staticmethod
    def _shape(out):
        """runpod-python's result rules: a dict's "error" and "refresh_worker" keys move out of the output."""
        if isinstance(out, dict):
            out = dict(out)
            error = out.pop("error", None)
            refresh = out.pop("refresh_worker", None)
            result = {"output": out} if out else {}
            if error:
                result["error"] = error if isinstance(error, str) else json.dumps(error, default=str)
            if refresh:
                result["stopPod"] = True
            return result
        return {"output": out}

    def _error(self, job, err):
        self.log("job %s failed: %s" % (job.get("id"), _one_line(err)))
        info = {
            "error_type": str(type(err)),
            "error_message": str(err),
            "error_traceback": "".join(_traceback().format_exception(type(err), err, _user_frames(err.__traceback__))),
            "hostname": self.cfg.hostname,
            "worker_id": self.worker_id,
            "runpod_version": PROTOCOL_VERSION,
        }
        return {"error": json.dumps(info)}

    def _accept_chunk(self, job, chunk, chunks):
        """Streams one yielded chunk; returns the error result if the generator yielded an error instead."""
        if isinstance(chunk, dict) and chunk.get("error"):
            self.log("job %s failed: the generator yielded an error" % job["id"])
            return {"error": str(chunk["error"])}
        self._post_chunk(job, chunk)
        chunks.append(chunk)
        return None

    def _drain(self, job, gen):
        jid = job["id"]
        chunks = []
        try:
            for chunk in gen:
                if jid in self._cancelled:
                    break
                failed = self._accept_chunk(job, chunk, chunks)
                if failed:
                    return failed
        finally:
            gen.close()
        return {"output": chunks}

    def _drain_async(self, job, agen):
        jid = job["id"]
        loop = self._loop()
        chunks = []
        try:
            while True:
                try:
                    chunk = loop.run_until_complete(agen.__anext__())
                except StopAsyncIteration:
                    break
                if jid in self._cancelled:
                    break
                failed = self._accept_chunk(job, chunk, chunks)
                if failed:
                    return failed
        finally:
            try:
                loop.run_until_complete(agen.aclose())
            except Exception:  # noqa: BLE001
                pass
        return {"output": chunks}

    def _loop(self):
        loop = getattr(self._tls, "loop", None)
        if loop is None or loop.is_closed():
            import asyncio  # only for async handlers: importing it costs every worker's start ~40 ms
            loop = self._tls.loop = asyncio.new_event_loop()
        return loop

    # ------------------------------------------------------------------ talking back

    def _dumps(self, obj):
        return json.dumps(obj, ensure_ascii=False, allow_nan=False).encode("utf-8")

    def _post_chunk(self, job, chunk):
        if not self.cfg.stream_path:
            return
        body = self._dumps({"output": chunk})
        status = self._post(job, self.cfg.stream_target, self.cfg.stream_url_path(job["id"]), body,
                            "stream chunk", retry=True)
        if status == 409:
            self.log("job %s: the server no longer holds this worker's lease (409); stopping it" % job["id"])
            raise _LeaseLost()

    def _post_result(self, job, result, is_stream):
        if result is None:
            return
        jid = job["id"]
        try:
            body = self._dumps(result)
        except (TypeError, ValueError) as err:
            self.log("job %s failed: its output is not JSON: %s" % (jid, err))
            result = {"error": json.dumps({
                "error_type": str(type(err)),
                "error_message": "the handler's output cannot be sent as JSON: %s" % err,
                "error_traceback": "",
                "hostname": self.cfg.hostname,
                "worker_id": self.worker_id,
                "runpod_version": PROTOCOL_VERSION,
            })}
            body = self._dumps(result)
        path = self.cfg.done_url_path(jid, is_stream)
        _node.sync()  # on another machine: what the job printed reaches its log before its end is recorded
        status = _UNBATCHED
        if self._results is not None and len(body) <= BATCH_RESULT_MAX and not result.get("stopPod"):
            status = self._batched(jid, body, is_stream)
        if status is _UNBATCHED:
            status = self._post(job, self.cfg.done_target, path, body, "result", retry=True)
        if status is None or 200 <= status < 300:
            pass
        elif status == 409:
            self.log("job %s: result dropped, the server no longer holds this worker's lease (409)" % jid)
        elif status == 401:
            self.log("job %s: result refused (401): this worker was revoked" % jid)
            self.shutdown("revoked (401)")
        elif status == 413:
            self.log("job %s: result too large for the server (%d bytes); reporting an error" % (jid, len(body)))
            self._post(job, self.cfg.done_target, path, self._dumps(
                {"error": "the result (%d bytes) is larger than the server accepts" % len(body)}),
                "result", retry=True)
        else:
            self.log("job %s: result refused (%d)" % (jid, status))
        if result.get("stopPod") and status is not None and 200 <= status < 300:
            self.shutdown("the handler asked for refresh_worker")

    def _batched(self, jid, body, is_stream):
        """Post a result in a batch, and wait until it is; returns its status as job-done would."""
        results = self._results
        if results is None:  # the server turned out not to take batches meanwhile
            return _UNBATCHED
        entry = _PendingResult(jid, body, is_stream)
        # With no post of results in flight, a batch would hold this result alone: posting it from this thread
        # saves two thread switches (to the results thread and back), which on a busy machine are where a round
        # trip's tail comes from. While a post is in flight, results queue up behind it and go in one batch.
        with self._lock:
            direct = self._posting == 0 and results.empty()
            if direct:
                self._posting += 1
        if not direct:
            results.put(entry)
            entry.done.acquire()
            return entry.status
        try:
            self._post_batch([entry], here=True)
        finally:
            with self._lock:
                self._posting -= 1
        return entry.status

    def _result_loop(self):
        pending = self._results  # kept: _post_batch sets self._results to None if the server lacks batches
        try:
            while True:
                entry = pending.get()
                if entry is None:
                    return
                with self._lock:
                    self._posting += 1
                batch = [entry]
                while len(batch) < BATCH_MAX:
                    try:
                        more = pending.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        pending.put(None)
                        break
                    batch.append(more)
                try:
                    self._post_batch(batch)
                finally:
                    with self._lock:
                        self._posting -= 1
        finally:
            self._http.close()

    def _post_batch(self, batch, here=False):
        # Each result body is a JSON object already; the job's id and stream flag go in front of its fields.
        parts = []
        for e in batch:
            head = b'{"id":' + self._dumps(e.jid) + (b',"isStream":true' if e.is_stream else b',"isStream":false')
            parts.append(head + (b"," + e.body[1:] if e.body.strip() != b"{}" else b"}"))
        body = b'{"results":[' + b",".join(parts) + b"]}"
        path = self.cfg.done_batch_path
        if not self.batch_size and not self._stopping.is_set():
            # Hearth's server answers with next jobs for the slots these results free: one request instead of two
            path += _sep(path) + "take=%d" % len(batch)
        statuses = {}
        try:
            status, answer = self._post_raw({"id": batch[0].jid}, self.cfg.done_batch_target,
                                            path, body, "batch of results", retry=True)
            if status == 200:
                got = json.loads(answer)
                statuses = {a.get("id"): a.get("status") for a in got.get("results", [])}
                if got.get("jobs"):
                    self._accept_jobs(got["jobs"], here)
            elif status in (404, 405):
                self.log("the control plane does not take batched results (%d); posting them one by one" % status)
                self._results = None
            for e in batch:
                e.status = statuses.get(e.jid, _UNBATCHED if status in (404, 405) else status)
        except (ValueError, AttributeError) as err:
            self.log("unreadable answer to a batch of results (%s); posting them one by one" % (err,))
            for e in batch:
                e.status = _UNBATCHED
        finally:
            for e in batch:
                e.done.release()

    def _post(self, job, target, path, body, what, retry):
        """POST with retries on network errors, 5xx and 429. Returns the final status, or None if never answered."""
        return self._post_raw(job, target, path, body, what, retry)[0]

    def _post_raw(self, job, target, path, body, what, retry):
        """As _post, returning (status, answer body)."""
        headers = {"X-Request-ID": job["id"]}
        delays = self.retry_delays if retry else ()
        attempt = 0
        while True:
            err = None
            answer = b""
            try:
                status, answer = self._http.request("POST", target, path, body, headers, timeout=POST_TIMEOUT)
            except _http.NETWORK_ERRORS as e:
                status, err = None, e
            if status is not None and status < 500 and status not in (408, 429):
                if attempt:
                    self.log("job %s: %s delivered after %d retries" % (job["id"], what, attempt))
                return status, answer
            if attempt >= len(delays):
                self.log("job %s: giving up on the %s after %d tries (%s)" % (
                    job["id"], what, attempt + 1, err if err else "HTTP %d" % status))
                return status, answer
            if attempt == 0:
                self.log("job %s: %s POST failed (%s), retrying" % (job["id"], what, err if err else "HTTP %d" % status))
            time.sleep(delays[attempt])
            attempt += 1

    def progress(self, job, output):
        jid = job["id"] if isinstance(job, dict) else str(job)
        if jid in self._cancelled:
            return False
        try:
            body = self._dumps({"status": "IN_PROGRESS", "output": output})
        except (TypeError, ValueError) as err:
            self.log("job %s: progress update is not JSON: %s" % (jid, err))
            return False
        status = self._post({"id": jid}, self.cfg.done_target, self.cfg.done_url_path(jid, False), body,
                            "progress update", retry=False)
        if status == 409:
            self._cancelled.add(jid)
        return status is not None and 200 <= status < 300

    # ------------------------------------------------------------------ heartbeat and stop channel

    def _heartbeat_loop(self):
        try:
            self._heartbeat()
        finally:
            self._http.close()

    def _heartbeat(self):
        cfg = self.cfg
        interval = cfg.ping_interval
        next_ping = 0.0
        while not self._finished.is_set():
            now = time.monotonic()
            if cfg.ping_path and now >= next_ping:
                next_ping = now + interval
                self._ping()
            if self._watch_parent and self._control_plane_gone():
                self.log("the control plane (pid %d) is gone; exiting" % (self._control_plane or self._ppid))
                try:
                    sys.stdout.flush()
                except (OSError, ValueError):
                    pass
                os._exit(0)
            wait = min(1.0, next_ping - time.monotonic()) if cfg.ping_path else 1.0
            self._finished.wait(max(0.01, wait))

    def _control_plane_gone(self):
        if not self._control_plane:
            return os.getppid() != self._ppid
        try:
            os.kill(self._control_plane, 0)
            return False
        except ProcessLookupError:
            return True
        except OSError:  # e.g. EPERM: it exists
            return False

    def _ping(self):
        cfg = self.cfg
        with self._lock:
            ids = list(self._inflight)
        path = cfg.ping_path + cfg.ping_sep
        if ids:
            path += "job_id=" + quote(",".join(ids), safe=",") + "&"
        path += "runpod_version=" + PROTOCOL_VERSION
        try:
            status, _ = self._http.request("GET", cfg.ping_target, path, timeout=max(2.0, 2 * cfg.ping_interval))
        except Exception:  # noqa: BLE001 - the heartbeat must outlive any one failure
            return
        if status == 401 and not self._stopping.is_set():
            self.shutdown("heartbeat refused (401): this worker was revoked")

    def _stop_loop(self):
        try:
            self._stop_channel()
        finally:
            self._http.close()

    def _stop_channel(self):
        cfg = self.cfg
        while not self._finished.is_set():
            started = time.monotonic()
            try:
                status, body = self._http.request("GET", cfg.take_target, cfg.stop_path, timeout=TAKE_TIMEOUT,
                                                  abort=self._stop_abort)
            except _http.Aborted:
                return
            except _http.NETWORK_ERRORS:
                self._finished.wait(1.0)
                continue
            if status == 200:
                try:
                    ids = json.loads(body).get("jobsToStop") or []
                except (ValueError, AttributeError):
                    ids = []
                with self._lock:
                    for jid in ids if isinstance(ids, list) else ():
                        if isinstance(jid, str) and jid in self._inflight:
                            self._cancelled.add(jid)
            elif status == 204:
                # The server long-polls; if it answers at once, don't spin.
                spent = time.monotonic() - started
                if spent < 0.2:
                    self._finished.wait(0.2 - spent)
            elif status == 429:
                self._finished.wait(THROTTLE_SECONDS)
            else:
                self._finished.wait(5.0)


def current_worker():
    return _current
