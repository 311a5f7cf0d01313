package dev.hearth.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A piece of one worker's output ({@code GET /v1/workers/{id}/logs}): whole lines, and the cursor to ask for what
 * follows.
 *
 * @param workerId the worker
 * @param function its function
 * @param exited   whether the worker is gone (nothing more will come)
 * @param next     the offset to pass as {@code after} for the lines that follow
 * @param lines    the lines
 */
public record WorkerLogChunk(String workerId, String function, boolean exited, long next, List<String> lines) {

    public WorkerLogChunk {
        lines = List.copyOf(lines);
    }

    static WorkerLogChunk decode(JsonNode n) {
        List<String> lines = new ArrayList<>();
        n.path("lines").forEach(l -> lines.add(l.asText()));
        return new WorkerLogChunk(Decode.text(n, "workerId"), Decode.text(n, "function"),
                n.path("exited").asBoolean(), n.path("next").asLong(), lines);
    }
}
