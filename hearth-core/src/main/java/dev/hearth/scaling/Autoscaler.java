package dev.hearth.scaling;

import dev.hearth.functions.Durations;
import dev.hearth.functions.Scaler;
import dev.hearth.functions.ScalingConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Decides how many workers a function should have, in the manner of Knative's KPA:
 *
 * <ul>
 *   <li>Demand is queued + in-flight jobs (low-priority jobs never add workers). The {@code requestCount} scaler wants
 *       ceil(demand / scalerValue) workers, demand averaged over the stable window; the {@code queueDelay} scaler
 *       adds one worker at a time while the oldest queued job has waited longer than scalerValue seconds.</li>
 *   <li>The first job at zero workers starts one at once: a function at rest has no history, so its windows start
 *       afresh.</li>
 *   <li>Panic: when demand over the short panic window exceeds {@code panicThreshold} × capacity, the panic window
 *       decides, and nothing scales down until a whole stable window has passed without panic.</li>
 *   <li>Hysteresis: scale-down goes only as far as leaves the remaining workers {@code scaleDownHysteresis} of
 *       headroom, and only takes workers idle for their idleTimeout.</li>
 *   <li>One decision raises workers to at most {@code maxScaleUpRate} × the ready ones.</li>
 *   <li>{@code bufferWorkers} extra workers while there is work; never below the floor (minWorkers or an active
 *       scheduled floor) nor above maxWorkers.</li>
 * </ul>
 *
 * <p>Pure: a function of the snapshot, the windows (which it updates) and the injected clock, so a simulator can
 * replay traces against it.
 */
public final class Autoscaler {

    private final InstantSource clock;
    private final ScalingTuning tuning;

    public Autoscaler(InstantSource clock) {
        this(clock, ScalingTuning.DEFAULT);
    }

    public Autoscaler(InstantSource clock, ScalingTuning tuning) {
        this.clock = clock;
        this.tuning = tuning;
    }

    /** A decision without history: as if this were the function's first round. */
    public ScalingDecision decide(FunctionLoad load) {
        return decide(load, new ScalingWindows());
    }

    /** Records this round's demand in {@code windows} and decides. */
    public ScalingDecision decide(FunctionLoad load, ScalingWindows windows) {
        Instant now = clock.instant();
        ScalingConfig cfg = load.config();
        List<WorkerSnapshot> active = active(load.workers());
        int starting = 0;
        for (WorkerSnapshot w : active) {
            if (w.phase() == WorkerPhase.STARTING) {
                starting++;
            }
        }
        int ready = active.size() - starting;
        int draining = load.workers().size() - active.size();
        int demand = load.queued() + load.inFlight();
        Duration stableWindow = tuning.stableWindowFor(cfg.idleTimeout());
        Duration panicWindow = tuning.panicWindowFor(cfg.idleTimeout());
        if (active.isEmpty()) {
            windows.reset();
        }
        windows.record(now, demand, stableWindow);
        double stable = windows.average(now, stableWindow);
        double panicDemand = windows.average(now, panicWindow);
        double target = cfg.targetConcurrency();
        double value = cfg.effectiveScalerValue();
        double capacity = active.size() * target;
        int floor = cfg.minWorkersAt(now);
        int max = cfg.maxWorkers();
        ScalingInputs inputs = new ScalingInputs(load.queued(), load.queuedLowPriority(), load.inFlight(), ready,
                starting, draining, capacity, load.oldestQueued(), stable, panicDemand, floor, max,
                cfg.scaler().wire(), value);

        // What demand alone asks for, and the lowest count scale-down may go to (the hysteresis band).
        int wanted;
        int keep;
        boolean panic = false;
        String why;
        if (cfg.scaler() == Scaler.QUEUE_DELAY) {
            boolean late = load.queued() > 0 && load.oldestQueued().toMillis() > value * 1000;
            if (late && starting == 0) {
                wanted = active.size() + 1;
                why = "queue delay";
            } else if (load.queued() > 0) {
                wanted = active.size();
                why = late ? "hold (a worker is starting)" : "hold (queue delay within " + num(value) + "s)";
            } else {
                wanted = ceil(load.inFlight() / target);
                why = "demand";
            }
            keep = Math.max(wanted, ceil(load.inFlight() / (target * (1 - tuning.scaleDownHysteresis()))));
        } else {
            boolean panicNow = demand > 0 && panicDemand > tuning.panicThreshold() * capacity;
            if (panicNow) {
                windows.panicked(now);
            }
            panic = windows.panickedWithin(now, stableWindow);
            if (panic) {
                wanted = Math.max(ceil(panicDemand / value), active.size());
                why = "panic";
            } else {
                wanted = ceil(stable / value);
                why = "demand";
            }
            keep = Math.max(wanted, ceil(stable / (value * (1 - tuning.scaleDownHysteresis()))));
        }
        if (load.queued() > 0 && active.isEmpty()) {
            wanted = Math.max(wanted, 1);
            why = "scale from zero";
        }
        int buffer = demand > 0 ? cfg.bufferWorkers() : 0;
        int desired = Math.clamp((long) wanted + buffer, floor, max);
        int lowest = Math.clamp((long) keep + buffer, floor, max);
        if (desired > active.size() && wanted + buffer < floor) {
            why = floor > cfg.minWorkers() ? "scheduled floor " + floor : "keep minWorkers " + floor;
        } else if (desired > active.size() && wanted <= active.size() && buffer > 0) {
            why = "bufferWorkers " + buffer;
        }

        // The reason texts are written only when read (see ScalingDecision): the lambdas capture final copies.
        final String cause = why;
        final int want = desired;
        final int low = lowest;
        final int n = active.size();
        if (desired > n) {
            int cap = (int) Math.min(max, Math.ceil(Math.max(1, ready) * tuning.maxScaleUpRate()));
            int to = Math.max(n, Math.min(desired, cap));
            int start = to - n;
            double rateLimit = tuning.maxScaleUpRate();
            if (start == 0) {
                return new ScalingDecision(load.function(), 0, List.of(), () -> inputsText(inputs, load, cfg)
                        + " → desired " + want + ": hold" + rate(to, want, rateLimit), desired, panic,
                        "hold (maxScaleUpRate)", inputs);
            }
            return new ScalingDecision(load.function(), start, List.of(), () -> inputsText(inputs, load, cfg)
                    + " → +" + start + ", " + cause + " (desired " + want + rate(to, want, rateLimit) + ")", desired,
                    panic, why, inputs);
        }

        // Over maxWorkers (lowered by a live update): drain the cheapest at once, busy or not.
        int over = n - max;
        if (over > 0) {
            List<String> drain = new ArrayList<>();
            Victims.forced(active, over).forEach(w -> drain.add(w.id()));
            return new ScalingDecision(load.function(), 0, drain, () -> inputsText(inputs, load, cfg) + " → -"
                    + drain.size() + ", over maxWorkers " + max + " (drained: they finish their jobs first)", max,
                    panic, "over maxWorkers", inputs);
        }
        if (panic || lowest >= n) {
            String hold = panic ? "panic" : why.startsWith("hold (") ? why.substring(6, why.length() - 1)
                    : lowest > desired ? "within the hysteresis band" : "steady";
            int shown = Math.max(desired, Math.min(lowest, n));
            return new ScalingDecision(load.function(), 0, List.of(), () -> inputsText(inputs, load, cfg)
                    + " → hold, " + hold + " (desired " + shown + ")", n, panic, holdWhy(hold), inputs);
        }
        List<WorkerSnapshot> idle = Victims.idle(active, n - lowest, now, cfg.idleTimeout());
        if (idle.isEmpty()) {
            return surplusNotIdle(load, cfg, inputs, low);
        }
        List<String> drain = new ArrayList<>(idle.size());
        idle.forEach(w -> drain.add(w.id()));
        return new ScalingDecision(load.function(), 0, drain, () -> inputsText(inputs, load, cfg) + " → -"
                + drain.size() + ", idle for " + Durations.format(cfg.idleTimeout()) + " (desired " + low + ")",
                lowest, false, "idle", inputs);
    }

    /** The workers not draining: the list itself when none is (the common case, decided every few milliseconds). */
    private static List<WorkerSnapshot> active(List<WorkerSnapshot> workers) {
        for (WorkerSnapshot w : workers) {
            if (w.phase() == WorkerPhase.DRAINING) {
                return workers.stream().filter(x -> x.phase() != WorkerPhase.DRAINING).toList();
            }
        }
        return workers;
    }

    private static ScalingDecision surplusNotIdle(FunctionLoad load, ScalingConfig cfg, ScalingInputs inputs,
                                                  int lowest) {
        return new ScalingDecision(load.function(), 0, List.of(), () -> inputsText(inputs, load, cfg)
                + " → hold, surplus not idle for " + Durations.format(cfg.idleTimeout()) + " yet (desired " + lowest
                + ")", lowest, false, "hold (idle timeout)", inputs);
    }

    private static String rate(int to, int desired, double maxScaleUpRate) {
        return to < desired ? ", held to " + to + " by maxScaleUpRate " + num(maxScaleUpRate) : "";
    }

    /** The short cause of a hold; the common ones without building a string each round. */
    private static String holdWhy(String hold) {
        return switch (hold) {
            case "panic" -> "hold (panic)";
            case "steady" -> "hold (steady)";
            case "within the hysteresis band" -> "hold (within the hysteresis band)";
            default -> "hold (" + hold + ")";
        };
    }

    private static String inputsText(ScalingInputs in, FunctionLoad load, ScalingConfig cfg) {
        StringBuilder s = new StringBuilder("queue ").append(in.queued());
        if (in.queuedLowPriority() > 0) {
            s.append(" (+").append(in.queuedLowPriority()).append(" low priority)");
        }
        s.append(", in flight ").append(in.inFlight());
        s.append(", workers ").append(in.active());
        if (in.starting() > 0) {
            s.append(" (").append(in.starting()).append(" starting)");
        }
        s.append(", capacity ").append(num(in.capacity())).append(" (concurrency ").append(cfg.concurrency())
                .append(")");
        if (cfg.scaler() == Scaler.QUEUE_DELAY && in.queued() > 0) {
            s.append(", oldest waited ").append(Durations.format(load.oldestQueued()));
        }
        return s.toString();
    }

    private static int ceil(double x) {
        return (int) Math.min(Integer.MAX_VALUE, Math.ceil(x - 1e-9));
    }

    private static String num(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : String.format(Locale.ROOT, "%.2f", x);
    }
}
