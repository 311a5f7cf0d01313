"""Hearth against Celery 5 + Redis, as a Python caller sees them (`bench/run peer` starts this with Hearth's URL).

Both run the same no-op handler with concurrency 2 (Hearth: one worker of bench/functions/noop2, `concurrency: 2`;
Celery: one prefork worker, `-c 2`), called by two client processes at once, each with its own connection:
  Hearth  keep-alive http.client, POST /v2/noop2/runsync (the result comes back in the answer)
  Celery  noop.delay(x).get(), Redis as broker and result backend (a redis-server of its own on a free port)

Measured: the warm round trip (p50, p99, p99.9 over both clients' calls, after as many warm-up calls) and the first
call from zero workers (Hearth scales to zero and starts a worker for the call; Celery has no worker when the task is
sent and one is started at that moment, as a scale-from-zero deployment of Celery would do).

Usage: python3 bench/peer.py HEARTH_URL API_KEY [--calls N] [--warmup N] [--rounds N] [--cold N]
       [--celery-python /usr/bin/python3] [--only hearth|celery]
"""
import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
FUNCTION = "noop2"
CLIENTS = 2


def pct(sorted_ms, p):
    if not sorted_ms:
        return float("nan")
    i = min(len(sorted_ms) - 1, max(0, int(-(-p * len(sorted_ms) // 100)) - 1))
    return sorted_ms[i]


def summary(lat):
    lat = sorted(lat)
    return "p50 %6.3f ms  p99 %6.3f ms  p99.9 %6.3f ms  max %7.3f ms  (%d calls)" % (
        pct(lat, 50), pct(lat, 99), pct(lat, 99.9), lat[-1], len(lat))


# ---------------------------------------------------------------------------------------------------------- cost

def _children():
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(roots, skip=()):
    """The processes under roots (roots included), leaving out skip and what is under it."""
    kids, out, todo = _children(), [], list(roots)
    while todo:
        p = todo.pop()
        if p in skip:
            continue
        out.append(p)
        todo += kids.get(p, [])
    return out


def cost(pids):
    """(CPU seconds, thread wake-ups) of the processes so far: a wake-up is a context switch of one of their
    threads; each is a moment the thread waits for a core, which on a busy machine is where a tail comes from."""
    cpu, switches = 0.0, 0
    tick = os.sysconf("SC_CLK_TCK")
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / tick
            for t in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/status" % (p, t)) as f:
                    for line in f:
                        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                            switches += int(line.split()[1])
        except OSError:
            pass
    return cpu, switches


def by_thread(pids):
    out = {}
    for p in pids:
        try:
            for t in os.listdir("/proc/%d/task" % p):
                with open("/proc/%d/task/%s/status" % (p, t)) as f:
                    st = f.read()
                name = st.split("\n", 1)[0].split("\t", 1)[1]
                n = sum(int(line.split()[1]) for line in st.splitlines()
                        if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")))
                out[(p, t, name)] = n
        except OSError:
            pass
    return out


class Cost:
    """CPU and wake-ups per call of one system's server side (control plane and worker, or Redis and Celery)."""

    def __init__(self, pids):
        self.pids = pids
        self.before = cost(pids())
        self.threads = by_thread(pids()) if os.environ.get("PEER_THREADS") else None

    def per_call(self, calls):
        cpu, sw = cost(self.pids())
        if self.threads is not None:
            after, names = by_thread(self.pids()), {}
            for k, n in after.items():
                names[k[2]] = names.get(k[2], 0) + n - self.threads.get(k, 0)
            for name, n in sorted(names.items(), key=lambda x: -x[1])[:12]:
                print("      %-28s %5.2f wake-ups per call" % (name, n / calls))
        return "server side per call: %.0f us CPU, %.1f thread wake-ups" % (
            (cpu - self.before[0]) / calls * 1e6, (sw - self.before[1]) / calls)


# ---------------------------------------------------------------------------------------------------------- Hearth

class HearthClient:
    def __init__(self, url, key):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port
        self.headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def call(self, x):
        self.conn.request("POST", "/v2/%s/runsync" % FUNCTION, json.dumps({"input": {"x": x}}), self.headers)
        r = self.conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError("runsync answered %d: %r" % (r.status, body[:300]))
        out = json.loads(body)
        if out.get("status") != "COMPLETED" or out.get("output") != {"x": x}:
            raise RuntimeError("unexpected answer: %r" % (body[:300],))
        return out

    def get(self, path):
        self.conn.request("GET", path, headers=self.headers)
        r = self.conn.getresponse()
        return r.status, json.loads(r.read() or b"null")


def hearth_warm(args, q, start, warmup, calls):
    c = HearthClient(args.url, args.key)
    for i in range(warmup):
        c.call(i)
    q.put("ready")
    start.wait()
    lat = []
    parts = []
    for i in range(calls):
        t0 = time.perf_counter()
        r = c.call(i)
        ms = (time.perf_counter() - t0) * 1e3
        lat.append(ms)
        parts.append((ms, r.get("delayTime", 0), r.get("executionTime", 0)))
    q.put((lat, parts))


def hearth_cold(args, runs):
    c = HearthClient(args.url, args.key)
    out = []
    for i in range(runs):
        deadline = time.monotonic() + 60
        while True:
            _, w = c.get("/v1/workers?function=" + FUNCTION)
            if not w["workers"]:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the worker did not scale to zero")
            time.sleep(0.05)
        t0 = time.perf_counter()
        r = c.call(i)
        out.append((time.perf_counter() - t0) * 1e3)
        if not r.get("coldStart"):
            raise RuntimeError("expected a cold start: %r" % (r,))
    return out


# ---------------------------------------------------------------------------------------------------------- Celery

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Celery:
    """A redis-server and one Celery worker of its own (never the machine's shared Redis)."""

    def __init__(self, python):
        self.python = python
        self.dir = tempfile.mkdtemp(prefix="hearth-peer-")
        port = free_port()
        self.redis = subprocess.Popen(
            [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self.dir, "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = "redis://127.0.0.1:%d/0" % port
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.02)
        self.env = dict(os.environ, PEER_REDIS_URL=self.url, PYTHONPATH=os.path.join(HERE, "celery"))
        self.worker = None

    def start_worker(self):
        self.stop_worker()
        self.worker = subprocess.Popen(
            [self.python, "-m", "celery", "-A", "peer_tasks", "worker", "-c", str(CLIENTS), "--pool", "prefork",
             "-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", "peer@%h"], env=self.env, cwd=self.dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

    def stop_worker(self):
        """Kills the worker and its pool processes (a worker told to stop while it starts may outlive its parent)."""
        if self.worker is not None:
            try:
                os.killpg(self.worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.worker.wait()
            self.worker = None

    def close(self):
        self.stop_worker()
        self.redis.terminate()
        self.redis.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def celery_client(url, python):
    """Runs in the client process under Debian's python3 (where python3-celery is): returns a call function."""
    os.environ["PEER_REDIS_URL"] = url
    sys.path.insert(0, os.path.join(HERE, "celery"))
    from peer_tasks import noop  # noqa: E402

    def call(x):
        got = noop.delay({"x": x}).get(timeout=60)
        if got != {"x": x}:
            raise RuntimeError("unexpected result %r" % (got,))
    return call


def celery_role(argv):
    """`peer.py --celery-role warm URL WARMUP CALLS` / `cold URL`: one client process, run under celery's python."""
    role, url = argv[0], argv[1]
    call = celery_client(url, sys.executable)
    if role == "warm":
        warmup, calls = int(argv[2]), int(argv[3])
        for i in range(warmup):
            call(i)
        print("READY", flush=True)
        sys.stdin.readline()
        lat = []
        for i in range(calls):
            t0 = time.perf_counter()
            call(i)
            lat.append((time.perf_counter() - t0) * 1e3)
        print(json.dumps(lat), flush=True)
    elif role == "cold":
        # one call; the parent starts the worker the moment this says SENT
        from peer_tasks import noop  # noqa: E402
        sys.stdin.readline()
        t0 = time.perf_counter()
        r = noop.delay({"x": 0})
        print("SENT", flush=True)
        got = r.get(timeout=120)
        assert got == {"x": 0}, got
        print(json.dumps((time.perf_counter() - t0) * 1e3), flush=True)


def celery_warm(celery, warmup, calls):
    procs = [subprocess.Popen([celery.python, __file__, "--celery-role", "warm", celery.url, str(warmup), str(calls)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(CLIENTS)]
    for p in procs:
        if p.stdout.readline().strip() != "READY":
            raise RuntimeError("a Celery client failed to warm up")
    meter = Cost(lambda: tree([celery.redis.pid, celery.worker.pid]))
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    lat = []
    for p in procs:
        lat += json.loads(p.stdout.readline())
        p.wait()
    print("    celery " + meter.per_call(len(lat)), flush=True)
    return lat


def celery_cold(celery, runs):
    out = []
    for _ in range(runs):
        celery.stop_worker()
        p = subprocess.Popen([celery.python, __file__, "--celery-role", "cold", celery.url],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        time.sleep(1.0)  # the client's own imports are not the worker's start
        p.stdin.write("go\n")
        p.stdin.flush()
        if p.stdout.readline().strip() != "SENT":
            raise RuntimeError("the Celery cold client failed")
        celery.start_worker()
        out.append(json.loads(p.stdout.readline()))
        p.wait()
    return out


# ---------------------------------------------------------------------------------------------------------- main

def hearth_round(args, warmup, calls):
    ctx = multiprocessing.get_context("fork")
    q, start = ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=hearth_warm, args=(args, q, start, warmup, calls)) for _ in range(CLIENTS)]
    for p in procs:
        p.start()
    for _ in procs:  # both warm up before either measures
        if q.get() != "ready":
            raise RuntimeError("a Hearth client failed to warm up")
    me = os.getpid()
    meter = Cost(lambda: tree([os.getppid()], skip={me}))
    start.set()
    lat, parts = [], []
    for _ in procs:
        got = q.get()
        lat += got[0]
        parts += got[1]
    for p in procs:
        p.join()
    print("    hearth " + meter.per_call(len(lat)), flush=True)
    if args.breakdown:
        # where the slowest 1% of calls spent their time, by the server's own clock (whole ms): queued until a
        # worker took the job (delayTime), taken until its result was stored (executionTime), and the rest
        # (the submit's insert, the answer, HTTP, the client)
        slow = sorted(parts, reverse=True)[:max(1, len(parts) // 100)]
        n = len(slow)
        print("    slowest 1%%: mean %.1f ms = delay %.1f + execution %.1f + rest %.1f" % (
            sum(p[0] for p in slow) / n, sum(p[1] for p in slow) / n, sum(p[2] for p in slow) / n,
            sum(p[0] - p[1] - p[2] for p in slow) / n), flush=True)
    return lat


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--celery-role":
        celery_role(sys.argv[2:])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("key")
    ap.add_argument("--calls", type=int, default=5000, help="measured calls per client and round")
    ap.add_argument("--warmup", type=int, default=3000, help="warm-up calls per client and round")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--cold", type=int, default=5, help="first calls from zero, each")
    ap.add_argument("--celery-python", default="/usr/bin/python3")
    ap.add_argument("--only", choices=["hearth", "celery"])
    ap.add_argument("--breakdown", action="store_true", help="where Hearth's slowest 1% of calls spent their time")
    ap.add_argument("--no-cold", dest="cold", action="store_const", const=0)
    args = ap.parse_args()
    both = args.only is None
    print("peer: no-op handler, concurrency 2, %d client processes; warm: %d calls per client after %d warm-up "
          "calls, %d rounds" % (CLIENTS, args.calls, args.warmup, args.rounds), flush=True)
    celery = Celery(args.celery_python) if both or args.only == "celery" else None
    try:
        if args.cold and (both or args.only == "hearth"):
            cold = hearth_cold(args, args.cold)
            print("  hearth first call from zero  p50 %7.1f ms  min %7.1f  max %7.1f  (%d runs)" % (
                pct(sorted(cold), 50), min(cold), max(cold), len(cold)), flush=True)
        if celery and args.cold:
            cold = celery_cold(celery, args.cold)
            print("  celery first call from zero  p50 %7.1f ms  min %7.1f  max %7.1f  (%d runs; worker started when "
                  "the task was sent)" % (pct(sorted(cold), 50), min(cold), max(cold), len(cold)), flush=True)
        if celery:
            celery.start_worker()
        for r in range(1, args.rounds + 1):
            if both or args.only == "hearth":
                print("  round %d hearth runsync     %s" % (r, summary(hearth_round(args, args.warmup, args.calls))),
                      flush=True)
            if celery:
                print("  round %d celery delay/get   %s" % (r, summary(celery_warm(celery, args.warmup, args.calls))),
                      flush=True)
    finally:
        if celery:
            celery.close()


if __name__ == "__main__":
    main()
