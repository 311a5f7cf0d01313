package dev.hearth.alerts;

/** How a value is compared with a rule's threshold. */
public enum Comparison {
    ABOVE(">"), AT_LEAST(">="), BELOW("<"), AT_MOST("<=");

    private final String symbol;

    Comparison(String symbol) {
        this.symbol = symbol;
    }

    public String symbol() {
        return symbol;
    }

    /** Whether a rule watching for high values (as most do), rather than low ones. */
    public boolean upward() {
        return this == ABOVE || this == AT_LEAST;
    }

    boolean holds(double value, double threshold) {
        return switch (this) {
            case ABOVE -> value > threshold;
            case AT_LEAST -> value >= threshold;
            case BELOW -> value < threshold;
            case AT_MOST -> value <= threshold;
        };
    }

    static Comparison of(String symbol) {
        for (Comparison c : values()) {
            if (c.symbol.equals(symbol)) {
                return c;
            }
        }
        throw new IllegalArgumentException(symbol);
    }
}
