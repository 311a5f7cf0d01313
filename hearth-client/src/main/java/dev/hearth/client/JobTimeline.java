package dev.hearth.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's timeline, as {@code GET /v1/jobs/{id}/timeline} answers it: each step from submission to the result, attempt
 * by attempt.
 *
 * @param id       the job id
 * @param function its function
 * @param version  the function version it was submitted to (or ran on)
 * @param status   its status now
 * @param attempts     how many times it was leased to a worker, a run lost to a node drain or shutdown included
 * @param requeues     how many times it went back to the queue; null from a server that does not say
 * @param queueDelayMs its waits in the queue that ended in a lease, summed (a lost run is not waiting); null from a
 *                     server that does not say
 * @param lostRunMs    its runs that ended in a requeue, summed; null from a server that does not say
 * @param events       the steps, oldest first
 */
public record JobTimeline(String id, String function, int version, JobState status, int attempts, Integer requeues,
                          Long queueDelayMs, Long lostRunMs, List<Event> events) {

    public JobTimeline {
        events = List.copyOf(events);
    }

    /**
     * One step.
     *
     * @param type       {@code queued}, {@code worker_started}, {@code leased}, {@code progress}, {@code requeued},
     *                   {@code completed}, {@code failed}, {@code timed_out} or {@code cancelled}
     * @param at         when
     * @param offsetMs   ms since the job was queued
     * @param attempt    the attempt it belongs to, counted by leases (0 before the first lease)
     * @param workerId   the worker, or null
     * @param node       the worker's node, or null
     * @param version    the function version, or null
     * @param coldStart  on {@code leased}: whether the job waited for its worker to start; else null
     * @param initTimeMs on a cold {@code leased} and {@code worker_started}: the worker's start-up time; else null
     * @param waitedMs   on {@code leased}: how long the job waited in the queue for this lease; else null
     * @param runMs      on {@code requeued}: how long the lost run lasted; else null
     * @param counted    on {@code requeued}: whether the lost run counts against the job's retries (false when it was
     *                   handed back: its node drained, the server stopped); else null
     * @param detail     a reason, error or progress message, or null
     */
    public record Event(String type, Instant at, long offsetMs, int attempt, String workerId, String node,
                       Integer version, Boolean coldStart, Long initTimeMs, Long waitedMs, Long runMs,
                       Boolean counted, String detail) {
    }

    static JobTimeline decode(JsonNode n) {
        List<Event> events = new ArrayList<>();
        for (JsonNode e : n.path("events")) {
            events.add(new Event(Decode.text(e, "type"), Decode.instant(e.get("at")), e.path("offsetMs").asLong(),
                    e.path("attempt").asInt(), Decode.text(e, "workerId"), Decode.text(e, "node"),
                    Decode.intOrNull(e, "version"), Decode.boolOrNull(e, "coldStart"),
                    Decode.longOrNull(e, "initTimeMs"), Decode.longOrNull(e, "waitedMs"),
                    Decode.longOrNull(e, "runMs"), Decode.boolOrNull(e, "counted"), Decode.text(e, "detail")));
        }
        return new JobTimeline(Decode.text(n, "id"), Decode.text(n, "function"), n.path("version").asInt(),
                JobState.valueOf(n.path("status").asText("IN_QUEUE")), n.path("attempts").asInt(),
                Decode.intOrNull(n, "requeues"), Decode.longOrNull(n, "queueDelayMs"),
                Decode.longOrNull(n, "lostRunMs"), events);
    }
}
