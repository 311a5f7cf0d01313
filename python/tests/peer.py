"""A scripted stand-in for the control plane's worker endpoints, on http.server, for the tests.

It queues jobs, long-polls briefly, records every request, and can be told to misbehave (answer a result with 409,
503, or drop the connection) so the worker's reactions can be checked.
"""

import json
import os
import re
import socket
import sys
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(PYTHON_DIR)
if PYTHON_DIR not in sys.path:
    sys.path.insert(0, PYTHON_DIR)

ROUTE = re.compile(r"^/v2/(?P<fn>[^/]+)/(?P<kind>job-take|job-take-batch|job-stop|job-done|job-done-batch|job-stream|ping)"
                   r"/(?P<worker>[^/]+)(?:/(?P<job>[^/]+))?$")


class Request:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None
        m = ROUTE.match(path)
        self.kind = m.group("kind") if m else None
        self.job = m.group("job") if m else None
        self.at = time.monotonic()

    def q(self, name):
        values = self.query.get(name)
        return values[0] if values else None

    def __repr__(self):
        return "<%s %s?%s>" % (self.method, self.path, "&".join("%s=%s" % (k, v[0]) for k, v in self.query.items()))


class Peer:
    def __init__(self, poll_wait=0.25, fn="fn", token="tok-123"):
        self.poll_wait = poll_wait
        self.fn = fn
        self.token = token
        self.cond = threading.Condition()
        self.jobs = deque()
        self.hand_back = deque()     # jobs given out only with answers to result batches (?take=N), never by a take
        self.requests = []
        self.stop_ids = []
        self.done_script = deque()   # per result POST: an int status, "drop" (close without answering), or None = ok
        self.take_status = None      # answer every take with this status instead
        self.done_status_for_progress = None  # answer progress updates with this status instead
        self.batch_status = None     # answer batch result POSTs with this status instead (e.g. 404: no batches)
        self.closed = False
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_GET(self):
                peer._serve(self, "GET")

            def do_POST(self):
                peer._serve(self, "POST")

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    # ------------------------------------------------------------------ test API

    def batch_env(self, worker_id="w1"):
        """The variable that offers batched results, as the Hearth control plane sets it."""
        return {"HEARTH_WEBHOOK_POST_OUTPUT_BATCH": "%s/v2/%s/job-done-batch/$RUNPOD_POD_ID?gpu=cpu"
                % (self.base, self.fn)}

    def env(self, worker_id="w1", ping_ms=10000, **extra):
        b, fn = self.base, self.fn
        env = {
            "RUNPOD_WEBHOOK_GET_JOB": "%s/v2/%s/job-take/$ID?gpu=cpu" % (b, fn),
            "RUNPOD_WEBHOOK_POST_OUTPUT": "%s/v2/%s/job-done/$RUNPOD_POD_ID/$ID?gpu=cpu" % (b, fn),
            "RUNPOD_WEBHOOK_POST_STREAM": "%s/v2/%s/job-stream/$RUNPOD_POD_ID/$ID?gpu=cpu" % (b, fn),
            "RUNPOD_WEBHOOK_PING": "%s/v2/%s/ping/$RUNPOD_POD_ID?gpu=cpu" % (b, fn),
            "RUNPOD_PING_INTERVAL": str(ping_ms),
            "RUNPOD_AI_API_KEY": self.token,
            "RUNPOD_POD_ID": worker_id,
            "RUNPOD_ENDPOINT_ID": fn,
        }
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def add_job(self, job_input, job_id=None, **fields):
        job = {"id": job_id or "job-" + uuid.uuid4().hex[:12], "input": job_input}
        job.update(fields)
        with self.cond:
            self.jobs.append(job)
            self.cond.notify_all()
        return job["id"]

    def stop(self, *ids):
        with self.cond:
            self.stop_ids.extend(ids)
            self.cond.notify_all()

    def of(self, kind, job=None):
        with self.cond:
            return [r for r in self.requests if r.kind == kind and (job is None or r.job == job)]

    def results(self, job):
        """Final result bodies POSTed for a job, alone or in batches (progress updates left out)."""
        single = [r.json for r in self.of("job-done", job)
                  if r.json is not None and r.json.get("status") != "IN_PROGRESS" and getattr(r, "accepted", False)]
        batched = [{k: v for k, v in item.items() if k not in ("id", "isStream")}
                   for r in self.of("job-done-batch") for item in (r.json or {}).get("results", [])
                   if item.get("id") == job and item["id"] in getattr(r, "accepted", ())]
        return single + batched

    def wait_for(self, predicate, timeout=5.0, what="condition"):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for %s; requests: %r" % (what, self.requests[-20:]))
                self.cond.wait(min(left, 0.05))

    def result(self, job, timeout=5.0):
        return self.wait_for(lambda: self.results(job), timeout, "the result of " + job)[0]

    def close(self):
        with self.cond:
            self.closed = True
            self.cond.notify_all()
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------ serving

    def _serve(self, h, method):
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        req = Request(method, parts.path, parse_qs(parts.query, keep_blank_values=True), dict(h.headers.items()),
                      body)
        with self.cond:
            self.requests.append(req)
            self.cond.notify_all()
        if req.kind is None:
            return self._send(h, 404, {"error": "no route"})
        if h.headers.get("Authorization") != self.token:
            return self._send(h, 401, {"error": "bad token"})
        kind = req.kind
        if kind in ("job-take", "job-take-batch"):
            if self.take_status is not None:
                return self._send(h, self.take_status, {"error": "scripted"})
            n = int(req.q("batch_size") or 1) if kind == "job-take-batch" else 1
            jobs = self._wait(lambda: [self.jobs.popleft() for _ in range(min(n, len(self.jobs)))])
            if not jobs:
                return self._send(h, 204)
            return self._send(h, 200, jobs if kind == "job-take-batch" else jobs[0])
        if kind == "job-stop":
            ids = self._wait(lambda: [self.stop_ids.pop(0) for _ in range(len(self.stop_ids))])
            return self._send(h, 200, {"jobsToStop": ids}) if ids else self._send(h, 204)
        if kind == "ping":
            return self._send(h, 200, {"ok": True})
        if kind == "job-stream":
            req.accepted = True
            return self._send(h, 200, {"accepted": True})
        if kind == "job-done-batch":
            if self.batch_status is not None:
                return self._send(h, self.batch_status, {"error": "scripted"})
            answers, accepted = [], set()
            with self.cond:
                for item in req.json["results"]:
                    action = self.done_script.popleft() if self.done_script else None
                    status = action if isinstance(action, int) else 200
                    if status == 200:
                        accepted.add(item["id"])
                    answers.append({"id": item["id"], "status": status})
                req.accepted = accepted
                # as Hearth's server does with ?take=N: next jobs for the freed slots, without waiting
                n = int(req.q("take") or 0)
                req.handed_out = [self.hand_back.popleft() for _ in range(min(n, len(self.hand_back)))]
                req.handed_out += [self.jobs.popleft() for _ in range(min(n - len(req.handed_out), len(self.jobs)))]
                self.cond.notify_all()
            answer = {"results": answers}
            if req.handed_out:
                answer["jobs"] = req.handed_out
            return self._send(h, 200, answer)
        # job-done
        is_progress = isinstance(req.json, dict) and req.json.get("status") == "IN_PROGRESS"
        action = self.done_status_for_progress if is_progress else None
        if not is_progress:
            with self.cond:
                action = self.done_script.popleft() if self.done_script else None
        if action == "drop":
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        if isinstance(action, int):
            return self._send(h, action, {"error": "scripted %d" % action})
        with self.cond:
            req.accepted = True
            self.cond.notify_all()
        return self._send(h, 200, {"accepted": True})

    def _wait(self, take):
        deadline = time.monotonic() + self.poll_wait
        with self.cond:
            while True:
                got = take()
                if got or self.closed:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    return got
                self.cond.wait(left)

    @staticmethod
    def _send(h, status, obj=None):
        body = b"" if obj is None else json.dumps(obj).encode()
        h.send_response(status)
        if obj is not None:
            h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body:
            h.wfile.write(body)
