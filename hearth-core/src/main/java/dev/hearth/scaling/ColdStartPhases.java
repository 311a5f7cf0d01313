package dev.hearth.scaling;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a worker's cold start went, in ms: {@code process} (from launch until the worker library's own code runs:
 * fork, exec, the interpreter's start), {@code imports} (importing the handler module), {@code setup} (its
 * {@code setup()}), {@code firstTake} (from then, or from being given its GPUs, until its first job-take reached the
 * control plane). A pre-initialized worker ran the first three in the pool, before any job needed it: {@code pooledMs}
 * is how long it then waited for GPUs, and only {@code firstTake} is part of the cold start a job waits for.
 *
 * <p>The worker reports the moments it saw (see {@link #of}); a worker that reports none (an unmodified runpod
 * worker) has no phases.
 *
 * @param pooledMs how long it waited in the pool for GPUs; null for a worker started for the work
 */
public record ColdStartPhases(long processMs, long importsMs, long setupMs, long firstTakeMs, Long pooledMs) {

    /** The phases' names, as in stats, metrics and {@link #asMap()}. */
    public static final String PROCESS = "process";
    public static final String IMPORTS = "imports";
    public static final String SETUP = "setup";
    public static final String FIRST_TAKE = "firstTake";
    public static final String POOLED = "pooled";

    private static final Pattern DETAIL = Pattern.compile("process (\\d+) ms, imports (\\d+) ms, setup (\\d+) ms, "
            + "first take (\\d+) ms(?:; pre-initialized, waited (\\d+) ms for GPUs)?(?:; (?:warm|cold) cache.*)?");

    /**
     * The phases from the moments of a cold start.
     *
     * @param launched   when the control plane launched the process
     * @param marks      epoch ms the worker reported: its own code started, the handler was imported, setup returned
     * @param handedOver when a pre-initialized process was given its GPUs, or null
     * @param ready      when its first take arrived
     * @return empty unless there are exactly three marks
     */
    public static Optional<ColdStartPhases> of(Instant launched, long[] marks, Instant handedOver, Instant ready) {
        if (marks == null || marks.length != 3) {
            return Optional.empty();
        }
        long launch = launched.toEpochMilli();
        long started = Math.max(launch, marks[0]);
        long imported = Math.max(started, marks[1]);
        long setUp = Math.max(imported, marks[2]);
        long from = handedOver == null ? setUp : Math.max(setUp, handedOver.toEpochMilli());
        return Optional.of(new ColdStartPhases(started - launch, imported - started, setUp - imported,
                Math.max(0, ready.toEpochMilli() - from), handedOver == null ? null : from - setUp));
    }

    /** Reads {@code hearth_boot=<started>,<imported>,<set up>} (epoch ms); null when absent or malformed. */
    public static long[] parseMarks(String param) {
        if (param == null || param.isBlank()) {
            return null;
        }
        String[] parts = param.split(",");
        if (parts.length != 3) {
            return null;
        }
        long[] marks = new long[3];
        try {
            for (int i = 0; i < 3; i++) {
                marks[i] = Long.parseLong(parts[i].trim());
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return marks;
    }

    /** The time a job waiting for this worker saw: all of it, or for a pre-initialized worker its first take. */
    public Duration coldStart() {
        return Duration.ofMillis(pooledMs == null ? processMs + importsMs + setupMs + firstTakeMs : firstTakeMs);
    }

    public boolean preinitialized() {
        return pooledMs != null;
    }

    /** By name, in order; {@code pooled} only for a pre-initialized worker. */
    public Map<String, Long> asMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put(PROCESS, processMs);
        m.put(IMPORTS, importsMs);
        m.put(SETUP, setupMs);
        m.put(FIRST_TAKE, firstTakeMs);
        if (pooledMs != null) {
            m.put(POOLED, pooledMs);
        }
        return m;
    }

    /** One line for a timeline event's detail, which {@link #parse} reads back. */
    public String detail() {
        return "process " + processMs + " ms, imports " + importsMs + " ms, setup " + setupMs + " ms, first take "
                + firstTakeMs + " ms" + (pooledMs == null ? "" : "; pre-initialized, waited " + pooledMs
                + " ms for GPUs");
    }

    /**
     * The phases a {@link #detail()} line names, if it is one; a worker on another machine's line may end with what
     * its node's cache held ({@code ; warm cache}, {@code ; cold cache (...)}).
     */
    public static Optional<ColdStartPhases> parse(String detail) {
        if (detail == null) {
            return Optional.empty();
        }
        Matcher m = DETAIL.matcher(detail);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new ColdStartPhases(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                Long.parseLong(m.group(3)), Long.parseLong(m.group(4)),
                m.group(5) == null ? null : Long.parseLong(m.group(5))));
    }
}
