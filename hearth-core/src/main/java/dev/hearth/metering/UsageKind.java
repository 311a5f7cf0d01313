package dev.hearth.metering;

import java.util.Locale;

/** What a worker was doing during a usage interval; every kind is billed, only {@link #BUSY} is useful work. */
public enum UsageKind {
    /** Started, not yet asking for work: the cold start. */
    STARTING,
    /** Holding at least one job. */
    BUSY,
    /** Ready and waiting for work: what scale-to-zero saves. */
    IDLE,
    /** Told to stop, holding no job, not yet exited. */
    DRAINING,
    /**
     * A pre-initialized process ({@code scaling.preinit}): handler imported and set up, waiting to be given GPUs;
     * it holds none, so it is billed at the CPU rate.
     */
    PREINIT;

    /** The wire name, e.g. {@code busy}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UsageKind fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
