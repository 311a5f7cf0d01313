package dev.hearth.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobState;
import java.time.Instant;

/** A job as RunPod's status object, plus Hearth's timing and placement fields. */
final class StatusView {

    private StatusView() {
    }

    static ObjectNode of(Job job, Instant now, String waitingReason) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", job.id());
        n.put("status", job.state().name());
        Long delay = job.delayTimeMs();
        if (delay != null) {
            n.put("delayTime", delay);
        }
        Long exec = job.executionTimeMs(now);
        if (exec != null) {
            n.put("executionTime", exec);
        }
        if (job.output() != null) {
            n.set("output", raw(job.output()));
        }
        if (job.error() != null && job.state() != JobState.COMPLETED) {
            n.put("error", job.error());
        }
        if (job.placedAt() != null) {
            n.put("coldStart", job.coldStart());
            if (job.coldStart()) {
                n.put("initTime", job.initTimeMs());
            }
        }
        if (job.workerId() != null) {
            n.put("workerId", job.workerId());
        }
        n.put("version", job.version());
        n.put("attempts", job.attempts());
        n.put("createdAt", job.queuedAt().toString());
        if (job.placedAt() != null) {
            n.put("startedAt", job.placedAt().toString());
        }
        if (job.finishedAt() != null) {
            n.put("completedAt", job.finishedAt().toString());
        }
        if (job.state() == JobState.IN_QUEUE && job.runAfter() != null && job.runAfter().isAfter(now)) {
            n.put("runAfter", job.runAfter().toString());
            n.put("reason", "waiting out the retry backoff until " + job.runAfter());
        } else if (job.state() == JobState.IN_QUEUE && waitingReason != null) {
            n.put("reason", waitingReason);
        }
        return n;
    }

    static com.fasterxml.jackson.databind.JsonNode raw(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return Json.MAPPER.getNodeFactory().textNode(json);
        }
    }
}
