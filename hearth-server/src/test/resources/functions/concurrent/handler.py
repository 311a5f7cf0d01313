import time


def handler(job):
    time.sleep(float(job["input"].get("seconds", 1)))
    return {"slept": job["input"].get("seconds", 1)}
