package dev.hearth.sim;

import dev.hearth.metering.Money;

/**
 * What one function cost and how fast it was under one policy, over the whole simulated time.
 *
 * @param billedMillis GPU-milliseconds billed (worker-milliseconds for a CPU function): every worker's whole life
 * @param busyMillis   the part of them spent running jobs
 * @param coldStarts   requests that waited for a worker to start (the server's definition)
 * @param latency      end-to-end: submission to result
 * @param queueDelay   submission to the start of execution
 * @param peakWorkers  the most workers alive at once (starting, ready or draining)
 * @param endMillis    when the simulation ended: the traffic's end, or later if work or surplus workers remained
 */
public record LaneResult(int requests, Money cost, long billedMillis, long busyMillis, int coldStarts,
                         Latency latency, Latency queueDelay, int peakWorkers, long endMillis) {

    /** Busy over billed, 0 when nothing was billed. */
    public double utilization() {
        return billedMillis == 0 ? 0 : (double) busyMillis / billedMillis;
    }

    public double coldStartShare() {
        return requests == 0 ? 0 : (double) coldStarts / requests;
    }
}
