# Hearth's worker bootstrap on a Slurm node or in a Kubernetes pod: needs only python3. Fetches the worker's launch (command, environment)
# from the control plane with the worker's own token, then its code bundle and the worker library (kept per node in
# HEARTH_NODE_CACHE by their SHA-256, so the next worker of the version fetches nothing). The library's node supervisor
# (hearth_worker._node) then builds or reuses the function's Python environment in that cache (by its hash), reports
# what the cache holds, and runs the worker, sending its output to the control plane.
import io, json, os, shutil, ssl, sys, tempfile, time, urllib.request, zipfile

t0 = time.time()
url, token = os.environ["HEARTH_BOOT_URL"], os.environ["HEARTH_BOOT_TOKEN"]
cache = os.environ.get("HEARTH_NODE_CACHE") or os.path.join(tempfile.gettempdir(), "hearth-node-cache")


def get(u):
    req = urllib.request.Request(u, headers={"Authorization": "Bearer " + token})
    for attempt in range(5):
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.read()
        except OSError as e:
            if attempt == 4:
                sys.exit("hearth bootstrap: cannot fetch %s: %s" % (u, e))
            time.sleep(0.2 * 2 ** attempt)


def local(kind, part):
    """The node's copy of a bundle or of the worker library, fetched once."""
    path = os.path.join(cache, kind, part["sha256"])
    if os.path.isdir(path):
        return path, False
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".fetch-", dir=os.path.dirname(path))
    zipfile.ZipFile(io.BytesIO(get(part["url"]))).extractall(tmp)
    try:
        os.rename(tmp, path)
    except OSError:  # another worker of the node fetched it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    return path, True


launch = json.loads(get(url))
bundle, fetched_bundle = local("bundles", launch["bundle"])
library, fetched_library = local("library", launch["library"])
# the library's node supervisor builds the environment, reports the cache and runs the worker, sending its output
sys.path.insert(0, library)
from hearth_worker import _node  # noqa: E402

ca = launch["env"].get("HEARTH_CA_FILE")
context = ssl.create_default_context(cafile=ca) if ca and os.path.isfile(ca) else None
shipper = _node.Shipper(launch["log"]["url"], token, launch["log"]["maxBatch"], context)
say = lambda line: shipper.add((line + "\n").encode())  # noqa: E731
swap = {launch["bundle"]["dir"]: bundle, launch["library"]["dir"]: library}
built_env = False
if launch.get("python"):  # the function's own environment, built on this node once per hash
    try:
        node_env, built_env = _node.node_env(cache, launch["python"], say)
    except (_node.EnvError, OSError) as e:
        say("hearth bootstrap: %s" % e)
        shipper.flush()
        sys.exit(1)
    swap[launch["python"]["dir"]] = node_env


def rewrite(value):
    for old, new in swap.items():
        value = value.replace(old, new)
    return value


env = {k: rewrite(v) for k, v in launch["env"].items()}
command = [rewrite(a) for a in launch["command"]]
if os.path.isabs(command[0]) and not os.access(command[0], os.X_OK):
    say("hearth bootstrap: %s is not on this node; using python3" % command[0])
    command[0] = "python3"
# What the pod says wins over the control plane's launch (Kubernetes: where its volumes are mounted)
for k in filter(None, os.environ.get("HEARTH_BOOT_KEEP", "").split(",")):
    if k in os.environ:
        env[k] = os.environ[k]
# volumes at paths relative to the function's directory: links there to where the pod mounts them
for link in filter(None, os.environ.get("HEARTH_BOOT_LINKS", "").split(",")):
    rel, target = link.split("=", 1)
    path = os.path.join(bundle, rel)
    if not os.path.lexists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(target, path)
# Slurm (or the pod's spec) chose the GPUs: its CUDA_VISIBLE_DEVICES is the one the worker gets
devices = os.environ.get("CUDA_VISIBLE_DEVICES", "")
env["CUDA_VISIBLE_DEVICES"] = devices
env["HEARTH_GPU_IDS"] = devices
for k, v in os.environ.items():
    if k.startswith("SLURM"):  # SLURM_JOB_ID, SLURMD_NODENAME, ...
        env[k] = v
env.pop("HEARTH_CONTROL_PLANE_PID", None)  # the control plane runs on another machine
node = os.environ.get("SLURMD_NODENAME") or os.environ.get("HEARTH_POD_NODE", "")
fetched = [what for what, did in (("bundle", fetched_bundle), ("library", fetched_library),
                                  ("environment", built_env)) if did]
cold = "cold cache (%s)" % ", ".join(fetched) if fetched else "warm cache"
say("hearth bootstrap: job %s on %s, GPUs [%s], %s, %.0f ms" % (
    os.environ.get("SLURM_JOB_ID") or os.environ.get("HEARTH_POD"), node, devices, cold, (time.time() - t0) * 1000))
if launch.get("cache"):
    report = dict(_node.cache_facts(cache), node=node, cold=bool(fetched),
                  fetched=fetched)
    _node.report_cache(launch["cache"]["url"], token, report, context)
# Slurm signals every process of the job (scancel --full); a pod's stop signals only this one, which passes it on
in_pod = bool(os.environ.get("HEARTH_POD"))
sys.exit(_node.supervise(command, env, bundle, shipper, ignore_signals=not in_pod, forward_signals=in_pod))
