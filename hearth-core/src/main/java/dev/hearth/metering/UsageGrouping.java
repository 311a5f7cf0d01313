package dev.hearth.metering;

import java.util.Locale;

/** How a usage report is broken down. */
public enum UsageGrouping {
    FUNCTION,
    VERSION,
    /** UTC calendar day of each interval's end. */
    DAY,
    /** One line per worker: its life, kind by kind. */
    WORKER,
    /** One line per job, from job costs only. */
    JOB;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UsageGrouping fromWire(String s) {
        for (UsageGrouping g : values()) {
            if (g.wire().equalsIgnoreCase(s)) {
                return g;
            }
        }
        throw new IllegalArgumentException("groupBy must be one of function, version, day, worker, job; got '" + s + "'");
    }
}
