# Test fixture: sleeps input.seconds (default 1) and answers when, by the wall clock, it started and ended, so a test
# can see whether jobs on one worker overlapped.
import time


def handler(job):
    started = time.time()
    time.sleep(float(job["input"].get("seconds", 1)))
    return {"slept": job["input"].get("seconds", 1), "started": started, "ended": time.time()}
