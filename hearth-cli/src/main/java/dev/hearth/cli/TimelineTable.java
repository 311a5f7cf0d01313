package dev.hearth.cli;

import dev.hearth.client.JobTimeline;
import java.util.ArrayList;
import java.util.List;

/** A job's timeline as a table for the terminal, offsets in ms from submission. */
final class TimelineTable {

    private TimelineTable() {
    }

    static String render(JobTimeline t) {
        StringBuilder out = new StringBuilder();
        out.append("job ").append(t.id()).append(" (").append(t.function()).append(" v").append(t.version())
                .append("): ").append(t.status()).append(", ").append(t.attempts())
                .append(t.attempts() == 1 ? " attempt" : " attempts");
        if (t.requeues() != null && t.requeues() > 0) {
            out.append(", ").append(t.requeues()).append(t.requeues() == 1 ? " requeue" : " requeues");
        }
        if (t.queueDelayMs() != null) {
            out.append("; ").append(t.queueDelayMs()).append(" ms in the queue");
        }
        if (t.lostRunMs() != null && t.lostRunMs() > 0) {
            out.append(", ").append(t.lostRunMs()).append(" ms in runs lost to requeues");
        }
        out.append('\n');
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"OFFSET", "EVENT", "ATTEMPT", "WORKER", "NODE", "DETAIL"});
        for (JobTimeline.Event e : t.events()) {
            rows.add(new String[] {(e.offsetMs() >= 0 ? "+" : "") + e.offsetMs() + " ms", e.type(),
                    e.attempt() == 0 ? "-" : Integer.toString(e.attempt()), dash(e.workerId()), dash(e.node()),
                    detail(e)});
        }
        int[] width = new int[6];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String cell = r[i];
                // offsets right-aligned so that they line up by digit
                line.append(i == 0 ? " ".repeat(width[i] - cell.length()) + cell
                        : i == r.length - 1 ? cell : cell + " ".repeat(width[i] - cell.length()));
                if (i < r.length - 1) {
                    line.append("  ");
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static String detail(JobTimeline.Event e) {
        List<String> parts = new ArrayList<>();
        if (e.type().equals("leased")) {
            parts.add(Boolean.TRUE.equals(e.coldStart()) ? "cold start" : "warm worker");
        }
        if (e.initTimeMs() != null) {
            parts.add("init " + e.initTimeMs() + " ms");
        }
        if (e.version() != null && (e.type().equals("leased") || e.type().equals("queued"))) {
            parts.add("v" + e.version());
        }
        if (e.waitedMs() != null) {
            parts.add("waited " + e.waitedMs() + " ms");
        }
        if (e.runMs() != null) {
            parts.add("lost a run of " + e.runMs() + " ms");
        }
        if (Boolean.FALSE.equals(e.counted())) {
            parts.add("not counted against retries");
        }
        if (e.detail() != null) {
            parts.add(shortError(e.detail()).replace('\n', ' '));
        }
        return String.join(", ", parts);
    }

    /**
     * A worker's error report (its JSON with type, message and traceback, as the Python library sends it) as
     * {@code type: message}: the traceback belongs to {@code hearth status} and {@code hearth logs}, not to a row.
     */
    static String shortError(String detail) {
        int brace = detail.indexOf('{');
        if (brace < 0 || !detail.contains("\"error_message\"")) {
            return detail;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode n = Json.MAPPER.readTree(detail.substring(brace));
            String type = n.path("error_type").asText("").replaceAll("^<class '(.*)'>$", "$1");
            String message = n.path("error_message").asText("");
            return detail.substring(0, brace) + (type.isEmpty() ? message : type + ": " + message);
        } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
            return detail;
        }
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
