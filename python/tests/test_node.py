"""The node supervisor (hearth_worker._node): a remote worker's output sent to the control plane in batches."""

import os
import sys
import tempfile
import textwrap
import unittest

from peer import PYTHON_DIR

from hearth_worker import _node


class Recorder:
    """Stands in for the control plane's worker-log route: keeps what arrives, at its offsets."""

    def __init__(self, fail_first=0):
        self.batches = []
        self.fail_first = fail_first

    def post(self, offset, batch):
        self.batches.append((offset, batch))
        if self.fail_first:
            self.fail_first -= 1
            raise OSError("connection reset (the answer was lost)")
        return 200

    def stream(self):
        """What a server that writes each offset once would hold."""
        held = bytearray()
        for offset, batch in self.batches:
            if offset + len(batch) > len(held):
                held += batch[len(held) - offset:]
        return bytes(held)


def run(code, recorder, max_batch=_node.MAX_BATCH, prelude=b""):
    shipper = _node.Shipper("http://unused", "token", max_batch=max_batch, post=recorder.post)
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR, PYTHONUNBUFFERED="1")
    code = _node.supervise([sys.executable, "-c", textwrap.dedent(code)], env, None, shipper, prelude=prelude,
                           ignore_signals=False)
    return code, shipper


class NodeSupervisorTest(unittest.TestCase):

    def test_stdout_and_stderr_arrive_in_the_order_written_after_the_prelude(self):
        rec = Recorder()
        code, shipper = run("""
            import sys
            print("one")
            print("two", file=sys.stderr)
            print("three")
            sys.exit(3)
        """, rec, prelude=b"booted\n")

        self.assertEqual(3, code)
        self.assertEqual(b"booted\none\ntwo\nthree\n", rec.stream())
        self.assertEqual(len(rec.stream()), shipper.offset)

    def test_a_batch_whose_answer_was_lost_is_sent_again_at_the_same_offset(self):
        rec = Recorder(fail_first=1)
        run("print('only once')", rec)

        self.assertEqual(2, len(rec.batches))
        self.assertEqual(rec.batches[0], rec.batches[1])
        self.assertEqual(b"only once\n", rec.stream())

    def test_batches_are_never_larger_than_the_limit(self):
        rec = Recorder()
        run("import sys; sys.stdout.write('x' * 10000)", rec, max_batch=1024)

        self.assertTrue(all(len(b) <= 1024 for _, b in rec.batches), [len(b) for _, b in rec.batches])
        self.assertEqual(b"x" * 10000, rec.stream())
        offsets = [o for o, _ in rec.batches]
        self.assertEqual(sorted(offsets), offsets)

    def test_a_sync_returns_once_what_was_printed_before_it_was_sent(self):
        rec = Recorder()
        run("""
            from hearth_worker import _node
            print("before the job's end")
            _node.sync()
            print("after")
        """, rec)

        first = [b for _, b in rec.batches if b"before" in b][0]
        self.assertNotIn(b"after", first)
        self.assertEqual(b"before the job's end\nafter\n", rec.stream())

    def test_a_refused_batch_is_dropped_rather_than_retried_forever(self):
        refused = []

        def post(offset, batch):
            refused.append(offset)
            return 401

        shipper = _node.Shipper("http://unused", "token", post=post)
        shipper.add(b"revoked\n")
        shipper.flush()

        self.assertEqual([0], refused)
        self.assertEqual(8, shipper.offset)

    def test_sync_does_nothing_outside_a_supervised_worker(self):
        os.environ.pop(_node.SYNC_ENV, None)
        _node.sync(timeout=0.1)


class NodeEnvTest(unittest.TestCase):

    def test_an_environment_is_built_once_per_hash_over_a_half_built_one_and_then_reused(self):
        with tempfile.TemporaryDirectory() as cache:
            # what a build that stopped midway left: no marker
            os.makedirs(os.path.join(cache, "envs", "0123456789abcdef", "bin"))
            spec = {"hash": "0123456789abcdef", "interpreter": sys.executable,
                    "pythonVersion": "%d.%d" % sys.version_info[:2], "requirements": []}
            said = []
            self.assertEqual([], _node.cache_facts(cache)["envs"])

            path, built = _node.node_env(cache, spec, said.append)
            again, built_again = _node.node_env(cache, spec, said.append)

            self.assertTrue(built)
            self.assertFalse(built_again)
            self.assertEqual(path, again)
            self.assertTrue(os.access(os.path.join(path, "bin", "python"), os.X_OK))
            self.assertEqual({"envs": ["0123456789abcdef"], "bundles": []}, _node.cache_facts(cache))
            self.assertEqual(1, len([s for s in said if "building the Python environment" in s]))

    def test_a_python_the_node_lacks_is_an_error_naming_it(self):
        with tempfile.TemporaryDirectory() as cache:
            spec = {"hash": "00000000000000aa", "interpreter": "/nowhere/python9.99", "pythonVersion": "9.99"}

            with self.assertRaises(_node.EnvError) as e:
                _node.node_env(cache, spec, lambda line: None)

            self.assertIn("9.99", str(e.exception))


if __name__ == "__main__":
    unittest.main()
