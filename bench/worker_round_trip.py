#!/usr/bin/env python3
"""Warm round trip of the Python worker library against the test suite's scripted peer, in ms per job.

A benchmark, not a test: both ends are Python here and the peer dominates, so the figure says more about the machine
than about Hearth; it was a unit test with a 10 ms bound once. Run: python3 bench/worker_round_trip.py [jobs]
"""

import os
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "python"), os.path.join(HERE, "..", "python", "tests")]

from peer import Peer  # noqa: E402

from hearth_worker import Worker  # noqa: E402


def main():
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    peer = Peer()
    worker = Worker(lambda job: None, env=peer.env(ping_ms=10000), install_signals=False, watch_parent=False)
    worker.log = lambda msg: None
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        peer.result(peer.add_job(0))  # warm
        ids = [peer.add_job(i) for i in range(jobs)]
        t0 = time.perf_counter()
        peer.result(ids[-1], timeout=600)
        per_job = (time.perf_counter() - t0) / jobs
        print("worker library warm round trip: %.3f ms per job over %d jobs" % (per_job * 1000, jobs))
    finally:
        worker.shutdown()
        thread.join(5)
        peer.close()


if __name__ == "__main__":
    main()
