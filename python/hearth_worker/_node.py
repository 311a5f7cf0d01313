"""What runs a worker on another machine (a Slurm node), started by the bootstrap with the node's python3: it builds or
reuses the function's Python environment in the node's cache (``node_env``), tells the control plane what the cache
holds (``report_cache``), and runs the worker as its child and sends the child's output (stdout and stderr together, as a local worker's log file has them)
to the control plane in batches, each with the offset of its first byte in the stream, so a batch sent again after a
lost answer is written once. Standard library only.

The worker library asks for a sync before it reports a job done (``sync()`` below): this process then reads what
the child wrote so far and sends it before answering, so a job's output is in the log before its end is recorded
and the job's logs hold all of it.
"""

import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

MAX_BATCH = 64 << 10
FLUSH_EVERY = 0.25  # seconds output waits at most before it is sent
GIVE_UP_AFTER = 30.0  # seconds of failed sends after which a batch is dropped (the worker must not block forever)
SYNC_ENV = "HEARTH_LOG_SYNC"
SYNC_TIMEOUT = 10.0
_SYNC_LOCK = threading.Lock()  # one sync at a time, so each gets its own answer


class Shipper:
    """Sends output to the control plane's worker-log route, in order, in batches of at most ``max_batch`` bytes."""

    def __init__(self, url, token, max_batch=MAX_BATCH, context=None, post=None):
        self.url = url
        self.token = token
        self.max_batch = max_batch
        self.context = context
        self.offset = 0  # bytes of the stream the control plane has (or that were given up on)
        self.pending = bytearray()
        self.since = None  # when the oldest unsent byte arrived
        self._post = post or self._http_post

    def add(self, data):
        if data:
            if not self.pending:
                self.since = time.monotonic()
            self.pending += data

    def due(self):
        return bool(self.pending) and (len(self.pending) >= self.max_batch
                                       or time.monotonic() - self.since >= FLUSH_EVERY)

    def flush(self):
        """Sends everything pending, batch by batch."""
        while self.pending:
            batch = bytes(self.pending[:self.max_batch])
            self._send(batch)
            del self.pending[:len(batch)]
        self.since = None

    def _send(self, batch):
        delay, deadline = 0.1, time.monotonic() + GIVE_UP_AFTER
        while True:
            try:
                status = self._post(self.offset, batch)
            except (OSError, ValueError) as e:
                status = e
            if status == 200:
                self.offset += len(batch)
                return
            if isinstance(status, int) and 400 <= status < 500 and status not in (408, 429):
                _say("output batch at %d refused (HTTP %d); dropped" % (self.offset, status))
                self.offset += len(batch)
                return
            if time.monotonic() >= deadline:
                _say("cannot send output batch at %d (%s); dropped" % (self.offset, status))
                self.offset += len(batch)
                return
            time.sleep(delay)
            delay = min(2.0, delay * 2)

    def _http_post(self, offset, batch):
        sep = "&" if "?" in self.url else "?"
        req = urllib.request.Request(self.url + sep + "offset=%d" % offset, data=batch, method="POST", headers={
            "Authorization": "Bearer " + self.token, "Content-Type": "application/octet-stream"})
        try:
            with urllib.request.urlopen(req, timeout=30, context=self.context) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as e:
            return e.code


def _say(msg):
    """The supervisor's own complaints: to its stderr (on the node), not into the stream it may fail to send."""
    print("hearth node: " + msg, file=sys.stderr, flush=True)


def supervise(command, env, cwd, shipper, prelude=b"", ignore_signals=True, forward_signals=False):
    """Runs the worker, sends its output, and returns its exit status (128 + signal when a signal ended it)."""
    out_r, out_w = os.pipe()
    req_r, req_w = os.pipe()  # the worker asks for a sync with a byte on one pipe ...
    ack_r, ack_w = os.pipe()  # ... and is answered with a byte on the other
    env = dict(env)
    env[SYNC_ENV] = "%d,%d" % (req_w, ack_r)
    shipper.add(prelude)
    try:
        child = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w,
                                 pass_fds=(req_w, ack_r))
    except OSError as e:
        shipper.add(("hearth node: cannot start %s: %s\n" % (command[0], e)).encode())
        shipper.flush()
        return 127
    # the job's processes all get Slurm's SIGTERM (scancel --full): the worker drains, this process keeps sending
    # until the worker is gone (Slurm's SIGKILL after the grace period ends both)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP) if ignore_signals else ():
        signal.signal(sig, signal.SIG_IGN)
    # a pod's stop signals only its first process (this one): pass it on, so the worker drains as under Slurm
    for sig in (signal.SIGTERM, signal.SIGINT) if forward_signals else ():
        signal.signal(sig, lambda signum, _frame: child.send_signal(signum))
    for fd in (out_w, req_w, ack_r):
        os.close(fd)
    os.set_blocking(out_r, False)
    open_fds = [out_r, req_r]
    # until the worker exits (a process it started may hold its output open longer) or its output ends
    while out_r in open_fds and child.poll() is None:
        readable, _, _ = select.select(open_fds, [], [], FLUSH_EVERY if shipper.pending else 0.5)
        if out_r in readable and not _drain(out_r, shipper):
            open_fds.remove(out_r)
        if req_r in readable:
            asked = os.read(req_r, 64)
            if not asked:
                open_fds.remove(req_r)
            else:
                _drain(out_r, shipper)  # what the worker wrote before it asked is in the pipe: read it all
                shipper.flush()
                try:
                    os.write(ack_w, b"." * len(asked))
                except OSError:
                    pass
        if shipper.due():
            shipper.flush()
    code = child.wait()
    _drain(out_r, shipper)
    shipper.flush()
    return 128 - code if code < 0 else code


def _drain(fd, shipper):
    """Reads what the pipe holds now; False at its end (every writer closed it)."""
    while True:
        try:
            data = os.read(fd, MAX_BATCH)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not data:
            return False
        shipper.add(data)


def sync(timeout=SYNC_TIMEOUT):
    """In the worker: wait until what it printed so far is at the control plane (no-op when not supervised)."""
    fds = os.environ.get(SYNC_ENV)
    if not fds:
        return
    try:
        req, ack = (int(x) for x in fds.split(","))
    except ValueError:
        return
    with _SYNC_LOCK:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        try:
            os.write(req, b".")
            readable, _, _ = select.select([ack], [], [], timeout)
            if readable:
                os.read(ack, 1)
        except OSError:
            os.environ.pop(SYNC_ENV, None)  # the supervisor is gone: nothing to wait for again



ENV_MARKER = ".hearth-env.json"


class EnvError(Exception):
    """The function's environment cannot be built on this node; the message says why."""


def node_env(cache, spec, say):
    """The node's copy of a function's Python environment, built once per node and hash under ``<cache>/envs``.

    ``spec`` is the boot's ``python``: hash, interpreter, pythonVersion, systemSitePackages, requirements, pipArgs.
    Returns ``(directory, built)``: ``built`` is False when the node already had it (a warm cache). A build that
    stopped midway has no marker and is built again; workers starting together on a node wait for one build.
    """
    root = os.path.join(cache, "envs")
    os.makedirs(root, exist_ok=True)
    path = os.path.join(root, spec["hash"])
    marker = os.path.join(path, ENV_MARKER)
    if os.path.isfile(marker):
        return path, False
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isfile(marker):
            return path, False
        shutil.rmtree(path, ignore_errors=True)
        python = _interpreter(spec)
        started = time.time()
        say("hearth node: building the Python environment %s with %s" % (spec["hash"], python))
        venv = [python, "-m", "venv"] + (["--system-site-packages"] if spec.get("systemSitePackages") else [])
        _run(venv + [path], "python -m venv", say)
        requirements = spec.get("requirements") or []
        if requirements:
            listed = os.path.join(path, "hearth-requirements.txt")
            with open(listed, "w") as f:
                f.write("\n".join(requirements) + "\n")
            say("hearth node: pip install " + " ".join(requirements))
            _run([os.path.join(path, "bin", "python"), "-m", "pip", "install"] + list(spec.get("pipArgs") or [])
                 + ["-r", listed], "pip install", say)
        with open(marker + ".tmp", "w") as f:
            json.dump({"hash": spec["hash"], "requirements": requirements, "builtAt": time.time()}, f)
        os.rename(marker + ".tmp", marker)
        say("hearth node: environment %s built in %.1f s" % (spec["hash"], time.time() - started))
    return path, True


def _interpreter(spec):
    """The control plane's interpreter where the node has it at the same path, else python<version> on the PATH."""
    wanted = spec.get("pythonVersion") or ""
    given = spec.get("interpreter")
    if given and os.path.isabs(given) and os.access(given, os.X_OK):
        return given
    for name in ("python" + wanted, "python3"):
        found = shutil.which(name) if wanted or name == "python3" else None
        if found and (name != "python3" or _version(found) == wanted):
            return found
    raise EnvError("no Python %s on this node (neither %s nor python%s on the PATH)" % (wanted, given, wanted))


def _version(python):
    try:
        out = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30, check=False)
        return out.stdout.decode().strip()
    except (OSError, subprocess.SubprocessError):
        return None


def _run(command, what, say):
    env = dict(os.environ, PYTHONUNBUFFERED="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    try:
        p = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    except OSError as e:
        raise EnvError("%s could not start: %s" % (what, e)) from e
    tail = []
    for raw in p.stdout:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        say(line)
        tail = (tail + [line])[-5:]
    if p.wait() != 0:
        raise EnvError("building the Python environment failed: %s exited with %d: %s" % (
            what, p.returncode, " / ".join(tail)))


def cache_facts(cache):
    """What the node's cache holds: the environments (built whole) and the code bundles, by hash."""
    def names(kind, whole=lambda p: True):
        d = os.path.join(cache, kind)
        try:
            return sorted(n for n in os.listdir(d) if not n.startswith(".") and not n.endswith(".lock")
                          and os.path.isdir(os.path.join(d, n)) and whole(os.path.join(d, n)))
        except OSError:
            return []
    return {"envs": names("envs", lambda p: os.path.isfile(os.path.join(p, ENV_MARKER))), "bundles": names("bundles")}


def report_cache(url, token, report, context=None):
    """Tells the control plane what this node's cache holds and whether this start found it warm; never raises."""
    req = urllib.request.Request(url, data=json.dumps(report).encode(), method="POST", headers={
        "Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30, context=context) as r:
            r.read()
            return r.status
    except (OSError, ValueError) as e:
        _say("cannot report the node's cache: %s" % (e,))
        return None
