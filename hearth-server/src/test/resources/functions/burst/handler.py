import os
import time


def handler(job):
    time.sleep(float((job["input"] or {}).get("seconds", 0.1)))
    return {"gpu": os.environ.get("CUDA_VISIBLE_DEVICES")}
