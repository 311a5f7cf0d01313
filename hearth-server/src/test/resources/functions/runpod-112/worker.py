#!/usr/bin/env python3
"""A standalone worker with the behaviours of runpod-python 1.12 that Hearth must live with, standard library only.

  concurrency  it takes with job-take-batch?batch_size=<free> while it has fewer than RUNPOD_CONCURRENCY (its
               concurrency_modifier) jobs, whatever the function's scaling.concurrency; an empty answer (204, 400) is
               followed by the next take at once
  job tasks    a taken job is listed in its pings at once, but its task is created TASK_DELAY seconds later (the SDK:
               ~0.1 s); a stop for a job without a task is ignored
  auth         the Authorization header carries RUNPOD_CONFIG_KEY when set (what ~/.runpod/config.toml does to the
               SDK), else RUNPOD_AI_API_KEY; the URLs are used with their query strings, unless DROP_URL_QUERY is set
  SIGTERM      no new take; the process exits once its open requests (take, stop long-polls) have returned
  output       {"seconds", "cancelled", "takes": take requests so far, "home": $HOME, "env": RUNPOD_* seen}
"""

import http.client
import json
import os
import signal
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit

WORKER_ID = os.environ["RUNPOD_POD_ID"]
CONCURRENCY = int(os.environ.get("RUNPOD_CONCURRENCY", "1"))
TASK_DELAY = float(os.environ.get("TASK_DELAY", "0.1"))
KEY = os.environ.get("RUNPOD_CONFIG_KEY") or os.environ.get("RUNPOD_AI_API_KEY", "")


def url_of(name):
    url = os.environ[name].replace("$RUNPOD_POD_ID", WORKER_ID)
    if os.environ.get("DROP_URL_QUERY"):
        url = url.split("?", 1)[0] + "?gpu=cpu"
    return url


JOB_GET_URL = url_of("RUNPOD_WEBHOOK_GET_JOB").replace("$ID", WORKER_ID)
JOB_DONE_URL = url_of("RUNPOD_WEBHOOK_POST_OUTPUT")
PING_URL = url_of("RUNPOD_WEBHOOK_PING")
PING_INTERVAL = max(0.2, int(os.environ.get("RUNPOD_PING_INTERVAL", "10000")) / 1000.0)

lock = threading.Lock()
held = []           # job ids listed in pings (the SDK's JobsProgress)
tasks = {}          # job id -> threading.Event set to cancel its task
takes = [0]
shutdown = threading.Event()


def log(message):
    sys.stdout.write(json.dumps({"message": message, "level": "INFO"}) + "\n")
    sys.stdout.flush()


def request(method, url, body=None, timeout=90):
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, parts.path + "?" + parts.query, body=body,
                     headers={"Authorization": KEY, "Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def handler(job, cancelled):
    inp = job.get("input") or {}
    seconds = float(inp.get("seconds", 0))
    stopped = cancelled.wait(seconds)
    return {"seconds": seconds, "cancelled": stopped, "takes": takes[0], "home": os.environ.get("HOME"),
            "env": {k: v for k, v in os.environ.items() if k in ("RUNPOD_SKIP_AUTO_SYSTEM_CHECKS",
                                                                  "RUNPOD_DEBUG_LEVEL")}}


def run(job):
    jid = job["id"]
    time.sleep(TASK_DELAY)  # the SDK creates the job's task a little after the take
    cancelled = threading.Event()
    with lock:
        tasks[jid] = cancelled
    out = handler(job, cancelled)
    with lock:
        tasks.pop(jid, None)
    if cancelled.is_set():
        log("task of job %s cancelled" % jid)
        marker = (job.get("input") or {}).get("marker")
        if marker:
            open(marker, "w").close()
    else:
        request("POST", JOB_DONE_URL.replace("$ID", jid) + "&isStream=false", json.dumps({"output": out}))
    with lock:
        held.remove(jid)


def take_loop():
    while not shutdown.is_set():
        with lock:
            free = CONCURRENCY - len(held)
        if free <= 0:
            time.sleep(0.01)
            continue
        url = JOB_GET_URL.replace("/job-take/", "/job-take-batch/") + "&batch_size=%d" % free
        url += "&job_in_progress=" + ("1" if held else "0")
        try:
            with lock:
                takes[0] += 1
            status, body = request("GET", url)
        except OSError:
            time.sleep(1)
            continue
        if status != 200 or not body:
            if status == 401:
                time.sleep(0.2)
            continue
        jobs = json.loads(body)
        for job in jobs if isinstance(jobs, list) else [jobs]:
            with lock:
                held.append(job["id"])
            threading.Thread(target=run, args=(job,), daemon=True).start()


def stop_loop():
    url = JOB_GET_URL.replace("/job-take/", "/job-stop/")
    while not shutdown.is_set():
        try:
            status, body = request("GET", url)
        except OSError:
            time.sleep(1)
            continue
        if status == 200:
            for jid in json.loads(body).get("jobsToStop") or []:
                with lock:
                    task = tasks.get(jid)
                if task is not None:  # the SDK ignores a stop for a job it has no task for yet
                    task.set()
        elif status != 204:
            time.sleep(0.2)


def ping_loop():
    while not shutdown.is_set():
        with lock:
            ids = ",".join(held)
        params = {"job_id": ids} if ids else {}
        params["runpod_version"] = "1.12.0"
        try:
            request("GET", PING_URL + "&" + urlencode(params), timeout=10)
        except OSError:
            pass
        shutdown.wait(PING_INTERVAL)


def watch_parent():
    ppid = os.getppid()
    while os.getppid() == ppid:
        time.sleep(0.5)
    os._exit(0)


def main():
    signal.signal(signal.SIGTERM, lambda *_: shutdown.set())
    threading.Thread(target=watch_parent, daemon=True).start()
    threading.Thread(target=ping_loop, daemon=True).start()
    # like the SDK's open aiohttp requests, these keep the process until they return
    loops = [threading.Thread(target=take_loop), threading.Thread(target=stop_loop)]
    for t in loops:
        t.start()
    for t in loops:
        t.join()
    log("exiting")


if __name__ == "__main__":
    main()
