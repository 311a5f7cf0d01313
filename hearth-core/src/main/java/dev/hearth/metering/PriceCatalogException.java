package dev.hearth.metering;

/** {@code prices.yaml} is not valid; the message names the field and what to write instead. */
public final class PriceCatalogException extends RuntimeException {

    public PriceCatalogException(String message) {
        super(message);
    }
}
