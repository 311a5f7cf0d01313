"""A generator handler: every yield is a chunk clients can read from /stream while the job runs."""

import time


def handler(job):
    inp = job["input"] or {}
    delay = float(inp.get("delay", 0.1))
    for i, word in enumerate(str(inp.get("text", "")).split()):
        if i and delay:
            time.sleep(delay)
        yield word
