#!/usr/bin/env python3
"""A standalone worker that puts on the wire what a runpod-python (1.7.x) worker puts there, standard library only.

It stands in for "a RunPod worker image run unchanged" in the integration tests: it does not use hearth_worker, it
only reads the RUNPOD_* variables, and it reproduces the SDK's requests:

  take      GET  {RUNPOD_WEBHOOK_GET_JOB with $ID=worker}&job_in_progress=0|1    (rp_job.get_job, 90 s timeout)
            204/400 = no job; 429 = sleep 5 s; a 200 counts only with Content-Type application/json and a body,
            and a single job must carry "id" and "input"
  result    POST {RUNPOD_WEBHOOK_POST_OUTPUT with $RUNPOD_POD_ID, $ID}&isStream=false   (rp_http.send_result)
            body = json.dumps(result, ensure_ascii=False), headers Content-Type: application/x-www-form-urlencoded,
            charset: utf-8, X-Request-ID: <job id>; 3 tries with Fibonacci back-off on 5xx / network errors
  stop      GET  {take URL with /job-take/ -> /job-stop/}: 204, or {"jobsToStop": [...]}: those results are dropped
  ping      GET  {RUNPOD_WEBHOOK_PING with $RUNPOD_POD_ID}?job_id=<ids, omitted when idle>&runpod_version=<v>
            every RUNPOD_PING_INTERVAL // 1000 s, with requests' headers (rp_ping.Heartbeat)
  session   headers of runpod.http_client.AsyncClientSession: Content-Type: application/json, Authorization: <raw
            RUNPOD_AI_API_KEY>, User-Agent: RunPod-Python-SDK/<v> (...); aiohttp adds Accept and Accept-Encoding.
            Like the SDK, X-Request-ID is set on the session, so after the first result every later request
            (takes included) carries the last job's id.
  SIGTERM   stop taking (a take already waiting is not cut short, as in the SDK), finish the queue, exit 0.

Deviations, none on the wire: after a finished job the next take starts at once (the SDK re-checks its queue every
second); a failed take is retried after 1 s (the SDK retries at once); a ping interval under 1 s is treated as 1 s;
the process exits when its parent dies (test hygiene: no orphans when a test's control plane crashes).
"""

import gzip
import http.client
import json
import os
import platform
import signal
import sys
import threading
import time
import traceback
import uuid
from urllib.parse import urlencode, urlsplit

RUNPOD_VERSION = "1.7.9"


def handler(job):
    return {"echo": job["input"], "worker": "runpod-style"}


# ---------------------------------------------------------------- worker_state.py

WORKER_ID = os.environ.get("RUNPOD_POD_ID", str(uuid.uuid4()))
JOB_GET_URL = str(os.environ.get("RUNPOD_WEBHOOK_GET_JOB")).replace("$ID", WORKER_ID)
JOB_DONE_URL = str(os.environ.get("RUNPOD_WEBHOOK_POST_OUTPUT", "JOB_DONE_URL")).replace("$RUNPOD_POD_ID", WORKER_ID)
JOB_STREAM_URL = str(os.environ.get("RUNPOD_WEBHOOK_POST_STREAM", "JOB_STREAM_URL")).replace("$RUNPOD_POD_ID",
                                                                                             WORKER_ID)
PING_URL = os.environ.get("RUNPOD_WEBHOOK_PING", "PING_NOT_SET").replace("$RUNPOD_POD_ID", WORKER_ID)
PING_INTERVAL = max(1, int(os.environ.get("RUNPOD_PING_INTERVAL", 10000)) // 1000)

USER_AGENT = "RunPod-Python-SDK/%s (%s %s; %s) Language/Python %s" % (
    RUNPOD_VERSION, platform.system(), platform.release(), platform.machine(), platform.python_version())

_log_lock = threading.Lock()


def log(message, level="INFO", job_id=None):
    # RunPodLogger's format when RUNPOD_ENDPOINT_ID is set: one JSON object per line on stdout.
    line = {"requestId": job_id, "message": message, "level": level}
    with _log_lock:
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()


class JobsProgress:
    """The set of jobs taken and not yet finished (rp_scale/worker_state: JobsProgress)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._ids = []

    def add(self, job_id):
        with self._lock:
            if job_id not in self._ids:
                self._ids.append(job_id)

    def remove(self, job_id):
        with self._lock:
            if job_id in self._ids:
                self._ids.remove(job_id)

    def get_job_list(self):
        with self._lock:
            return ",".join(self._ids) if self._ids else None


job_progress = JobsProgress()
stopped_jobs = set()


# ---------------------------------------------------------------- HTTP (aiohttp / requests, as the SDK sets them up)

class Session:
    """A keep-alive session with mutable default headers, like aiohttp.ClientSession(headers=...)."""

    def __init__(self, headers):
        self.headers = dict(headers)
        self._conns = {}

    def request(self, method, url, data=None, headers=None, timeout=600):
        parts = urlsplit(url)
        path = parts.path + ("?" + parts.query if parts.query else "")
        hdrs = dict(self.headers)
        hdrs.update(headers or {})
        key = (parts.scheme, parts.netloc)
        body = data.encode("utf-8") if isinstance(data, str) else data
        for attempt in (0, 1):
            conn = self._conns.get(key)
            reused = conn is not None
            if conn is None:
                cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
                conn = self._conns[key] = cls(parts.hostname, parts.port, timeout=timeout)
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            try:
                conn.putrequest(method, path, skip_accept_encoding=True)
                for name, value in hdrs.items():
                    conn.putheader(name, value)
                if body is not None:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                resp = conn.getresponse()
                payload = resp.read()
                if resp.getheader("Content-Encoding", "").lower() == "gzip":
                    payload = gzip.decompress(payload)
                return resp.status, resp.getheader("Content-Type", ""), payload
            except (OSError, http.client.HTTPException):
                conn.close()
                self._conns.pop(key, None)
                if not reused or attempt:
                    raise

    def close(self):
        for conn in self._conns.values():
            conn.close()


def async_client_session():
    # runpod.http_client.AsyncClientSession: get_auth_header() + what aiohttp adds to every request.
    return Session({
        "Content-Type": "application/json",
        "Authorization": os.environ.get("RUNPOD_AI_API_KEY", ""),
        "User-Agent": USER_AGENT,
        "Accept": "*/*",
        "Accept-Encoding": "gzip, deflate",
    })


# ---------------------------------------------------------------- rp_ping.py

def ping_loop(stop_event):
    if os.environ.get("RUNPOD_AI_API_KEY") is None or os.environ.get("RUNPOD_POD_ID") is None:
        return
    session = Session({  # requests.Session defaults + the Authorization header rp_ping adds
        "User-Agent": "python-requests/2.32.3",
        "Accept-Encoding": "gzip, deflate",
        "Accept": "*/*",
        "Connection": "keep-alive",
        "Authorization": os.environ.get("RUNPOD_AI_API_KEY", ""),
    })
    while not stop_event.is_set():
        params = {"job_id": job_progress.get_job_list(), "runpod_version": RUNPOD_VERSION}
        query = urlencode({k: v for k, v in params.items() if v is not None})  # requests drops None params
        url = PING_URL + ("&" if "?" in PING_URL else "?") + query
        try:
            session.request("GET", url, timeout=PING_INTERVAL * 2)
        except (OSError, http.client.HTTPException) as err:
            log("Ping Request Error: %s, attempting to restart ping." % err, "ERROR")
        stop_event.wait(PING_INTERVAL)


# ---------------------------------------------------------------- rp_job.py / rp_http.py

def job_get_url(batch_size=1):
    if batch_size > 1:
        url = JOB_GET_URL.replace("/job-take/", "/job-take-batch/") + "&batch_size=%d" % batch_size
    else:
        url = JOB_GET_URL
    return url + "&job_in_progress=" + ("1" if job_progress.get_job_list() else "0")


class TooManyRequests(Exception):
    pass


def get_job(session, num_jobs=1):
    status, content_type, body = session.request("GET", job_get_url(num_jobs), timeout=90)
    if status in (204, 400):
        return None
    if status == 429:
        raise TooManyRequests()
    if status >= 400:
        raise OSError("%d, message='%s', url='%s'" % (status, http.client.responses.get(status, ""),
                                                       job_get_url(num_jobs)))
    if content_type.split(";")[0].strip().lower() != "application/json":
        log("rp_job | Unexpected content type: %s" % content_type, "DEBUG")
        return None
    if not body:
        return None
    try:
        jobs = json.loads(body)
    except ValueError:
        return None
    if isinstance(jobs, dict):
        if "id" not in jobs or "input" not in jobs:
            raise Exception("Job has missing field(s): id or input.")
        return [jobs]
    if isinstance(jobs, list):
        return jobs
    return None


def run_job(job):
    log("Started.", job_id=job["id"])
    run_result = {}
    try:
        job_output = handler(job)
        if isinstance(job_output, dict):
            error_msg = job_output.pop("error", None)
            refresh_worker = job_output.pop("refresh_worker", None)
            run_result["output"] = job_output
            if error_msg:
                run_result["error"] = error_msg
            if refresh_worker:
                run_result["stopPod"] = True
        else:
            run_result = {"output": job_output}
        if run_result.get("output") == {}:
            run_result.pop("output")
    except Exception as err:  # noqa: BLE001
        error_info = {
            "error_type": str(type(err)),
            "error_message": str(err),
            "error_traceback": traceback.format_exc(),
            "hostname": os.environ.get("RUNPOD_POD_HOSTNAME", "unknown"),
            "worker_id": os.environ.get("RUNPOD_POD_ID", "unknown"),
            "runpod_version": RUNPOD_VERSION,
        }
        log("Captured Handler Exception", "ERROR", job["id"])
        run_result = {"error": json.dumps(error_info)}
    return run_result


def transmit(session, url, job_data):
    """aiohttp_retry.RetryClient(FibonacciRetry(attempts=3)).post(url, data=..., raise_for_status=True)."""
    headers = {"charset": "utf-8", "Content-Type": "application/x-www-form-urlencoded"}
    delays = (1.0, 2.0)
    for attempt in range(3):
        try:
            status, _, _ = session.request("POST", url, data=job_data, headers=headers)
            if status < 500 or attempt == 2:
                if status >= 400:
                    raise OSError("%d, message='%s', url='%s'" % (status, http.client.responses.get(status, ""), url))
                return
        except (OSError, http.client.HTTPException):
            if attempt == 2:
                raise
        time.sleep(delays[attempt])


def send_result(session, job_data, job, is_stream=False):
    try:
        session.headers["X-Request-ID"] = job["id"]
        serialized = json.dumps(job_data, ensure_ascii=False)
        url = JOB_DONE_URL.replace("$ID", job["id"]) + "&isStream=" + ("true" if is_stream else "false")
        transmit(session, url, serialized)
        log("Results sent.", "DEBUG", job["id"])
    except (OSError, http.client.HTTPException) as err:
        log("Failed to return job results. | %s" % err, "ERROR", job["id"])
    except (TypeError, RuntimeError) as err:
        log("Error while returning job result. | %s" % err, "ERROR", job["id"])
    finally:
        if job_data.get("status", None) != "IN_PROGRESS":
            log("Finished.", job_id=job["id"])


# ---------------------------------------------------------------- job-stop channel

def stop_loop(stop_event):
    session = async_client_session()
    url = JOB_GET_URL.replace("/job-take/", "/job-stop/")
    while not stop_event.is_set():
        try:
            status, _, body = session.request("GET", url, timeout=90)
        except (OSError, http.client.HTTPException):
            stop_event.wait(1)
            continue
        if status == 200:
            try:
                stopped_jobs.update(json.loads(body).get("jobsToStop") or [])
            except (ValueError, AttributeError):
                pass
        elif status == 429:
            stop_event.wait(5)
        elif status != 204:
            stop_event.wait(5)


# ---------------------------------------------------------------- rp_scale.py

class JobScaler:
    def __init__(self):
        self.shutdown_signal = None
        self.refresh = False
        self.concurrency = 1

    def is_alive(self):
        return self.shutdown_signal is None and not self.refresh

    def handle_shutdown(self, signum, frame):
        # Only a flag: a handler that logged could interrupt a log call holding the output's lock and deadlock.
        self.shutdown_signal = signum

    def run(self):
        session = async_client_session()
        queue = []
        while self.is_alive() or queue:
            if queue:
                job = queue.pop(0)
                job_progress.add(job["id"])
                result = run_job(job)
                if job["id"] in stopped_jobs:
                    stopped_jobs.discard(job["id"])  # the SDK cancels the job's task: nothing is sent
                else:
                    send_result(session, result, job, is_stream=False)
                job_progress.remove(job["id"])
                if result.get("stopPod"):
                    self.refresh = True
                continue
            try:
                jobs = get_job(session, self.concurrency)
                if not jobs:
                    continue
                for job in jobs:
                    job_progress.add(job["id"])
                    queue.append(job)
                log("Jobs in queue: %d" % len(queue))
            except TooManyRequests:
                time.sleep(5)
            except Exception as err:  # noqa: BLE001
                log("Failed to get job. | Error Type: %s | Error Message: %s" % (type(err).__name__, err), "ERROR")
                time.sleep(1)
        if self.shutdown_signal is not None:
            log("Received shutdown signal: %d." % self.shutdown_signal, "DEBUG")
        session.close()


def watch_parent():
    ppid = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != ppid:
            os._exit(0)


def main():
    log("--- Starting Serverless Worker |  Version %s ---" % RUNPOD_VERSION)
    scaler = JobScaler()
    signal.signal(signal.SIGTERM, scaler.handle_shutdown)
    signal.signal(signal.SIGINT, scaler.handle_shutdown)
    background = threading.Event()
    for target in (ping_loop, stop_loop):
        threading.Thread(target=target, args=(background,), daemon=True).start()
    threading.Thread(target=watch_parent, daemon=True).start()
    scaler.run()
    background.set()


if __name__ == "__main__":
    main()
