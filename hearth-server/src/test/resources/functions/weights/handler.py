import os

WEIGHTS = os.path.join("models", "model", "weights.txt")


def handler(job):
    out = {
        "worker": os.environ["HEARTH_WORKER_ID"],
        "version": os.environ["HEARTH_VERSION"],
        "volumePath": os.environ["HEARTH_VOLUME_WEIGHTS"],
        "linkTarget": os.path.realpath("models"),
    }
    if os.path.exists(WEIGHTS):
        with open(WEIGHTS) as f:
            out["found"] = f.read()
    else:
        os.makedirs(os.path.dirname(WEIGHTS), exist_ok=True)
        with open(WEIGHTS, "w") as f:
            f.write(job["input"]["weights"])
        out["wrote"] = job["input"]["weights"]
    return out
