package dev.hearth.store;

/**
 * A store operation failed for a reason the caller cannot fix by changing its request: the database is unreachable,
 * the disk is full, the store is closed. The message names the store and the operation.
 */
public class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
