import hashlib
import os
import tempfile
import urllib.request


def handler(job):
    inp = job["input"] or {}
    out = {}
    if "url" in inp:
        with urllib.request.urlopen(inp["url"], timeout=10) as r:
            data = r.read()
        out["size"] = len(data)
        out["sha256"] = hashlib.sha256(data).hexdigest()
    if "write" in inp:
        fd, path = tempfile.mkstemp(suffix=".txt")
        os.write(fd, inp["write"].encode())
        os.close(fd)
        out["file"] = path
    return out
