package dev.hearth.functions;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.schedule.Cron;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The manifest's cron keys: the top-level {@code schedule} of a scheduled function and scaling floors. */
final class ManifestSchedules {

    private ManifestSchedules() {
    }

    static FunctionSchedule functionSchedule(JsonNode root, ZoneId zone) {
        JsonNode node = root.get("schedule");
        JsonNode input = root.get("scheduleInput");
        if (node == null || node.isNull()) {
            if (input != null) {
                throw new ManifestException("'scheduleInput' needs a 'schedule' (a cron expression) to go with it");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw new ManifestException("'schedule' must be a cron expression in quotes, e.g. \"*/5 * * * *\"");
        }
        return new FunctionSchedule(cron(node.asText(), "schedule"), input == null || input.isNull() ? "{}"
                : input.toString(), zone);
    }

    static List<ScheduledFloor> floors(JsonNode node, ZoneId zone, Set<String> keys) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new ManifestException("'scaling.schedule' must be a list of {cron, minWorkers, duration}, e.g. "
                    + "[{cron: \"0 9 * * 1-5\", minWorkers: 2, duration: 8h}]");
        }
        List<ScheduledFloor> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode e = node.get(i);
            String at = "scaling.schedule[" + i + "]";
            if (!e.isObject()) {
                throw new ManifestException("'" + at + "' must be a mapping {cron, minWorkers, duration}");
            }
            ManifestParser.checkKeys(e, keys, at + ".");
            for (String k : List.of("cron", "minWorkers", "duration")) {
                if (!e.has(k)) {
                    throw new ManifestException("'" + at + "." + k + "' is required");
                }
            }
            Cron cron = cron(e.get("cron").asText(), at + ".cron");
            int min = ManifestParser.integer(e.get("minWorkers"), at + ".minWorkers", 0, 1000);
            Duration d = ManifestParser.duration(e, "duration", null, at + ".duration");
            if (d.compareTo(Duration.ofDays(7)) > 0) {
                throw new ManifestException("'" + at + ".duration' must be at most 7 days");
            }
            out.add(new ScheduledFloor(cron, min, d, zone));
        }
        return out;
    }

    private static Cron cron(String text, String field) {
        try {
            return Cron.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ManifestException("'" + field + "': " + e.getMessage());
        }
    }
}
