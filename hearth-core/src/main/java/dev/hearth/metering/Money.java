package dev.hearth.metering;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * An amount of money in nano-dollars. Integer nanos rather than micros: a millisecond of one CPU core costs a few
 * hundredths of a micro-dollar, and per-job costs of short CPU jobs must not round to zero. A long holds about
 * 9.2 billion dollars, far beyond what one Hearth meters.
 */
public record Money(long nanos) implements Comparable<Money> {

    public static final Money ZERO = new Money(0);

    /** Dollars rounded half-up to the nano-dollar. */
    public static Money ofDollars(BigDecimal dollars) {
        return new Money(dollars.movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact());
    }

    public static Money ofDollars(String dollars) {
        return ofDollars(new BigDecimal(dollars));
    }

    /**
     * Dollars without trailing zeros and never with a negative scale: {@code 20}, not {@code 2E+1}. (Amounts under a
     * micro-dollar still print in scientific notation from {@link BigDecimal#toString()}; JSON writers use plain.)
     */
    public BigDecimal dollars() {
        BigDecimal d = BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0) : d;
    }

    public Money plus(Money other) {
        return new Money(Math.addExact(nanos, other.nanos));
    }

    public Money minus(Money other) {
        return new Money(Math.subtractExact(nanos, other.nanos));
    }

    public Money times(long n) {
        return new Money(Math.multiplyExact(nanos, n));
    }

    public boolean isGreaterThan(Money other) {
        return nanos > other.nanos;
    }

    @Override
    public int compareTo(Money o) {
        return Long.compare(nanos, o.nanos);
    }

    /** {@code $1.50}, {@code $0.0042}: cents at least, more digits only where they are not zero. */
    @Override
    public String toString() {
        return format(BigDecimal.valueOf(nanos, 9));
    }

    /** Like {@link #toString()}, rounded half-up to at most {@code decimals} places, for tables. */
    public String rounded(int decimals) {
        return format(BigDecimal.valueOf(nanos, 9).setScale(Math.max(2, decimals), RoundingMode.HALF_UP));
    }

    private static String format(BigDecimal amount) {
        BigDecimal d = amount.stripTrailingZeros();
        if (d.scale() < 2) {
            d = d.setScale(2, RoundingMode.UNNECESSARY);
        }
        return d.signum() < 0 ? "-$" + d.negate().toPlainString() : "$" + d.toPlainString();
    }
}
