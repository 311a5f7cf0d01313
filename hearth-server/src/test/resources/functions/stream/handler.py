import time


def handler(job):
    inp = job["input"] or {}
    delay = float(inp.get("delay", 0))
    for i in range(int(inp.get("n", 3))):
        if i and delay:
            time.sleep(delay)
        yield {"i": i}
