"""The worker loop against a scripted protocol peer (a real HTTP server in a thread)."""

import asyncio
import json
import threading
import time
import unittest

from peer import Peer

import hearth_worker
from hearth_worker import Worker
from hearth_worker.worker import Config, ConfigError


class WorkerCase(unittest.TestCase):
    def setUp(self):
        self.peer = Peer()
        self.worker = None
        self.thread = None

    def tearDown(self):
        if self.worker is not None:
            self.worker.shutdown()
            self.thread.join(5)
            self.assertFalse(self.thread.is_alive(), "the worker did not stop")
        self.peer.close()

    def start(self, handler, concurrency=None, ping_ms=10000, retry_delays=(0.05, 0.1, 0.2), **env):
        self.worker = Worker(handler, concurrency=concurrency, env=self.peer.env(ping_ms=ping_ms, **env),
                             install_signals=False, watch_parent=False, retry_delays=retry_delays)
        self.logs = []
        self.worker.log = self.logs.append
        self.exit_code = None

        def run():
            self.exit_code = self.worker.run()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        return self.worker


class TestResults(WorkerCase):
    def test_take_runs_the_handler_and_posts_the_result(self):
        seen = []

        def handler(job):
            seen.append(job)
            return job["input"]

        self.start(handler)
        jid = self.peer.add_job({"x": 1, "s": "é"}, webhook="http://example/hook")
        self.assertEqual(self.peer.result(jid), {"output": {"x": 1, "s": "é"}})
        # the handler gets the whole job, extra fields included
        self.assertEqual(seen[0], {"id": jid, "input": {"x": 1, "s": "é"}, "webhook": "http://example/hook"})

        take = self.peer.of("job-take")[0]
        self.assertEqual(take.path, "/v2/fn/job-take/w1")
        self.assertEqual(take.q("gpu"), "cpu")
        self.assertEqual(take.q("job_in_progress"), "0")
        self.assertEqual(take.headers["Authorization"], "tok-123")  # raw, no "Bearer"

        done = [r for r in self.peer.of("job-done", jid) if getattr(r, "accepted", False)][0]
        self.assertEqual(done.path, "/v2/fn/job-done/w1/" + jid)
        self.assertEqual(done.q("isStream"), "false")
        self.assertEqual(done.q("gpu"), "cpu")
        self.assertEqual(done.headers["X-Request-ID"], jid)
        self.assertEqual(done.headers["Authorization"], "tok-123")

    def test_one_keep_alive_connection_serves_many_jobs(self):
        self.start(lambda job: job["input"] * 2)
        ids = [self.peer.add_job(i) for i in range(20)]
        for i, jid in enumerate(ids):
            self.assertEqual(self.peer.result(jid), {"output": i * 2})
        ports = {r.headers.get("Host") for r in self.peer.of("job-done")}
        self.assertEqual(len(ports), 1)

    def test_exception_becomes_an_error_report(self):
        def handler(job):
            raise ValueError("boom")

        self.start(handler)
        jid = self.peer.add_job({})
        body = self.peer.result(jid)
        self.assertEqual(set(body), {"error"})
        info = json.loads(body["error"])
        self.assertIn("ValueError", info["error_type"])
        self.assertEqual(info["error_message"], "boom")
        self.assertIn("raise ValueError", info["error_traceback"])
        self.assertEqual(info["worker_id"], "w1")
        self.assertTrue(info["hostname"])
        # the worker carries on
        jid2 = self.peer.add_job({})
        self.assertIn("error", self.peer.result(jid2))
        failed = [line for line in self.logs if "failed" in line]
        self.assertEqual(len(failed), 2)
        self.assertIn("job %s failed: ValueError: boom (test_worker.py:" % jid, failed[0])

    def test_error_key_and_refresh_worker(self):
        self.start(lambda job: job["input"])
        jid = self.peer.add_job({"error": "bad input", "partial": 1})
        self.assertEqual(self.peer.result(jid), {"output": {"partial": 1}, "error": "bad input"})
        jid = self.peer.add_job({"error": "only an error"})
        self.assertEqual(self.peer.result(jid), {"error": "only an error"})
        jid = self.peer.add_job({"refresh_worker": True, "a": 1})
        self.assertEqual(self.peer.result(jid), {"output": {"a": 1}, "stopPod": True})
        self.thread.join(3)  # refresh_worker: the worker stops after posting
        self.assertFalse(self.thread.is_alive())
        self.assertEqual(self.exit_code, 0)

    def test_output_that_is_not_json_fails_the_job(self):
        self.start(lambda job: {"value": object()})
        jid = self.peer.add_job({})
        info = json.loads(self.peer.result(jid)["error"])
        self.assertIn("JSON", info["error_message"])

    def test_async_handler(self):
        async def handler(job):
            await asyncio.sleep(0.01)
            return {"async": job["input"]}

        self.start(handler)
        jid = self.peer.add_job(5)
        self.assertEqual(self.peer.result(jid), {"output": {"async": 5}})


class TestStreamingAndProgress(WorkerCase):
    def test_generator_streams_chunks_then_posts_the_aggregate(self):
        def handler(job):
            for i in range(job["input"]["n"]):
                yield {"i": i}

        self.start(handler)
        jid = self.peer.add_job({"n": 3})
        self.assertEqual(self.peer.result(jid), {"output": [{"i": 0}, {"i": 1}, {"i": 2}]})
        chunks = self.peer.of("job-stream", jid)
        self.assertEqual([c.json for c in chunks], [{"output": {"i": i}} for i in range(3)])
        self.assertEqual(chunks[0].path, "/v2/fn/job-stream/w1/" + jid)
        self.assertEqual(chunks[0].q("isStream"), "false")
        self.assertEqual(chunks[0].headers["X-Request-ID"], jid)
        done = [r for r in self.peer.of("job-done", jid) if getattr(r, "accepted", False)][0]
        self.assertEqual(done.q("isStream"), "true")  # as runpod-python marks a generator's final result
        self.assertLess(chunks[-1].at, done.at)

    def test_async_generator(self):
        async def handler(job):
            for word in job["input"].split():
                await asyncio.sleep(0)
                yield word

        self.start(handler)
        jid = self.peer.add_job("a b c")
        self.assertEqual(self.peer.result(jid), {"output": ["a", "b", "c"]})
        self.assertEqual([c.json["output"] for c in self.peer.of("job-stream", jid)], ["a", "b", "c"])

    def test_generator_that_raises_fails_the_job(self):
        def handler(job):
            yield 1
            raise RuntimeError("midway")

        self.start(handler)
        jid = self.peer.add_job({})
        info = json.loads(self.peer.result(jid)["error"])
        self.assertEqual(info["error_message"], "midway")

    def test_progress_updates_go_to_the_done_url_before_the_result(self):
        def handler(job):
            for p in (10, 50, 90):
                self.assertTrue(hearth_worker.progress_update(job, {"percent": p}))
            return "done"

        self.start(handler)
        jid = self.peer.add_job({})
        self.assertEqual(self.peer.result(jid), {"output": "done"})
        posts = self.peer.of("job-done", jid)
        self.assertEqual([p.json for p in posts[:3]],
                         [{"status": "IN_PROGRESS", "output": {"percent": p}} for p in (10, 50, 90)])
        self.assertTrue(all(p.q("isStream") == "false" for p in posts))


class TestConcurrencyAndCancellation(WorkerCase):
    def test_concurrency_two_takes_batches_and_overlaps_jobs(self):
        running, peak, lock = [0], [0], threading.Lock()

        def handler(job):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.3)
            with lock:
                running[0] -= 1
            return job["input"]

        a = self.peer.add_job("a")
        b = self.peer.add_job("b")
        self.start(handler, concurrency=2)
        self.assertEqual(self.peer.result(a), {"output": "a"})
        self.assertEqual(self.peer.result(b), {"output": "b"})
        self.assertEqual(peak[0], 2)
        batch = self.peer.of("job-take-batch")[0]
        self.assertEqual(batch.path, "/v2/fn/job-take-batch/w1")
        self.assertEqual(batch.q("batch_size"), "2")
        self.assertEqual(batch.q("job_in_progress"), "0")

    def test_concurrency_from_environment(self):
        w = Worker(lambda j: j, env=self.peer.env(HEARTH_CONCURRENCY=3), install_signals=False)
        self.assertEqual(w.concurrency, 3)

    def test_job_stop_marks_the_job_cancelled_and_its_result_is_not_posted(self):
        started, saw = threading.Event(), []

        def handler(job):
            if job["input"] == "quick":
                return "quick"
            started.set()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if hearth_worker.is_cancelled(job):
                    saw.append("cancelled")
                    return "ignored"
                time.sleep(0.01)
            return "not cancelled"

        self.start(handler)
        jid = self.peer.add_job({})
        self.assertTrue(started.wait(3))
        self.peer.stop(jid)
        self.peer.wait_for(lambda: saw, 3, "the handler to see the cancellation")
        stop = self.peer.of("job-stop")[0]
        self.assertEqual(stop.path, "/v2/fn/job-stop/w1")
        # the worker goes on, and the cancelled job's result never arrives
        self.peer.stop("job-not-here")  # ids this worker does not hold are ignored
        nxt = self.peer.add_job("quick")
        self.assertEqual(self.peer.result(nxt), {"output": "quick"})
        self.assertEqual(self.peer.results(jid), [])

    def test_heartbeat_reports_in_flight_jobs(self):
        release = threading.Event()

        def handler(job):
            release.wait(3)
            return 1

        self.start(handler, ping_ms=50)
        jid = self.peer.add_job({})
        ping = self.peer.wait_for(lambda: [p for p in self.peer.of("ping") if p.q("job_id") == jid], 3, "a ping")[0]
        self.assertEqual(ping.path, "/v2/fn/ping/w1")
        self.assertEqual(ping.q("gpu"), "cpu")
        self.assertTrue(ping.q("runpod_version").startswith("hearth-"))
        # while a job runs the take says so... (concurrency 1 does not take while busy) and idle pings omit job_id
        release.set()
        self.peer.result(jid)
        self.peer.wait_for(lambda: any(p.q("job_id") is None and p.at > self.peer.of("job-done", jid)[-1].at
                                       for p in self.peer.of("ping")), 3, "an idle ping")


class TestBatchedResults(WorkerCase):
    """With concurrency > 1 and HEARTH_WEBHOOK_POST_OUTPUT_BATCH, results that finish together share one POST."""

    def start_batched(self, handler, concurrency=4):
        return self.start(handler, concurrency=concurrency, **self.peer.batch_env())

    def test_results_finishing_together_share_one_post(self):
        gate = threading.Barrier(4, timeout=5)

        def handler(job):
            gate.wait()
            return {"echo": job["input"]}

        ids = [self.peer.add_job(i) for i in range(4)]
        self.start_batched(handler)
        for i, jid in enumerate(ids):
            self.assertEqual(self.peer.result(jid), {"output": {"echo": i}})
        self.assertEqual(self.peer.of("job-done"), [])
        self.assertTrue(any(len(r.json["results"]) > 1 for r in self.peer.of("job-done-batch")),
                        self.peer.of("job-done-batch"))

    def test_jobs_handed_back_with_a_batch_of_results_run_without_another_take(self):
        gate = threading.Barrier(2, timeout=5)

        def handler(job):
            if job["input"] != "next":
                gate.wait()  # both slots stay busy until both jobs run, so no take can fetch "next"
            return job["input"]

        first = [self.peer.add_job(i) for i in range(2)]
        self.start_batched(handler, concurrency=2)
        self.peer.wait_for(lambda: len(self.peer.jobs) == 0 and self.peer.of("job-take-batch"), 3,
                           "both jobs to be taken")
        nxt = self.peer.add_job("next")
        for i, jid in enumerate(first):
            self.assertEqual(self.peer.result(jid), {"output": i})
        self.assertEqual(self.peer.result(nxt), {"output": "next"})
        posts = self.peer.of("job-done-batch")
        self.assertEqual(posts[0].q("take"), str(len(posts[0].json["results"])))
        self.assertIn(nxt, [j["id"] for r in posts for j in r.handed_out])

    def test_a_lone_result_is_posted_by_its_own_thread_which_runs_the_next_job_the_answer_brings(self):
        ran_on = {}

        def handler(job):
            ran_on[job["input"]] = threading.current_thread().name
            if job["input"] == "first":
                self.peer.hand_back.append({"id": "next-job", "input": "next"})
            return job["input"]

        first = self.peer.add_job("first")
        self.start_batched(handler, concurrency=2)
        self.assertEqual(self.peer.result(first), {"output": "first"})
        self.assertEqual(self.peer.result("next-job"), {"output": "next"})
        # no hand-over to another thread: the job thread that posted the result ran the job its answer carried
        self.assertEqual(ran_on["next"], ran_on["first"])

    def test_an_error_result_keeps_its_fields_in_the_batch(self):
        def handler(job):
            raise ValueError("bad input %s" % job["input"])

        jid = self.peer.add_job(7)
        self.start_batched(handler)
        result = self.peer.result(jid)
        self.assertIn("bad input 7", result["error"])
        batch_item = self.peer.of("job-done-batch")[0].json["results"][0]
        self.assertEqual((batch_item["id"], batch_item["isStream"]), (jid, False))

    def test_a_refused_result_in_a_batch_is_logged_and_the_worker_goes_on(self):
        self.peer.done_script.append(409)
        first = self.peer.add_job("first")
        self.start_batched(lambda job: job["input"])
        self.peer.wait_for(lambda: any("409" in line for line in self.logs), 3, "the 409 to be logged")
        self.assertEqual(self.peer.results(first), [])
        nxt = self.peer.add_job("next")
        self.assertEqual(self.peer.result(nxt), {"output": "next"})

    def test_a_server_without_batches_gets_results_one_by_one(self):
        self.peer.batch_status = 404
        jid = self.peer.add_job("x")
        self.start_batched(lambda job: job["input"])
        self.assertEqual(self.peer.result(jid), {"output": "x"})
        self.assertEqual(len(self.peer.of("job-done", jid)), 1)


class TestFailures(WorkerCase):
    def test_409_drops_the_result_and_the_worker_carries_on(self):
        self.peer.done_script.extend([409])
        self.start(lambda job: job["input"])
        lost = self.peer.add_job("lost")
        self.peer.wait_for(lambda: self.peer.of("job-done", lost), 3, "the refused POST")
        ok = self.peer.add_job("ok")
        self.assertEqual(self.peer.result(ok), {"output": "ok"})
        self.assertEqual(len(self.peer.of("job-done", lost)), 1)  # not retried
        self.assertEqual(self.peer.results(lost), [])

    def test_a_failed_result_post_is_retried_until_delivered(self):
        self.peer.done_script.extend([503, "drop", 500, "drop"])
        self.start(lambda job: job["input"])
        jid = self.peer.add_job("precious")
        self.assertEqual(self.peer.result(jid), {"output": "precious"})
        self.assertGreaterEqual(len(self.peer.of("job-done", jid)), 5)

    def test_a_large_result_arrives_whole(self):
        self.start(lambda job: "x" * job["input"])
        jid = self.peer.add_job(3_000_000)
        self.assertEqual(len(self.peer.result(jid)["output"]), 3_000_000)

    def test_progress_refused_with_409_marks_the_job_cancelled(self):
        seen = []

        def handler(job):
            seen.append(hearth_worker.progress_update(job, 1))
            seen.append(hearth_worker.is_cancelled(job))
            return "late"

        self.peer.done_status_for_progress = 409
        self.start(handler)
        jid = self.peer.add_job({})
        self.peer.wait_for(lambda: len(seen) == 2, 3, "the handler")
        self.assertEqual(seen, [False, True])
        # one job at a time: once the next job's result is in, the first one's would have been posted before it
        self.peer.done_status_for_progress = None
        following = self.peer.add_job({})
        self.peer.result(following)
        self.assertEqual(self.peer.results(jid), [])

    def test_take_401_makes_the_worker_exit(self):
        self.peer.take_status = 401
        self.start(lambda job: job)
        self.thread.join(3)
        self.assertFalse(self.thread.is_alive())
        self.assertEqual(self.exit_code, 0)

    def test_take_404_makes_the_worker_exit(self):
        self.peer.take_status = 404
        self.start(lambda job: job)
        self.thread.join(3)
        self.assertFalse(self.thread.is_alive())

    def test_shutdown_finishes_the_job_in_flight(self):
        started = threading.Event()

        def handler(job):
            started.set()
            time.sleep(0.3)
            return "finished"

        self.start(handler)
        jid = self.peer.add_job({})
        self.assertTrue(started.wait(3))
        self.worker.shutdown()
        self.thread.join(3)
        self.assertFalse(self.thread.is_alive())
        self.assertEqual(self.peer.result(jid, timeout=0.1), {"output": "finished"})

    def test_idle_shutdown_is_prompt(self):
        self.peer.close()
        self.peer = Peer(poll_wait=30.0)
        self.start(lambda job: job)
        self.peer.wait_for(lambda: self.peer.of("job-take"), 3, "a take")
        self.worker.shutdown()
        # the peer holds each take for 30 s, like the real server's long poll: stopping well within that means
        # shutdown cut the poll short instead of waiting it out
        self.thread.join(15)
        self.assertFalse(self.thread.is_alive())

    def test_missing_environment_is_a_config_error(self):
        with self.assertRaises(ConfigError):
            Config({})

    def test_urls_without_query_strings(self):
        cfg = Config({"RUNPOD_WEBHOOK_GET_JOB": "http://h:1/v2/f/job-take/$ID",
                      "RUNPOD_WEBHOOK_POST_OUTPUT": "http://h:1/v2/f/job-done/$RUNPOD_POD_ID/$ID",
                      "RUNPOD_POD_ID": "w9"})
        self.assertEqual(cfg.take_prefix, "/v2/f/job-take/w9?job_in_progress=")
        self.assertEqual(cfg.done_url_path("j1"), "/v2/f/job-done/w9/j1?isStream=false")
        self.assertEqual(cfg.stop_path, "/v2/f/job-stop/w9")


class TestBatching(WorkerCase):
    def test_batch_handler_gets_a_list_of_inputs_and_each_job_its_own_output(self):
        calls = []

        def handler(inputs):
            calls.append(list(inputs))
            return [x * 10 for x in inputs]

        ids = [self.peer.add_job(i) for i in range(5)]
        self.start(handler, HEARTH_BATCH_MAX_SIZE="4")
        for i, jid in enumerate(ids):
            self.assertEqual(self.peer.result(jid), {"output": i * 10})
        self.assertEqual(calls[0], [0, 1, 2, 3])
        self.assertTrue(all(len(c) <= 4 for c in calls))
        take = self.peer.of("job-take-batch")[0]
        self.assertEqual(take.q("batch_size"), "4")

    def test_a_result_of_the_wrong_length_fails_every_job_of_the_batch(self):
        a = self.peer.add_job("a")
        b = self.peer.add_job("b")
        self.start(lambda inputs: ["only one"], HEARTH_BATCH_MAX_SIZE="2")
        for jid in (a, b):
            err = json.loads(self.peer.result(jid)["error"])
            self.assertIn("returned 1 outputs for 2 inputs", err["error_message"])

    def test_a_raising_batch_handler_fails_every_job(self):
        a = self.peer.add_job("a")
        self.start(lambda inputs: 1 / 0, HEARTH_BATCH_MAX_SIZE="8")
        err = json.loads(self.peer.result(a)["error"])
        self.assertIn("ZeroDivisionError", err["error_type"])

    def test_batch_size_from_environment(self):
        w = Worker(lambda j: j, env=self.peer.env(HEARTH_BATCH_MAX_SIZE=6), install_signals=False)
        self.assertEqual(w.batch_size, 6)


if __name__ == "__main__":
    unittest.main()
