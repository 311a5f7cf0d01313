package dev.hearth.functions;

import java.util.Arrays;

/** How the autoscaler turns demand into workers, as RunPod's serverless endpoints define the two scaler types. */
public enum Scaler {
    /**
     * Desired workers = ceil((queued + in flight) / scalerValue); scalerValue defaults to the function's
     * targetConcurrency.
     */
    REQUEST_COUNT("requestCount"),
    /** Add workers while the oldest queued job has waited longer than scalerValue seconds (default 4). */
    QUEUE_DELAY("queueDelay");

    private final String wire;

    Scaler(String wire) {
        this.wire = wire;
    }

    /** The name in manifests and the API. */
    public String wire() {
        return wire;
    }

    /** @throws IllegalArgumentException listing the names when {@code name} is none of them */
    public static Scaler fromWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wire.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("must be 'requestCount' or 'queueDelay', got '"
                        + name + "'"));
    }
}
