"""The Java integration tests' fixture functions and the examples, run against the scripted peer."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from peer import PYTHON_DIR, REPO, Peer

from hearth_worker import Worker
from hearth_worker.__main__ import load_handler

FIXTURES = os.path.join(REPO, "hearth-server", "src", "test", "resources", "functions")
EXAMPLES = os.path.join(REPO, "examples")


class InProcess(unittest.TestCase):
    """Loads a handler the way ``python -m hearth_worker`` does and serves it in a thread."""

    def setUp(self):
        self.peer = Peer()
        self.worker = None

    def tearDown(self):
        if self.worker is not None:
            self.worker.shutdown()
            self.thread.join(5)
        self.peer.close()

    def serve(self, directory, **env):
        sys.dont_write_bytecode = True  # keep __pycache__ out of the function directories (they get deployed)
        try:
            handler = load_handler("handler.py:handler", cwd=directory)
        finally:
            sys.dont_write_bytecode = False
        self.worker = Worker(handler, env=self.peer.env(**env), install_signals=False, watch_parent=False)
        self.worker.log = lambda line: None
        self.thread = threading.Thread(target=self.worker.run, daemon=True)
        self.thread.start()

    def run_job(self, job_input, timeout=5.0):
        return self.peer.result(self.peer.add_job(job_input), timeout)


class TestFixtures(InProcess):
    def test_echo(self):
        self.serve(os.path.join(FIXTURES, "echo"))
        self.assertEqual(self.run_job({"a": [1, 2]}), {"output": {"a": [1, 2]}})

    def test_sleepy(self):
        self.serve(os.path.join(FIXTURES, "sleepy"))
        self.assertEqual(self.run_job({"seconds": 0.1}), {"output": {"slept": 0.1}})

    def test_sleepy_stops_when_cancelled(self):
        self.serve(os.path.join(FIXTURES, "sleepy"))
        long = self.peer.add_job({"seconds": 30})
        self.peer.wait_for(lambda: not self.peer.jobs, 3, "the job to be taken")
        time.sleep(0.1)
        self.peer.stop(long)
        # the next job runs on the same (only) worker: its result within 15 s means the 30 s job stopped
        self.assertEqual(self.run_job({"seconds": 0}, timeout=15.0), {"output": {"slept": 0}})
        self.assertEqual(self.peer.results(long), [])

    def test_fails(self):
        self.serve(os.path.join(FIXTURES, "fails"))
        info = json.loads(self.run_job({})["error"])
        self.assertIn("ValueError", info["error_type"])
        self.assertEqual(info["error_message"], "boom")

    def test_progress(self):
        self.serve(os.path.join(FIXTURES, "progress"))
        jid = self.peer.add_job({})
        self.assertEqual(self.peer.result(jid), {"output": "done"})
        updates = [r.json for r in self.peer.of("job-done", jid)][:3]
        self.assertEqual(updates, [{"status": "IN_PROGRESS", "output": {"step": s}} for s in (1, 2, 3)])

    def test_stream(self):
        self.serve(os.path.join(FIXTURES, "stream"))
        jid = self.peer.add_job({"n": 4})
        self.assertEqual(self.peer.result(jid), {"output": [{"i": i} for i in range(4)]})
        self.assertEqual(len(self.peer.of("job-stream", jid)), 4)

    def test_gpu(self):
        os.environ.update(CUDA_VISIBLE_DEVICES="2", HEARTH_GPU_TYPE="H100", HEARTH_GPU_IDS="2")
        try:
            self.serve(os.path.join(FIXTURES, "gpu"))
            self.assertEqual(self.run_job({}), {"output": {"cuda_visible_devices": "2", "gpu_type": "H100",
                                                           "gpu_ids": "2"}})
        finally:
            for k in ("CUDA_VISIBLE_DEVICES", "HEARTH_GPU_TYPE", "HEARTH_GPU_IDS"):
                os.environ.pop(k, None)


class TestExamples(InProcess):
    def test_echo(self):
        self.serve(os.path.join(EXAMPLES, "echo"))
        self.assertEqual(self.run_job({"hello": "world"}), {"output": {"hello": "world"}})

    def test_stream(self):
        self.serve(os.path.join(EXAMPLES, "stream"))
        jid = self.peer.add_job({"text": "hello hearth worker", "delay": 0})
        self.assertEqual(self.peer.result(jid), {"output": ["hello", "hearth", "worker"]})
        self.assertEqual([r.json for r in self.peer.of("job-stream", jid)],
                         [{"output": w} for w in ("hello", "hearth", "worker")])

    def test_gpu_info(self):
        self.serve(os.path.join(EXAMPLES, "gpu-info"))
        out = self.run_job({}, timeout=15)["output"]
        self.assertEqual(set(out), {"cuda_visible_devices", "gpu_type", "gpu_ids", "device_name"})


class Subprocess(unittest.TestCase):
    def setUp(self):
        self.peer = Peer()
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.communicate()
        self.peer.close()

    def spawn(self, args, cwd, **env):
        full = dict(os.environ, PYTHONPATH=PYTHON_DIR, PYTHONDONTWRITEBYTECODE="1")
        full.update(self.peer.env(**env))
        p = subprocess.Popen(args, cwd=cwd, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        return p


class TestCrashy(Subprocess):
    def test_first_attempt_kills_the_worker_the_second_succeeds(self):
        directory = os.path.join(FIXTURES, "crashy")
        with tempfile.TemporaryDirectory() as tmp:
            marker = os.path.join(tmp, "crashed")
            job = {"crash": True, "marker": marker}
            first = self.spawn([sys.executable, "-m", "hearth_worker", "handler.py:handler"], directory)
            jid = self.peer.add_job(job)
            self.assertEqual(first.wait(5), 1)
            self.assertTrue(os.path.exists(marker))
            self.assertEqual(self.peer.results(jid), [])
            second = self.spawn([sys.executable, "-m", "hearth_worker", "handler.py:handler"], directory,
                                worker_id="w2")
            out = self.peer.result(self.peer.add_job(job))["output"]
            self.assertEqual(out, {"ok": True, "pid": second.pid})


class TestRunpodStyle(Subprocess):
    def test_speaks_runpod_pythons_wire_protocol(self):
        directory = os.path.join(FIXTURES, "runpod-style")
        p = self.spawn([sys.executable, "worker.py"], directory, ping_ms=1000)
        first = self.peer.add_job({"n": 1})
        self.assertEqual(self.peer.result(first), {"output": {"echo": {"n": 1}, "worker": "runpod-style"}})
        second = self.peer.add_job("two")
        self.assertEqual(self.peer.result(second), {"output": {"echo": "two", "worker": "runpod-style"}})

        take = self.peer.of("job-take")[0]
        self.assertEqual(take.q("job_in_progress"), "0")
        self.assertEqual(take.headers["Authorization"], self.peer.token)
        self.assertTrue(take.headers["User-Agent"].startswith("RunPod-Python-SDK/"))
        done = self.peer.of("job-done", first)[0]
        self.assertEqual(done.headers["Content-Type"], "application/x-www-form-urlencoded")
        self.assertEqual(done.headers["charset"], "utf-8")
        self.assertEqual(done.headers["X-Request-ID"], first)
        self.assertEqual(done.q("isStream"), "false")
        self.assertEqual(done.raw, json.dumps({"output": {"echo": {"n": 1}, "worker": "runpod-style"}}).encode())
        # the SDK sets X-Request-ID on its session: later takes carry the last job's id
        later = [t for t in self.peer.of("job-take") if t.at > done.at]
        self.assertEqual(later[0].headers.get("X-Request-ID"), first)
        ping = self.peer.wait_for(lambda: self.peer.of("ping"), 3, "a ping")[0]
        self.assertIsNotNone(ping.q("runpod_version"))
        self.peer.wait_for(lambda: self.peer.of("job-stop"), 3, "the stop channel")

        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(5), 0)

    def test_handler_errors_use_runpods_error_shape(self):
        # The fixture's own handler never fails; check run_job's shaping by importing the module.
        sys.path.insert(0, os.path.join(FIXTURES, "runpod-style"))
        sys.dont_write_bytecode = True
        try:
            import worker as rp
        finally:
            sys.path.pop(0)
            sys.dont_write_bytecode = False
        saved, saved_log = rp.handler, rp.log
        rp.log = lambda *args, **kwargs: None
        try:
            rp.handler = lambda job: 1 / 0
            result = rp.run_job({"id": "j", "input": {}})
            info = json.loads(result["error"])
            self.assertEqual(info["error_type"], "<class 'ZeroDivisionError'>")
            rp.handler = lambda job: {"error": "bad", "refresh_worker": True, "x": 1}
            self.assertEqual(rp.run_job({"id": "j", "input": {}}),
                             {"output": {"x": 1}, "error": "bad", "stopPod": True})
        finally:
            rp.handler, rp.log = saved, saved_log


if __name__ == "__main__":
    unittest.main()
