package dev.hearth.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the workers printed while they ran one job ({@code GET /v1/jobs/{id}/logs}), one segment per attempt.
 *
 * @param id       the job id
 * @param function its function
 * @param status   its status now
 * @param shared   true when the function runs several jobs per worker at once: then a segment also holds the lines
 *                 of the jobs that ran beside this one
 * @param segments one per attempt, oldest first
 */
public record JobLogs(String id, String function, JobState status, boolean shared, List<Segment> segments) {

    public JobLogs {
        segments = List.copyOf(segments);
    }

    /**
     * One attempt's output.
     *
     * @param running   whether the attempt still runs (more lines may come)
     * @param truncated whether the start was left out (a segment is at most 1 MiB)
     */
    public record Segment(int attempt, String workerId, boolean running, boolean truncated, List<String> lines) {

        public Segment {
            lines = List.copyOf(lines);
        }
    }

    static JobLogs decode(JsonNode n) {
        List<Segment> segments = new ArrayList<>();
        for (JsonNode s : n.path("segments")) {
            List<String> lines = new ArrayList<>();
            s.path("lines").forEach(l -> lines.add(l.asText()));
            segments.add(new Segment(s.path("attempt").asInt(), Decode.text(s, "workerId"),
                    s.path("running").asBoolean(), s.path("truncated").asBoolean(), lines));
        }
        return new JobLogs(Decode.text(n, "id"), Decode.text(n, "function"),
                JobState.valueOf(n.path("status").asText("IN_QUEUE")), n.path("shared").asBoolean(), segments);
    }
}
