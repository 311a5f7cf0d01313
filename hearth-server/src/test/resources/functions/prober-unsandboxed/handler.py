import glob
import os


def _read(path):
    try:
        with open(path, "rb") as f:
            return "read:" + f.read(200).decode("utf-8", "replace")
    except OSError as e:
        return "error:" + type(e).__name__


def _write(path, text):
    try:
        with open(path, "w") as f:
            f.write(text)
        return "wrote"
    except OSError as e:
        return "error:" + type(e).__name__


def _worker_ids_in_proc():
    ids = set()
    for environ in glob.glob("/proc/[0-9]*/environ"):
        try:
            with open(environ, "rb") as f:
                for entry in f.read().split(b"\0"):
                    if entry.startswith(b"RUNPOD_POD_ID="):
                        ids.add(entry.split(b"=", 1)[1].decode())
        except OSError:
            pass
    return sorted(ids)


def handler(job):
    inp = job["input"]
    return {
        "read": {p: _read(p) for p in inp.get("read", [])},
        "wrote": {p: _write(p, t) for p, t in inp.get("write", {}).items()},
        "workerIdsInProc": _worker_ids_in_proc(),
        "self": os.environ["RUNPOD_POD_ID"],
        "bundle": os.getcwd(),
        "volume": os.environ.get("HEARTH_VOLUME_SCRATCH"),
        "uid": os.getuid(),
    }
