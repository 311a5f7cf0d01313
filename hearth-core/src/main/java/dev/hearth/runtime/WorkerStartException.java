package dev.hearth.runtime;

/** A worker process could not be started; the message says why (program not found, work dir missing). */
public final class WorkerStartException extends RuntimeException {

    public WorkerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
