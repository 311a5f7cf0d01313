import os


def handler(job):
    inp = job["input"] or {}
    if inp.get("crash") and not os.path.exists(inp["marker"]):
        with open(inp["marker"], "w") as f:
            f.write(str(os.getpid()))
        os._exit(1)  # a worker killed mid-job: no result, no goodbye
    return {"ok": True, "pid": os.getpid()}
