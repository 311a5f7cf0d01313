package dev.hearth.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.functions.Durations;
import dev.hearth.functions.FunctionSchedule;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.functions.ScalingUpdate;
import dev.hearth.functions.ScheduledFloor;
import dev.hearth.scaling.ScalingInputs;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.scaling.ScalingEvents;
import dev.hearth.server.scaling.ScalingSettings;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * Autoscaling in the management API: live updates ({@code PATCH|DELETE /v1/functions/{fn}/scaling}), the decision log
 * ({@code GET /v1/functions/{fn}/events}), and the scaling block of a function's description.
 */
final class ScalingRoutes {

    private static final long BODY_LIMIT = 64 << 10;
    private static final int EVENTS_LIMIT = 200;

    private final FunctionRegistry functions;
    private final ScalingSettings settings;
    private final ScalingEvents events;
    private final Runnable nudge;
    private final InstantSource clock;

    ScalingRoutes(FunctionRegistry functions, ScalingSettings settings, ScalingEvents events, Runnable nudge,
                  InstantSource clock) {
        this.functions = functions;
        this.settings = settings;
        this.events = events;
        this.nudge = nudge;
        this.clock = clock;
    }

    /** Asks the scaling loop to look again now, after a change it should act on. */
    void nudge() {
        nudge.run();
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("PATCH", "/v1/functions/{fn}/scaling", c, this::update)
                .add("POST", "/v1/functions/{fn}/scaling", c, this::update)
                .add("DELETE", "/v1/functions/{fn}/scaling", c, this::reset)
                .add("GET", "/v1/functions/{fn}/events", c, this::events);
    }

    private void update(Call call) {
        FunctionVersion v = functions.require(call.param("fn"));
        ObjectNode before = scalingView(v);
        settings.apply(v, call.json(BODY_LIMIT, "scaling updates"));
        nudge.run();
        answerWithChange(call, v, before);
    }

    private void reset(Call call) {
        FunctionVersion v = functions.require(call.param("fn"));
        ObjectNode before = scalingView(v);
        settings.reset(v.name());
        nudge.run();
        answerWithChange(call, v, before);
    }

    /** Answers with the scaling in force, and tells the audit log what it was before. */
    private void answerWithChange(Call call, FunctionVersion v, ObjectNode before) {
        ObjectNode after = scalingView(v);
        call.audit(v.name(), before.get("scaling") + " -> " + after.get("scaling"));
        call.json(200, after);
    }

    private ObjectNode scalingView(FunctionVersion v) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", v.name());
        describe(n, v);
        return n;
    }

    /**
     * Writes the scaling in force into a function's description: {@code scaling} (with {@code liveUpdate}, the
     * fields changed without a redeploy) and, for a cron-scheduled function, {@code schedule}.
     */
    void describe(ObjectNode n, FunctionVersion v) {
        ScalingConfig s = settings.effective(v);
        ObjectNode o = n.putObject("scaling");
        o.put("minWorkers", s.minWorkers());
        o.put("maxWorkers", s.maxWorkers());
        o.put("idleTimeout", Durations.format(s.idleTimeout()));
        o.put("concurrency", s.concurrency());
        o.put("bufferWorkers", s.bufferWorkers());
        o.put("targetConcurrency", s.targetConcurrency());
        o.put("scaler", s.scaler().wire());
        o.put("scalerValue", s.effectiveScalerValue());
        Instant now = clock.instant();
        if (!s.schedule().isEmpty()) {
            ArrayNode floors = o.putArray("schedule");
            for (ScheduledFloor f : s.schedule()) {
                floors.addObject().put("cron", f.cron().toString()).put("minWorkers", f.minWorkers())
                        .put("duration", Durations.format(f.duration())).put("timeZone", f.zone().getId())
                        .put("active", f.activeAt(now));
            }
            o.put("minWorkersNow", s.minWorkersAt(now));
        }
        ScalingUpdate u = settings.update(v.name());
        if (!u.isEmpty()) {
            o.set("liveUpdate", ScalingSettings.toJson(u));
        }
        FunctionSchedule cron = v.manifest().schedule();
        if (cron != null) {
            n.putObject("schedule").put("cron", cron.cron().toString()).put("timeZone", cron.zone().getId())
                    .put("nextRun", cron.cron().next(now, cron.zone()).toString())
                    .set("input", parse(cron.inputJson()));
        }
    }

    private void events(Call call) {
        String fn = call.param("fn");
        functions.require(fn);
        int limit = (int) call.queryLong("limit", EVENTS_LIMIT, 1, 1000);
        List<ScalingEvents.Event> all = events.recent(fn);
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("events");
        for (ScalingEvents.Event e : all.subList(Math.max(0, all.size() - limit), all.size())) {
            ObjectNode o = arr.addObject();
            o.put("at", e.at().toString());
            o.put("action", e.action());
            o.put("delta", e.delta());
            o.put("desired", e.desired());
            o.put("panic", e.panic());
            o.put("why", e.why());
            if (!e.drained().isEmpty()) {
                ArrayNode d = o.putArray("drained");
                e.drained().forEach(d::add);
            }
            o.put("reason", e.reason());
            ScalingInputs in = e.inputs();
            if (in == null) {
                continue;
            }
            ObjectNode i = o.putObject("inputs");
            i.put("queued", in.queued());
            i.put("queuedLowPriority", in.queuedLowPriority());
            i.put("inFlight", in.inFlight());
            i.put("ready", in.ready());
            i.put("starting", in.starting());
            i.put("draining", in.draining());
            i.put("capacity", in.capacity());
            i.put("oldestQueuedMs", in.oldestQueued().toMillis());
            i.put("stableDemand", round(in.stableDemand()));
            i.put("panicDemand", round(in.panicDemand()));
            i.put("minWorkers", in.minWorkers());
            i.put("maxWorkers", in.maxWorkers());
            i.put("scaler", in.scaler());
            i.put("scalerValue", in.scalerValue());
        }
        call.json(200, n);
    }

    private static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Json.MAPPER.getNodeFactory().textNode(json);
        }
    }
}
