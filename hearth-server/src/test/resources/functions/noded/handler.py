import os
import time


def handler(job):
    # the control plane that started this worker, by its host:port (a sandboxed worker sees no host pids)
    node = os.environ.get("RUNPOD_WEBHOOK_GET_JOB", "?//?/").split("/")[2]
    line = "%s %s %.3f\n" % (job["id"], node, time.time())
    # one short write with O_APPEND: lines from workers of both nodes never interleave
    fd = os.open(job["input"]["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)
    time.sleep(job["input"].get("sleep", 0))
    return {"v": job["input"]["v"]}
