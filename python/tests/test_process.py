"""``python -m hearth_worker`` as the control plane runs it: a real process, signals, start-up failures."""

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

from peer import PYTHON_DIR, Peer

from hearth_worker.__main__ import LoadError, load_handler


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(textwrap.dedent(text))
    return path


class ProcessCase(unittest.TestCase):
    poll_wait = 0.25

    def setUp(self):
        self.peer = Peer(poll_wait=self.poll_wait)
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
            for f in (p.stdout, p.stderr):
                if f:
                    f.close()
        self.peer.close()
        self.tmp.cleanup()

    def spawn(self, *args, cwd=None, **env):
        full = dict(os.environ)
        full.update(self.peer.env(**env))
        full["PYTHONPATH"] = PYTHON_DIR
        p = subprocess.Popen([sys.executable, "-m", "hearth_worker", *args], cwd=cwd or self.dir, env=full,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        return p

    def wait_exit(self, p, timeout=5.0):
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            self.fail("the worker did not exit within %.1f s; stderr:\n%s" % (timeout, err))
        return p.returncode, out, err


class TestMain(ProcessCase):
    def test_serves_a_handler_file_and_logs_one_ready_line(self):
        write(self.dir, "handler.py", """
            import helper                      # a sibling module imports fine
            def handler(job):
                return helper.shout(job["input"])
        """)
        write(self.dir, "helper.py", "def shout(s):\n    return s.upper()\n")
        p = self.spawn("handler.py:handler", HEARTH_CONCURRENCY=2)
        jid = self.peer.add_job("hi")
        self.assertEqual(self.peer.result(jid), {"output": "HI"})
        p.send_signal(signal.SIGTERM)
        code, out, err = self.wait_exit(p)
        self.assertEqual(code, 0, err)
        self.assertIn("hearth_worker w1 ready: handler=handler.py:handler, concurrency=2", err)
        self.assertEqual(err.count("\n"), 2, err)  # ready + exiting: nothing per successful job

    def test_handler_comes_from_hearth_handler_env(self):
        write(self.dir, "fn.py", "def go(job):\n    return 42\n")
        p = self.spawn(HEARTH_HANDLER="fn.py:go")
        jid = self.peer.add_job({})
        self.assertEqual(self.peer.result(jid), {"output": 42})
        p.send_signal(signal.SIGTERM)
        self.assertEqual(self.wait_exit(p)[0], 0)

    def test_import_failure_is_reported_unhealthy_and_exits_non_zero(self):
        write(self.dir, "handler.py", """
            raise RuntimeError("no GPU here")
            def handler(job):
                return 1
        """)
        code, _, err = self.wait_exit(self.spawn("handler.py:handler"))
        self.assertEqual(code, 1)
        self.assertIn("RuntimeError: no GPU here", err)
        ping = self.peer.of("ping")[0]
        self.assertEqual(ping.q("status"), "unhealthy")
        self.assertEqual(ping.q("check"), "import")
        self.assertIn("RuntimeError: no GPU here", ping.q("reason"))
        self.assertEqual(ping.headers["Authorization"], self.peer.token)
        self.assertEqual(self.peer.of("job-take"), [])

    def test_missing_function_is_reported_unhealthy(self):
        write(self.dir, "handler.py", "def other(job):\n    return 1\n")
        code, _, _ = self.wait_exit(self.spawn("handler.py:handler"))
        self.assertEqual(code, 1)
        self.assertIn("no attribute 'handler'", self.peer.of("ping")[0].q("reason"))

    def test_local_test_input(self):
        write(self.dir, "handler.py", "def handler(job):\n    return {'got': job['input']}\n")
        full = dict(os.environ, PYTHONPATH=PYTHON_DIR)
        out = subprocess.run([sys.executable, "-m", "hearth_worker", "handler.py:handler", "--test-input",
                              '{"input": {"a": 1}}'], cwd=self.dir, env=full, capture_output=True, text=True,
                             timeout=10)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn('"got"', out.stdout)

    def test_setup_runs_once_before_the_first_take_which_reports_the_start_phases(self):
        write(self.dir, "handler.py", """
            import os
            calls = []
            def setup():
                calls.append(len(os.listdir(".")))
            def handler(job):
                return len(calls)
        """)
        p = self.spawn("handler.py:handler")
        first, second = self.peer.add_job({}), self.peer.add_job({})
        self.assertEqual(self.peer.result(first), {"output": 1})
        self.assertEqual(self.peer.result(second), {"output": 1})
        p.send_signal(signal.SIGTERM)
        self.assertEqual(self.wait_exit(p)[0], 0)
        takes = self.peer.of("job-take")
        marks = [int(t) for t in takes[0].q("hearth_boot").split(",")]
        self.assertEqual(len(marks), 3)
        self.assertEqual(marks, sorted(marks))  # started <= imported <= set up
        self.assertTrue(all(t.q("hearth_boot") is None for t in takes[1:]))

    def test_the_setup_the_manifest_names_runs_instead_of_the_modules_own(self):
        write(self.dir, "handler.py", """
            calls = []
            def setup():
                calls.append("module")
            def load():
                calls.append("named")
            def handler(job):
                return calls
        """)
        p = self.spawn("handler.py:handler", HEARTH_SETUP="handler.py:load")
        self.assertEqual(self.peer.result(self.peer.add_job({})), {"output": ["named"]})
        p.send_signal(signal.SIGTERM)
        self.assertEqual(self.wait_exit(p)[0], 0)

    def test_setup_failure_is_reported_unhealthy_and_exits_non_zero(self):
        write(self.dir, "handler.py", """
            def setup():
                raise FileNotFoundError("weights.bin")
            def handler(job):
                return 1
        """)
        code, _, err = self.wait_exit(self.spawn("handler.py:handler"))
        self.assertEqual(code, 1)
        ping = self.peer.of("ping")[0]
        self.assertEqual(ping.q("check"), "setup")
        self.assertIn("FileNotFoundError: weights.bin", ping.q("reason"))
        self.assertEqual(self.peer.of("job-take"), [])

    def test_cuda_initialization_is_detected_by_the_modules_that_do_it(self):
        os.makedirs(os.path.join(self.dir, "pycuda"))
        write(self.dir, "pycuda/__init__.py", "")
        write(self.dir, "pycuda/autoinit.py", "# real pycuda creates a CUDA context when this is imported\n")
        check = ("from hearth_worker._preinit import cuda_initialized\n"
                 "print(cuda_initialized())\n"
                 "import pycuda.autoinit\n"
                 "print(cuda_initialized())\n")
        out = subprocess.run([sys.executable, "-c", check], cwd=self.dir, capture_output=True, text=True, timeout=10,
                             env=dict(os.environ, PYTHONPATH=PYTHON_DIR + os.pathsep + self.dir))
        self.assertEqual(out.returncode, 0, out.stderr)
        before, after = out.stdout.splitlines()
        self.assertEqual(before, "None")
        self.assertIn("pycuda.autoinit", after)

    def test_load_handler_errors(self):
        with self.assertRaises(LoadError):
            load_handler("nope.py:handler", cwd=self.dir)
        with self.assertRaises(LoadError):
            load_handler("handler.py", cwd=self.dir)


class TestSignals(ProcessCase):
    poll_wait = 10.0  # the peer long-polls like the real server

    def test_sigterm_finishes_the_job_in_flight_posts_it_and_exits_0(self):
        write(self.dir, "handler.py", """
            import time
            def handler(job):
                time.sleep(job["input"]["s"])
                return {"slept": job["input"]["s"]}
        """)
        p = self.spawn("handler.py:handler")
        jid = self.peer.add_job({"s": 0.6})
        self.peer.wait_for(lambda: not self.peer.jobs and self.peer.of("job-take"), 5, "the job to be taken")
        time.sleep(0.1)
        p.send_signal(signal.SIGTERM)
        later = self.peer.add_job({"s": 0})  # must not be taken by a draining worker
        code, _, err = self.wait_exit(p)
        self.assertEqual(code, 0, err)
        self.assertEqual(self.peer.result(jid, timeout=0.1), {"output": {"slept": 0.6}})
        self.assertEqual([j["id"] for j in self.peer.jobs], [later])

    def test_idle_sigterm_cuts_the_long_poll_short(self):
        write(self.dir, "handler.py", "def handler(job):\n    return 1\n")
        p = self.spawn("handler.py:handler")
        self.peer.wait_for(lambda: self.peer.of("job-take"), 5, "a take")
        p.send_signal(signal.SIGTERM)
        # the peer holds each take for 10 s: exiting within half of that means the signal cut the poll short
        code, _, err = self.wait_exit(p, timeout=5)
        self.assertEqual(code, 0, err)

    def test_worker_exits_when_its_parent_dies(self):
        write(self.dir, "handler.py", """
            import os
            with open("pid", "w") as f:
                f.write(str(os.getpid()))
            def handler(job):
                return 1
        """)
        full = dict(os.environ)
        full.update(self.peer.env())
        full["PYTHONPATH"] = PYTHON_DIR
        # An intermediate parent that starts the worker, then dies.
        parent = subprocess.Popen(
            [sys.executable, "-c",
             "import os, subprocess, sys, time; subprocess.Popen([sys.executable, '-m', 'hearth_worker', "
             "'handler.py:handler'], stderr=subprocess.DEVNULL, "
             "env=dict(os.environ, HEARTH_CONTROL_PLANE_PID=str(os.getpid()))); time.sleep(0.8)"],
            cwd=self.dir, env=full)
        self.procs.append(parent)
        pid_file = os.path.join(self.dir, "pid")
        self.peer.wait_for(lambda: _read(pid_file), 5, "the worker to start")
        pid = int(_read(pid_file))
        parent.wait(5)
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
            self.fail("the orphaned worker is still running")


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def _alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False


if __name__ == "__main__":
    unittest.main()
