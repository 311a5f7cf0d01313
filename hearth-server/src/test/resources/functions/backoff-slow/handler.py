import time


def handler(job):
    log = job["input"]["log"]
    with open(log, "a") as f:
        f.write("%.6f\n" % time.time())
    with open(log) as f:
        attempt = len(f.read().split())
    if attempt < job["input"]["succeedOn"]:
        raise RuntimeError("attempt %d fails" % attempt)
    return {"attempt": attempt}
