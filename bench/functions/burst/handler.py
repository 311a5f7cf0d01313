import time


def handler(job):
    time.sleep(float((job["input"] or {}).get("seconds", 0.5)))
    return {"ok": True}
