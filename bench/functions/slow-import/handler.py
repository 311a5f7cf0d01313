# A handler whose imports take 2 s (a sleep at import stands in for torch and a model library), for the cold-start
# benchmarks. Each job sleeps input.seconds (default 0).
import time

time.sleep(2.0)


def handler(job):
    time.sleep(float((job["input"] or {}).get("seconds", 0)))
    return {"ok": True}
