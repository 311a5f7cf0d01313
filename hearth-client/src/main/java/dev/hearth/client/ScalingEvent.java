package dev.hearth.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One autoscaling decision as {@code GET /v1/functions/{fn}/events} lists it.
 *
 * @param at      when it was taken
 * @param action  {@code scale-up}, {@code scale-down} or {@code hold}
 * @param delta   workers started (positive) or drained (negative)
 * @param desired the worker count the autoscaler aimed for
 * @param panic   whether the panic window was in charge
 * @param why     the short cause, e.g. {@code panic}, {@code idle}, {@code scale from zero}
 * @param reason  the whole story, e.g. {@code queue 37, in flight 8, capacity 8 → +4, panic (desired 12)}
 * @param inputs  the numbers it was based on ({@code queued}, {@code inFlight}, {@code ready}, ...)
 */
public record ScalingEvent(Instant at, String action, int delta, int desired, boolean panic, String why,
                           String reason, JsonNode inputs) {

    static List<ScalingEvent> list(JsonNode n) {
        List<ScalingEvent> out = new ArrayList<>();
        for (JsonNode e : n.path("events")) {
            out.add(new ScalingEvent(Decode.instant(e.get("at")), Decode.text(e, "action"), e.path("delta").asInt(),
                    e.path("desired").asInt(), e.path("panic").asBoolean(), Decode.text(e, "why"),
                    Decode.text(e, "reason"), e.path("inputs")));
        }
        return List.copyOf(out);
    }
}
