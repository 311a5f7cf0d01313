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
                .append(t.attempts() == 1 ? " attempt" : " attempts").append('\n');
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
        if (e.detail() != null) {
            parts.add(e.detail().replace('\n', ' '));
        }
        return String.join(", ", parts);
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
