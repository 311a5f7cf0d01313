package dev.hearth.functions;

import dev.hearth.schedule.Cron;
import java.util.Objects;

/**
 * A cron-scheduled function: at each tick the control plane submits one job with {@code inputJson} as its input.
 * Written in a manifest as {@code schedule: "0 * * * *"} (or any 5-field expression) with an optional
 * {@code scheduleInput}.
 *
 * @param inputJson the job input as JSON text ({@code {}} unless the manifest gives {@code scheduleInput})
 * @param zone      the zone the expression is read in (the manifest's {@code timeZone}, UTC by default)
 */
public record FunctionSchedule(Cron cron, String inputJson, java.time.ZoneId zone) {

    public FunctionSchedule {
        Objects.requireNonNull(cron, "cron");
        Objects.requireNonNull(inputJson, "inputJson");
        Objects.requireNonNull(zone, "zone");
    }
}
