import time

import hearth_worker


def handler(job):
    inp = job["input"] or {}
    seconds = float(inp.get("seconds", 1))
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return {"slept": inp.get("seconds", 1)}
        if hearth_worker.is_cancelled(job) and not inp.get("ignoreStop"):
            return {"cancelled": True, "slept": round(seconds - left, 3)}
        time.sleep(min(0.05, left))
