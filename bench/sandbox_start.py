#!/usr/bin/env python3
# What bubblewrap adds to a process start, step by step: wall time (min, p50) and CPU per start of `true` bare and in
# sandboxes like a Hearth worker's (the last two: as LocalProcessRuntime builds them, as root and dropping to nobody).
# The rows after them price the ways to start faster as nobody (bench/README.md "Worker sandbox"): setpriv alone, the
# sandbox without its pid-1 reaper (--as-pid-1), /etc as one bind of a prepared copy instead of a bind per file, and
# setpriv run once outside an unprivileged bwrap (a user namespace of its own) instead of inside a root one.
# Cases run round-robin (one of each per round) so that a loaded machine weighs on all of them alike.
# python3 bench/sandbox_start.py [runs]
import os, resource, shutil, subprocess, sys, tempfile, time
B = ["bwrap", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
     "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev"]
FULL = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--unshare-cgroup-try", "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp",
        "--perms", "1777", "--tmpfs", "/dev/shm", "--perms", "0777", "--tmpfs", "/home/worker",
        "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--ro-bind", "/sys", "/sys"]
ETC_NAMES = ["passwd", "group", "hosts", "host.conf", "resolv.conf", "nsswitch.conf", "gai.conf", "ld.so.cache",
             "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "ssl", "ca-certificates", "ca-certificates.conf",
             "pki", "crypto-policies", "alternatives", "protocols", "services", "mime.types", "os-release",
             "debian_version"]  # Bubblewrap.ETC
for e in ETC_NAMES:
    FULL += ["--ro-bind-try", "/etc/" + e, "/etc/" + e]
FULL += ["--tmpfs", "/tmp/data", "--perms", "0755", "--dir", "/tmp/data", "--ro-bind", "/tmp", "/tmp/data/b"]
USER = ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP", "--",
        "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--"]
SETPRIV = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
           "--bounding-set=-all", "--"]
ETC = tempfile.mkdtemp(prefix="hearth-bench-etc")  # a prepared /etc as Hearth's SandboxEtc makes it: copied files,
os.chmod(ETC, 0o755)                                # and a mount point for each directory, bound onto it
ONE_ETC = FULL[:FULL.index("--ro-bind-try")] + ["--ro-bind", ETC, "/etc"]
for e in ETC_NAMES:
    src = "/etc/" + e
    if os.path.isdir(src):
        os.mkdir(os.path.join(ETC, e))
        ONE_ETC += ["--ro-bind", src, src]
    elif os.path.exists(src):
        shutil.copy2(src, os.path.join(ETC, e))
ONE_ETC += FULL[FULL.index("--ro-bind-try") + 3 * len(ETC_NAMES):]
cases = {
  "true": ["/usr/bin/true"],
  "bwrap minimal": B + ["true"],
  "bwrap +pid": B + ["--unshare-pid", "true"],
  "bwrap +pid+ipc": B + ["--unshare-pid", "--unshare-ipc", "true"],
  "bwrap +pid+uts": B + ["--unshare-pid", "--unshare-uts", "true"],
  "bwrap +pid+cgroup": B + ["--unshare-pid", "--unshare-cgroup-try", "true"],
  "hearth full (root)": FULL + ["--cap-drop", "ALL", "--", "true"],
  "hearth full + setpriv nobody": FULL + USER + ["true"],
  "setpriv nobody, bare": SETPRIV + ["/usr/bin/true"],
  "full + setpriv, --as-pid-1": FULL + ["--as-pid-1"] + USER + ["true"],
  "full, /etc one bind (root)": ONE_ETC + ["--cap-drop", "ALL", "--", "true"],
  "full, /etc one bind + setpriv": ONE_ETC + USER + ["true"],
  "setpriv outside, bwrap userns": SETPRIV + FULL + ["--", "true"],
}
for cmd in cases.values():  # each must work before it is timed
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
res = {k: [] for k in cases}
cpu = {k: 0.0 for k in cases}
for i in range(n):
    for k, cmd in cases.items():
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        res[k].append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[k] += (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
for k in cases:
    v = sorted(res[k])
    print("%-30s wall min %5.1f ms  p50 %6.1f ms   cpu/run %5.2f ms" % (k, v[0]*1e3, v[len(v)//2]*1e3, cpu[k]/n*1e3))
shutil.rmtree(ETC)
