# The planner accuracy benchmark's handler (PlanAccuracyBench): about a second of start-up, then each job sleeps
# for the seconds its input says, so the execution times are what the load generator drew.
import time

time.sleep(1.0)


def handler(job):
    time.sleep(job["input"]["sleep"])
    return "ok"
