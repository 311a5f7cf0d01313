package dev.hearth.server.schedule;

import dev.hearth.functions.FunctionSchedule;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.schedule.CronTrigger;
import dev.hearth.store.SettingsStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Submits a job for each tick of a cron-scheduled function ({@code schedule: "0 * * * *"} in its manifest). The
 * last tick fired is stored durably before the job is submitted, so a restart never fires the same tick twice (a
 * crash in between loses that one tick instead). After downtime only the latest missed tick fires. A new schedule
 * starts with the ticks after its deploy.
 */
public final class CronScheduler {

    private static final Logger LOG = Logger.getLogger(CronScheduler.class.getName());
    private static final String PREFIX = "schedule.fired.";

    private final Supplier<List<FunctionVersion>> functions;
    private final SettingsStore settings;
    private final BiConsumer<String, String> submit;
    private final InstantSource clock;

    /**
     * @param submit submits a job: (function, input JSON)
     */
    public CronScheduler(Supplier<List<FunctionVersion>> functions, SettingsStore settings,
                         BiConsumer<String, String> submit, InstantSource clock) {
        this.functions = functions;
        this.settings = settings;
        this.submit = submit;
        this.clock = clock;
    }

    /** Fires every function whose tick has come; call it every few seconds. */
    public synchronized void runOnce() {
        Instant now = clock.instant();
        for (FunctionVersion fn : functions.get()) {
            FunctionSchedule s = fn.manifest().schedule();
            if (s == null) {
                continue;
            }
            try {
                fire(fn, s, now);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "scheduled run of " + fn.name() + " failed; the next tick tries again", e);
            }
        }
    }

    private void fire(FunctionVersion fn, FunctionSchedule s, Instant now) {
        Instant last = lastFired(fn.name()).filter(t -> !t.isBefore(fn.deployedAt())).orElse(fn.deployedAt());
        Optional<Instant> due = CronTrigger.due(s.cron(), s.zone(), last, now);
        if (due.isEmpty()) {
            return;
        }
        settings.put(PREFIX + fn.name(), due.get().toString());
        submit.accept(fn.name(), s.inputJson());
        LOG.info("scheduled run of " + fn.name() + " for the tick at " + due.get() + " (" + s.cron() + ")");
    }

    /** The last tick that fired for a function, if any. */
    public Optional<Instant> lastFired(String function) {
        return settings.get(PREFIX + function).filter(v -> !v.isEmpty()).map(Instant::parse);
    }

    /** The next tick of a function's schedule after now, if it has one. */
    public Optional<Instant> nextTick(FunctionVersion fn) {
        FunctionSchedule s = fn.manifest().schedule();
        return s == null ? Optional.empty() : Optional.of(s.cron().next(clock.instant(), s.zone()));
    }
}
