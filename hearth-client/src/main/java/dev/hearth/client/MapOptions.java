package dev.hearth.client;

/**
 * How {@link Fn#map(Iterable, MapOptions)} runs: immutable, built with {@link #builder()}.
 *
 * <pre>{@code
 * MapOptions options = MapOptions.builder().maxInFlight(32).build();
 * }</pre>
 */
public final class MapOptions {

    /**
     * The default window: enough to keep a few workers with concurrency 8 busy over loopback, small enough that
     * the client holds few inputs and results and the server's queue stays short.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 128;

    /** The largest window accepted; each job in flight holds one HTTP connection and one virtual thread. */
    public static final int MAX_MAX_IN_FLIGHT = 4096;

    private static final MapOptions DEFAULTS = builder().build();

    private final int maxInFlight;

    private MapOptions(Builder b) {
        this.maxInFlight = b.maxInFlight;
    }

    /** The defaults: {@value #DEFAULT_MAX_IN_FLIGHT} jobs in flight. */
    public static MapOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The most jobs the map keeps submitted but not yet consumed. The map pulls the next input only when a result
     * has been handed to the caller, so the client's memory and the server's queue are bounded by this window,
     * whatever the number of inputs.
     */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().maxInFlight(maxInFlight);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapOptions other && other.maxInFlight == maxInFlight;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(maxInFlight);
    }

    @Override
    public String toString() {
        return "MapOptions[maxInFlight=" + maxInFlight + "]";
    }

    /** Builds {@link MapOptions}; not thread-safe. */
    public static final class Builder {

        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

        private Builder() {
        }

        /**
         * The most jobs in flight at once, 1 to {@value MapOptions#MAX_MAX_IN_FLIGHT}.
         *
         * @throws IllegalArgumentException when out of range
         */
        public Builder maxInFlight(int maxInFlight) {
            if (maxInFlight < 1 || maxInFlight > MAX_MAX_IN_FLIGHT) {
                throw new IllegalArgumentException("maxInFlight must be between 1 and " + MAX_MAX_IN_FLIGHT
                        + ", not " + maxInFlight);
            }
            this.maxInFlight = maxInFlight;
            return this;
        }

        /** The options as set so far. */
        public MapOptions build() {
            return new MapOptions(this);
        }
    }
}
