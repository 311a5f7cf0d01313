package dev.hearth.scaling;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What the autoscaler wants done for one function, and why, in words an operator reads in the event log.
 *
 * <p>Not a record, because the reason text is written only when someone reads it: a function is decided every few
 * milliseconds while requests arrive, the server records only the decisions that change something, and a simulated
 * hour of ten functions makes millions of decisions nobody reads. The text, once asked for, is the same as if it had
 * been written at once (it depends only on the decision's own numbers).
 */
public final class ScalingDecision {

    private final String function;
    private final int start;
    private final List<String> drain;
    /** Writes the reason; kept (not cleared) so that threads racing on the first read both get the same text. */
    private final Supplier<String> reasonText;
    private String reason;
    private final int desired;
    private final boolean panic;
    private final String why;
    private final ScalingInputs inputs;

    /**
     * @param start   how many workers to start
     * @param drain   which workers to stop routing to and stop once their jobs are done, in the order chosen
     * @param reason  the whole story, e.g. {@code queue 37, in flight 8, capacity 8 → +4, panic}
     * @param desired the worker count the autoscaler aims for
     * @param panic   whether the panic window is in charge (no scale-down)
     * @param why     the short cause ({@code scale from zero}, {@code demand}, {@code idle}, {@code hold}, ...), for
     *                grouping repeated holds
     * @param inputs  the numbers the decision was based on
     */
    public ScalingDecision(String function, int start, List<String> drain, String reason, int desired, boolean panic,
                           String why, ScalingInputs inputs) {
        this(function, start, drain, constant(Objects.requireNonNull(reason)), desired, panic, why, inputs);
    }

    /** As the public constructor, with the reason written on first use. */
    ScalingDecision(String function, int start, List<String> drain, Supplier<String> reasonText, int desired,
                    boolean panic, String why, ScalingInputs inputs) {
        this.function = function;
        this.start = start;
        this.drain = List.copyOf(drain);
        this.reasonText = reasonText;
        this.desired = desired;
        this.panic = panic;
        this.why = why;
        this.inputs = inputs;
    }

    public String function() {
        return function;
    }

    public int start() {
        return start;
    }

    public List<String> drain() {
        return drain;
    }

    /** The whole story, e.g. {@code queue 37, in flight 8, capacity 8 → +4, panic}. */
    public String reason() {
        String r = reason;
        if (r == null) {
            r = reasonText.get();
            reason = r;
        }
        return r;
    }

    private static Supplier<String> constant(String text) {
        return () -> text;
    }

    public int desired() {
        return desired;
    }

    public boolean panic() {
        return panic;
    }

    public String why() {
        return why;
    }

    public ScalingInputs inputs() {
        return inputs;
    }

    public boolean isNoop() {
        return start == 0 && drain.isEmpty();
    }

    /** {@code scale-up}, {@code scale-down} or {@code hold}. */
    public String action() {
        return start > 0 ? "scale-up" : drain.isEmpty() ? "hold" : "scale-down";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScalingDecision d && function.equals(d.function) && start == d.start
                && drain.equals(d.drain) && reason().equals(d.reason()) && desired == d.desired && panic == d.panic
                && why.equals(d.why) && Objects.equals(inputs, d.inputs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(function, start, drain, reason(), desired, panic, why, inputs);
    }

    @Override
    public String toString() {
        return "ScalingDecision[function=" + function + ", start=" + start + ", drain=" + drain + ", reason="
                + reason() + ", desired=" + desired + ", panic=" + panic + ", why=" + why + ", inputs=" + inputs
                + "]";
    }
}
