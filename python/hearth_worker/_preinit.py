"""Pre-initialized workers (``scaling.preinit``): wait, holding no GPU, until the control plane hands over GPUs.

The control plane starts the process with ``CUDA_VISIBLE_DEVICES`` empty. After the handler's import and setup(),
the process long-polls ``$HEARTH_PREINIT_WAIT`` (Hearth's own call, not RunPod's). The answer names the GPUs it was
placed on; they go into ``CUDA_VISIBLE_DEVICES`` before anything initializes CUDA, which reads that variable once,
at its initialization. A process whose setup() already initialized CUDA cannot be moved to other devices any more:
it says so in its first call, and the control plane does not use it.
"""

import json
import os
import sys
import time
from urllib.parse import quote

from . import _http
from ._version import __version__
from .worker import TAKE_TIMEOUT, _sep, boot_param


def cuda_initialized():
    """Why CUDA is already initialized in this process (one line), or None. Cheap checks only:

    - torch is imported and ``torch.cuda.is_initialized()``;
    - ``pycuda.autoinit`` is imported (importing it creates a CUDA context);
    - the process holds a ``/dev/nvidia*`` device open: the CUDA driver opens them when it initializes, whichever
      framework asked for it (JAX, CuPy, TensorFlow, a ctypes call to cuInit).
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            if torch.cuda.is_initialized():
                return "torch.cuda is initialized"
        except Exception:  # noqa: BLE001 - a torch without CUDA support, or a broken one: not our concern here
            pass
    if "pycuda.autoinit" in sys.modules:
        return "pycuda.autoinit is imported (it creates a CUDA context)"
    try:
        for fd in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink("/proc/self/fd/" + fd)
            except OSError:
                continue
            if target.startswith("/dev/nvidia"):
                return "the process has %s open (the CUDA driver is initialized)" % target
    except OSError:
        pass
    return None


def await_devices(env, boot, log=None):
    """Wait until the control plane hands this process its GPUs; set them in ``env``. False: exit without serving."""
    log = log or _log
    wid = env.get("RUNPOD_POD_ID", "")
    target, path = _http.split_url(env["HEARTH_PREINIT_WAIT"].replace("$RUNPOD_POD_ID", wid))
    path += _sep(path) + boot_param(boot)
    reason = cuda_initialized()
    if reason:
        path += "&cuda=" + quote(reason, safe="")
        log("setup() initialized CUDA (%s): this process cannot be given other GPUs, so it is not used" % reason)
    client = _http.Client({"Authorization": env.get("RUNPOD_AI_API_KEY", ""),
                           "User-Agent": "hearth-worker/" + __version__})
    log("pre-initialized: waiting for GPUs")
    failures = 0
    try:
        while True:
            try:
                status, body = client.request("GET", target, path, timeout=TAKE_TIMEOUT)
            except _http.NETWORK_ERRORS as err:
                failures += 1
                if failures == 1 or failures % 30 == 0:
                    log("cannot reach the control plane (%s), retrying" % (err,))
                if _control_plane_gone(env):
                    return False
                time.sleep(min(2.0, 0.05 * 2 ** min(failures, 6)))
                continue
            failures = 0
            if status == 204:
                continue
            if status != 200:
                log("not handed GPUs (%d: %s); exiting" % (status, body[:200].decode("utf-8", "replace")))
                return False
            given = json.loads(body)
            ids = ",".join(str(i) for i in given.get("gpus", []))
            env["CUDA_VISIBLE_DEVICES"] = ids
            env["HEARTH_GPU_IDS"] = ids
            env["HEARTH_GPU_TYPE"] = given.get("gpuType") or ""
            log("given GPU(s) %s" % ids)
            return True
    finally:
        client.close()


def _control_plane_gone(env):
    try:
        os.kill(int(env.get("HEARTH_CONTROL_PLANE_PID") or 0) or os.getppid(), 0)
        return False
    except ProcessLookupError:
        return True
    except (OSError, ValueError):
        return False


def _log(msg):
    sys.stderr.write("hearth_worker %s %s\n" % (os.environ.get("RUNPOD_POD_ID", ""), msg))
    sys.stderr.flush()
