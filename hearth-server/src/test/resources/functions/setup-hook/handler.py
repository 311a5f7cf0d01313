import os
import time

setups = 0
jobs_before_setup = 0
jobs = 0


def setup():
    global setups
    setups += 1
    time.sleep(0.3)  # a model load: the "setup" phase of the cold start


def handler(job):
    global jobs, jobs_before_setup
    jobs += 1
    if setups == 0:
        jobs_before_setup += 1
    return {"setups": setups, "jobs": jobs, "jobsBeforeSetup": jobs_before_setup, "pid": os.getpid(),
            "worker": os.environ["RUNPOD_POD_ID"]}
